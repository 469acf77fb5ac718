#!/usr/bin/env bash
# The whole test suite: formatting, clippy, unit and sandbox tests, a release build of the app, and the
# Playwright end-to-end suite (which starts and stops its own sandbox and static server).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (every target, warnings are errors)"
cargo clippy -q --workspace --all-targets -- -D warnings

step "cargo test (protocol modules and sandbox)"
cargo_log=$(mktemp)
trap 'rm -f "$cargo_log"' EXIT
cargo test --workspace 2>&1 | tee "$cargo_log"

step "release build of the app (trunk build --release, wasm-opt from binaryen 132)"
cargo build -q -p pkce-desk-sandbox
trunk build --release

step "Playwright end-to-end suite"
(cd end2end && npx playwright test)

step "benchmark against the oidc-client-ts reference (prints figures; fails only if a measurement fails)"
BENCH_RUNS=${BENCH_RUNS:-5} bash scripts/bench.sh

# One closing line for the whole run (the steps above stop the script on any failure).
unit=$(awk '/^test result:/ { sum += $4 } END { print sum + 0 }' "$cargo_log")
e2e=$(node -e 'const s = require("./end2end/test-results/results.json").stats; console.log(s.expected + s.flaky)')
printf '\nsummary: %d passed, 0 failed\n' "$((unit + e2e))"
