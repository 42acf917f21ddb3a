// End to end: secure termination against the demo's real session server — keepalive,
// absolute lifetime, CSRF, what is cleared and kept, Back after logout, the audit trail,
// and the server enforcing its own limits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CHROMIUM_ARGS, signedIn, sid, open, state, sleep, seedStorage, storageLeft, useServerAndBrowser, portal, dialog, LOGIN, landsOn } from './helpers.mjs';
import { chromium } from 'playwright-core';

const env = useServerAndBrowser();


async function wiggle(page, ms) {
  const until = Date.now() + ms;
  for (let i = 0; Date.now() < until; i++) {
    await page.mouse.move(100 + (i % 30) * 11, 120 + (i % 2) * 4);
    await sleep(150);
  }
}

test('keepalive is sent while the user is active, never while idle or during the warning', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    const page = await open(context, portal({ timeout: '5s', warning: '3s', 'keepalive-interval': '1s' }));
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'active');
    await wiggle(page, 3_500);
    const active = env.server.state.keepalives.filter((k) => k.sid === cookie);
    assert.ok(active.length >= 2 && active.length <= 4, 'about one per second while active: ' + active.length);
    assert.ok(active.every((k) => k.live));
    const stopped = Date.now();
    await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
    await sleep(1_500); // inside the warning, and then some
    const later = env.server.state.keepalives.filter((k) => k.sid === cookie && k.at > stopped + 200);
    assert.deepEqual(later, [], 'no keepalive while idle or warned');
  } finally {
    await context.close();
  }
});

test('a keepalive answered 401 ends the session at once with reason server', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context, portal({ timeout: '1m', warning: '20s', 'keepalive-interval': '1s' }));
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'active');
    env.server.state.faults.keepalive = '401';
    await wiggle(page, 1_500);
    await landsOn(page, LOGIN, 10_000);
    assert.deepEqual(page.recorded.find((e) => e.name === 'autologoff:logout')?.detail, { reason: 'server' });
  } finally {
    env.server.state.faults.keepalive = 'ok';
    await context.close();
  }
});

test('the absolute lifetime ends the session despite constant activity, and cannot be extended', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context, portal({ timeout: '1m', warning: '2s', 'absolute-timeout': '5s', 'session-start': String(Date.now()) }));
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'active');
    const moving = wiggle(page, 9_000).catch(() => {});
    await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await page.locator('#autologoff-title').textContent(), 'Your session is ending');
    assert.equal(await page.locator('[data-autologoff-action="extend"]').count(), 0, 'no "Stay signed in" for an absolute limit');
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.equal(await dialog(page).count(), 0, 'the warning can be closed to save work');
    await landsOn(page, LOGIN, 10_000);
    await moving;
    assert.deepEqual(page.recorded.find((e) => e.name === 'autologoff:logout')?.detail, { reason: 'absolute' });
  } finally {
    await context.close();
  }
});

test('logout carries the CSRF token from the page; kept keys stay, everything else and service workers go', async () => {
  env.server.state.faults.logout = 'error'; // no Clear-Site-Data: what is gone, the client removed
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    const page = await open(context, portal({ timeout: '1m', warning: '20s', 'keep-storage-keys': 'theme, lang', 'unregister-service-workers': 'true' }));
    await seedStorage(page);
    await page.evaluate(async () => {
      localStorage.setItem('theme', 'dark');
      localStorage.setItem('lang', 'es');
      // The portal requires Trusted Types: register through a policy, as a portal would.
      const policy = trustedTypes.createPolicy('test-sw', { createScriptURL: (u) => u });
      await navigator.serviceWorker.register(policy.createScriptURL('/demo/sw.js'), { scope: '/demo/' });
    });
    assert.equal(await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length)), 1);
    await page.evaluate(() => window.autologoff.ready.then((s) => s.logout()));
    await landsOn(page, LOGIN, 10_000);
    const left = await storageLeft(page);
    assert.deepEqual(left.local.sort(), ['autologoff:default', 'lang', 'theme']);
    assert.deepEqual([left.session, left.idb, left.caches, left.cookies], [[], [], [], '']);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length)), 0);
    const request = env.server.state.logouts.find((l) => l.sid === cookie);
    assert.equal(request.csrfOk, true, 'the X-CSRF-Token header matched the session');
  } finally {
    env.server.state.faults.logout = 'ok';
    await context.close();
  }
});

