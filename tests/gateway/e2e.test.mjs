// End to end in Chromium through the gateway, in front of the fixture portal (which has no
// timeout of its own): the warning, the logout request, the clearing, the redirect, and Back
// after logout, as the main path of tests/e2e/ checks it against the demo.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, dialog, seedStorage, storageLeft } from '../e2e/helpers.mjs';
import { gatewayBinary, startPortal, startGateway, COOKIE } from './harness.mjs';

const env = {};
before(async () => {
  env.binary = gatewayBinary();
  env.portal = await startPortal();
  // idle 6 s: the page's timeout is 4 s (idle less the 2 s keepalive interval), its warning 2 s.
  env.gw = await startGateway({ binary: env.binary, upstream: env.portal.url, idle: '6s', absolute: '60s' });
  env.browser = await launch();
});
after(async () => {
  await env.browser?.close();
  await env.gw?.close();
  await env.portal?.close();
});

async function signedIn() {
  const context = await env.browser.newContext({ baseURL: env.gw.url });
  const r = await context.request.post('/login', { form: { user: 'test.nurse', password: 'x' }, maxRedirects: 0 });
  assert.equal(r.status(), 303);
  return context;
}

test('an idle user is warned, then logged off at the gateway and the portal, the browser cleared, sent to sign in; Back shows nothing', async () => {
  const context = await signedIn();
  try {
    const page = await open(context, '/portal');
    assert.match(await page.content(), /Jane Q. Sample/);
    const sessionId = await page.evaluate(() => document.querySelector('script[data-session-id]').dataset.sessionId);
    await seedStorage(page);
    await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.autologoffState), 'warning');
    await page.waitForURL(/\/login\?reason=timeout$/, { timeout: 15_000 });
    assert.deepEqual(page.recorded.map((e) => e.name), ['autologoff:warning', 'autologoff:logout', 'covered']);
    // The gateway ended the session (its logout endpoint), and the portal's own session too.
    assert.equal(env.portal.state.sessions.size, 0, 'the portal signed the session out');
    const left = await storageLeft(page);
    assert.deepEqual({ ...left, local: left.local.filter((k) => k !== 'autologoff:default') }, { local: [], session: [], cookies: '', idb: [], caches: [] });
    assert.deepEqual((await context.cookies()).map((c) => c.name).filter((n) => n === COOKIE), []);
    // Back: the PHI page is not shown from a cache (no-store); asked again, it is refused.
    await page.goBack();
    await page.waitForLoadState();
    assert.doesNotMatch(await page.content(), /Jane Q. Sample/);
    // The audit trail has the page's events and the gateway's, stamped with the session.
    const lines = env.gw.auditLines().filter((l) => l.session === sessionId);
    const kinds = lines.map((l) => `${l.via}:${l.event.type}`);
    for (const k of ['server:session-created', 'client:warning-shown', 'server:logged-out']) assert.ok(kinds.includes(k), `${k} in ${kinds}`);
    assert.deepEqual(page.problems(), []);
  } finally {
    await context.close();
  }
});

test('"Stay signed in" keeps the session at the gateway: the keepalive is activity', async () => {
  const context = await signedIn();
  try {
    const opened = Date.now();
    const page = await open(context, '/portal');
    await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
    const keepalive = page.waitForResponse((r) => new URL(r.url()).pathname === '/.autologoff/keepalive', { timeout: 10_000 });
    await page.locator('[data-autologoff-action="extend"]').click();
    assert.equal((await keepalive).status(), 200);
    // The gateway's deadline moved past the one the page's navigation set (opened + 6 s): the
    // keepalive the extension sent counted as activity. Status never extends, so asking is safe.
    const times = await page.evaluate(async () => (await fetch('/.autologoff/status')).json());
    assert.ok(Date.now() + times.idleRemainingMs > opened + 6_000 + 1_000, JSON.stringify(times));
    assert.match(await page.content(), /Jane Q. Sample/);
  } finally {
    await context.close();
  }
});
