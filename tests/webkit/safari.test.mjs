// Where WebKit (Safari's engine) differs from Chromium and Firefox in ways that matter to
// automatic logoff, one test per difference. docs/browsers.md says what each one means for
// autologoff and links the source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndWebKit, signedIn, seedStorage, storageLeft, neverShowsPhi, portal, sleep, until, LOGIN } from './helpers.mjs';

const env = useServerAndWebKit();

test('WebKit has what autologoff relies on, and windows of one browser share it', async () => {
  const browser = await signedIn(env);
  try {
    const a = await browser.open(portal({ timeout: '1m', warning: '20s' }));
    await a.waitForState('active');
    const features = await a.eval(`return {
      ua: /Version\\/[\\d.]+ Safari\\/605\\.1\\.15/.test(navigator.userAgent),
      wasm: typeof WebAssembly.instantiateStreaming,
      broadcast: typeof BroadcastChannel,
      locks: typeof navigator.locks?.request,
      databases: typeof indexedDB.databases,
      caches: typeof caches?.keys,
      beacon: typeof navigator.sendBeacon,
      keepalive: new Request('/', { method: 'POST', keepalive: true }).keepalive,
      requestClose: typeof HTMLDialogElement.prototype.requestClose,
      closeWatcher: typeof CloseWatcher,
      freezeEvents: 'onfreeze' in document,
    }`);
    assert.deepEqual(features, {
      ua: true, wasm: 'function', broadcast: 'function', locks: 'function', databases: 'function', caches: 'function',
      beacon: 'function', keepalive: true, requestClose: 'function',
      // No CloseWatcher and no Page Lifecycle freeze/resume events in WebKit: autologoff only
      // uses them where they exist.
      closeWatcher: 'undefined', freezeEvents: false,
    });
    // A second window: same storage, BroadcastChannel and Web Locks (a tab, to autologoff).
    await a.evalAsync(`localStorage.setItem('probe', '1');
      window.__heard = [];
      new BroadcastChannel('probe').onmessage = (e) => window.__heard.push(e.data);
      navigator.locks.request('probe', () => new Promise((r) => (window.__release = r)));
      done();`);
    const b = await browser.open(portal({ timeout: '1m', warning: '20s' }));
    const shared = await b.evalAsync(`new BroadcastChannel('probe').postMessage('hi');
      navigator.locks.request('probe', { ifAvailable: true }, (lock) => done({ storage: localStorage.getItem('probe'), lockFree: lock !== null }));`);
    assert.deepEqual(shared, { storage: '1', lockFree: false });
    await until(async () => (await a.eval('return window.__heard')).length === 1, { what: 'the message in A' });
    await a.eval('window.__release()');
  } finally {
    await browser.close();
  }
});

// https://webkit.org/blog/427/webkit-page-cache-i-the-basics/ and WebKit's BackForwardCache.cpp:
// a main frame served with Cache-Control: no-store is kept out of the cache only over HTTPS
// ("Frame is HTTPS, and cache control prohibits storing"). The demo runs on plain HTTP, so
// here the portal does enter the cache, which is the harder case for a logoff library.
test('back/forward cache: the no-store portal (over HTTP) is kept and restored with autologoff running', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '1m', warning: '20s' }));
    await page.waitForState('active');
    await page.eval('window.__marker = 42');
    await page.goto('/demo/frame.html');
    await page.run((d) => d.navigate().back());
    await until(async () => (await page.eval('return window.__marker ?? null')) === 42, { what: 'the same page back' });
    assert.equal(await page.state(), 'active');
    await page.settle();
    assert.deepEqual(page.recorded().filter((e) => e.name.startsWith('page')).map((e) => [e.name, e.detail.persisted]), [['pagehide', true], ['pageshow', true]]);
  } finally {
    await browser.close();
  }
});

// A page in the back/forward cache runs no timers (Safari suspends it; iOS also suspends
// background tabs). The WebKit counterpart of the Chromium test that pauses a page with CDP.
test('a page restored from the back/forward cache past its deadline expires at once, without a warning', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '4s', warning: '1s' }));
    await page.waitForState('active');
    await page.goto('/demo/frame.html');
    await sleep(5_500); // past the deadline, while the portal sits in the cache
    await page.run((d) => d.navigate().back());
    await neverShowsPhi(page);
    await page.waitForUrl(LOGIN);
    await page.settle();
    // (autologoff's own pageshow listener runs before the recorder's: no order between the two)
    const seen = page.recorded().filter((e) => e.name !== 'covered' && e.name !== 'pagehide');
    assert.deepEqual(
      seen.map((e) => [e.name, e.detail.reason ?? e.detail.persisted]).sort(),
      [['autologoff:logout', 'idle'], ['pageshow', true]],
      'restored, then expired with no warning',
    );
    assert.equal(env.server.state.logouts.filter((l) => l.sid === browser.sid).length, 1);
  } finally {
    await browser.close();
  }
});

