#!/usr/bin/env node
// The side-by-side benchmark: pkce-desk (Rust/WASM) and the oidc-client-ts reference page, both
// signing in to the same sandbox, measured in headless Chromium. scripts/bench.sh builds both,
// starts the servers and calls this; see bench/README.md for what each figure means.
//
//   node bench/run.mjs --ours URL --ours-dist DIR --ref URL --ref-dist DIR --config FILE \
//        --sandbox URL [--sandbox-log FILE] [--runs 7] [--out results.json] [--provider sandbox-genesys]
//        [--ours-name floor]
//
// --sandbox-log: the sandbox's stderr (one line per request, CORS preflights included), to count
// the preflights the browser sends, which Playwright does not report.
// --ours-name: what "ours" is, in the printed header and targets (default pkce-desk; the floor
// app of bench/floor when scripts/bench.sh runs with BENCH_FLOOR=1).
//
// Exit status: 0 when every figure could be measured (whether or not it meets its target),
// 1 when a measurement could not be made (a sign-in that did not complete, a missing mark...),
// 2 on bad arguments.

import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
// Playwright comes from the end-to-end suite's packages (scripts/setup.sh installs them).
const { chromium } = createRequire(import.meta.url)(path.join(repo, 'end2end', 'node_modules', 'playwright'));

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const opts = { runs: 7, provider: 'sandbox-genesys', out: null, settleMs: 750, sandboxLog: null, oursName: 'pkce-desk' };
  const need = ['ours', 'oursDist', 'ref', 'refDist', 'config', 'sandbox'];
  for (let i = 0; i < argv.length; i += 1) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    const value = argv[i + 1];
    if (!argv[i].startsWith('--') || value === undefined) usage(`bad argument ${argv[i]}`);
    i += 1;
    if (key === 'runs' || key === 'settleMs') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 101) usage(`bad --${argv[i - 1]}`);
      opts[key] = n;
    } else if ([...need, 'provider', 'out', 'sandboxLog', 'oursName'].includes(key)) {
      opts[key] = value;
    } else {
      usage(`unknown argument ${argv[i - 1]}`);
    }
  }
  for (const key of need) if (!opts[key]) usage(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is required`);
  return opts;
}

function usage(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.stderr.write(
    'usage: node bench/run.mjs --ours URL --ours-dist DIR --ref URL --ref-dist DIR --config FILE --sandbox URL [--runs N] [--out FILE]\n',
  );
  process.exit(2);
}

class MeasurementError extends Error {}

const opts = parseArgs(process.argv.slice(2));
const APPS = [
  { key: 'ours', label: `${opts.oursName} (Rust/WASM)`, origin: new URL(opts.ours).origin, dist: path.resolve(opts.oursDist) },
  { key: 'ref', label: 'oidc-client-ts reference', origin: new URL(opts.ref).origin, dist: path.resolve(opts.refDist) },
];
const SANDBOX = new URL(opts.sandbox).origin;
const BUTTON = `[data-testid="sign-in-${opts.provider}"]`;
const USER_NAME = '[data-testid="user-name"]';
const TIMEOUT = 20_000;

// ---------------------------------------------------------------------------------------------
// In-page probe: installed before any page script (addInitScript), in every document. A
// MutationObserver records performance.now() (ms since this document's navigation started) the
// first time each condition holds:
//   login:     the sign-in button is in the DOM, rendered (has a box, not visibility:hidden) and
//              enabled, i.e. a click would start the sign-in;
//   dashboard: the user's name is rendered in [data-testid="user-name"].

const PROBE = `(() => {
  const marks = {};
  const rendered = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const checks = {
    login: () => { const b = document.querySelector(${JSON.stringify(BUTTON)}); return rendered(b) && !b.disabled; },
    dashboard: () => { const n = document.querySelector(${JSON.stringify(USER_NAME)}); return rendered(n) && n.textContent.trim().length > 0; },
  };
  const check = () => {
    for (const key in checks) if (!(key in marks) && checks[key]()) marks[key] = performance.now();
  };
  Object.defineProperty(window, '__bench', { value: { marks }, enumerable: false });
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
})();`;

// What the page saw, for the breakdown: navigation entry and resource timings (ms since the
// document's navigation start).
function pageTimings() {
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    marks: { ...window.__bench.marks },
    nav: nav && {
      startTime: nav.startTime,
      fetchStart: nav.fetchStart,
      requestStart: nav.requestStart,
      responseStart: nav.responseStart,
      responseEnd: nav.responseEnd,
      domInteractive: nav.domInteractive,
      domContentLoadedEventEnd: nav.domContentLoadedEventEnd,
      loadEventEnd: nav.loadEventEnd,
      redirectCount: nav.redirectCount,
    },
    resources: performance.getEntriesByType('resource').map((e) => ({
      name: e.name,
      initiatorType: e.initiatorType,
      startTime: e.startTime,
      responseEnd: e.responseEnd,
    })),
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Sandbox

async function sandbox(pathname, method = 'GET') {
  const response = await fetch(`${SANDBOX}/__sandbox/${pathname}`, { method });
  if (!response.ok) throw new MeasurementError(`sandbox ${pathname}: HTTP ${response.status}`);
  return method === 'GET' ? response.json() : null;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Lines the sandbox has logged so far ("METHOD /path status"), or null without --sandbox-log.
function sandboxLog() {
  if (!opts.sandboxLog) return null;
  return readFileSync(opts.sandboxLog, 'utf8').split('\n').filter(Boolean);
}

function preflightsSince(lines) {
  if (!lines) return null;
  return sandboxLog().slice(lines.length).filter((line) => line.startsWith('OPTIONS ')).length;
}

// ---------------------------------------------------------------------------------------------
// Requests

function classify(app, request) {
  const url = new URL(request.url);
  if (url.pathname.startsWith('/.well-known/')) return 'discovery';
  if (url.origin === app.origin) {
    if (url.pathname === '/config.json') return 'config';
    return request.navigation ? 'document' : 'static';
  }
  if (url.origin === SANDBOX) {
    if (url.pathname === '/oauth/token') return 'token';
    if (url.pathname === '/api/v2/users/me') return 'users_me';
    if (url.pathname === '/oauth/authorize') return 'authorize';
    if (url.pathname.startsWith('/api/')) return 'api_other';
    return 'sandbox_other';
  }
  return 'other';
}

function countRequests(app, requests) {
  const counts = { config: 0, discovery: 0, token: 0, users_me: 0, api_other: 0, authorize: 0, document: 0, static: 0, sandbox_other: 0, other: 0 };
  for (const r of requests) counts[classify(app, r)] += 1;
  // A duplicate: the same method and URL twice within one document (a fresh document loading
  // its assets and config again is not a duplicate; it is counted above).
  const seen = new Map();
  for (const r of requests) {
    const key = `${r.doc} ${r.method} ${r.url}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([key, n]) => `${key.split(' ').slice(1).join(' ')} x${n}`);
  return { total: requests.length, ...counts, duplicates };
}

