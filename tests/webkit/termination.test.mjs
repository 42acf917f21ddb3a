// End to end in WebKit: secure termination against the demo's real session server. The
// specification is tests/e2e/termination.test.mjs: keepalive, absolute lifetime, CSRF, what is
// cleared and kept, the audit trail, and Back after logout with WebKit's back/forward cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndWebKit, signedIn, seedStorage, storageLeft, portal, sleep, until, LOGIN } from './helpers.mjs';

const env = useServerAndWebKit();

test('keepalive is sent while the user is active, never while idle or during the warning', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '6s', warning: '3s', 'keepalive-interval': '1s' }));
    await page.waitForState('active');
    const from = Date.now();
    await page.wiggle(3_500, 150);
    const active = env.server.state.keepalives.filter((k) => k.sid === browser.sid && k.at >= from);
    assert.ok(active.length >= 2 && active.length <= 5, 'about one per second while active: ' + active.length);
    assert.ok(active.every((k) => k.live));
    const stopped = Date.now();
    await page.waitForDialog();
    await sleep(1_500); // inside the warning, and then some
    const later = env.server.state.keepalives.filter((k) => k.sid === browser.sid && k.at > stopped + 300);
    assert.deepEqual(later, [], 'no keepalive while idle or warned');
  } finally {
    await browser.close();
  }
});

test('a keepalive answered 401 ends the session at once with reason server', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '1m', warning: '20s', 'keepalive-interval': '1s' }));
    await page.waitForState('active');
    env.server.state.faults.keepalive = '401';
    await page.wiggle(1_500, 150);
    await page.waitForUrl(LOGIN);
    await page.settle();
    assert.deepEqual(page.recorded().find((e) => e.name === 'autologoff:logout')?.detail, { reason: 'server' });
  } finally {
    env.server.state.faults.keepalive = 'ok';
    await browser.close();
  }
});

test('the absolute lifetime ends the session despite constant activity, and cannot be extended', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '1m', warning: '3s', 'absolute-timeout': '7s', 'session-start': String(Date.now()) }));
    await page.waitForState('active');
    let moving = true;
    const wiggling = (async () => {
      while (moving) await page.move(100 + Math.round(Math.random() * 300), 150).then(() => sleep(150), () => sleep(150));
    })();
    try {
      await page.waitForDialog();
      assert.equal(await page.eval("return document.getElementById('autologoff-title').textContent"), 'Your session is ending');
      assert.equal(await page.eval('return document.querySelectorAll(\'[data-autologoff-action="extend"]\').length'), 0, 'no "Stay signed in" for an absolute limit');
      await page.clickButton('Continue');
      assert.equal(await page.dialogCount(), 0, 'the warning can be closed to save work');
      await page.waitForUrl(LOGIN);
    } finally {
      moving = false;
      await wiggling;
    }
    await page.settle();
    assert.deepEqual(page.recorded().find((e) => e.name === 'autologoff:logout')?.detail, { reason: 'absolute' });
  } finally {
    await browser.close();
  }
});

test('logout carries the CSRF token from the page; kept keys stay, everything else and service workers go', async () => {
  env.server.state.faults.logout = 'error'; // no Clear-Site-Data: what is gone, the client removed
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '1m', warning: '20s', 'keep-storage-keys': 'theme, lang', 'unregister-service-workers': 'true' }));
    await page.waitForState('active');
    await seedStorage(page);
    const registered = await page.evalAsync(`(async () => {
      localStorage.setItem('theme', 'dark');
      localStorage.setItem('lang', 'es');
      // The portal requires Trusted Types: register through a policy, as a portal would.
      const policy = trustedTypes.createPolicy('test-sw', { createScriptURL: (u) => u });
      await navigator.serviceWorker.register(policy.createScriptURL('/demo/sw.js'), { scope: '/demo/' });
      return (await navigator.serviceWorker.getRegistrations()).length;
    })().then(done, (e) => done('failed: ' + e));`);
    assert.equal(registered, 1);
    await page.eval('window.autologoff.ready.then((s) => s.logout())');
    await page.waitForUrl(LOGIN);
    const left = await storageLeft(page);
    assert.deepEqual(left.local.sort(), ['autologoff:default', 'lang', 'theme']);
    assert.deepEqual([left.session, left.idb, left.caches, left.cookies], [[], [], [], '']);
    assert.equal(await page.evalAsync('navigator.serviceWorker.getRegistrations().then((r) => done(r.length))'), 0);
    const request = env.server.state.logouts.find((l) => l.sid === browser.sid);
    assert.equal(request.csrfOk, true, 'the X-CSRF-Token header matched the session');
  } finally {
    env.server.state.faults.logout = 'ok';
    await browser.close();
  }
});

test('the audit trail holds the session story, in order, with no PHI', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '6s', warning: '4500ms' }));
    await page.waitForDialog();
    await sleep(600); // a key answers the dialog once it has been open 0.5 s
    await page.press('\uE00C'); // Escape
    await page.waitForDialog();
    await page.waitForUrl(LOGIN);
    await sleep(300);
    // The recorder's own beacons (e2e:*) share the endpoint; they are not autologoff's.
    const events = env.server.state.audit.filter((e) => e.sid === browser.sid && !e.type.startsWith('e2e:'));
    assert.deepEqual(
      events.map((e) => [e.type, e.reason ?? e.how ?? null]),
      [['session-started', null], ['warning-shown', 'idle'], ['extended', 'key'], ['warning-shown', 'idle'], ['expired', 'idle'], ['logged-out', 'idle']],
    );
    const tab = events[0].tab;
    assert.match(tab, /^[0-9a-z]{10}$/);
    for (const e of events) {
      assert.equal(e.tab, tab);
      assert.deepEqual(e.policy, { timeout: 6000, warning: 4500, absolute: 12 * 3_600_000 }); // the server renders its absolute limit
      assert.equal(typeof e.at, 'number');
      assert.equal(JSON.stringify(e).includes('Jane'), false);
    }
  } finally {
    await browser.close();
  }
});

test('a failed logout request is itself audited', async () => {
  env.server.state.faults.logout = 'error';
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '1m', warning: '20s' }));
    await page.waitForState('active');
    await page.eval('window.autologoff.ready.then((s) => s.logout())');
    await page.waitForUrl(LOGIN);
    await until(() => env.server.state.audit.some((e) => e.sid === browser.sid && e.type === 'logout-request-failed'), { what: 'the audit' });
    const failed = env.server.state.audit.filter((e) => e.sid === browser.sid && e.type === 'logout-request-failed');
    assert.deepEqual(failed.map((e) => e.status), ['http']);
  } finally {
    env.server.state.faults.logout = 'ok';
    await browser.close();
  }
});

test('the server enforces its own idle limit: the page is no longer served', async () => {
  const browser = await signedIn(env, { serverIdle: '1500' });
  try {
    assert.equal((await fetch(env.server.url + '/api/me', { headers: { cookie: 'sid=' + browser.sid } })).status, 200);
    await sleep(1_800);
    const page = await browser.open('/portal');
    assert.match(await page.url(), /\/login\?reason=signed-out$/);
  } finally {
    await browser.close();
  }
});