// BroadcastChannel messages do not reach a page in the back/forward cache (in Chromium and
// Firefox such a page is evicted instead). Two outcomes in WebKit, both without PHI:
// - after a logout answered with Clear-Site-Data the cached page was evicted (seen in every run):
//   Back loads it afresh, and the server, its session gone, sends the sign-in page;
// - without the header (here the server answers 500), the page is restored and must learn of the
//   logout from the shared record.
for (const [header, restored] of [['with Clear-Site-Data', false], ['without Clear-Site-Data', true]]) {
  test(`a page in the back/forward cache while another tab logs out never shows PHI again (${header})`, async () => {
    env.server.state.faults.logout = restored ? 'error' : 'ok';
    const browser = await signedIn(env);
    try {
      const a = await browser.open(portal({ timeout: '1m', warning: '20s' }));
      await a.waitForState('active');
      await a.goto('/demo/frame.html');
      const b = await browser.open(portal({ timeout: '1m', warning: '20s' }));
      await b.waitForState('active');
      await b.evalAsync('window.autologoff.ready.then((s) => { s.logout(); done(); })');
      await b.waitForUrl(LOGIN);
      await a.run((d) => d.navigate().back());
      await neverShowsPhi(a);
      await a.settle();
      const shown = a.recorded().filter((e) => e.name === 'pageshow').map((e) => e.detail.persisted);
      if (restored) {
        assert.deepEqual(shown, [true], 'restored from the cache');
        assert.equal(a.recorded().find((e) => e.name === 'autologoff:logout')?.detail.reason, 'peer');
        await a.waitForUrl(LOGIN);
      } else {
        assert.deepEqual(shown, [], 'evicted: a fresh load, without the recorder');
        assert.match(await a.url(), /\/login\?reason=signed-out$/, 'the server refused the dead session');
      }
      await sleep(300);
      // With Clear-Site-Data the logout was answered: one request. Without it the server
      // answered 500: not told, so the fetch is followed at once by a beacon (also 500), the
      // tombstone says it did not get through, and the restored page sends it again, fetch and
      // beacon (the server is always told).
      const expected = restored ? 4 : 1;
      assert.equal(env.server.state.logouts.filter((l) => l.sid === browser.sid).length, expected, 'logout requests');
    } finally {
      env.server.state.faults.logout = 'ok';
      await browser.close();
    }
  });
}

// Safari throttles the timers of hidden tabs (and iOS suspends them); MiniBrowser's background
// tabs report `hidden` but ran 500 ms timers on time when measured. Either way the deadline is
// wall-clock and checked again on visibilitychange, so a hidden tab cannot outlive it for long.
test('a background (hidden) tab logs out with the visible one: every tab at the login page, one request', async () => {
  const browser = await signedIn(env);
  try {
    const a = await browser.open(portal({ timeout: '5s', warning: '1s' }));
    await a.waitForStart();
    const hidden = await browser.open(portal({ timeout: '5s', warning: '1s' }), { kind: 'tab' });
    await hidden.waitForStart();
    assert.equal(await hidden.eval('return document.visibilityState'), 'hidden');
    await a.waitForUrl(LOGIN, 20_000);
    await hidden.waitForUrl(LOGIN, 20_000);
    await sleep(500);
    assert.equal(env.server.state.logouts.filter((l) => l.sid === browser.sid).length, 1);
  } finally {
    await browser.close();
  }
});

test('a hidden tab alone expires and logs out', async () => {
  const browser = await signedIn(env);
  try {
    const first = await browser.open('/login'); // the visible front tab, with no session
    const hidden = await browser.open(portal({ timeout: '4s', warning: '1s' }), { kind: 'tab' });
    await hidden.waitForStart();
    assert.equal(await hidden.eval('return document.visibilityState'), 'hidden');
    await hidden.waitForUrl(LOGIN, 20_000);
    assert.equal(env.server.state.logouts.filter((l) => l.sid === browser.sid).length, 1);
    assert.ok(first);
  } finally {
    await browser.close();
  }
});

// Clear-Site-Data shipped in Safari 17 with "cache", "cookies", "storage" and "*", not
// "executionContexts" (https://github.com/WebKit/WebKit/pull/9759,
// https://github.com/WebKit/WebKit/pull/35724, https://github.com/mdn/browser-compat-data/pull/24821).
// Older Safari ignores it, hence autologoff clearing storage itself and the server expiring
// the HttpOnly cookie with Set-Cookie as well.
test('Clear-Site-Data on the logout response clears cookies (HttpOnly too), both storages, IndexedDB and Cache Storage', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '1m', warning: '20s' }));
    await page.waitForState('active');
    // autologoff stopped: what goes now is the header's doing alone.
    await page.evalAsync('window.autologoff.ready.then((s) => { s.stop(); done(); })');
    await seedStorage(page);
    const before = await storageLeft(page);
    assert.equal(before.idb.length + before.caches.length + before.session.length, 3);
    const answer = await page.evalAsync(`fetch('/autologoff/logout', { method: 'POST',
        headers: { 'X-CSRF-Token': document.querySelector('meta[name="csrf-token"]').content },
        body: new URLSearchParams({ reason: 'probe' }) })
      .then((r) => done(r.status + ' ' + r.headers.get('clear-site-data')), (e) => done(String(e)));`);
    assert.equal(answer, '204 "cache", "cookies", "storage"');
    const left = await until(async () => {
      const l = await storageLeft(page);
      return l.local.length + l.session.length + l.idb.length + l.caches.length === 0 && l;
    }, { what: 'storage cleared by the header' });
    assert.deepEqual(left, { local: [], session: [], cookies: '', idb: [], caches: [] });
    // ui_prefs and portal_hint are script cookies the server never expired: the header did.
    assert.deepEqual(await browser.cookieNames(), []);
  } finally {
    await browser.close();
  }
});

