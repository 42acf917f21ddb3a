// esbuild does not emit files named by `new URL('…', import.meta.url)` (esbuild #795). Two ways,
// both built by the app's `npm run build`:
//   index.html: default IIFE output; `import wasmUrl from 'autologoff/autologoff_bg.wasm'` with
//               --loader:.wasm=file, and start({ wasmUrl, … })
//   esm.html:   --format=esm and autologoff_bg.wasm copied next to the bundle; no code change
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filesMatching, staticConsumer } from './harness.mjs';

test('esbuild 0.28: IIFE + file loader + wasmUrl, and ESM + the .wasm copied next to the bundle; active -> warning -> logged off', { timeout: 20 * 60_000 }, async () => {
  await staticConsumer('esbuild', {
    pages: ['index.html', 'esm.html'],
    check: (out) => {
      const wasm = filesMatching(out, /\.wasm$/);
      assert.ok(wasm.some((f) => /^autologoff_bg-\w+\.wasm$/.test(f)), 'the file loader emitted the .wasm: ' + wasm);
      assert.ok(wasm.includes('autologoff_bg.wasm'), 'the build copied the .wasm: ' + wasm);
    },
  });
});
