// Vite: `vite build` ships the .wasm from `new URL('./autologoff_bg.wasm', import.meta.url)` with
// no configuration (--base=./ only lets the demo server serve the app from a sub-path), and
// `vite` (the dev server, which pre-bundles the package) rewrites that URL to the package's file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { driveToLogoff, filesMatching, freePort, launch, prepareApp, serve, staticConsumer, waitForHttp } from './harness.mjs';

test('Vite 8: vite build, no configuration; active -> warning -> logged off', { timeout: 20 * 60_000 }, async () => {
  await staticConsumer('vite', {
    check: (out) => assert.equal(filesMatching(out, /\.wasm$/).length, 1, 'Vite emitted the .wasm once: ' + filesMatching(out, /./)),
  });
});

test('Vite 8: vite (dev server, pre-bundling on), no configuration; active -> warning -> logged off', { timeout: 20 * 60_000 }, async () => {
  const dir = await prepareApp('vite');
  const port = await freePort();
  const server = serve('npm', ['run', 'dev', '--', '--port', String(port), '--host', '127.0.0.1', '--strictPort'], { cwd: dir });
  const browser = await launch();
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, server);
    await driveToLogoff(browser, `http://127.0.0.1:${port}/`, { endpoints: true });
    assert.ok(fs.existsSync(path.join(dir, 'node_modules', '.vite', 'deps', 'autologoff.js')), 'the dev server pre-bundled autologoff');
  } finally {
    await browser.close();
    await server.stop();
  }
});
