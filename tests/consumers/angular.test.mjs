// Angular's application builder (esbuild) does not emit files named by
// `new URL('…', import.meta.url)` (angular-cli #22388). The app follows docs/bundlers.md: one
// assets glob in angular.json copies autologoff_bg.wasm to the app's root, and start() gets
// `wasmUrl: 'autologoff_bg.wasm'` (relative to <base href>), which serves `ng build` and
// `ng serve` alike (ng serve's pre-bundling moves the package's JS away from the .wasm).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { driveToLogoff, freePort, launch, prepareApp, run, serve, startServer, waitForHttp } from './harness.mjs';

let dir, browser, demo;
before(async () => {
  dir = await prepareApp('angular');
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await demo?.close();
});

test('Angular 21 application builder: ng build, assets glob + wasmUrl; active -> warning -> logged off', { timeout: 20 * 60_000 }, async () => {
  await run('npm', ['run', 'build', '--', '--base-href', '/consumers/angular/'], { cwd: dir });
  const out = path.join(dir, 'dist', 'consumer', 'browser');
  assert.ok(fs.existsSync(path.join(out, 'autologoff_bg.wasm')), 'the assets glob copied the .wasm: ' + fs.readdirSync(out));
  demo = await startServer({ extraStatic: [['/consumers/angular/', out]] });
  await driveToLogoff(browser, `${demo.url}/consumers/angular/index.html`, { server: demo });
});

test('Angular 21 application builder: ng serve (dev server, pre-bundling on); active -> warning -> logged off', { timeout: 20 * 60_000 }, async () => {
  demo ??= await startServer();
  demo.state.logouts.length = 0;
  // The portal's own endpoints come from its backend through the dev server's proxy, as in a
  // usual Angular set-up; here the backend is the demo server.
  fs.writeFileSync(path.join(dir, 'proxy.conf.json'), JSON.stringify({ '/autologoff': { target: demo.url }, '/login': { target: demo.url } }));
  const port = await freePort();
  const server = serve('npm', ['start', '--', '--port', String(port), '--host', '127.0.0.1', '--proxy-config', 'proxy.conf.json'], { cwd: dir });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, server);
    await driveToLogoff(browser, `http://127.0.0.1:${port}/`, { server: demo, loadTimeout: 3 * 60_000 });
    // The case wasmUrl is for: the dev server served the package pre-bundled, away from its .wasm.
    const cache = path.join(dir, '.angular', 'cache');
    assert.ok(
      fs.readdirSync(cache, { recursive: true }).some((f) => f.endsWith(path.join('vite', 'deps', 'autologoff.js'))),
      'ng serve pre-bundled autologoff (the Angular cache is on in angular.json, as on a developer machine)',
    );
  } finally {
    await server.stop();
  }
});
