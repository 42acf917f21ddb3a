// Next.js (App Router): the README's useEffect example in a client component. The app serves its
// own /logout (a route handler answering 204) and /login. Built and served as users do:
// `next build` (Turbopack) + `next start`, `next build --webpack` + `next start`, and `next dev`,
// which runs React Strict Mode (every effect mounts, cleans up and mounts again).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { driveToLogoff, filesMatching, freePort, launch, prepareApp, run, serve, waitForHttp } from './harness.mjs';

let dir, browser;
before(async () => {
  dir = await prepareApp('next');
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Runs `npm run <script>` as the app's server on a free port and drives its page. */
async function serveAndDrive(script, { loadTimeout = 60_000 } = {}) {
  const port = await freePort();
  const server = serve('npm', ['run', script, '--', '-p', String(port), '-H', '127.0.0.1'], { cwd: dir });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/login`, server);
    await driveToLogoff(browser, `http://127.0.0.1:${port}/`, { logoutPath: '/logout', loadTimeout });
  } finally {
    await server.stop();
  }
}

test('Next.js 16: next build (Turbopack) + next start; active -> warning -> logged off', { timeout: 20 * 60_000 }, async () => {
  await run('npm', ['run', 'build'], { cwd: dir });
  assert.ok(filesMatching(path.join(dir, '.next', 'static'), /\.wasm$/).length >= 1, 'Turbopack emitted the .wasm');
  await serveAndDrive('start');
});

test('Next.js 16: next build --webpack + next start; active -> warning -> logged off', { timeout: 20 * 60_000 }, async () => {
  await run('npm', ['run', 'build:webpack'], { cwd: dir });
  assert.ok(filesMatching(path.join(dir, '.next', 'static'), /\.wasm$/).length >= 1, 'webpack emitted the .wasm');
  await serveAndDrive('start');
});

// Strict Mode mounts, cleans up and mounts again at once, while the first start() is still
// loading the module: the session the page ends with must be running, and log off.
test(
  'next dev (React Strict Mode): the README example runs a session, and it logs off',
  { timeout: 20 * 60_000 },
  async () => {
    // The first request compiles the page: give it time on a busy 2-core machine.
    await serveAndDrive('dev', { loadTimeout: 5 * 60_000 });
  },
);
