#!/usr/bin/env bash
# Installs what the build and the tests need, skipping what is already there.
# Called by `make setup` (and so by `make run` and `make test`).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }

# Rust target for the wasm core.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen CLI at exactly the version Cargo.lock pins (they must match).
if [ ! -f Cargo.lock ]; then cargo generate-lockfile; fi
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (had: ${have:-none}); takes a few minutes"
  # No --locked: it fails on this registry (DESIGN.md).
  cargo install wasm-bindgen-cli --version "$want"
fi

# Build and test tools (binaryen's wasm-opt, TypeScript) from the committed lockfile.
# A node_modules that is a symlink is another checkout's install (a worktree
# sharing it): never reinstall through it, `npm ci` would empty its target (a
# fresh worktree's lockfile is always newer than that install).
if [ -L node_modules ]; then
  :
elif [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev tools"
  npm ci --no-audit --no-fund
fi
# The package's own dependencies (better-sqlite3 compiles from source: about a minute).
if [ -L pkg/node_modules ]; then
  :
elif [ ! -d pkg/node_modules/better-sqlite3 ] || [ pkg/package-lock.json -nt pkg/node_modules/.package-lock.json ]; then
  say "installing the package's dependencies (better-sqlite3, pg)"
  (cd pkg && npm ci --no-audit --no-fund)
fi

# A PostgreSQL server binary for the tests' throw-away cluster (never started here).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  say "installing PostgreSQL"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
# Chromium for the page tests (Debian's; test tools may not download browsers here).
if [ ! -x /usr/bin/chromium ]; then
  say "installing Chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# schemathesis (PyPI) for the contract test, in a project-local virtual environment
# (.venv/, git-ignored) at the versions tests/contract/requirements.txt pins.
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  say "installing python3-venv"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
if [ ! -x .venv/bin/st ] || [ tests/contract/requirements.txt -nt .venv/.requirements-installed ]; then
  say "installing schemathesis into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r tests/contract/requirements.txt
  touch .venv/.requirements-installed
fi
say "ready"