// ---------------------------------------------------------------------------------------------
// One journey: fresh browser context, login page, sandbox form, callback, dashboard, one refresh.

async function journey(browser, app) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(PROBE);
    const page = await context.newPage();
    const requests = [];
    let doc = 0;
    page.on('request', (request) => {
      const navigation = request.isNavigationRequest() && request.frame() === page.mainFrame();
      if (navigation) doc += 1;
      requests.push({ method: request.method(), url: request.url(), type: request.resourceType(), navigation, doc });
    });
    const responses = [];
    page.on('response', (response) => {
      const headers = response.headers();
      responses.push({ url: response.url(), status: response.status(), length: headers['content-length'], encoding: headers['content-encoding'] ?? null, doc });
    });

    await sandbox('reset', 'POST');
    const logAtStart = sandboxLog();

    // 1. The login page.
    await page.goto(`${app.origin}/login`, { waitUntil: 'commit', timeout: TIMEOUT });
    await page.waitForFunction(() => window.__bench && window.__bench.marks.login !== undefined, null, { timeout: TIMEOUT })
      .catch(() => { throw new MeasurementError(`${app.key}: the login page never showed an enabled ${BUTTON}`); });
    const login = await page.evaluate(pageTimings);
    const loginRequests = requests.slice();
    const loginResponses = responses.slice();

    // 2. Sign in: the button, the sandbox's form, back to /callback, until the name shows.
    await page.locator(BUTTON).click();
    await page.waitForURL((url) => url.origin === SANDBOX && url.pathname === '/oauth/authorize', { timeout: TIMEOUT });
    await page.getByLabel('Username').fill('ada@example.com');
    await page.getByLabel('Password').fill('demo');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.origin === app.origin, { waitUntil: 'commit', timeout: TIMEOUT })
      .catch(() => { throw new MeasurementError(`${app.key}: the sandbox did not redirect back to the app`); });
    await page.waitForFunction(() => window.__bench && window.__bench.marks.dashboard !== undefined, null, { timeout: TIMEOUT })
      .catch(async () => {
        const text = (await page.locator('body').innerText().catch(() => '')).slice(0, 300);
        throw new MeasurementError(`${app.key}: the dashboard never showed the user's name (page says: ${JSON.stringify(text)})`);
      });
    const callback = await page.evaluate(pageTimings);
    const name = await page.locator(USER_NAME).innerText();
    if (name.trim() !== 'Ada Lovelace') throw new MeasurementError(`${app.key}: dashboard shows ${JSON.stringify(name)}, not Ada Lovelace`);
    // Late or duplicate fetches show up here.
    await sleep(opts.settleMs);
    const signInStats = await sandbox('stats');
    const signInRequests = requests.slice();
    const signInPreflights = preflightsSince(logAtStart);

    // 3. One refresh through the dashboard's "Refresh now".
    await sandbox('reset', 'POST');
    const logAtRefresh = sandboxLog();
    const before = requests.length;
    await page.locator('[data-testid="refresh-now"]').click();
    const deadline = Date.now() + TIMEOUT;
    while ((await sandbox('stats')).token_refresh < 1) {
      if (Date.now() > deadline) throw new MeasurementError(`${app.key}: "Refresh now" sent no refresh request`);
      await sleep(25);
    }
    await sleep(opts.settleMs);
    const refreshStats = await sandbox('stats');
    const refreshRequests = requests.slice(before);
    const refreshPreflights = preflightsSince(logAtRefresh);

    return {
      login,
      callback,
      loginRequests,
      loginResponses,
      signIn: { stats: signInStats, seen: countRequests(app, signInRequests), preflights: signInPreflights },
      refresh: { stats: refreshStats, seen: countRequests(app, refreshRequests), preflights: refreshPreflights },
    };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Derived figures

