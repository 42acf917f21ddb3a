// `npm run size`: what a page downloads for autologoff (dist/, as `node scripts/build.mjs` left
// it), each file compressed alone, against the budget (scripts/size-budget.json) and the bar of
// "Performance, round 2" (32 KB gzip). `npm run size -- --breakdown` (or BREAKDOWN=1) also shows
// where the bytes are:
// - the .wasm by part, with twiggy (installed by `scripts/setup.sh --twiggy` if missing): the
//   release build again through wasm-bindgen --keep-debug and wasm-opt -Oz -g (the build's
//   features and passes, its import/export renaming too), so every function keeps its Rust
//   name; `twiggy top -n 40`, then a roll-up by module (autologoff::session,
//   autologoff::browser::*, core, alloc, the wasm-bindgen/js-sys shims, data segments, ...);
// - the JS by part: what each file of the bundle adds to dist/autologoff.js (esbuild's
//   metafile), and wasm-bindgen's glue by section (each minified and compressed alone, so
//   estimates).
// Writes target/size/breakdown.json. Reads the build's output; builds nothing that ships.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rel = (...p) => path.join(root, ...p);
const home = process.env.HOME || '/root';
process.env.PATH = path.join(home, '.cargo', 'bin') + path.delimiter + process.env.PATH;
const BAR_GZIP_KB = 32;
const breakdown = process.argv.includes('--breakdown') || !!process.env.BREAKDOWN;

const gzip = (data) => zlib.gzipSync(data, { level: 9 }).length;
const brotli = (data) => zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n) => (n / 1024).toFixed(1).padStart(6) + ' KB';
const pct = (n, of) => ((100 * n) / of).toFixed(1).padStart(5) + ' %';

// What ships.
const dist = { js: rel('dist', 'autologoff.js'), wasm: rel('dist', 'autologoff_bg.wasm') };
for (const file of Object.values(dist)) {
  if (!fs.existsSync(file)) {
    console.error(`size: ${path.relative(root, file)} is missing: run \`node scripts/build.mjs\` (or npm run build) first`);
    process.exit(2);
  }
}
const shipped = {};
for (const [k, file] of Object.entries(dist)) {
  const data = fs.readFileSync(file);
  shipped[k] = { raw: data.length, gzip: gzip(data), brotli: brotli(data) };
}
const total = { raw: shipped.js.raw + shipped.wasm.raw, gzip: shipped.js.gzip + shipped.wasm.gzip, brotli: shipped.js.brotli + shipped.wasm.brotli };
const budget = JSON.parse(fs.readFileSync(rel('scripts', 'size-budget.json'), 'utf8'));
console.log('What a page downloads for autologoff (script tag), each file compressed alone:');
for (const [name, s] of [['dist/autologoff.js', shipped.js], ['dist/autologoff_bg.wasm', shipped.wasm], ['total', total]]) {
  console.log('  ' + name.padEnd(26) + ' raw' + kb(s.raw) + '   gzip' + kb(s.gzip) + '   brotli' + kb(s.brotli));
}
const over = total.gzip / 1024 - BAR_GZIP_KB;
console.log(`  gzip: ${(total.gzip / 1024).toFixed(1)} KB against the bar of ${BAR_GZIP_KB} KB: ${over > 0 ? over.toFixed(1) + ' KB over' : (-over).toFixed(1) + ' KB under'}; the budget (scripts/size-budget.json, the ratchet): ${kb(budget.gzip).trim()}`);
if (!breakdown) {
  console.log('\n(`npm run size -- --breakdown` shows the .wasm and the JS by part.)');
  process.exit(0);
}

const out = rel('target', 'size');
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const run = (cmd, args, options = {}) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20, encoding: 'utf8', ...options });

