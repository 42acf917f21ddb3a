// docs/testing.md's Playwright recipe, run exactly as written there (the code block is read from
// the document and run with `page` and `PORTAL`), against the demo portal with a 15-minute
// policy: the fake clock takes it to the warning and the logoff in seconds, and the logout
// request is real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOGIN, open, portal, signedIn, useServerAndBrowser } from './helpers.mjs';

const env = useServerAndBrowser();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The code block that follows the "Run exactly as written by" marker in docs/testing.md. */
function recipe() {
  const doc = fs.readFileSync(path.join(root, 'docs', 'testing.md'), 'utf8');
  const m = /<!-- Run exactly as written by tests\/e2e\/testing-recipe\.test\.mjs[^>]*-->\n```js\n([\s\S]*?)\n```/.exec(doc);
  assert.ok(m, 'docs/testing.md has the marked recipe');
  return m[1];
}

const AsyncFunction = (async () => {}).constructor;

test("docs/testing.md: Playwright's clock takes a 15-minute policy through warning to logoff, no real waiting", async () => {
  const code = recipe();
  for (const step of ["fastForward('13:30')", "fastForward('00:45')", "fastForward('01:00')", 'page.clock.install()']) {
    assert.ok(code.includes(step), 'the recipe has ' + step);
  }
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context);
    const PORTAL = portal({ timeout: '15m', warning: '60s' });
    const began = Date.now();
    await new AsyncFunction('page', 'PORTAL', code)(page, PORTAL);
    const took = Date.now() - began;

    assert.match(page.url(), LOGIN);
    assert.ok(took < 60_000, `a 15-minute policy, tested in ${took} ms of real time`);
    // The warning came first, then the logoff for inactivity; the server ended the session.
    const names = page.recorded.map((e) => e.name).filter((n) => n.startsWith('autologoff:'));
    assert.deepEqual(names, ['autologoff:warning', 'autologoff:logout']);
    assert.deepEqual(page.recorded.find((e) => e.name === 'autologoff:logout').detail, { reason: 'idle' });
    const logouts = env.server.state.logouts;
    assert.equal(logouts.length, 1);
    assert.equal(logouts[0].reason, 'idle');
    assert.ok(logouts[0].known && logouts[0].csrfOk, 'the real logout request ended the signed-in session');
    assert.equal(env.server.state.sessions.size, 0);
    assert.deepEqual(page.problems(), []);
  } finally {
    await context.close();
  }
});
