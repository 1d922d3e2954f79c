#!/usr/bin/env bash
# `make fuzz`: runs each cargo-fuzz target (fuzz/) for a bounded time, one at a
# time, and saves whatever it finds into the committed regression corpus
# (fuzz/regressions/<target>/), which `make test` replays on stable.
#
# Installs what it needs when missing: the nightly toolchain (libFuzzer needs
# it) and cargo-fuzz. Kept out of scripts/setup.sh, since `make test` must not
# need nightly.
#
# Settings (environment):
#   FUZZ_TARGETS   targets to run (default: all four)
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_RUNS      most executions per target (default -1: until FUZZ_SECONDS)
#   FUZZ_CMIN=1    afterwards, minimise what the run found into fuzz/corpus/
#
# New inputs go to fuzz/run-corpus/<target>/ (git-ignored), starting from the
# committed fuzz/seeds/<target>/ (hand-written) and fuzz/corpus/<target>/
# (minimised finds), so a run never bloats the committed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=${FUZZ_TARGETS:-filter member_input rest_request csv_row}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
RUNS=${FUZZ_RUNS:--1}

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz: installing the nightly toolchain"
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

# The core has no `unsafe` (only src/wasm/ talks to JS), so AddressSanitizer
# finds nothing the Rust checks do not, and it costs about half the speed.
SANITIZER=${FUZZ_SANITIZER:-none}

found=0
for target in $TARGETS; do
  corpus=fuzz/run-corpus/$target
  artifacts=fuzz/artifacts/$target
  mkdir -p "$corpus" "$artifacts" "fuzz/regressions/$target"
  echo "== fuzz $target: ${SECONDS_PER_TARGET}s (runs: ${RUNS}, -1 = no bound)"
  # One process at a time, lowest priority: the machine is shared.
  status=0
  nice -n 19 cargo +nightly fuzz run --sanitizer "$SANITIZER" "$target" \
    "$corpus" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -dict="fuzz/dicts/$target.dict" \
    -max_total_time="$SECONDS_PER_TARGET" -runs="$RUNS" \
    -timeout=10 -jobs=1 -workers=1 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" || status=$?
  # With -jobs, libFuzzer writes the run's log to fuzz-0.log.
  if [ -f fuzz-0.log ]; then
    mv fuzz-0.log "$artifacts/last-run.log"
    grep -E '^#[0-9]+ +(DONE|pulse)|stat::|SUMMARY|panicked' "$artifacts/last-run.log" | tail -12
  fi
  for crash in "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*; do
    [ -f "$crash" ] || continue
    name=$(basename "$crash")
    mv "$crash" "fuzz/regressions/$target/$name"
    echo "fuzz: $target found fuzz/regressions/$target/$name (replay: cargo test --test fuzz_corpus)"
    found=1
  done
  if [ "$status" -ne 0 ] && [ "$found" -eq 0 ]; then
    echo "fuzz: $target failed (exit $status) without an artifact"
    exit "$status"
  fi
  if [ "${FUZZ_CMIN:-0}" = 1 ]; then
    # Keeps the fewest inputs that reach every edge the run reached (edges, not
    # hit counts: a few hundred files, not thousands), into the committed corpus.
    # libFuzzer's merge on the built target (`cargo fuzz cmin` takes one corpus
    # only); seeds stay in fuzz/seeds/, so their copies are dropped.
    merged=$(mktemp -d)
    nice -n 19 "fuzz/target/x86_64-unknown-linux-gnu/release/$target" -merge=1 -use_counters=0 \
      "$merged" "fuzz/seeds/$target" "fuzz/corpus/$target" "$corpus" 2>&1 | grep 'MERGE-OUTER: [0-9]* new' || true
    for seed in "fuzz/seeds/$target"/*; do
      rm -f "$merged/$(sha1sum < "$seed" | cut -d' ' -f1)"
    done
    rm -rf "fuzz/corpus/$target" && mv "$merged" "fuzz/corpus/$target" && chmod 755 "fuzz/corpus/$target"
    echo "fuzz: fuzz/corpus/$target now holds $(ls "fuzz/corpus/$target" | wc -l) inputs"
  fi
done

if [ "$found" -ne 0 ]; then
  echo "fuzz: crashes saved in fuzz/regressions/; fix them and add a named test in tests/fuzz_corpus.rs"
  exit 1
fi
echo "fuzz: no crash"
