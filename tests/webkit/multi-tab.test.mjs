// End to end in WebKit with several tabs of one browser: one session across the tabs of an
// origin. The specification is tests/e2e/multi-tab.test.mjs. The tabs are MiniBrowser windows
// of one WebDriver session, which share cookies, storage, BroadcastChannel and Web Locks
// (checked in safari.test.mjs).
//
// Only the BroadcastChannel transport runs here: the storage-event fallback is tested by
// removing BroadcastChannel before the page's scripts run, which needs an init script
// (Playwright's addInitScript); WebDriver classic has none. WebKit has BroadcastChannel since
// Safari 15.4, so the fallback only matters for older Safari.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndWebKit, signedIn, portal, sleep, LOGIN } from './helpers.mjs';

const env = useServerAndWebKit();

async function tabs(browser, n, query) {
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await browser.open(portal(query));
    await page.waitForStart();
    pages.push(page);
  }
  return pages;
}

test('activity only in tab A keeps tab B alive; both warn together once it stops', async () => {
  const browser = await signedIn(env);
  try {
    const [a, b] = await tabs(browser, 2, { timeout: '4s', warning: '2s' });
    await a.wiggle(6_000);
    assert.equal(await b.state(), 'active', 'B kept alive by A');
    assert.equal(await b.dialogCount(), 0);
    await a.waitForDialog();
    await b.waitForDialog(2_000);
    assert.equal(await b.state(), 'warning');
    assert.deepEqual([...a.problems(), ...b.problems()], []);
  } finally {
    await browser.close();
  }
});

test('"Stay signed in" in tab A closes tab B\'s warning within a second', async () => {
  const browser = await signedIn(env);
  try {
    const [a, b] = await tabs(browser, 2, { timeout: '6s', warning: '4s' });
    await a.waitForDialog();
    await b.waitForDialog(3_000);
    // Watch B from the inside, so that the time is B's and not the WebDriver round trips'.
    await b.eval(`window.__closedAt = 0;
      new MutationObserver((_, o) => { if (!document.querySelector('[role="alertdialog"]')) { window.__closedAt = Date.now(); o.disconnect(); } })
        .observe(document.documentElement, { childList: true, subtree: true });`);
    const clicked = await a.eval('return Date.now()');
    await a.clickButton('Stay signed in');
    await b.waitForNoDialog(3_000);
    const closedAt = await b.eval('return window.__closedAt');
    assert.ok(closedAt - clicked < 1_000 + 500, 'B closed within about a second: ' + (closedAt - clicked) + ' ms');
    assert.equal(await b.state(), 'active');
    await b.settle();
    assert.deepEqual(b.recorded().filter((e) => e.name === 'autologoff:extend').map((e) => e.detail.how), ['peer']);
    assert.ok((await b.remaining()) > 3_000, 'B has a full timeout again');
  } finally {
    await browser.close();
  }
});

for (const n of [2, 5]) {
  test(`expiry with ${n} tabs: exactly one logout request, every tab at the login page`, async () => {
    const browser = await signedIn(env);
    try {
      // Long enough for a slow browser to open all tabs before the shared deadline.
      const pages = await tabs(browser, n, { timeout: n > 2 ? '15s' : '5s', warning: '1s' });
      for (const p of pages) await p.waitForUrl(LOGIN, 30_000);
      await sleep(500); // any straggling request would have arrived by now
      const requests = env.server.state.logouts.filter((l) => l.sid === browser.sid);
      assert.equal(requests.length, 1, 'one logout request for ' + n + ' tabs');
      assert.equal(requests[0].known, true);
      const reasons = pages.map((p) => p.recorded().find((e) => e.name === 'autologoff:logout')?.detail.reason);
      assert.ok(reasons.every((r) => r === 'idle' || r === 'peer'), reasons.join());
    } finally {
      await browser.close();
    }
  });
}

test('"Log out now" in one tab logs out every tab (reason \'peer\' in the others), one request', async () => {
  const browser = await signedIn(env);
  try {
    const [a, b, c] = await tabs(browser, 3, { timeout: '1m', warning: '30s' });
    await a.evalAsync('window.autologoff.ready.then((s) => { s.logout(); done(); })');
    for (const p of [a, b, c]) await p.waitForUrl(LOGIN);
    await sleep(300);
    assert.deepEqual(
      [a, b, c].map((p) => p.recorded().find((e) => e.name === 'autologoff:logout')?.detail.reason),
      ['user', 'peer', 'peer'],
    );
    assert.equal(env.server.state.logouts.filter((l) => l.sid === browser.sid).length, 1);
  } finally {
    await browser.close();
  }
});

test('a tab opened late inherits the deadline instead of starting a fresh one', async () => {
  const browser = await signedIn(env);
  try {
    const [a] = await tabs(browser, 1, { timeout: '8s', warning: '3s' });
    const started = Date.now();
    await sleep(3_000);
    const [b] = await tabs(browser, 1, { timeout: '8s', warning: '3s' });
    const left = await b.remaining();
    // A's deadline: 8 s after it started, so at most 8 - 3 s from now (whatever B's load took).
    assert.ok(left <= 8_000 - (Date.now() - started) + 300, 'B inherited the running deadline: ' + left + ' ms left');
    await a.waitForDialog();
    await b.waitForDialog(2_000);
  } finally {
    await browser.close();
  }
});

test('closing a tab mid-session changes nothing for the others', async () => {
  const browser = await signedIn(env);
  try {
    const [a, b] = await tabs(browser, 2, { timeout: '5s', warning: '2s' });
    await a.move(10, 10);
    await a.run((d) => d.close());
    await b.move(20, 20);
    assert.equal(await b.state(), 'active');
    await b.waitForDialog();
    await b.waitForUrl(LOGIN);
    await sleep(300);
    assert.equal(env.server.state.logouts.filter((l) => l.sid === browser.sid).length, 1);
  } finally {
    await browser.close();
  }
});

test('a garbled or hostile message changes nothing', async () => {
  const browser = await signedIn(env);
  try {
    const [a, b] = await tabs(browser, 2, { timeout: '4s', warning: '1s' });
    // Another script of the origin posts junk, future-dated activity, and another version.
    await a.eval(`
      const ch = new BroadcastChannel('autologoff:default');
      for (const m of ['', 'hello', '1;a;zz;99999999999999', '2;l;zz;1', '1;l;ZZ;1', { kind: 'logout' }, '1;a;zz;1'.repeat(10)]) ch.postMessage(m);
      ch.close();`);
    await sleep(300);
    assert.equal(await b.state(), 'active', 'no logout from a malformed message');
    const after = await b.remaining();
    assert.ok(after <= 4_000, 'a future timestamp is clamped to now, never beyond the timeout: ' + after);
  } finally {
    await browser.close();
  }
});

test('separate channels keep separate sessions on one origin', async () => {
  const browser = await signedIn(env);
  try {
    const a = await browser.open(portal({ timeout: '3s', warning: '1s', channel: 'billing' }));
    const b = await browser.open(portal({ timeout: '1m', warning: '20s', channel: 'records' }));
    await a.waitForUrl(LOGIN);
    assert.equal(await b.state(), 'active', 'the other portal was not logged out by the message');
  } finally {
    await browser.close();
  }
});
