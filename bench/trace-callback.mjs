#!/usr/bin/env node
// Where the callback's last step goes: one Chrome performance trace per sign-in, read between
// "users/me answered" (its Resource Timing responseEnd, as bench/run.mjs measures it) and "the
// user's name rendered" (the same MutationObserver probe as run.mjs). Prints every main-thread
// task of the callback document in that window (and those since the token answer, to see what
// was already running when users/me answered), with its duration and what it was: the trace's
// own events (timer, fetch resolution, microtasks, style/layout/paint) and, from the trace's
// CPU profile, the wasm functions that ran in it (names need a build that keeps them, see below).
// A summary line splits the step: waiting for a task that was running when users/me answered,
// the tasks before the one that shows the name, and that task (its wasm calls; the probe's
// style and layout, which the browser would do anyway before painting, and the font lookups
// in them). A second line counts the wasm functions V8 compiled on their first call (lazy
// compilation, `wasm.CompileLazy`) before the name, and in the token answer's task.
// Tracing slows the page; --profile off slows it least.
//
// Starts nothing itself, like run.mjs: serve a release build with end2end/serve-dist.mjs, start
// the sandbox with this app's redirect URI, and write the config.json the server hands out,
// as scripts/bench.sh does (all on free ports: --port 0 prints the chosen URL). For wasm
// function names, replace the build's *_bg.wasm by the same module re-optimised with names kept:
//
//   wasm-bindgen --target web --no-typescript --out-dir T target/wasm32-unknown-unknown/release/pkce-desk.wasm
//   wasm-opt -Oz -g <scripts/bench.sh's --enable-* flags> T/pkce-desk_bg.wasm -o DIST/pkce-desk-HASH_bg.wasm
//   rm DIST/*_bg.wasm.{br,gz}; node scripts/precompress.mjs DIST
//
// (-g keeps the name section: a bigger download, the same code, so the same order of work.)
//
//   node bench/trace-callback.mjs --app URL --sandbox URL [--runs 3] [--out DIR] [--profile on|off]
//
// --categories a,b: more trace categories (e.g. fonts,blink), for the saved traces.
// --profile off: no CPU profile (true task durations, no function names).
// --out: keep each trace (trace-N.json) for chrome://tracing or the DevTools Performance panel.
// The sandbox must run with --test-controls (its counters are reset before each journey).

import { createRequire } from 'node:module';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const { chromium } = createRequire(import.meta.url)(path.join(repo, 'end2end', 'node_modules', 'playwright'));

const opts = { categories: '', profile: 'on', runs: 3, provider: 'sandbox-genesys', out: null, app: null, sandbox: null };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  if (!(key in opts) || process.argv[i + 1] === undefined) {
    process.stderr.write('usage: node bench/trace-callback.mjs --app URL --sandbox URL [--runs N] [--out DIR]\n');
    process.exit(2);
  }
  opts[key] = key === 'runs' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
if (!opts.app || !opts.sandbox) {
  process.stderr.write('trace-callback: --app and --sandbox are required\n');
  process.exit(2);
}
const APP = new URL(opts.app).origin;
const SANDBOX = new URL(opts.sandbox).origin;
const BUTTON = `[data-testid="sign-in-${opts.provider}"]`;
const USER_NAME = '[data-testid="user-name"]';

// run.mjs's probe for the name, plus a User Timing mark so the moment is in the trace too.
const PROBE = `(() => {
  const marks = {};
  const rendered = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const check = () => {
    if ('name' in marks) return;
    const n = document.querySelector(${JSON.stringify(USER_NAME)});
    if (rendered(n) && n.textContent.trim().length > 0) {
      marks.name = performance.now();
      performance.mark('bench-name-shown');
    }
  };
  Object.defineProperty(window, '__trace', { value: { marks }, enumerable: false });
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
})();`;

const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'toplevel',
  'v8.execute',
  'v8',
  'blink.user_timing',
  'loading',
  'fonts',
  // wasm.CompileLazy: V8 compiles each wasm function (Liftoff) on its first call.
  'v8.wasm',
];
// The CPU profile names the wasm functions but its sampling slows wasm down (about 2x here):
// --profile off gives the tasks' true durations, without names.
if (opts.categories) CATEGORIES.push(...opts.categories.split(','));
if (opts.profile !== 'off') CATEGORIES.push('disabled-by-default-v8.cpu_profiler');