function loginFigures(app, t) {
  const ready = t.marks.login;
  const find = (test) => t.resources.find((r) => test(new URL(r.name)));
  const config = find((u) => u.pathname === '/config.json');
  const scripts = t.resources.filter((r) => /\.(js|wasm)$/.test(new URL(r.name).pathname));
  return {
    interactive: ready,
    html: t.nav.responseEnd,
    code: scripts.length ? Math.max(...scripts.map((r) => r.responseEnd)) : null,
    configStart: config?.startTime ?? null,
    configEnd: config?.responseEnd ?? null,
    fcp: t.fcp,
  };
}

function callbackFigures(app, t) {
  // The callback document's navigation started with the form's POST to the sandbox; fetchStart
  // is when the browser, having the sandbox's 302, started fetching /callback?code=...
  const start = t.nav.fetchStart;
  const rel = (v) => (v === null || v === undefined ? null : v - start);
  const find = (test) => t.resources.find((r) => test(new URL(r.name)));
  const config = find((u) => u.pathname === '/config.json');
  const token = find((u) => u.origin === SANDBOX && u.pathname === '/oauth/token');
  const me = find((u) => u.origin === SANDBOX && u.pathname === '/api/v2/users/me');
  // Other API calls the dashboard makes while it appears (pkce-desk's "My queues").
  const others = t.resources.filter((r) => {
    const u = new URL(r.name);
    return u.origin === SANDBOX && u.pathname.startsWith('/api/') && u.pathname !== '/api/v2/users/me';
  });
  const scripts = t.resources.filter((r) => /\.(js|wasm)$/.test(new URL(r.name).pathname));
  return {
    toDashboard: t.marks.dashboard - start,
    html: rel(t.nav.responseEnd),
    code: scripts.length ? rel(Math.max(...scripts.map((r) => r.responseEnd))) : null,
    configStart: rel(config?.startTime),
    configEnd: rel(config?.responseEnd),
    tokenStart: rel(token?.startTime),
    tokenEnd: rel(token?.responseEnd),
    meStart: rel(me?.startTime),
    meEnd: rel(me?.responseEnd),
    otherApiEnd: others.length ? rel(Math.max(...others.map((r) => r.responseEnd))) : null,
  };
}

