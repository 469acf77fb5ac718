#!/usr/bin/env node
// Builds the oidc-client-ts reference page for production, the way a JavaScript team ships one:
// one ES module bundled and minified by esbuild (tree-shaken, ES2020), content-hashed names, and
// the app's own stylesheet (style/main.css, copied unchanged, so CSS weighs the same on both
// sides and the comparison is about the code).
//
//   node bench/reference/build.mjs --out DIR [--css FILE]
//
// --css: the stylesheet to ship (default: style/main.css); scripts/bench.sh passes the one in
// pkce-desk's dist, so both pages carry the very same bytes.
// DIR gets index.html, app-<hash>.js, main-<hash>.css. /config.json is served next to it by
// serve-dist.mjs --config, as for pkce-desk.

import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const outIndex = process.argv.indexOf('--out');
if (outIndex < 0 || !process.argv[outIndex + 1]) {
  process.stderr.write('usage: node bench/reference/build.mjs --out DIR [--css FILE]\n');
  process.exit(2);
}
const out = path.resolve(process.argv[outIndex + 1]);
const cssIndex = process.argv.indexOf('--css');
const cssFile = cssIndex >= 0 ? path.resolve(process.argv[cssIndex + 1]) : path.join(repo, 'style', 'main.css');

const hash = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 16);

const result = await build({
  entryPoints: [path.join(here, 'main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  platform: 'browser',
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
  write: false,
  logLevel: 'warning',
});
const js = Buffer.from(result.outputFiles[0].contents);
const css = await readFile(cssFile);
const jsName = `app-${hash(js)}.js`;
const cssName = `main-${hash(css)}.css`;

// The same head as pkce-desk's index.html; the module script is deferred by nature.
const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <meta name="referrer" content="no-referrer" />
    <title>pkce-desk (oidc-client-ts reference)</title>
    <script type="module" src="/${jsName}"></script>
    <link rel="stylesheet" href="/${cssName}" />
  </head>
  <body>
    <div id="boot" class="boot" role="status">Loading…</div>
    <noscript>This page needs JavaScript to sign you in.</noscript>
  </body>
</html>
`;

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await writeFile(path.join(out, jsName), js);
await writeFile(path.join(out, cssName), css);
await writeFile(path.join(out, 'index.html'), html);
process.stdout.write(`reference page built in ${out}: ${jsName} (${js.length} bytes), ${cssName}\n`);
