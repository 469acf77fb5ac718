#!/usr/bin/env node
// What the release wasm is made of, from `twiggy top` of a build that kept its function names.
//
//   node bench/size-report.mjs NAMED.wasm [--top 25] [--modules CRATE]
//
// NAMED.wasm: the app's wasm after wasm-bindgen and `wasm-opt -Oz -g` (the -g keeps the
// "name" section that twiggy needs; the shipped build drops it). scripts/bench.sh --sizes makes
// one. Prints the biggest items and the code+data bytes attributed to each crate: a function
// belongs to the crate of its path (`<serde_json::de::Deserializer as serde::Deserializer>::x`
// counts for serde_json: the monomorphised code lives where the type is); data segments and
// wasm tables are listed apart. Attribution is by name, so inlined code counts for its caller.
// Without twiggy on the PATH it reads the module itself (function bodies, data segments,
// sections), which gives the same per-crate figures within a few hundred bytes.
// --modules CRATE: also the items that name CRATE's modules (anywhere in the name, so
// `<pkce_desk::live::X as serde::Deserialize>::deserialize` counts for pkce_desk::live), grouped
// by module, two levels deep. Monomorphised code named after its generic crate
// (`serde_json::de::...`) stays with that crate: the figures are a lower bound per module.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import process from 'node:process';

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && !['--top', '--modules'].includes(args[i - 1]));
const topIndex = args.indexOf('--top');
const topN = topIndex >= 0 ? Number(args[topIndex + 1]) : 25;
const modulesIndex = args.indexOf('--modules');
const modulesOf = modulesIndex >= 0 ? args[modulesIndex + 1] : null;
if (!file || !Number.isInteger(topN) || (modulesIndex >= 0 && !/^[a-z_][a-z0-9_]*$/.test(modulesOf ?? ''))) {
  process.stderr.write('usage: node bench/size-report.mjs NAMED.wasm [--top N] [--modules CRATE]\n');
  process.exit(2);
}

let items;
try {
  items = JSON.parse(
    execFileSync('twiggy', ['top', '-n', '1000000', '--format', 'json', file], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
} catch (err) {
  if (err.code !== 'ENOENT') {
    process.stderr.write(`size-report: twiggy failed: ${err.message}\n`);
    process.exit(1);
  }
  // No twiggy: read the module here. Same items as `twiggy top` for what matters: each
  // function body with its (demangled) name, each data segment, the other sections whole.
  items = readModule(readFileSync(file));
}

// A minimal reader of a wasm module's sections, code bodies, data segments and name section.
function readModule(buf) {
  let pos = 0;
  const u32 = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return result;
      shift += 7;
    }
  };
  const SECTIONS = ['custom', 'type', 'import', 'func', 'table', 'memory', 'global', 'export', 'start', 'elem', 'code', 'data', 'datacount'];
  const out = [];
  const bodies = [];
  const names = new Map();
  let imported = 0;
  pos = 8;
  while (pos < buf.length) {
    const id = buf[pos++];
    const size = u32();
    const start = pos;
    const end = start + size;
    if (id === 2) {
      // Imported functions come first in the function index space.
      for (let n = u32(); n > 0; n -= 1) {
        const moduleLen = u32();
        pos += moduleLen;
        const nameLen = u32();
        pos += nameLen;
        const kind = buf[pos++];
        if (kind === 0) { u32(); imported += 1; } else if (kind === 1) { pos += 1; const f = buf[pos++]; u32(); if (f & 1) u32(); } else if (kind === 2) { const f = buf[pos++]; u32(); if (f & 1) u32(); } else { pos += 2; }
      }
      out.push({ name: `import[${size}]`, shallow_size: end - start });
    } else if (id === 10) {
      for (let n = u32(); n > 0; n -= 1) {
        const bodyStart = pos;
        const len = u32();
        pos += len;
        bodies.push(pos - bodyStart);
      }
    } else if (id === 11) {
      let i = 0;
      for (let n = u32(); n > 0; n -= 1, i += 1) {
        const segStart = pos;
        const flags = u32();
        if (flags === 2) u32();
        if (flags !== 1) while (buf[pos++] !== 0x0b);
        const len = u32();
        pos += len;
        out.push({ name: `data segment[${i}]`, shallow_size: pos - segStart });
      }
    } else if (id === 0) {
      const nameLen = u32();
      const name = buf.toString('utf8', pos, pos + nameLen);
      pos += nameLen;
      if (name === 'name') {
        while (pos < end) {
          const sub = buf[pos++];
          const subEnd = u32() + pos;
          if (sub === 1) {
            for (let n = u32(); n > 0; n -= 1) {
              const index = u32();
              const len = u32();
              names.set(index, buf.toString('utf8', pos, pos + len));
              pos += len;
            }
          }
          pos = subEnd;
        }
      } else {
        out.push({ name: `custom section "${name}"`, shallow_size: end - start });
      }
    } else {
      out.push({ name: `${SECTIONS[id] ?? 'section'}[${size}]`, shallow_size: end - start });
    }
    pos = end;
  }
  bodies.forEach((size, i) => {
    const name = names.get(imported + i);
    out.push({ name: name ? demangle(name) : `code[${i}]`, shallow_size: size });
  });
  return out;
}

// Rust's legacy mangling (_ZN 3foo 3bar 17h<hash> E) back to foo::bar.
function demangle(name) {
  if (!name.startsWith('_ZN')) return name;
  const parts = [];
  let i = 3;
  while (i < name.length && name[i] !== 'E') {
    const m = name.slice(i).match(/^(\d+)/);
    if (!m) return name;
    i += m[1].length;
    parts.push(name.slice(i, i + Number(m[1])));
    i += Number(m[1]);
  }
  if (parts.length && /^h[0-9a-f]{16}$/.test(parts[parts.length - 1])) parts.pop();
  const escapes = { '$LT$': '<', '$GT$': '>', '$RF$': '&', '$BP$': '*', '$C$': ',', '$SP$': '@', '$u20$': ' ', '$u27$': "'", '$u5b$': '[', '$u5d$': ']', '$u7b$': '{', '$u7d$': '}', '$u3b$': ';', '$u2b$': '+', '$u22$': '"', '$LP$': '(', '$RP$': ')' };
  return parts
    .map((p) => p.replace(/^_\$/, '$').replace(/\$[A-Za-z0-9]+\$/g, (e) => escapes[e] ?? e).replace(/\.\./g, '::'))
    .join('::');
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

if (modulesOf) {
  const pattern = new RegExp(`\\b${modulesOf}::([a-z_][a-z0-9_]*)(?:::([a-z_][a-z0-9_]*)(?=::))?`);
  const byModule = new Map();
  let named = 0;
  for (const it of items) {
    const m = it.name.match(pattern);
    if (!m) continue;
    named += it.shallow_size;
    const module = m[2] ? `${m[1]}::${m[2]}` : m[1];
    const entry = byModule.get(module) ?? { bytes: 0, count: 0 };
    entry.bytes += it.shallow_size;
    entry.count += 1;
    byModule.set(module, entry);
  }
  console.log(`\nItems naming ${modulesOf}'s modules, by module (${kb(named).trim()} KB in all; a lower bound, see the header):`);
  for (const [module, { bytes, count }] of [...byModule].sort((a, b) => b[1].bytes - a[1].bytes)) {
    if (bytes < 500) continue;
    console.log(`${kb(bytes)} KB ${pct(bytes)}%  ${modulesOf}::${module} (${count} items)`);
  }
}