function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

// Bytes of the login page's first load, from the files that were served: every request the
// login document made to the app's own origin (html, js, wasm, css, config.json). `served` is
// what crossed the wire: the precompressed copy (file.br / file.gz) when the server sent one
// (Content-Encoding), else the file itself.
function firstLoadBytes(app, requests, responses) {
  const files = [];
  for (const r of requests) {
    const url = new URL(r.url);
    if (url.origin !== app.origin) continue;
    let file;
    if (url.pathname === '/config.json') file = path.resolve(opts.config);
    else if (r.navigation) file = path.join(app.dist, 'index.html');
    else file = path.join(app.dist, decodeURIComponent(url.pathname));
    if (!existsSync(file)) throw new MeasurementError(`${app.key}: ${url.pathname} was requested but ${file} does not exist`);
    const body = readFileSync(file);
    const response = responses.find((s) => s.url === r.url);
    const encoding = response?.encoding ?? null;
    const copy = { br: `${file}.br`, gzip: `${file}.gz` }[encoding];
    if (encoding && !copy) throw new MeasurementError(`${app.key}: ${url.pathname} was served with Content-Encoding ${encoding}`);
    if (copy && !existsSync(copy)) throw new MeasurementError(`${app.key}: ${url.pathname} was served as ${encoding} but ${copy} does not exist`);
    const servedBytes = copy ? readFileSync(copy).length : body.length;
    if (response && response.length !== undefined && Number(response.length) !== servedBytes) {
      throw new MeasurementError(`${app.key}: ${url.pathname} was served with ${response.length} bytes, the file has ${servedBytes}`);
    }
    const ext = path.extname(file).slice(1) || 'html';
    const kind = url.pathname === '/config.json' ? 'config' : { html: 'html', js: 'js', mjs: 'js', wasm: 'wasm', css: 'css' }[ext] ?? ext;
    files.push({
      path: url.pathname === '/config.json' || r.navigation ? url.pathname : path.basename(file),
      kind,
      raw: body.length,
      served: servedBytes,
      encoding,
      gzip: zlib.gzipSync(body, { level: 9, memLevel: 9 }).length,
      brotli: zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    });
  }
  const sum = (list, key) => list.reduce((s, f) => s + f[key], 0);
  const byKind = {};
  for (const kind of ['html', 'js', 'wasm', 'css', 'config']) {
    const list = files.filter((f) => f.kind === kind);
    byKind[kind] = { raw: sum(list, 'raw'), gzip: sum(list, 'gzip'), brotli: sum(list, 'brotli'), served: sum(list, 'served'), count: list.length };
  }
  return { files, byKind, total: { raw: sum(files, 'raw'), gzip: sum(files, 'gzip'), brotli: sum(files, 'brotli'), served: sum(files, 'served'), count: files.length } };
}

