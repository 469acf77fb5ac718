#!/usr/bin/env node
// What the release wasm is made of, from `twiggy top` of a build that kept its function names.
//
//   node bench/size-report.mjs NAMED.wasm [--top 25]
//
// NAMED.wasm: the app's wasm after wasm-bindgen and `wasm-opt -Oz -g` (the -g keeps the
// "name" section that twiggy needs; the shipped build drops it). scripts/bench.sh --sizes makes
// one. Prints the biggest items and the code+data bytes attributed to each crate: a function
// belongs to the crate of its path (`<serde_json::de::Deserializer as serde::Deserializer>::x`
// counts for serde_json: the monomorphised code lives where the type is); data segments and
// wasm tables are listed apart. Attribution is by name, so inlined code counts for its caller.

import { execFileSync } from 'node:child_process';
import process from 'node:process';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const topIndex = args.indexOf('--top');
const topN = topIndex >= 0 ? Number(args[topIndex + 1]) : 25;
if (!file || !Number.isInteger(topN)) {
  process.stderr.write('usage: node bench/size-report.mjs NAMED.wasm [--top N]\n');
  process.exit(2);
}

let items;
try {
  items = JSON.parse(
    execFileSync('twiggy', ['top', '-n', '1000000', '--format', 'json', file], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    }),
  );
} catch (err) {
  process.stderr.write(`size-report: twiggy failed (cargo install twiggy): ${err.message}\n`);
  process.exit(1);
}

// The name section exists only because of -g; it is not part of the shipped file.
items = items.filter((it) => !/names" subsection$/.test(it.name));
const total = items.reduce((sum, it) => sum + it.shallow_size, 0);

function crateOf(rawName) {
  const name = rawName.replace(/\[[0-9a-f]{16}\]/g, '');
  if (name.startsWith('data segment')) return '(data segments: strings, vtables, tables)';
  if (name.startsWith('"') || name.startsWith('custom section')) return '(custom sections)';
  if (/^(elem|type|table|memory|global|import|export|code|func|start)\[/.test(name))
    return '(wasm types, imports, exports, tables)';
  // Drop glue belongs to the type being dropped.
  const drop = name.match(/^core::ptr::drop_in_place<(.*)>(::h[0-9a-f]+)?$/);
  if (drop) return crateOf(drop[1]);
  // `<T as tachys::view::Render>::build`: generic Self, count it for the trait's crate.
  const generic = name.match(/^<(?:[A-Z][A-Za-z0-9]*|\(.*?\)|&?\[.*?\]) as ([a-z_][a-z0-9_]*)::/);
  if (generic) return generic[1];
  // `<&mut serde_json::de::Deserializer<R> as serde::Deserializer>::f`: the first path inside.
  const n = name.replace(/^[<(\[&*]+/, '').replace(/^(mut |const |dyn )/, '').replace(/^[<(\[&*]+/, '');
  const m = n.match(/^([A-Za-z_][A-Za-z0-9_]*)::/);
  if (m) return m[1];
  if (/^(char|str|u8|u16|u32|u64|usize|isize|i32|i64|f64|bool)\b/.test(n)) return 'core';
  return '(unattributed: wasm-bindgen shims, exports)';
}

const kb = (n) => (n / 1000).toFixed(1).padStart(7);
const pct = (n) => ((100 * n) / total).toFixed(1).padStart(5);

console.log(`${file}: ${total} bytes without the name section (${items.length} items)\n`);
console.log(`Biggest ${topN} items:`);
for (const it of [...items].sort((a, b) => b.shallow_size - a.shallow_size).slice(0, topN)) {
  console.log(`${kb(it.shallow_size)} KB ${pct(it.shallow_size)}%  ${it.name.slice(0, 150)}`);
}

const byCrate = new Map();
for (const it of items) {
  const crate = crateOf(it.name);
  const entry = byCrate.get(crate) ?? { bytes: 0, count: 0 };
  entry.bytes += it.shallow_size;
  entry.count += 1;
  byCrate.set(crate, entry);
}
console.log('\nBy crate (shallow bytes of the items named after it):');
for (const [crate, { bytes, count }] of [...byCrate].sort((a, b) => b[1].bytes - a[1].bytes)) {
  if (bytes < total / 500) continue;
  console.log(`${kb(bytes)} KB ${pct(bytes)}%  ${crate} (${count} items)`);
}
