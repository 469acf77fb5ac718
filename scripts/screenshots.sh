#!/usr/bin/env bash
# Refreshes the committed screenshots in end2end/screenshots/ (the README shows them) by running
# the Playwright specs that take them with UPDATE_SCREENSHOTS=1. A plain test run writes its
# screenshots to end2end/test-results/ instead, so it never changes the tree.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cargo build -q -p pkce-desk-sandbox
trunk build --release
cd end2end
UPDATE_SCREENSHOTS=1 npx playwright test "$@"
git -C .. status --short -- end2end/screenshots