// The dialog's `cancel` (Escape in the browser's own handling, requestClose(), a close watcher
// where there is one) must never leave the <dialog> closed while the session still thinks it is
// warning, and must not extend it either: a script can cause it (requestClose()), and only the
// user may answer the warning. WebKit 2.50 has requestClose() and a cancelable cancel event, and
// no CloseWatcher.
test('a cancel request on the warning changes nothing: the dialog stays, the session still ends', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '40s', warning: '39s' }));
    await page.waitForDialog();
    const cancel = await page.eval(`const d = document.querySelector('[role="alertdialog"]');
      let seen = null;
      d.addEventListener('cancel', (e) => (seen = { cancelable: e.cancelable }), { once: true });
      d.requestClose();
      return seen;`);
    assert.deepEqual(cancel, { cancelable: true });
    await sleep(300);
    assert.equal(await page.eval(`return document.querySelector('[role="alertdialog"]').open`), true, 'still open');
    assert.equal(await page.state(), 'warning');
    assert.deepEqual((await page.events()).filter((e) => e.name === 'autologoff:extend'), []);
  } finally {
    await browser.close();
  }
});

// fetch keepalive lets the logout request outlive its page: https://fetch.spec.whatwg.org/#request-keepalive-flag
test('the logout request reaches the server when the tab is closed right after the session ends', async () => {
  const browser = await signedIn(env);
  try {
    const keep = await browser.open('/login'); // keeps the WebDriver session open after the close
    const page = await browser.open(portal({ timeout: '1m', warning: '20s', 'logout-wait': '10s' }));
    await page.waitForState('active');
    env.server.state.faults.logout = 'hang'; // the answer never comes: only keepalive carries it
    await page.run(async (d) => {
      await d.executeScript('window.autologoff.ready.then((s) => s.logout())');
      await d.close();
    });
    await until(() => env.server.state.logouts.some((l) => l.sid === browser.sid), { what: 'the logout request' });
    assert.equal(env.server.state.logouts.find((l) => l.sid === browser.sid).reason, 'user');
    assert.ok(keep);
  } finally {
    env.server.state.faults.logout = 'ok';
    await browser.close();
  }
});

// A keepalive request counts against the 64 KiB that all of a page's keepalive requests and
// beacons may have in flight (https://fetch.spec.whatwg.org/#http-network-or-cache-fetch);
// WebKit enforces it (checked: a second keepalive fetch is rejected with "Load failed" while
// 60 KB are in flight). When a portal's own beacons (analytics, session replay) have spent the
// budget, autologoff's keepalive logout fetch rejects, and a beacon (which shares the budget) is
// not queued: it then sends the request once more without keepalive, while its page waits
// logoutWait anyway (see `Attempt` in src/session.rs). Chromium 156 and Firefox ESR behave the
// same (checked with Playwright).
test('the logout request gets through when the page has spent its keepalive budget', async () => {
  const browser = await signedIn(env);
  try {
    // No recorder: its beacons would share the budget and make the filler below miss it.
    const page = await browser.open(portal({ timeout: '1m', warning: '20s', 'logout-wait': '2s' }), { record: false });
    await page.waitForState('active');
    await sleep(1_000); // autologoff's session-started beacon has gone
    // A page's own keepalive beacon of 65,530 bytes, in flight for 5 s (the demo server holds
    // requests to frame.html?delay=…): what is left of the budget is smaller than the logout body.
    await page.eval(`window.__filler = 'pending';
      fetch('/demo/frame.html?delay=5000', { method: 'POST', keepalive: true, body: 'x'.repeat(65_530) })
        .then(() => (window.__filler = 'done'), () => (window.__filler = 'refused'));`);
    await sleep(300);
    assert.equal(await page.eval('return window.__filler'), 'pending', 'the budget is spent');
    await page.eval('window.autologoff.ready.then((s) => s.logout())');
    await page.waitForUrl(LOGIN);
    await sleep(1_000);
    assert.equal(env.server.state.logouts.filter((l) => l.sid === browser.sid).length, 1, 'the server heard of the logout');
  } finally {
    await browser.close();
  }
});
