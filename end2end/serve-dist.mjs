#!/usr/bin/env node
// Tiny dependency-free static server for the Trunk output (dist/), used by the
// Playwright suite.
//
//   node serve-dist.mjs --port 8180 --dist ../dist [--config fixtures/config.test.json]
//
// - binds 127.0.0.1 only;
// - serves files from --dist with their content types (.wasm as application/wasm);
// - SPA fallback: any GET/HEAD path that is not a file gets dist/index.html with 200;
// - --config: /config.json is answered with that file instead (read on every request);
// - refuses path traversal (400), sends Referrer-Policy: no-referrer on every response;
// - Cache-Control: content-hashed build files (name-<8+ hex>[_bg].ext: they never change) are
//   "public, max-age=31536000, immutable"; everything else (index.html, config.json) no-store;
// - precompressed copies that the release build writes (scripts/precompress.mjs): file.br or
//   file.gz is sent with Content-Encoding when the request's Accept-Encoding allows it (brotli
//   first), with Vary: Accept-Encoding on every file that has such a copy;
// - prints "serving <dist> on http://127.0.0.1:<port>" once listening.
//
// Tests that need a broken config intercept /config.json with page.route().

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

function usage(message) {
  if (message) process.stderr.write(`serve-dist: ${message}\n`);
  process.stderr.write(
    'usage: node serve-dist.mjs [--port PORT] [--dist DIR] [--config FILE]\n',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { port: 8180, dist: '../dist', config: null };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const next = () => {
      const value = argv[i + 1];
      if (value === undefined) usage(`${arg} needs a value`);
      i += 1;
      return value;
    };
    switch (arg) {
      case '--port': {
        const port = Number(next());
        if (!Number.isInteger(port) || port < 0 || port > 65535) usage('bad --port');
        opts.port = port;
        break;
      }
      case '--dist':
        opts.dist = next();
        break;
      case '--config':
        opts.config = next();
        break;
      case '-h':
      case '--help':
        usage();
        break;
      default:
        usage(`unknown argument ${arg}`);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const distRoot = path.resolve(opts.dist);
const configPath = opts.config ? path.resolve(opts.config) : null;

const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

// Trunk's and the bench reference's content-hashed names: pkce-desk-0123456789abcdef_bg.wasm,
// loader-0123456789abcdef.js, main-0123456789abcdef.css. A new build has new names.
const HASHED = /-[0-9a-f]{8,}(_bg)?\.(js|mjs|wasm|css)$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';

// Whether the client accepts `encoding`, by RFC 9110 section 12.5.3: named, or covered by "*",
// and not refused with q=0.
function accepts(header, encoding) {
  const q = new Map();
  for (const part of String(header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const weight = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name) q.set(name, weight ? Number(weight.slice(2)) : 1);
  }
  const weight = q.has(encoding) ? q.get(encoding) : q.get('*');
  return weight !== undefined && weight > 0;
}

function contentType(file) {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function send(req, res, status, headers, body) {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...COMMON_HEADERS, ...headers, 'Content-Length': buf.length });
  res.end(req.method === 'HEAD' ? undefined : buf);
}

function sendText(req, res, status, text, extra = {}) {
  send(req, res, status, { 'Content-Type': 'text/plain; charset=utf-8', ...extra }, text);
}

async function isFile(file) {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function sendFile(req, res, file, status = 200) {
  const headers = { 'Content-Type': contentType(file) };
  if (HASHED.test(path.basename(file))) headers['Cache-Control'] = IMMUTABLE;
  const copies = [['br', `${file}.br`], ['gzip', `${file}.gz`]];
  const present = [];
  for (const [encoding, copy] of copies) if (await isFile(copy)) present.push([encoding, copy]);
  if (present.length) {
    // The answer depends on Accept-Encoding: caches must key on it.
    headers.Vary = 'Accept-Encoding';
    const chosen = present.find(([encoding]) => accepts(req.headers['accept-encoding'], encoding));
    if (chosen) {
      headers['Content-Encoding'] = chosen[0];
      send(req, res, status, headers, await readFile(chosen[1]));
      return;
    }
  }
  send(req, res, status, headers, await readFile(file));
}

async function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(req, res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    return;
  }

  const rawPath = (req.url ?? '/').split('?')[0].split('#')[0];
  let pathname;
  try {
    pathname = decodeURIComponent(rawPath);
  } catch {
    sendText(req, res, 400, 'bad request\n');
    return;
  }
  // Refuse traversal and odd paths outright rather than normalising them away.
  if (
    !pathname.startsWith('/') ||
    pathname.includes('\0') ||
    pathname.includes('\\') ||
    pathname.split('/').some((seg) => seg === '..')
  ) {
    sendText(req, res, 400, 'bad request\n');
    return;
  }

  if (pathname === '/config.json' && configPath) {
    try {
      await sendFile(req, res, configPath);
    } catch (err) {
      sendText(req, res, 500, `cannot read config: ${err.code ?? err.message}\n`);
    }
    return;
  }

  const file = path.join(distRoot, pathname);
  // Belt and braces: the resolved file must stay inside dist.
  if (file !== distRoot && !file.startsWith(distRoot + path.sep)) {
    sendText(req, res, 400, 'bad request\n');
    return;
  }

  if (await isFile(file)) {
    await sendFile(req, res, file);
    return;
  }
  // A directory with an index.html (e.g. "/") is served as that file.
  const dirIndex = path.join(file, 'index.html');
  if (pathname.endsWith('/') && (await isFile(dirIndex))) {
    await sendFile(req, res, dirIndex);
    return;
  }

  // SPA fallback: every other path is the app's client-side route.
  const index = path.join(distRoot, 'index.html');
  if (await isFile(index)) {
    await sendFile(req, res, index);
    return;
  }
  sendText(req, res, 503, `no index.html in ${distRoot} (build the app first)\n`);
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    if (!res.headersSent) sendText(req, res, 500, 'internal error\n');
    else res.destroy();
    process.stderr.write(`serve-dist: ${req.method} ${req.url}: ${err.stack ?? err}\n`);
  });
});

server.on('error', (err) => {
  process.stderr.write(`serve-dist: ${err.message}\n`);
  process.exit(1);
});

server.listen(opts.port, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`serving ${distRoot} on http://127.0.0.1:${port}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    // Keep-alive sockets may hold close() open; don't linger.
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