test('the audit trail holds the session story, in order, with no PHI', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    const page = await open(context, portal({ timeout: '4s', warning: '3s' }));
    await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
    await sleep(600); // a key answers the dialog once it has been open 0.5 s
    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
    await landsOn(page, LOGIN, 10_000);
    await sleep(300);
    const events = env.server.state.audit.filter((e) => e.sid === cookie);
    assert.deepEqual(
      events.map((e) => [e.type, e.reason ?? e.how ?? null]),
      [['session-started', null], ['warning-shown', 'idle'], ['extended', 'key'], ['warning-shown', 'idle'], ['expired', 'idle'], ['logged-out', 'idle']],
    );
    const tab = events[0].tab;
    assert.match(tab, /^[0-9a-z]{10}$/);
    for (const e of events) {
      assert.equal(e.tab, tab);
      assert.deepEqual(e.policy, { timeout: 4000, warning: 3000, absolute: 12 * 3_600_000 }); // the server renders its absolute limit
      assert.equal(typeof e.at, 'number');
      assert.equal(JSON.stringify(e).includes('Jane'), false);
    }
    // The same events reached the page as DOM events.
    assert.ok(page.recorded.length >= 3);
    // And the compliance officer's page lists them.
    const html = await (await fetch(env.server.url + '/audit-log')).text();
    assert.match(html, /logged-out/);
  } finally {
    await context.close();
  }
});

test('a failed logout request is itself audited', async () => {
  env.server.state.faults.logout = 'error';
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    const page = await open(context, portal({ timeout: '1m', warning: '20s' }));
    await page.evaluate(() => window.autologoff.ready.then((s) => s.logout()));
    await landsOn(page, LOGIN, 10_000);
    await sleep(300);
    const failed = env.server.state.audit.filter((e) => e.sid === cookie && e.type === 'logout-request-failed');
    assert.deepEqual(failed.map((e) => e.status), ['http']);
  } finally {
    env.server.state.faults.logout = 'ok';
    await context.close();
  }
});

test('the server enforces its own idle limit: the page is no longer served', async () => {
  const context = await env.browser.newContext({ baseURL: env.server.url });
  try {
    await context.request.post('/login', { form: { user: 'x', preset: 'demo', serverIdle: '1500' }, maxRedirects: 0 });
    const cookie = await sid(context);
    assert.equal((await fetch(env.server.url + '/api/me', { headers: { cookie: 'sid=' + cookie } })).status, 200);
    await sleep(1_800);
    assert.equal((await fetch(env.server.url + '/api/me', { headers: { cookie: 'sid=' + cookie } })).status, 401);
    const r = await context.request.get('/portal', { maxRedirects: 0 });
    assert.equal(r.status(), 303);
  } finally {
    await context.close();
  }
});

test('Back after logout never shows PHI (back/forward cache enabled)', async () => {
  // Playwright disables the bfcache by default; this browser keeps it.
  const bf = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  });
  try {
    const context = await signedIn(bf, env.server);
    const page = await open(context, portal({ timeout: '1m', warning: '20s' }));
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'active');
    await page.goto(portal({ timeout: '1m', warning: '20s', view: 'labs' }));
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'active');
    await page.evaluate(() => window.autologoff.ready.then((s) => s.logout()));
    await landsOn(page, LOGIN, 10_000);
    await page.goBack({ waitUntil: 'commit' }).catch(() => {});
    // Whatever Back brings (a restored page, a reload, or the login page), PHI never shows.
    for (let i = 0; i < 10; i++) {
      const shown = await page
        .evaluate(() => {
          const phi = document.querySelector('[data-phi]');
          if (!phi) return false;
          const covered = document.querySelector('[data-autologoff-cover]');
          return !covered && getComputedStyle(document.body).visibility !== 'hidden';
        })
        .catch(() => false);
      assert.equal(shown, false, 'PHI visible after Back at check ' + i);
      await sleep(150);
    }
    await landsOn(page, /\/login/, 10_000);
  } finally {
    await bf.close();
  }
});
