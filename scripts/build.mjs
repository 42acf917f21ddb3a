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

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rel = (...p) => path.join(root, ...p);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const bin = (name) => rel('node_modules', '.bin', name);
const cargoBin = path.join(process.env.HOME || '/root', '.cargo', 'bin');
process.env.PATH = cargoBin + path.delimiter + process.env.PATH;

const version = /^version\s*=\s*"([^"]+)"/m.exec(fs.readFileSync(rel('Cargo.toml'), 'utf8'))[1];

run('cargo', ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown', ...(process.env.AUTOLOGOFF_DEBUG_PANICS ? [] : ['--no-default-features'])]);

const wbg = rel('target', 'wbg');
fs.rmSync(wbg, { recursive: true, force: true });
// wasm-bindgen drops the name section (we build with strip = false so it can do so itself).
run('wasm-bindgen', [
  '--target', 'web', '--out-dir', wbg, '--out-name', 'autologoff',
  rel('target', 'wasm32-unknown-unknown', 'release', 'autologoff.wasm'),
]);
const wasm = path.join(wbg, 'autologoff_bg.wasm');
// Features rustc enables by default for wasm32-unknown-unknown; wasm-opt must accept them.
run(bin('wasm-opt'), [
  '-Oz', '--enable-bulk-memory', '--enable-sign-ext', '--enable-nontrapping-float-to-int',
  '--enable-mutable-globals', '--enable-multivalue', '--enable-reference-types',
  wasm, '-o', wasm,
]);

// pkg/: the npm package.
const pkg = rel('pkg');
fs.rmSync(pkg, { recursive: true, force: true });
fs.mkdirSync(pkg);
for (const f of ['autologoff.js', 'autologoff.d.ts', 'autologoff_bg.wasm', 'autologoff_bg.wasm.d.ts']) {
  fs.copyFileSync(path.join(wbg, f), path.join(pkg, f));
}
for (const f of ['index.js', 'index.d.ts', 'loader.js']) {
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
for (const f of ['script-tag.js', 'loader.js']) fs.copyFileSync(rel('pkg-template', f), path.join(wbg, f));
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