async function journey(browser) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(PROBE);
    const page = await context.newPage();
    await fetch(`${SANDBOX}/__sandbox/reset`, { method: 'POST' });
    await page.goto(`${APP}/login`);
    await page.locator(BUTTON).click();
    await page.waitForURL((url) => url.origin === SANDBOX && url.pathname === '/oauth/authorize');
    await page.getByLabel('Username').fill('ada@example.com');
    await page.getByLabel('Password').fill('demo');
    await browser.startTracing(page, { categories: CATEGORIES });
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.origin === APP, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__trace && window.__trace.marks.name !== undefined, null, { timeout: 20_000 });
    await page.waitForTimeout(300);
    const buffer = await browser.stopTracing();
    const timings = await page.evaluate(() => {
      const me = performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname === '/api/v2/users/me');
      const token = performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname === '/oauth/token');
      return {
        name: window.__trace.marks.name,
        fetchStart: performance.getEntriesByType('navigation')[0].fetchStart,
        meStart: me?.startTime, meEnd: me?.responseEnd, tokenEnd: token?.responseEnd,
      };
    });
    return { buffer, timings };
  } finally {
    await context.close();
  }
}

// The wasm and JS frames of one CPU-profile sample, innermost first.
function stackOf(nodes, id) {
  const out = [];
  for (let n = nodes.get(id); n; n = nodes.get(n.parent)) {
    const f = n.callFrame.functionName;
    if (f && !['(root)', '(program)', '(idle)', '(garbage collector)'].includes(f)) out.push(f);
    else if (f === '(garbage collector)') out.push('(gc)');
  }
  return out;
}

