#!/bin/sh
# Trunk post_build hook (see Trunk.toml): moves the inline <script type="module"> that Trunk
# writes into index.html (it loads the wasm) into a file of its own, loader-<hash>.js.
#
# Why: a Content-Security-Policy without 'unsafe-inline' (the one in the README's deployment
# section: script-src 'self' 'wasm-unsafe-eval') refuses inline scripts, so the app would never
# start. An external same-origin module script is allowed by 'self'.
#
# Runs on every `trunk build` and `trunk serve` rebuild, on the staging folder, before Trunk
# moves it to dist/. Needs only sh, perl (part of every Debian/Ubuntu and macOS) and sha256sum
# or shasum.
set -eu

dir="${TRUNK_STAGING_DIR:?run this as a Trunk post_build hook (TRUNK_STAGING_DIR is not set)}"
html="$dir/index.html"
tmp="$dir/.loader.js"

# The first inline module script (Trunk writes exactly one).
perl -0777 -ne 'print $1 if m{<script type="module"[^>]*>(.*?)</script>}s' "$html" >"$tmp"
if [ ! -s "$tmp" ]; then
  rm -f "$tmp"
  echo "externalize-loader: no inline module script in index.html; nothing to do" >&2
  exit 0
fi

# src/browser/boot.js goes first (without its comment lines): it asks for /config.json while the
# wasm loads, and the app takes the answer (src/browser/boot.rs). Import declarations are
# hoisted, so it may precede them.
prelude="${TRUNK_SOURCE_DIR:-.}/src/browser/boot.js"
if [ -f "$prelude" ]; then
  { sed '/^[[:space:]]*\/\//d' "$prelude"; cat "$tmp"; } >"$tmp.2" && mv "$tmp.2" "$tmp"
fi

if command -v sha256sum >/dev/null 2>&1; then
  hash=$(sha256sum "$tmp" | cut -c1-16)
else
  hash=$(shasum -a 256 "$tmp" | cut -c1-16)
fi
loader="loader-$hash.js"
mv "$tmp" "$dir/$loader"

LOADER="$loader" perl -0777 -i -pe \
  's{<script type="module"[^>]*>.*?</script>}{<script type="module" src="/$ENV{LOADER}"></script>}s' \
  "$html"
echo "externalize-loader: index.html now loads /$loader" >&2
