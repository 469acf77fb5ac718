#!/usr/bin/env bash
# Sets the machine up, then runs the demo: the sandbox (a local stand-in for Genesys Cloud) and
# the app, served by `trunk serve`. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

SANDBOX_PORT=9090
CXONE_PORT=9091
APP_PORT=8080
# Short, so the automatic token renewal can be watched on the dashboard.
TOKEN_LIFETIME=${TOKEN_LIFETIME:-120}
# Genesys Cloud most likely gives a PKCE client no refresh token (PROVIDERS.md): `none` shows the
# Continue session offer; GENESYS_REFRESH_TOKENS=rotate shows automatic renewal instead.
GENESYS_REFRESH_TOKENS=${GENESYS_REFRESH_TOKENS:-none}

bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

for port in "$SANDBOX_PORT" "$CXONE_PORT" "$APP_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "[demo] port $port on 127.0.0.1 is already in use; stop whatever runs there (an earlier demo?) and try again" >&2
    exit 1
  fi
done

cargo build -q -p pkce-desk-sandbox
# Two stand-ins: Genesys Cloud, and NICE CXone (its own issuer). --test-controls lets you make
# them fail on demand (see sandbox/README.md).
redirects=(--redirect-uri "http://127.0.0.1:$APP_PORT/callback" --redirect-uri "http://localhost:$APP_PORT/callback")
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
target/debug/sandbox --port "$SANDBOX_PORT" --access-token-lifetime "$TOKEN_LIFETIME" \
  --refresh-tokens "$GENESYS_REFRESH_TOKENS" --test-controls "${redirects[@]}" &
pids+=($!)
target/debug/sandbox --flavor cxone --port "$CXONE_PORT" --access-token-lifetime "$TOKEN_LIFETIME" --test-controls "${redirects[@]}" &
pids+=($!)

for port in "$SANDBOX_PORT" "$CXONE_PORT"; do
  for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.2
  done
done

cat <<MSG

  pkce-desk demo
  --------------
  Open  http://127.0.0.1:$APP_PORT  once trunk says it is serving, and pick
  Genesys Cloud (sandbox, port $SANDBOX_PORT) or NICE CXone (sandbox, port $CXONE_PORT).
  Sign in on the sandbox page as  ada@example.com / demo  (or grace@example.com / demo).
  Access tokens last ${TOKEN_LIFETIME}s here. Genesys refresh tokens: $GENESYS_REFRESH_TOKENS
  (none: the dashboard offers Continue session before the end, as with a real Genesys PKCE
  client; rotate: renewal in the background). CXone renews in the background.
  Ctrl-C stops the demo.

MSG
trunk serve --port "$APP_PORT"
