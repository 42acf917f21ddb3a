// Builds what ships, and reports its size:
//   pkg/   the npm package `autologoff` (ES module, TypeScript types, .wasm)
//   dist/  the drop-in script-tag bundle: autologoff.js (classic script) + autologoff_bg.wasm
// Steps: cargo (release, wasm32) -> wasm-bindgen (--target web) -> wasm-opt -Oz (npm binaryen)
// -> copy/bundle (esbuild) -> size report (raw, gzip, brotli) also written to target/size.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { minify } from 'terser';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rel = (...p) => path.join(root, ...p);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const bin = (name) => rel('node_modules', '.bin', name);
const cargoBin = path.join(process.env.HOME || '/root', '.cargo', 'bin');
process.env.PATH = cargoBin + path.delimiter + process.env.PATH;

// Features rustc enables by default for wasm32-unknown-unknown; wasm-opt must accept them.
const FEATURES = [
  '--enable-bulk-memory', '--enable-sign-ext', '--enable-nontrapping-float-to-int',
  '--enable-mutable-globals', '--enable-multivalue', '--enable-reference-types',
];

/** Applies Binaryen's renaming (`{ imports: [[module, name, new]], exports: [[name, new]] }`) to
 * the wasm-bindgen glue in target/wbg, and checks the result against the module itself, so a
 * change in wasm-bindgen's output fails the build here rather than in a browser. */
function renameInGlue({ imports, exports }) {
  const glue = path.join(wbg, 'autologoff.js');
  let js = fs.readFileSync(glue, 'utf8');
  const mod = new WebAssembly.Module(fs.readFileSync(wasm));
  const escape = (name) => name.replace(/[$]/g, '\\$');
  const replaceOnce = (what, text) => {
    const found = js.split(what).length - 1;
    if (found !== 1) throw new Error('build: expected one `' + what + '` in the glue, found ' + found + ' (wasm-bindgen output changed?)');
    js = js.replace(what, () => text);
  };
  const GLUE_MODULE = './autologoff_bg.js';
  for (const [module, name, to] of imports) {
    if (module === GLUE_MODULE) replaceOnce(name + ': function(', '"' + to + '": function(');
  }
  // A JS function that needs no conversion (our own, from a snippet) is imported straight from
  // its module (`"./snippets/…/clear.js": import1`): it joins the glue's import object under its
  // new name, since every import now comes from one module.
  for (const [module, name, to] of imports.filter(([m]) => m !== GLUE_MODULE)) {
    const line = new RegExp('\\n\\s*' + JSON.stringify(module).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') + ': (import\\d+),');
    const found = line.exec(js);
    if (!found) throw new Error('build: the glue does not hand in module ' + module + ' (wasm-bindgen output changed?)');
    js = js.replace(found[0], '');
    replaceOnce('const import0 = {\n', 'const import0 = {\n        "' + to + '": ' + found[1] + '.' + name + ',\n');
  }
  const newModules = [...new Set(WebAssembly.Module.imports(mod).map((i) => i.module))];
  if (newModules.length !== 1) throw new Error('build: expected imports from one module, got ' + newModules);
  replaceOnce(JSON.stringify(GLUE_MODULE) + ': import0', JSON.stringify(newModules[0]) + ': import0');
  for (const [name, to] of exports) js = js.replace(new RegExp('\\bwasm\\.' + escape(name) + '\\b', 'g'), () => 'wasm.' + to);
  fs.writeFileSync(glue, js);
  for (const f of ['autologoff.d.ts', 'autologoff_bg.wasm.d.ts']) {
    let dts = fs.readFileSync(path.join(wbg, f), 'utf8');
    for (const [name, to] of exports) dts = dts.replace(new RegExp('\\b' + escape(name) + '(?=:)', 'g'), () => to);
    fs.writeFileSync(path.join(wbg, f), dts);
  }
  // The module's real import and export names must be exactly the ones the glue now uses.
  for (const { name } of WebAssembly.Module.imports(mod)) {
    if (!js.includes('"' + name + '": ')) throw new Error('build: the glue lacks import ' + name);
  }
  const exported = new Set(WebAssembly.Module.exports(mod).map((e) => e.name));
  for (const [, used] of js.matchAll(/\bwasm\.([A-Za-z_$][\w$]*)/g)) {
    if (!exported.has(used)) throw new Error('build: the glue uses wasm.' + used + ', which the module does not export');
  }
  if (/\bwasm\.(__wbindgen|__wbg|session_|start|wasm_bindgen)/.test(js)) throw new Error('build: the glue still names an export by its old name');
}

const version = /^version\s*=\s*"([^"]+)"/m.exec(fs.readFileSync(rel('Cargo.toml'), 'utf8'))[1];

