#!/usr/bin/env bash
# The side-by-side benchmark (bench/README.md): pkce-desk's release build against an
# oidc-client-ts reference page, both signing in to the sandbox in headless Chromium.
#
#   ./scripts/bench.sh            # BENCH_RUNS=7 journeys per app; prints the table
#   BENCH_RUNS=15 ./scripts/bench.sh
#   ./scripts/bench.sh --sizes    # also: what the wasm is made of (twiggy if installed)
#   BENCH_DIST=dir ./scripts/bench.sh   # measure that release build of pkce-desk instead of
#                                       # building one (A/B of delivery or loader changes)
#   BENCH_FLOOR=1 ./scripts/bench.sh    # measure the floor (bench/floor) in pkce-desk's place:
#                                       # the same stack doing the minimal sign-in
#
# Builds what it needs into a temporary folder (never dist/), serves both apps with
# end2end/serve-dist.mjs on free 127.0.0.1 ports, starts the sandbox, runs bench/run.mjs and
# writes target/bench/latest.json (ignored; BENCH_OUT to change). Exits non-zero only when something
# could not be built or measured; a missed target is printed, not an error.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${BENCH_RUNS:-7}
OUT=${BENCH_OUT:-target/bench/latest.json}
SIZES=0
for arg in "$@"; do
  case "$arg" in
    --sizes) SIZES=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "[bench] unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pkce-desk-bench.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits for a server's "listening" line and prints its URL.
url_from() {
  local log=$1 pid=$2 url
  for _ in $(seq 1 150); do
    url=$(grep -m1 -oE 'http://127\.0\.0\.1:[0-9]+' "$log" || true)
    if [ -n "$url" ]; then echo "$url"; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "[bench] a server did not start; its output:" >&2
  cat "$log" >&2
  return 1
}

if [ ! -f bench/node_modules/.package-lock.json ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
  say "installing the benchmark's npm packages (oidc-client-ts, esbuild)"
  (cd bench && npm ci --no-audit --no-fund)
fi

target_dir=${CARGO_TARGET_DIR:-target}
ours_name=pkce-desk
[ "${BENCH_FLOOR:-0}" = 1 ] && ours_name=floor
if [ "$ours_name" = floor ] && [ "$SIZES" -eq 1 ]; then
  echo "[bench] --sizes reads pkce-desk's wasm; for the floor's sizes run bench/floor/build.sh" >&2
  exit 2
fi
say "building the sandbox and the $ours_name release build"
cargo build -q -p pkce-desk-sandbox
if [ -n "${BENCH_DIST:-}" ]; then
  say "measuring the release build in $BENCH_DIST (BENCH_DIST), not building one"
  cp -r "$BENCH_DIST" "$work/ours"
elif [ "$ours_name" = floor ]; then
  FLOOR_DIST="$work/ours" bash bench/floor/build.sh >&2
else
  trunk build --release --dist "$work/ours" >"$work/trunk.log" 2>&1 || { cat "$work/trunk.log" >&2; exit 1; }
fi
css=("$work"/ours/*.css)
if [ "${#css[@]}" -ne 1 ] || [ ! -f "${css[0]}" ]; then
  echo "[bench] expected exactly one stylesheet in the release build, found: ${css[*]}" >&2
  exit 1
fi
say "building the oidc-client-ts reference page (esbuild, minified)"
node bench/reference/build.mjs --out "$work/ref" --css "${css[0]}" >&2
# Delivered like pkce-desk's release build: precompressed copies, sent when the browser accepts them.
node scripts/precompress.mjs "$work/ref"

if [ "$SIZES" -eq 1 ]; then
  say "what the wasm is made of (twiggy, or bench/size-report.mjs's own reader; a build that keeps function names)"
  wasm-bindgen --target web --no-typescript --out-dir "$work/named" \
    "$target_dir/wasm32-unknown-unknown/release/pkce-desk.wasm"
  # The wasm-opt of the release build, plus -g to keep the names the report reads.
  wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$work/named/pkce-desk_bg.wasm" -o "$work/named/named.wasm"
  node bench/size-report.mjs "$work/named/named.wasm" --top 25
  echo
fi

# Both apps read the same config.json; the sandbox's port is known once it runs, and
# serve-dist.mjs reads the file on every request, so it is written after.
echo '{}' >"$work/config.json"
node end2end/serve-dist.mjs --port 0 --dist "$work/ours" --config "$work/config.json" >"$work/ours.log" 2>&1 &
pids+=($!)
ours_url=$(url_from "$work/ours.log" "$!")
node end2end/serve-dist.mjs --port 0 --dist "$work/ref" --config "$work/config.json" >"$work/ref.log" 2>&1 &
pids+=($!)
ref_url=$(url_from "$work/ref.log" "$!")

# Rotating refresh tokens: the bench measures the requests of a refresh too.
"$target_dir/debug/sandbox" --port 0 --access-token-lifetime 3600 --refresh-tokens rotate --test-controls \
  --redirect-uri "$ours_url/callback" --redirect-uri "$ref_url/callback" \
  >"$work/sandbox.log" 2>"$work/sandbox.err" &
pids+=($!)
sandbox_url=$(url_from "$work/sandbox.log" "$!")

cat >"$work/config.json" <<JSON
{
  "token_storage": "session",
  "providers": [
    {
      "id": "sandbox-genesys",
      "label": "Genesys Cloud (sandbox)",
      "kind": "genesys",
      "region": "mypurecloud.com",
      "client_id": "pkce-desk-demo",
      "scopes": ["users:readonly"],
      "login_base": "$sandbox_url",
      "api_base": "$sandbox_url"
    }
  ]
}
JSON

say "measuring: $RUNS journeys per app (ours $ours_url, reference $ref_url, sandbox $sandbox_url)"
node bench/run.mjs --runs "$RUNS" --out "$OUT" \
  --ours "$ours_url" --ours-dist "$work/ours" \
  --ref "$ref_url" --ref-dist "$work/ref" \
  --config "$work/config.json" --sandbox "$sandbox_url" --sandbox-log "$work/sandbox.err" \
  --ours-name "$ours_name"
