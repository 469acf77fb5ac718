#!/bin/sh
# Trunk post_build hook (Trunk.toml). Trunk starts the hooks of one stage at the same time, so
# the steps that depend on each other run here, in order, on the staging folder:
#   1. scripts/externalize-loader.sh: the inline wasm loader becomes a file (strict CSP);
#   2. release builds only: scripts/precompress.mjs writes .br and .gz copies of every file, for
#      servers that send them as they are (README's nginx example, end2end/serve-dist.mjs).
#      Skipped with a warning when node is missing: the build still works, served uncompressed.
set -eu
here=$(dirname "$0")
sh "$here/externalize-loader.sh"
if [ "${TRUNK_PROFILE:-debug}" = release ]; then
  if command -v node >/dev/null 2>&1; then
    node "$here/precompress.mjs" "${TRUNK_STAGING_DIR:?run this as a Trunk post_build hook}"
  else
    echo "post-build: node not found: no precompressed .br/.gz files written" >&2
  fi
fi