// Where cargo puts what it builds: CARGO_TARGET_DIR when set (a target shared by worktrees), else
// target/. What this script writes itself stays in this checkout's target/.
const cargoTarget = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : rel('target');
run('cargo', ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown', ...(process.env.AUTOLOGOFF_DEBUG_PANICS ? [] : ['--no-default-features'])]);

const wbg = rel('target', 'wbg');
fs.rmSync(wbg, { recursive: true, force: true });
// wasm-bindgen drops the name section (we build with strip = false so it can do so itself).
run('wasm-bindgen', [
  '--target', 'web', '--out-dir', wbg, '--out-name', 'autologoff',
  path.join(cargoTarget, 'wasm32-unknown-unknown', 'release', 'autologoff.wasm'),
]);
const wasm = path.join(wbg, 'autologoff_bg.wasm');
// Features rustc enables by default for wasm32-unknown-unknown; wasm-opt must accept them.
// --converge repeats -Oz until it stops shrinking the module (about 100 bytes gzip more).
run(bin('wasm-opt'), ['-Oz', '--converge', '--strip-producers', '--strip-target-features', ...FEATURES, wasm, '-o', wasm]);

// Import and export names: wasm-bindgen names each import `__wbg_<method>_<16 hex digits>` in a
// module "./autologoff_bg.js", and each export after its Rust path: about 8 KB of the .wasm and
// 5 KB of the JS, the hex digits incompressible. Binaryen renames them all to one or two letters
// and prints the mapping; the same renaming is applied to the glue and its type declarations.
const names = JSON.parse(execFileSync(bin('wasm-opt'), [
  '--minify-imports-and-exports-and-modules', ...FEATURES, wasm, '-o', wasm,
], { cwd: root, encoding: 'utf8', maxBuffer: 16 << 20 }));
renameInGlue(names);

// The JS the module imports (#[wasm_bindgen(module = ...)]: the host-call layer and the input
// listeners) sits next to the glue rather than under snippets/<hash>/, so the fallback and the
// script tag import the very same module instances (one copy in a bundle, one lookup of the
// browser's functions).
const SHARED_JS = ['calls.js', 'tap.js', 'render.js', 'clear.js', 'request.js', 'channel.js', 'lock.js'];
{
  const glue = path.join(wbg, 'autologoff.js');
  let js = fs.readFileSync(glue, 'utf8');
  const [dir] = fs.readdirSync(path.join(wbg, 'snippets'));
  for (const name of SHARED_JS) {
    const from = path.join(wbg, 'snippets', dir, 'src', 'browser', name);
    fs.copyFileSync(from, path.join(wbg, name));
    const spec = './snippets/' + dir + '/src/browser/' + name;
    // Imported by the glue (the module calls it), or only by another of these files.
    for (const q of ["'", '"']) js = js.split(q + spec + q).join(q + './' + name + q);
  }
  if (js.includes('./snippets/')) throw new Error('build: the glue imports a snippet build.mjs does not know');
  fs.writeFileSync(glue, js);
  fs.rmSync(path.join(wbg, 'snippets'), { recursive: true });
}

// pkg/: the npm package.
const pkg = rel('pkg');
fs.rmSync(pkg, { recursive: true, force: true });
fs.mkdirSync(pkg);
for (const f of ['autologoff.js', 'autologoff.d.ts', 'autologoff_bg.wasm', 'autologoff_bg.wasm.d.ts', ...SHARED_JS]) {
  fs.copyFileSync(path.join(wbg, f), path.join(pkg, f));
}
for (const f of ['index.js', 'index.d.ts', 'loader.js', 'fallback.js', 'rules.js']) {
  fs.copyFileSync(rel('pkg-template', f), path.join(pkg, f));
}
const manifest = JSON.parse(fs.readFileSync(rel('pkg-template', 'package.json'), 'utf8'));
manifest.version = version;
fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
fs.copyFileSync(rel('README.md'), path.join(pkg, 'README.md'));

// dist/: the classic-script bundle.
const dist = rel('dist');
fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist);
for (const f of ['script-tag.js', 'loader.js', 'fallback.js', 'rules.js']) fs.copyFileSync(rel('pkg-template', f), path.join(wbg, f));
await esbuild.build({
  entryPoints: [path.join(wbg, 'script-tag.js')],
  outfile: path.join(dist, 'autologoff.js'),
  bundle: true,
  format: 'iife',
  minify: true,
  target: ['es2020'],
  legalComments: 'none',
  // The glue's default module URL uses import.meta.url, which a classic script lacks; the
  // bundle always passes the URL it computes from its own src, so that default is never used.
  logOverride: { 'empty-import-meta': 'silent' },
  banner: { js: '/* autologoff ' + version + ' */' },
});
// A second pass with terser: esbuild's minifier leaves about 4 % (0.5 KB gzip) that terser's
// compressor and top-level mangling take out (measured on this bundle).
{
  const file = path.join(dist, 'autologoff.js');
  const out = await minify(fs.readFileSync(file, 'utf8'), {
    compress: { passes: 2 },
    mangle: { toplevel: true },
    toplevel: true,
    format: { comments: /^! |autologoff \d/ },
  });
  fs.writeFileSync(file, out.code);
}
fs.copyFileSync(wasm, path.join(dist, 'autologoff_bg.wasm'));

// Size report.
const measure = (file) => {
  const data = fs.readFileSync(file);
  return {
    raw: data.length,
    gzip: zlib.gzipSync(data, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};
const files = { 'dist/autologoff.js': measure(path.join(dist, 'autologoff.js')), 'dist/autologoff_bg.wasm': measure(wasm) };
const total = Object.values(files).reduce((a, s) => ({ raw: a.raw + s.raw, gzip: a.gzip + s.gzip, brotli: a.brotli + s.brotli }), { raw: 0, gzip: 0, brotli: 0 });
const kb = (n) => (n / 1024).toFixed(1).padStart(6) + ' KB';
console.log('\nautologoff ' + version + ' — what a page downloads (script tag):');
for (const [name, s] of Object.entries({ ...files, total })) {
  console.log('  ' + name.padEnd(26) + ' raw' + kb(s.raw) + '   gzip' + kb(s.gzip) + '   brotli' + kb(s.brotli));
}
fs.writeFileSync(rel('target', 'size.json'), JSON.stringify({ version, files, total }, null, 2) + '\n');
