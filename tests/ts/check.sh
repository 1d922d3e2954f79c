#!/bin/sh
# Type-checks tests/ts/*.ts against the packed package (installed in PKGTEST) in
# plain projects: each tsconfig.json is exactly what `tsc --init --strict` writes
# (so strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess, types: [],
# verbatimModuleSyntax), with only `module`/`moduleResolution` given for bundler
# (module preserve, and esnext) and node16 (nodenext is the generated default). Each is checked twice, with
# `--skipLibCheck false` (the generated file turns it on, which would hide an
# error in our .d.ts): once with the default lib (ESNext + DOM), once with
# `--lib es2022`, a Node project with no DOM and no esnext.disposable.
# A project's package.json is `"type": "module"` (the package is ESM only).
set -eu
pkgtest=${1:?usage: tests/ts/check.sh PKGTEST}
here=$(cd "$(dirname "$0")" && pwd)
tsc=$here/../../node_modules/.bin/tsc

check() {
  name=$1; shift
  dir=$pkgtest/ts-$name
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && "$tsc" --init --strict "$@" >/dev/null)
  printf '{ "name": "consumer-%s", "private": true, "type": "module" }\n' "$name" > "$dir/package.json"
  cp "$here"/*.ts "$dir"/
  echo "tsc: $name (tsc --init --strict $*)"
  "$tsc" -p "$dir" --noEmit --skipLibCheck false
  echo "tsc: $name, --lib es2022"
  "$tsc" -p "$dir" --noEmit --skipLibCheck false --lib es2022
}

check bundler --module preserve --moduleResolution bundler
check bundler-esnext --module esnext --moduleResolution bundler
check node16 --module node16 --moduleResolution node16
check nodenext
