#!/usr/bin/env node
// Writes a .br (brotli, quality 11) and a .gz (gzip -9) next to every compressible file of a
// release build, so that a static server sends them as they are (nginx `brotli_static` /
// `gzip_static`, end2end/serve-dist.mjs) instead of compressing on every request, or not at all.
//
//   node scripts/precompress.mjs DIR
//
// Run by scripts/post-build.sh on `trunk build --release`. Only node's built-in zlib: no
// package to install. A compressed copy that would not be smaller than its file is not written.
// config.json is deployment-specific and edited in place, so it is left alone, and so is
// index.html (see COMPRESSIBLE).

import { readdirSync, readFileSync, writeFileSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import zlib from 'node:zlib';

// Not .html: index.html is the SPA fallback for every route (small, and rewritten by
// deployments' proxies and by tests that add headers to documents); servers may compress it
// on the fly.
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.wasm', '.svg', '.json', '.txt', '.map', '.webmanifest', '.ico']);
const SKIP = new Set(['config.json']);

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node scripts/precompress.mjs DIR\n');
  process.exit(2);
}

function* files(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (entry.isFile()) yield full;
  }
}

let raw = 0;
let br = 0;
let gz = 0;
for (const file of [...files(dir)]) {
  if (!COMPRESSIBLE.has(path.extname(file).toLowerCase()) || SKIP.has(path.basename(file))) continue;
  const body = readFileSync(file);
  const outputs = [
    [`${file}.br`, zlib.brotliCompressSync(body, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        [zlib.constants.BROTLI_PARAM_MODE]: path.extname(file) === '.wasm' ? zlib.constants.BROTLI_MODE_GENERIC : zlib.constants.BROTLI_MODE_TEXT,
      },
    })],
    [`${file}.gz`, zlib.gzipSync(body, { level: 9, memLevel: 9 })],
  ];
  raw += body.length;
  for (const [out, compressed] of outputs) {
    if (compressed.length >= body.length) {
      try { unlinkSync(out); } catch {}
      continue;
    }
    writeFileSync(out, compressed);
    // Same mtime as the file it stands for: nginx's gzip_static sends the file's Last-Modified.
    const { atime, mtime } = statSync(file);
    utimesSync(out, atime, mtime);
    if (out.endsWith('.br')) br += compressed.length;
    else gz += compressed.length;
  }
}
process.stderr.write(`precompress: ${raw} bytes -> ${br} brotli, ${gz} gzip (${dir})\n`);