// ---------------------------------------------------------------------------------------------
// Machine

function machine(browserVersion) {
  let osName = `${os.type()} ${os.release()}`;
  try {
    const pretty = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?(.*?)"?$/m);
    if (pretty) osName = `${pretty[1]} (kernel ${os.release()})`;
  } catch {}
  let rev = null;
  let dirty = null;
  try {
    rev = execFileSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['-C', repo, 'status', '--porcelain'], { encoding: 'utf8' }).trim() !== '';
  } catch {}
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    os: osName,
    node: process.version,
    chromium: browserVersion,
    load_average: os.loadavg().map((x) => Number(x.toFixed(2))),
    git: rev ? `${rev}${dirty ? ' (uncommitted changes)' : ''}` : 'unknown',
  };
}

// ---------------------------------------------------------------------------------------------
// Output

const fmtInt = (n) => (n === null || n === undefined ? '-' : Math.round(n).toLocaleString('en-US'));
const fmtMs = (n) => (n === null || n === undefined ? '-' : n.toFixed(1));
const ratio = (a, b) => (a === null || b === null || b === 0 ? '-' : (a / b).toFixed(2));
const pad = (s, n) => String(s).padStart(n);
const padEnd = (s, n) => String(s).padEnd(n);

function table(rows, widths) {
  return rows.map((row) => row.map((cell, i) => (i === 0 ? padEnd(cell, widths[0]) : pad(cell, widths[i]))).join('  ')).join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--disable-extensions',
    ],
  });
  const browserVersion = browser.version();
  const started = Date.now();
  const results = { ours: [], ref: [] };
  try {
    // One discarded warm-up journey each (first use of the browser process, the servers, the OS
    // file cache), then N measured journeys, alternating which app goes first.
    for (const app of APPS) await journey(browser, app);
    for (let i = 0; i < opts.runs; i += 1) {
      const order = i % 2 === 0 ? APPS : [...APPS].reverse();
      for (const app of order) {
        results[app.key].push(await journey(browser, app));
        process.stderr.write('.');
      }
    }
    process.stderr.write('\n');
  } finally {
    await browser.close();
  }

  const report = {
    date: new Date().toISOString(),
    runs: opts.runs,
    duration_s: Number(((Date.now() - started) / 1000).toFixed(1)),
    machine: machine(browserVersion),
    definitions: {
      bytes: 'every response the login document loaded from the app origin (html, js, wasm, css, config.json), sized from the files; gzip -9 and brotli 11 computed here; served = the bytes sent (the precompressed copy when Content-Encoding says so)',
      login_interactive_ms: 'navigation start of /login -> sign-in button rendered and enabled (MutationObserver installed before any page script)',
      callback_to_dashboard_ms: 'fetchStart of the /callback?code=... document (the browser has the sandbox\'s 302) -> user name rendered',
      requests_per_sign_in: 'every request of the page from loading /login to 750 ms after the name shows (Playwright) and the sandbox\'s own counters',
      requests_per_refresh: '"Refresh now" on the dashboard, until 750 ms after the sandbox counted the refresh',
    },
    apps: {},
  };

  for (const app of APPS) {
    const runs = results[app.key];
    const bytes = firstLoadBytes(app, runs[0].loginRequests, runs[0].loginResponses);
    const login = runs.map((r) => loginFigures(app, r.login));
    const callback = runs.map((r) => callbackFigures(app, r.callback));
    const med = (list, key) => median(list.map((x) => x[key]));
    const loginMedian = Object.fromEntries(Object.keys(login[0]).map((k) => [k, med(login, k)]));
    const callbackMedian = Object.fromEntries(Object.keys(callback[0]).map((k) => [k, med(callback, k)]));
    // Request counts must not vary between runs; report the first and flag any difference.
    const signIn = runs[0].signIn;
    const refresh = runs[0].refresh;
    // live_refresh_tokens is a gauge of the sandbox's whole life (each journey leaves its
    // tokens alive), not a count of this journey's requests: left out of the comparison.
    const counts = (stats) => JSON.stringify({ ...stats, live_refresh_tokens: undefined });
    const varying = runs.some((r) => counts(r.signIn.stats) !== counts(signIn.stats) || counts(r.refresh.stats) !== counts(refresh.stats));
    report.apps[app.key] = {
      label: app.label,
      bytes,
      login: { median: loginMedian, runs: login },
      callback: { median: callbackMedian, runs: callback },
      requests: {
        sign_in: { sandbox: signIn.stats, browser: signIn.seen, cors_preflights: signIn.preflights },
        refresh: { sandbox: refresh.stats, browser: refresh.seen, cors_preflights: refresh.preflights },
        varies_between_runs: varying,
        max_duplicates: Math.max(...runs.map((r) => r.signIn.seen.duplicates.length + r.refresh.seen.duplicates.length)),
      },
    };
  }

  const ours = report.apps.ours;
  const ref = report.apps.ref;
  const targets = {
    first_load_gzip_max_150kb: ours.bytes.total.gzip <= 150_000,
    first_load_brotli_max_125kb: ours.bytes.total.brotli <= 125_000,
    login_interactive_within_1_10x: ours.login.median.interactive <= 1.1 * ref.login.median.interactive,
    callback_to_dashboard_within_1_00x: ours.callback.median.toDashboard <= ref.callback.median.toDashboard,
    one_token_request_per_sign_in: ours.requests.sign_in.sandbox.token_authorization_code === 1 && ours.requests.sign_in.browser.token === 1,
    one_users_me_per_sign_in: ours.requests.sign_in.sandbox.users_me === 1 && ours.requests.sign_in.browser.users_me === 1,
    no_duplicate_fetches: ours.requests.max_duplicates === 0,
  };
  report.targets = targets;
  report.ratios = {
    first_load_raw: ours.bytes.total.raw / ref.bytes.total.raw,
    first_load_gzip: ours.bytes.total.gzip / ref.bytes.total.gzip,
    first_load_brotli: ours.bytes.total.brotli / ref.bytes.total.brotli,
    first_load_served: ours.bytes.total.served / ref.bytes.total.served,
    login_interactive: ours.login.median.interactive / ref.login.median.interactive,
    callback_to_dashboard: ours.callback.median.toDashboard / ref.callback.median.toDashboard,
  };

  // ---- print
  const m = report.machine;
  const out = [];
  const header = opts.oursName === 'pkce-desk' ? 'pkce-desk benchmark' : `pkce-desk benchmark, ours = ${opts.oursName}`;
  out.push(`${header}: ${opts.runs} runs per app (medians), ${m.chromium ? `headless Chromium ${m.chromium}` : 'headless Chromium'}`);
  out.push(`machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB, ${m.os}, node ${m.node}; load average ${m.load_average.join(' ')}; git ${m.git}`);
  out.push('');
  out.push('1. First load of the login page (bytes, from the served files; served = as sent on the wire)');
  const kinds = ['wasm', 'js', 'css', 'html', 'config'];
  const bytesRows = [['', 'ours raw', 'ours gzip', 'ours br', 'ours served', 'ref raw', 'ref gzip', 'ref br', 'ref served', 'br ours/ref']];
  for (const kind of kinds) {
    const a = ours.bytes.byKind[kind];
    const b = ref.bytes.byKind[kind];
    bytesRows.push([kind, fmtInt(a.raw), fmtInt(a.gzip), fmtInt(a.brotli), fmtInt(a.served), fmtInt(b.raw), fmtInt(b.gzip), fmtInt(b.brotli), fmtInt(b.served), b.brotli ? ratio(a.brotli, b.brotli) : '-']);
  }
  const ot = ours.bytes.total;
  const rt = ref.bytes.total;
  bytesRows.push([
    `total (${ot.count} / ${rt.count} files)`,
    fmtInt(ot.raw), fmtInt(ot.gzip), fmtInt(ot.brotli), fmtInt(ot.served), fmtInt(rt.raw), fmtInt(rt.gzip), fmtInt(rt.brotli), fmtInt(rt.served),
    ratio(ot.brotli, rt.brotli),
  ]);
  out.push(table(bytesRows, [22, 9, 9, 9, 11, 8, 8, 8, 10, 11]));
  out.push(`   ours/ref: raw ${ratio(ot.raw, rt.raw)}, gzip ${ratio(ot.gzip, rt.gzip)}, served ${ratio(ot.served, rt.served)}` +
    ` (served encodings, ours: ${[...new Set(ours.bytes.files.map((f) => f.encoding ?? 'identity'))].join(', ')})`);
  out.push('');
  out.push('2./3. Time (ms, median; [min-max])');
  const spread = (list, key) => {
    const v = list.map((x) => x[key]).filter((x) => x !== null);
    return `[${Math.min(...v).toFixed(0)}-${Math.max(...v).toFixed(0)}]`;
  };
  const timeRows = [['', 'ours', '', 'ref', '', 'ours/ref']];
  timeRows.push(['login page interactive', fmtMs(ours.login.median.interactive), spread(ours.login.runs, 'interactive'), fmtMs(ref.login.median.interactive), spread(ref.login.runs, 'interactive'), ratio(ours.login.median.interactive, ref.login.median.interactive)]);
  timeRows.push(['callback -> dashboard', fmtMs(ours.callback.median.toDashboard), spread(ours.callback.runs, 'toDashboard'), fmtMs(ref.callback.median.toDashboard), spread(ref.callback.runs, 'toDashboard'), ratio(ours.callback.median.toDashboard, ref.callback.median.toDashboard)]);
  out.push(table(timeRows, [26, 8, 12, 8, 12, 9]));
  out.push('');
  out.push('   where the time goes (median ms since the document\'s start; callback: since fetchStart of /callback)');
  const stepRows = [['', 'ours', 'ref']];
  const step = (label, a, b) => stepRows.push([label, fmtMs(a), fmtMs(b)]);
  step('login: html received', ours.login.median.html, ref.login.median.html);
  step('login: js/wasm received', ours.login.median.code, ref.login.median.code);
  step('login: config.json requested', ours.login.median.configStart, ref.login.median.configStart);
  step('login: config.json received', ours.login.median.configEnd, ref.login.median.configEnd);
  step('login: button interactive', ours.login.median.interactive, ref.login.median.interactive);
  step('callback: html received', ours.callback.median.html, ref.callback.median.html);
  step('callback: js/wasm received', ours.callback.median.code, ref.callback.median.code);
  step('callback: config.json requested', ours.callback.median.configStart, ref.callback.median.configStart);
  step('callback: config.json received', ours.callback.median.configEnd, ref.callback.median.configEnd);
  step('callback: token requested', ours.callback.median.tokenStart, ref.callback.median.tokenStart);
  step('callback: token received', ours.callback.median.tokenEnd, ref.callback.median.tokenEnd);
  step('callback: users/me requested', ours.callback.median.meStart, ref.callback.median.meStart);
  step('callback: users/me received', ours.callback.median.meEnd, ref.callback.median.meEnd);
  step('callback: other API received', ours.callback.median.otherApiEnd, ref.callback.median.otherApiEnd);
  step('callback: name shown', ours.callback.median.toDashboard, ref.callback.median.toDashboard);
  out.push(table(stepRows, [34, 8, 8]));
  out.push('');
  out.push('4. Requests');
  const reqRows = [['', 'ours', 'ref']];
  const r = (label, f) => reqRows.push([label, f(ours), f(ref)]);
  r('sign-in: config.json', (a) => a.requests.sign_in.browser.config);
  r('sign-in: discovery', (a) => a.requests.sign_in.browser.discovery);
  r('sign-in: token (code)', (a) => `${a.requests.sign_in.sandbox.token_authorization_code}`);
  r('sign-in: users/me', (a) => `${a.requests.sign_in.sandbox.users_me}`);
  r('sign-in: other API (queues...)', (a) => a.requests.sign_in.browser.api_other + a.requests.sign_in.sandbox.tokens_me);
  r('sign-in: authorize (page, form)', (a) => a.requests.sign_in.browser.authorize);
  r('sign-in: app documents + assets', (a) => a.requests.sign_in.browser.document + a.requests.sign_in.browser.static);
  r('sign-in: all requests', (a) => a.requests.sign_in.browser.total);
  r('sign-in: + CORS preflights', (a) => a.requests.sign_in.cors_preflights ?? '-');
  r('refresh: token (refresh)', (a) => a.requests.refresh.sandbox.token_refresh);
  r('refresh: users/me', (a) => a.requests.refresh.sandbox.users_me);
  r('refresh: all requests', (a) => a.requests.refresh.browser.total);
  r('refresh: + CORS preflights', (a) => a.requests.refresh.cors_preflights ?? '-');
  r('duplicate fetches (worst run)', (a) => a.requests.max_duplicates);
  out.push(table(reqRows, [34, 8, 8]));
  for (const app of APPS) {
    const a = report.apps[app.key];
    const dups = [...a.requests.sign_in.browser.duplicates, ...a.requests.refresh.browser.duplicates];
    if (dups.length) out.push(`   ${app.key} duplicates: ${dups.join(', ')}`);
    if (a.requests.varies_between_runs) out.push(`   note: ${app.key}'s request counts differed between runs (see the JSON)`);
  }
  out.push('   ("all requests" is what Playwright saw; CORS preflights come from the sandbox\'s log, as Chromium does not report them.)');
  out.push('');
  out.push(`Targets (${opts.oursName})`);
  const tick = (ok) => (ok ? 'met ' : 'MISS');
  out.push(`  ${tick(targets.first_load_gzip_max_150kb)}  first load <= 150 KB gzip: ${fmtInt(ours.bytes.total.gzip)} bytes`);
  out.push(`  ${tick(targets.first_load_brotli_max_125kb)}  first load <= 125 KB brotli: ${fmtInt(ours.bytes.total.brotli)} bytes (as served: ${fmtInt(ours.bytes.total.served)})`);
  out.push(`  ${tick(targets.login_interactive_within_1_10x)}  login interactive <= 1.10x reference: ${ratio(ours.login.median.interactive, ref.login.median.interactive)}x`);
  out.push(`  ${tick(targets.callback_to_dashboard_within_1_00x)}  callback -> dashboard <= 1.00x reference: ${ratio(ours.callback.median.toDashboard, ref.callback.median.toDashboard)}x`);
  out.push(`  ${tick(targets.one_token_request_per_sign_in)}  exactly one token request per sign-in: ${ours.requests.sign_in.sandbox.token_authorization_code}`);
  out.push(`  ${tick(targets.one_users_me_per_sign_in)}  exactly one users/me request per sign-in: ${ours.requests.sign_in.sandbox.users_me}`);
  out.push(`  ${tick(targets.no_duplicate_fetches)}  no duplicate fetches: ${ours.requests.max_duplicates}`);
  out.push(`(${report.duration_s} s; a missed target is reported, not an error: timings depend on the machine)`);
  process.stdout.write(`${out.join('\n')}\n`);

  if (opts.out) {
    mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
    // The per-journey request lists are bulky and the same every run: keep the counts only.
    writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`raw results: ${path.relative(process.cwd(), path.resolve(opts.out)) || opts.out}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`\nbench: measurement failed: ${err instanceof MeasurementError ? err.message : err.stack ?? err}\n`);
  process.exit(1);
});
