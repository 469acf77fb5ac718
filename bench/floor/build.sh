#!/usr/bin/env bash
# Builds the floor app (bench/floor, see its Cargo.toml) exactly as pkce-desk's release is built
# (same Cargo.lock, .cargo/config.toml, profile, Trunk, wasm-opt level, stylesheet and
# post-build hook) in a temporary copy, and prints its sizes next to pkce-desk's: raw, gzip -9
# and brotli 11 of the wasm and the JS.
#
#   bash bench/floor/build.sh [PKCE_DESK_DIST]
#   FLOOR_DIST=dir bash bench/floor/build.sh   # keep the build in dir (scripts/bench.sh does)
#
# PKCE_DESK_DIST: a pkce-desk release build to compare with (default: none, floor only).
# Leaves the tree clean: the copy is in a temporary folder; build output goes to target/.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
work=$(mktemp -d "${TMPDIR:-/tmp}/pkce-desk-floor.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/floor"
cp -r bench/floor/Cargo.toml bench/floor/Trunk.toml bench/floor/index.html bench/floor/src "$work/floor/"
cp style/main.css "$work/floor/main.css"
mkdir -p "$work/floor/scripts"
cp scripts/post-build.sh scripts/externalize-loader.sh scripts/precompress.mjs "$work/floor/scripts/"
dist=${FLOOR_DIST:-$work/dist}
mkdir -p "$dist" && dist=$(cd "$dist" && pwd)
# The same dependency versions as the app.
cp Cargo.lock "$work/floor/Cargo.lock"
[ -d .cargo ] && cp -r .cargo "$work/floor/.cargo"
repo=$PWD
(cd "$work/floor" && CARGO_TARGET_DIR="$repo/target/floor" trunk build --release --dist "$dist" >"$work/trunk.log" 2>&1) \
  || { cat "$work/trunk.log" >&2; exit 1; }
node - "$dist" "${1:-}" <<'JS'
const fs = require('fs'), path = require('path'), zlib = require('zlib');
const size = (dir) => {
  const out = { wasm: [0, 0, 0], js: [0, 0, 0] };
  for (const f of fs.readdirSync(dir)) {
    const kind = f.endsWith('.wasm') ? 'wasm' : f.endsWith('.js') ? 'js' : null;
    if (!kind) continue;
    const b = fs.readFileSync(path.join(dir, f));
    out[kind][0] += b.length;
    out[kind][1] += zlib.gzipSync(b, { level: 9, memLevel: 9 }).length;
    out[kind][2] += zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  return out;
};
const fmt = (v) => v.map((n) => n.toLocaleString('en-US').padStart(9)).join(' ');
const [floorDir, appDir] = process.argv.slice(2);
const rows = [['floor', size(floorDir)]];
if (appDir) rows.push(['pkce-desk', size(appDir)]);
console.log('                 wasm: raw      gzip    brotli |   js: raw      gzip    brotli');
for (const [name, s] of rows) console.log(`${name.padEnd(12)} ${fmt(s.wasm)} | ${fmt(s.js)}`);
JS
