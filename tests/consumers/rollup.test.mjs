// Rollup: node-resolve (to import from node_modules at all) and
// @web/rollup-plugin-import-meta-assets, which emits the .wasm that
// `new URL('./autologoff_bg.wasm', import.meta.url)` names (Rollup itself leaves it alone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filesMatching, staticConsumer } from './harness.mjs';

test('Rollup 4: node-resolve + import-meta-assets; active -> warning -> logged off', { timeout: 20 * 60_000 }, async () => {
  await staticConsumer('rollup', {
    check: (out) => assert.ok(filesMatching(out, /\.wasm$/).length >= 1, 'the plugin emitted the .wasm: ' + filesMatching(out, /./)),
  });
});
