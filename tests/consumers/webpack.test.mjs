// webpack 5 with no configuration file: `webpack --mode=production` emits the .wasm as an asset
// from `new URL('./autologoff_bg.wasm', import.meta.url)` and finds it from the script's URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filesMatching, staticConsumer } from './harness.mjs';

test('webpack 5: no webpack.config.js; active -> warning -> logged off', { timeout: 20 * 60_000 }, async () => {
  await staticConsumer('webpack', {
    check: (out) => assert.ok(filesMatching(out, /\.wasm$/).length >= 1, 'webpack emitted the .wasm: ' + filesMatching(out, /./)),
  });
});
