// A consumer app installs the packed npm package (`npm pack` of pkg/) and bundles it with Vite;
// the bundle then runs in the browser: the .wasm is found through `new URL(…, import.meta.url)`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launch, startServer, open } from './helpers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let app, browser, server;

before(async () => {
  app = fs.mkdtempSync(path.join(os.tmpdir(), 'autologoff-vite-'));
  const packed = execFileSync('npm', ['pack', path.join(root, 'pkg'), '--pack-destination', app, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop();
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { autologoff: 'file:./' + packed } }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, stdio: 'inherit' });
  fs.writeFileSync(path.join(app, 'index.html'), '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Consumer</title></head><body><h1>Consumer app</h1><script type="module" src="/main.js"></script></body></html>');
  fs.writeFileSync(
    path.join(app, 'main.js'),
    "import { start } from 'autologoff';\n" +
      "start({ timeout: '3s', warning: '2s', channel: 'vite-consumer' }).then((s) => { window.session = s; }, (e) => { window.startError = e.message; });\n",
  );
  await build({ root: app, base: '/vite-app/', logLevel: 'warn', build: { outDir: path.join(app, 'dist'), emptyOutDir: true } });
  server = await startServer({ extraStatic: [['/vite-app/', path.join(app, 'dist')]] });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

test('Vite bundles the packed package; the app starts a session and warns in the browser', async () => {
  const emitted = fs.readdirSync(path.join(app, 'dist', 'assets'));
  assert.ok(emitted.some((f) => f.endsWith('.wasm')), 'Vite emitted the .wasm as an asset: ' + emitted.join(', '));
  const context = await browser.newContext({ baseURL: server.url });
  try {
    const page = await open(context, '/vite-app/index.html');
    await page.waitForFunction(() => window.session || window.startError, null, { timeout: 10_000 }).catch((e) => { throw new Error(e.message + ' ' + JSON.stringify([page.consoleMessages, page.problems()])); });
    assert.equal(await page.evaluate(() => window.startError), undefined);
    assert.equal(await page.evaluate(() => window.session.state), 'active');
    await page.locator('[role="alertdialog"]').waitFor({ state: 'visible', timeout: 10_000 });
    assert.deepEqual(page.problems(), []);
  } finally {
    await context.close();
  }
});