// twiggy, installed only for this.
const hasTwiggy = () => {
  try {
    run('twiggy', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
if (!hasTwiggy()) execFileSync('bash', [rel('scripts', 'setup.sh'), '--twiggy'], { cwd: root, stdio: 'inherit' });

// The build's wasm-opt features, read from scripts/build.mjs so the two cannot drift apart.
const buildScript = fs.readFileSync(rel('scripts', 'build.mjs'), 'utf8');
const FEATURES = [...(/const FEATURES = \[([^\]]*)\]/.exec(buildScript)?.[1] ?? '').matchAll(/'(--[\w-]+)'/g)].map((m) => m[1]);
if (!FEATURES.length) throw new Error('size: could not read FEATURES from scripts/build.mjs');

// The release .wasm as the build makes it (cargo only checks when nothing changed), then with
// names kept. The shipped module is the same code; its name section is dropped.
run('cargo', ['build', '--quiet', '--release', '--lib', '--target', 'wasm32-unknown-unknown', ...(process.env.AUTOLOGOFF_DEBUG_PANICS ? [] : ['--no-default-features'])], { stdio: 'inherit' });
// Cargo's output: CARGO_TARGET_DIR when set (as scripts/build.mjs reads it), else target/.
const release = path.join(process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : rel('target'), 'wasm32-unknown-unknown', 'release', 'autologoff.wasm');
if (fs.statSync(release).mtimeMs > fs.statSync(dist.wasm).mtimeMs) {
  console.log('\nNote: the sources were built after dist/ was: run `node scripts/build.mjs` for the shipped sizes above to match the breakdown below.');
}
run('wasm-bindgen', ['--target', 'web', '--keep-debug', '--out-dir', path.join(out, 'wbg'), '--out-name', 'autologoff', release], { stdio: 'inherit' });
const named = path.join(out, 'autologoff_named.wasm');
const wasmOpt = rel('node_modules', '.bin', 'wasm-opt');
run(wasmOpt, ['-Oz', '--converge', '-g', '--strip-dwarf', '--strip-producers', '--strip-target-features', ...FEATURES, path.join(out, 'wbg', 'autologoff_bg.wasm'), '-o', named], { stdio: 'inherit' });
run(wasmOpt, ['--minify-imports-and-exports-and-modules', '-g', ...FEATURES, named, '-o', named]);

console.log(`\n== .wasm: the ${kb(shipped.wasm.raw).trim()} module by item (twiggy top -n 40, ${path.relative(root, named)}: the same build with its names kept)\n`);
console.log(run('twiggy', ['top', '-n', '40', named]));

// Roll-up by where each item comes from.
const items = JSON.parse(run('twiggy', ['top', '--format', 'json', named]));
/** The group of a twiggy item name. */
function group(name) {
  if (/^"[\w ]+" subsection$/.test(name) || /^custom section/.test(name)) return null; // names: not shipped
  if (name.startsWith('data segment')) return 'data: ' + name.replace('data segment ', '');
  if (name.startsWith('import ')) return 'imports (one per browser call the module makes)';
  if (name.startsWith('export ')) return 'exports';
  if (/^(elem|table|type|global|memory|func)\[| section headers$|^wasm magic bytes|^header/.test(name)) return 'wasm structure (types, tables, headers)';
  if (/^code\[\d+\]$/.test(name)) return 'functions without a name';
  // wasm-bindgen's wrappers of the JS API (src/browser/api.rs): startSession, session_state, ...
  if (/^(start|stop)[A-Z]\w*|^session_\w+$/.test(name)) return 'the JS API (wasm-bindgen export wrappers)';
  if (/ shim$|^__wbindgen|^__externref|^__wbg_|closures.*invoke|^wasm_bindgen/.test(name)) return 'wasm-bindgen generated shims and runtime (externref table, malloc, closures)';
  let n = name.replace(/\[[0-9a-f]{16}\]/g, '').replace(/::h[0-9a-f]{16}$/, '');
  // Drop glue and generic code belong to the type they are for, where it is ours.
  if (n.startsWith('core::ptr::drop_in_place<')) {
    const ours = /autologoff::[a-z_]+(::[a-z_]+)*/.exec(n);
    n = ours ? ours[0] + '::drop' : n;
  }
  // <Type as Trait>::method and <Type>::method: the type's path.
  const impl = /^<([^<> ]+)(?:<[^>]*>)?(?: as [^>]*)?>/.exec(n);
  if (impl && impl[1].includes('::')) n = impl[1] + '::x';
  else if (impl) n = (/ as ([a-z_]+::[^<>]*)/.exec(n)?.[1] ?? 'core') + '::x'; // a primitive's method, or generic code
  const segments = n.split('::');
  const crate = segments[0];
  if (crate === 'autologoff') {
    const modules = [];
    for (const s of segments.slice(1, -1)) {
      if (!/^[a-z_][a-z0-9_]*$/.test(s)) break;
      modules.push(s);
    }
    const depth = modules[0] === 'browser' ? 2 : 1;
    return ['autologoff', ...modules.slice(0, depth)].join('::') + (modules.length ? '' : ' (crate root)');
  }
  if (['core', 'alloc', 'compiler_builtins'].includes(crate)) return crate;
  if (['wasm_bindgen', 'js_sys', 'web_sys'].includes(crate)) return 'wasm_bindgen/js_sys/web_sys crates';
  if (/^(__rust|__rustc|__rdl|rust_)|^__multi3|^mem(cpy|set|cmp|move)$/.test(crate)) return 'compiler_builtins';
  return 'other: ' + crate;
}
const groups = new Map();
let counted = 0;
for (const item of items) {
  const g = group(item.name);
  if (g == null) continue;
  counted += item.shallow_size;
  const entry = groups.get(g) ?? { bytes: 0, items: 0 };
  entry.bytes += item.shallow_size;
  entry.items += 1;
  groups.set(g, entry);
}
const rows = [...groups].sort((a, b) => b[1].bytes - a[1].bytes);
console.log(`== .wasm by module: ${counted} bytes of code and data (names left out; the shipped module: ${shipped.wasm.raw} bytes, ${kb(shipped.wasm.gzip).trim()} gzip)\n`);
console.log('     bytes   share  items  group');
for (const [g, { bytes, items: n }] of rows) console.log(String(bytes).padStart(10) + pct(bytes, counted).padStart(8) + String(n).padStart(7) + '  ' + g);

// The JS: what each input adds to the bundle, with esbuild's options from the build.
const wbg = rel('target', 'wbg');
const js = { files: [], glue: [] };
if (fs.existsSync(path.join(wbg, 'script-tag.js'))) {
  const r = await esbuild.build({
    entryPoints: [path.join(wbg, 'script-tag.js')], bundle: true, format: 'iife', minify: true, target: ['es2020'],
    legalComments: 'none', write: false, metafile: true, outfile: path.join(out, 'autologoff.js'), logLevel: 'silent',
  });
  const output = Object.values(r.metafile.outputs)[0];
  js.files = Object.entries(output.inputs).map(([file, { bytesInOutput }]) => ({ file: path.relative(wbg, path.resolve(root, file)), bytes: bytesInOutput })).sort((a, b) => b.bytes - a.bytes);
  console.log(`\n== dist/autologoff.js by file (${shipped.js.raw} bytes; what each file adds, minified)\n`);
  for (const { file, bytes } of js.files) console.log(String(bytes).padStart(10) + pct(bytes, shipped.js.raw).padStart(8) + '  ' + file);

  // wasm-bindgen's glue by section: its top-level declarations, grouped.
  const source = fs.readFileSync(path.join(wbg, 'autologoff.js'), 'utf8');
  const starts = [...source.matchAll(/^(?:export )?(?:async )?(?:function\*? |class |const |let |var )([\w$]+)/gm)].map((m) => ({ at: m.index, name: m[1] }));
  const section = (name) => {
    if (name === '__wbg_get_imports') return 'imports: one JS shim per browser call';
    if (/^wasm_bindgen__convert__closures/.test(name)) return 'closure invokers';
    if (/^(__wbg_load|__wbg_init|__wbg_init_once|__wbg_init_promise|initSync|__wbg_finalize_init|wasmModule|wasm)$/.test(name)) return 'loading and instantiating the module';
    if (/^(Session|startFromScript|startSession|stopSession|SessionFinalization)$/.test(name) || /^[A-Z]/.test(name) && !/^(CLOSURE|MAX_|WASM_)/.test(name)) return 'the JS API (Session, start functions)';
    return 'runtime helpers (strings, externref table, closures)';
  };
  const parts = new Map();
  starts.forEach((s, i) => {
    const text = source.slice(s.at, i + 1 < starts.length ? starts[i + 1].at : source.length);
    const k = section(s.name);
    parts.set(k, (parts.get(k) ?? '') + text + '\n');
  });
  const shims = (source.match(/^\s{8}"[\w$]+": function\(/gm) ?? []).length;
  console.log(`\n== wasm-bindgen's glue (target/wbg/autologoff.js) by section: each minified and compressed alone, so estimates; ${shims} import shims\n`);
  console.log('  minified      gzip  section');
  for (const [k, text] of [...parts].sort((a, b) => b[1].length - a[1].length)) {
    let min;
    try {
      min = (await esbuild.transform(text, { minify: true, format: 'esm', target: 'es2020', loader: 'js' })).code;
    } catch {
      min = text; // a section that does not parse alone: its source size
    }
    js.glue.push({ section: k, minified: min.length, gzip: gzip(Buffer.from(min)) });
    console.log(String(min.length).padStart(10) + String(gzip(Buffer.from(min))).padStart(10) + '  ' + k);
  }
}

fs.writeFileSync(path.join(out, 'breakdown.json'), JSON.stringify({ shipped, total, wasm: { counted, groups: Object.fromEntries(rows), items: items.slice(0, 200) }, js }, null, 2) + '\n');
console.log('\nwritten: target/size/breakdown.json; the named module: ' + path.relative(root, named) + ' (twiggy dominators/paths/garbage work on it too)');