function samplesOf(events, pid) {
  // Profile + ProfileChunk events (one Profile id per thread) give nodes and time deltas.
  const byId = new Map();
  for (const e of events) {
    if (e.pid !== pid) continue;
    if (e.name === 'Profile') byId.set(e.id, { start: e.args.data.startTime, nodes: new Map(), samples: [], tid: e.tid });
  }
  for (const e of events) {
    if (e.pid !== pid || e.name !== 'ProfileChunk') continue;
    const prof = byId.get(e.id);
    if (!prof) continue;
    const cpu = e.args.data.cpuProfile ?? {};
    for (const n of cpu.nodes ?? []) prof.nodes.set(n.id, n);
    const deltas = e.args.data.timeDeltas ?? [];
    (cpu.samples ?? []).forEach((s, i) => prof.samples.push([deltas[i] ?? 0, s]));
  }
  const out = [];
  for (const prof of byId.values()) {
    let t = prof.start;
    for (const [delta, id] of prof.samples) {
      t += delta;
      out.push({ ts: t, stack: stackOf(prof.nodes, id) });
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

// Shortens a demangled Rust path to its last meaningful segments.
function short(name) {
  return name.replace(/::h[0-9a-f]{16}$/, '').replace(/<.*>/g, (m) => (m.length > 60 ? '<…>' : m)).slice(0, 110);
}

const APP_CRATE = /^(pkce_desk|pkce_desk_floor)::/;

function analyse(trace, timings) {
  const events = trace.traceEvents ?? trace;
  const mark = events.find((e) => e.name === 'bench-name-shown' && e.cat.includes('blink.user_timing'));
  if (!mark) throw new Error('no bench-name-shown mark in the trace');
  const { pid, tid } = mark;
  // performance.now() of the callback document -> trace µs.
  const offset = mark.ts - timings.name * 1000;
  const at = (ms) => offset + ms * 1000;
  const rel = (ts) => (ts - at(timings.meEnd)) / 1000; // ms after users/me answered
  const from = at(timings.tokenEnd);
  const to = mark.ts;
  const onMain = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X');
  const tasks = onMain
    .filter((e) => (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && e.ts + e.dur >= from && e.ts <= to)
    .sort((a, b) => a.ts - b.ts)
    // Outermost tasks only (a RunTask can nest), and not the trace's own sub-0.1 ms ones.
    .filter((e, i, all) => !all.some((o) => o !== e && o.ts <= e.ts && o.ts + o.dur >= e.ts + e.dur && o.dur > e.dur));
  const tiny = tasks.filter((e) => e.dur < 100);
  const samples = samplesOf(events, pid);
  const rows = [];
  for (const task of tasks) {
    if (task.dur < 100) continue;
    const end = task.ts + task.dur;
    const inside = onMain.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= end && e.dur > 0);
    const what = [];
    for (const e of inside) {
      const d = e.args?.data ?? {};
      if (e.name === 'TimerFire') what.push(`TimerFire#${d.timerId}`);
      else if (e.name === 'FunctionCall') what.push(`FunctionCall ${d.functionName || '(anon)'} ${(e.dur / 1000).toFixed(1)}`);
      else if (e.name === 'RunMicrotasks') what.push(`microtasks ${(e.dur / 1000).toFixed(1)}`);
      else if (e.name === 'EventDispatch') what.push(`event ${d.type}`);
      else if (e.name === 'Layout' && e.dur >= 200) what.push(`Layout ${(e.dur / 1000).toFixed(1)} (${e.args?.beginData?.dirtyObjects ?? '?'}/${e.args?.beginData?.totalObjects ?? '?'} objects)`);
      else if (e.name === 'UpdateLayoutTree' && e.dur >= 200) what.push(`UpdateLayoutTree ${(e.dur / 1000).toFixed(1)} (${e.args?.elementCount ?? '?'} elements)`);
      else if (['UpdateLayoutTree', 'Layout', 'Paint', 'PrePaint', 'Layerize', 'Commit', 'ParseHTML', 'EvaluateScript', 'v8.compile', 'v8.compileModule', 'HitTest', 'UpdateLayer', 'ScheduleStyleRecalculation', 'FireAnimationFrame', 'BeginMainThreadFrame', 'ProfileCall'].includes(e.name) && e.dur >= 200) what.push(`${e.name} ${(e.dur / 1000).toFixed(1)}`);
      else if (e.name === 'ResourceReceivedData' || e.name === 'ResourceFinish' || e.name === 'ResourceReceiveResponse') what.push(e.name.replace('Resource', 'net:'));
    }
    // Anything else that took time (GC, V8 compile, IPC handlers...): the longest other events.
    const known = /^(TimerFire|FunctionCall|RunMicrotasks|EventDispatch|UpdateLayoutTree|Layout|Paint|PrePaint|Layerize|Commit|ParseHTML|EvaluateScript|HitTest|UpdateLayer|FireAnimationFrame|BeginMainThreadFrame|Resource.*|ThreadControllerImpl::RunTask|RunTask|FontCache.*|.*Font.*|ProfileCall)$/;
    const nested = (e) => inside.some((o) => o !== e && !known.test(o.name) && o.ts <= e.ts && o.ts + o.dur >= e.ts + e.dur && o.dur > e.dur);
    const outerTop = inside.filter((e) => !onMain.some((o) => o !== task && o !== e && known.test(o.name) && o.ts <= e.ts && o.ts + o.dur >= e.ts + e.dur));
    for (const e of outerTop.filter((e) => !known.test(e.name) && e.dur >= 300 && !nested(e)).sort((a, b) => b.dur - a.dur).slice(0, 3)) {
      what.push(`${e.name} ${(e.dur / 1000).toFixed(1)}`);
    }
    // Wasm work in the task, from the CPU profile: per app-crate function (the innermost one
    // of each sample, inclusive of what it called), and per leaf.
    const own = new Map();
    const leaf = new Map();
    let n = 0;
    for (const s of samples) {
      if (s.ts < task.ts || s.ts > end) continue;
      n += 1;
      const app = s.stack.find((f) => APP_CRATE.test(f));
      if (app) own.set(short(app), (own.get(short(app)) ?? 0) + 1);
      if (s.stack[0]) leaf.set(short(s.stack[0]), (leaf.get(short(s.stack[0])) ?? 0) + 1);
    }
    const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k} ×${v}`);
    rows.push({ start: rel(task.ts), dur: task.dur / 1000, what: [...new Set(what)].slice(0, 8), samples: n, app: top(own), leaf: top(leaf) });
  }
  // The step in parts: waiting for a task that was running when users/me answered, the tasks
  // and idle time before the task that shows the name, and that task (its wasm calls, and the
  // probe's style + layout, which the browser would otherwise do before painting the name).
  const t0 = at(timings.meEnd);
  const big = tasks.filter((e) => e.dur >= 100);
  const running = big.find((e) => e.ts < t0 && e.ts + e.dur > t0);
  const nameTask = big.filter((e) => e.ts <= mark.ts).pop();
  const sumIn = (task, test) => onMain.filter((e) => e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur && test(e)).reduce((t, e) => t + e.dur, 0) / 1000;
  const blockedEnd = running ? running.ts + running.dur : t0;
  const between = big.filter((e) => e.ts >= blockedEnd && e.ts < nameTask.ts);
  const busy = between.reduce((t, e) => t + e.dur, 0) / 1000;
  const summary = {
    blocked: (blockedEnd - t0) / 1000,
    before: { tasks: between.length, busy, idle: (nameTask.ts - blockedEnd) / 1000 - busy },
    nameTask: {
      start: rel(nameTask.ts),
      toMark: (mark.ts - nameTask.ts) / 1000,
      wasm: sumIn(nameTask, (e) => e.name === 'FunctionCall' && e.args?.data?.functionName !== 'check'),
      probe: sumIn(nameTask, (e) => e.name === 'FunctionCall' && e.args?.data?.functionName === 'check'),
      style: sumIn(nameTask, (e) => e.name === 'UpdateLayoutTree'),
      layout: sumIn(nameTask, (e) => e.name === 'Layout'),
      // Outermost lookups only (one can nest in another).
      fonts: sumIn(nameTask, (e) => e.name === 'FontCache::GetFontPlatformData' && !onMain.some((o) => o !== e && o.name === e.name && o.ts <= e.ts && o.ts + o.dur >= e.ts + e.dur)),
    },
  };
  // The wasm functions compiled on first call (lazy compilation): in the whole document
  // before the name, and in the task that sent users/me (the token answer's task).
  const lazy = onMain.filter((e) => e.name === 'wasm.CompileLazy' && e.ts <= mark.ts);
  const meSent = at(timings.meStart);
  const meTask = onMain.find((e) => (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && e.ts <= meSent && e.ts + e.dur >= meSent);
  const inMeTask = lazy.filter((e) => meTask && e.ts >= meTask.ts && e.ts < meTask.ts + meTask.dur);
  const count = (list) => ({ n: list.length, ms: list.reduce((t, e) => t + e.dur, 0) / 1000 });
  summary.lazy = {
    beforeName: count(lazy),
    meTask: { ...count(inMeTask), dur: meTask ? meTask.dur / 1000 : 0, beforeMe: inMeTask.filter((e) => e.ts < meSent).length },
  };
  return { summary, rows, tiny: { count: tiny.length, ms: tiny.reduce((t, e) => t + e.dur, 0) / 1000 }, meEndRel: 0, nameRel: rel(mark.ts), meStartRel: rel(at(timings.meStart)), tokenEndRel: rel(at(timings.tokenEnd)) };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-extensions'],
});
try {
  if (opts.out) mkdirSync(opts.out, { recursive: true });
  for (let run = 1; run <= opts.runs; run += 1) {
    const { buffer, timings } = await journey(browser);
    if (opts.out) writeFileSync(path.join(opts.out, `trace-${run}.json`), buffer);
    const r = analyse(JSON.parse(buffer.toString('utf8')), timings);
    const f = (x) => (x >= 0 ? '+' : '') + x.toFixed(1);
    console.log(`\n=== ${APP} run ${run}: ms relative to users/me answered (responseEnd ${(timings.meEnd - timings.fetchStart).toFixed(1)} ms after fetchStart)`);
    console.log(`token answered ${f(r.tokenEndRel)}, users/me requested ${f(r.meStartRel)}, name shown ${f(r.nameRel)}`);
    const m = r.summary;
    const n = m.nameTask;
    console.log(`summary: name +${r.nameRel.toFixed(1)} = blocked ${m.blocked.toFixed(1)} + before the name's task ${m.before.tasks} tasks ${m.before.busy.toFixed(1)} busy / ${m.before.idle.toFixed(1)} idle` +
      ` + the name's task (at ${f(n.start)}) ${n.toMark.toFixed(1)}: wasm calls ${n.wasm.toFixed(1)}, probe ${n.probe.toFixed(1)} (style ${n.style.toFixed(1)}, layout ${n.layout.toFixed(1)}, of it font lookups ${n.fonts.toFixed(1)})`);
    const lz = m.lazy;
    console.log(`lazy compiles: ${lz.beforeName.n} wasm functions (${lz.beforeName.ms.toFixed(1)} ms) compiled on first call before the name; ` +
      `the task that sent users/me (${lz.meTask.dur.toFixed(1)} ms) compiled ${lz.meTask.n} (${lz.meTask.ms.toFixed(1)} ms), ${lz.meTask.beforeMe} of them before sending it`);
    console.log(`(plus ${r.tiny.count} tasks under 0.1 ms, ${r.tiny.ms.toFixed(1)} ms in all)`);
    for (const row of r.rows) {
      console.log(`task ${f(row.start).padStart(7)} ${row.dur.toFixed(1).padStart(6)} ms  ${row.what.join('; ')}`);
      if (row.app.length) console.log(`      app: ${row.app.join(' | ')}`);
      if (row.leaf.length) console.log(`      leaf: ${row.leaf.join(' | ')}  (${row.samples} samples)`);
    }
  }
} finally {
  await browser.close();
}
