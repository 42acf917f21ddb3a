// The size ratchet: what a page downloads for autologoff (script-tag JS + .wasm) must not grow
// past the recorded budget. Size is deterministic for a given toolchain, unlike time, so this is
// a test. When a change wins bytes, lower the budget to the new size (the build prints it).
import fs from 'node:fs';

const root = new URL('..', import.meta.url);
const budget = JSON.parse(fs.readFileSync(new URL('scripts/size-budget.json', root)));
const size = JSON.parse(fs.readFileSync(new URL('target/size.json', root))).total;
let failed = false;
for (const k of ['raw', 'gzip', 'brotli']) {
  const over = size[k] - budget[k];
  const line = `size ${k}: ${size[k]} bytes, budget ${budget[k]}`;
  if (over > 0) {
    console.error(line + ` — over by ${over} bytes. Win them back, or if the growth is worth it, raise the budget in scripts/size-budget.json in the same change and say why.`);
    failed = true;
  } else {
    console.log(line + (over < -1024 ? ` — ${-over} bytes under: lower the budget to ratchet the win` : ''));
  }
}
console.log(failed ? '0 passed, 1 failed' : '1 passed, 0 failed');
process.exit(failed ? 1 : 0);
