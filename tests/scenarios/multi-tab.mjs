// Scenarios with real tabs: one session across the tabs of an origin, over BroadcastChannel and
// over the storage-event fallback (the browser without BroadcastChannel: `driver.signIn`'s
// `without`). Run by tests/e2e/scenarios.test.mjs (Chromium, Firefox; AUTOLOGOFF_SERVER=cluster
// runs them against two server instances) and tests/webkit/scenarios.test.mjs (the tabs are
// MiniBrowser windows of one WebDriver session, which share cookies, storage, BroadcastChannel
// and Web Locks: checked in tests/webkit/safari.test.mjs).
//
// Where the two hand-written copies these replace (tests/e2e/, tests/webkit/) had different
// timings, the longer ones are kept: every command reaches WebKit through a WebDriver round trip,
// and the machine may be a loaded 2-core one; each choice says why below.
import assert from 'node:assert/strict';
import { LOGIN, portal, sleep, until, wiggle, logOut, remaining, logoutsArrived, dialogs } from './helpers.mjs';

/** The tabs' transports: BroadcastChannel, or (the browser without it) storage events. */
const TRANSPORTS = { broadcast: [], storage: ['BroadcastChannel'] };

/**
 * A user signed in with a browser that has `without`'s APIs taken away: `tabs(n, query)` opens
 * `n` tabs on the portal, one after the other, each started (in any state: a slow browser may open
 * the last tabs close to the shared deadline); the first one checks what the browser lacks.
 */
async function session(driver, without) {
  const user = await driver.signIn({}, { without });
  let checked = false;
  async function tabs(n, query) {
    const opened = [];
    for (let i = 0; i < n; i++) {
      const tab = await user.open(portal(query));
      await until(async () => (await tab.state()) !== null, { timeout: 15_000, what: 'autologoff started in tab ' + i });
      if (!checked) {
        const has = await tab.eval('return [typeof BroadcastChannel, typeof navigator.locks]');
        assert.deepEqual(has, [without.includes('BroadcastChannel') ? 'undefined' : 'function', without.includes('WebLocks') ? 'undefined' : 'object']);
        checked = true;
      }
      opened.push(tab);
    }
    return opened;
  }
  return { sid: user.sid, open: user.open, tabs };
}

const logoutReasons = async (tabs) => Promise.all(tabs.map(async (t) => (await t.dispatched('autologoff:logout')).map((d) => d.reason)));

/** The scenarios that run over each transport. */
const perTransport = (without) => ({
  async 'activity only in tab A keeps tab B alive; both warn together once it stops'(driver) {
    const user = await session(driver, without);
    // Activity in A for longer than B's own timeout; 3 s from input to warning (the WebKit copy
    // had 2 s), so a busy machine's stalls are not mistaken for idleness.
    const [a, b] = await user.tabs(2, { timeout: '5s', warning: '2s' });
    await wiggle(a, 6_500, 200);
    assert.equal(await b.state(), 'active', 'B kept alive by A');
    assert.equal(await dialogs(b), 0);
    await a.waitForDialog();
    // Together: B's warning is due when A's is; 2 s (the copies: 1.5 s and 2 s) for seeing A's
    // and then B's through round trips.
    await b.waitForDialog(2_000);
    assert.equal(await b.state(), 'warning');
    assert.deepEqual([...(await a.problems()), ...(await b.problems())], []);
  },

  async '"Stay signed in" in tab A closes tab B\'s warning within a second'(driver) {
    const user = await session(driver, without);
    // 4 s of warning (the copies: 3 s and 4 s): time to see both warnings and click inside it.
    const [a, b] = await user.tabs(2, { timeout: '6s', warning: '4s' });
    await a.waitForDialog();
    await b.waitForDialog(3_000);
    // Watch B from the inside, so that the time is B's and not the round trips' to it.
    await b.eval(`window.__closedAt = 0;
      new MutationObserver((_, o) => { if (!document.querySelector('[role="alertdialog"]')) { window.__closedAt = Date.now(); o.disconnect(); } })
        .observe(document.documentElement, { childList: true, subtree: true });`);
    const clicked = await a.eval('return Date.now()');
    await a.clickButton('Stay signed in');
    await b.waitForNoDialog(3_000);
    const closedAt = await b.eval('return window.__closedAt');
    // (0: B's warning closed before the observer was there, that is, before the click.)
    assert.ok(closedAt >= clicked && closedAt - clicked < 1_000 + 500, 'B closed within about a second: ' + (closedAt - clicked) + ' ms');
    assert.equal(await b.state(), 'active');
    assert.deepEqual((await b.dispatched('autologoff:extend')).map((d) => d.how), ['peer']);
    assert.ok((await remaining(b)) > 3_000, 'B has a full timeout again');
  },

  // 8 tabs (the WebKit copy had 5): every engine opens as many as Chromium did.
  ...Object.fromEntries(
    [2, 8].map((n) => [
      `expiry with ${n} tabs: exactly one logout request, every tab at the login page`,
      async (driver) => {
        const user = await session(driver, without);
        // Long enough for a slow browser to open all tabs before the shared deadline (the
        // copies: 4 s and 12 s, 5 s and 15 s): WebKit opened 8 windows in 3 s on a quiet
        // machine, each a page load and WebDriver round trips; 20 s leaves room for a loaded one.
        const opened = await user.tabs(n, { timeout: n > 2 ? '20s' : '5s', warning: '1s' });
        await Promise.all(opened.map((t) => t.waitForUrl(LOGIN, 40_000)));
        const requests = await logoutsArrived(driver.server, user.sid);
        assert.equal(requests.length, 1, 'one logout request for ' + n + ' tabs');
        assert.equal(requests[0].known, true);
        const reasons = (await logoutReasons(opened)).flat();
        assert.equal(reasons.length, n, 'one logout event per tab: ' + reasons.join());
        assert.ok(reasons.every((r) => r === 'idle' || r === 'peer'), reasons.join());
      },
    ]),
  ),

  async '"Log out now" in one tab logs out every tab (reason \'peer\' in the others), one request'(driver) {
    const user = await session(driver, without);
    const [a, b, c] = await user.tabs(3, { timeout: '1m', warning: '30s' });
    await logOut(a);
    await Promise.all([a, b, c].map((t) => t.waitForUrl(LOGIN, 10_000)));
    assert.deepEqual(await logoutReasons([a, b, c]), [['user'], ['peer'], ['peer']]);
    const arrived = await logoutsArrived(driver.server, user.sid);
    // (What arrived at all, and what the server heard of the tabs, for the report if none came
    // with the cookie.)
    const seen = () =>
      JSON.stringify({
        logouts: driver.server.state.logouts.slice(-4).map((l) => ({ ...l, sid: l.sid?.slice(0, 8) })),
        audit: driver.server.state.audit.filter((e) => e.sid === user.sid).map((e) => [e.tab, e.type, e.reason || e.status || e.what || '']),
      });
    assert.equal(arrived.length, 1, seen());
  },

  async 'a tab opened late inherits the deadline instead of starting a fresh one'(driver) {
    const user = await session(driver, without);
    // 8 s with 3 s of warning and B opened 3 s in (the copies: 6 s, 2 s, 2.5 s): the inherited
    // deadline and a fresh one are 3 s apart, and B is open before A warns.
    const [a] = await user.tabs(1, { timeout: '8s', warning: '3s' });
    const started = Date.now(); // A's deadline is at most 8 s from now: it started before
    await sleep(3_000);
    const [b] = await user.tabs(1, { timeout: '8s', warning: '3s' });
    const asked = Date.now();
    const left = await remaining(b);
    // B answered after `asked`, so an inherited deadline leaves it at most this; a fresh one
    // would leave about 8 s (50 ms for the page's clock against this process's).
    assert.ok(left <= started + 8_000 - asked + 50, 'B inherited the running deadline: ' + left + ' ms left');
    await a.waitForDialog();
    // Together (the copies: 1 s and 2 s), as above.
    await b.waitForDialog(2_000);
  },

  async 'closing a tab mid-session changes nothing for the others'(driver) {
    const user = await session(driver, without);
    // 3 s from B's input to its warning (the copies: 2.5 s and 3 s), for the checks between.
    const [a, b] = await user.tabs(2, { timeout: '5s', warning: '2s' });
    await a.move(10, 10);
    await a.close();
    await b.move(20, 20);
    assert.equal(await b.state(), 'active');
    await b.waitForDialog();
    await b.waitForUrl(LOGIN);
    assert.equal((await logoutsArrived(driver.server, user.sid)).length, 1);
    assert.deepEqual(await logoutReasons([b]), [['idle']]);
  },
});

export const scenarios = {
  ...Object.fromEntries(
    Object.entries(TRANSPORTS).flatMap(([transport, without]) =>
      Object.entries(perTransport(without)).map(([name, run]) => [`[${transport}] ${name}`, run]),
    ),
  ),

  async 'without Web Locks (and without BroadcastChannel) a claim in localStorage tells the server, every tab ends'(driver) {
    const user = await session(driver, ['BroadcastChannel', 'WebLocks']);
    // 4 tabs, 8 s (Chromium's copy: 4 s): time for WebKit to open them all before the deadline,
    // as above.
    const opened = await user.tabs(4, { timeout: '8s', warning: '1s' });
    await Promise.all(opened.map((t) => t.waitForUrl(LOGIN, 30_000)));
    const requests = await logoutsArrived(driver.server, user.sid);
    // One as a rule; more only when another tab's claim reached a tab later than the claim's
    // wait (seen under load: src/browser/lock.js says why that is harmless). Never none, never
    // one per tab (a claim that decided nothing), never for another reason.
    assert.ok(requests.length >= 1 && requests.length < opened.length, JSON.stringify(requests));
    assert.deepEqual([...new Set(requests.map((r) => r.reason))], ['idle'], JSON.stringify(requests));
  },

  async 'a garbled or hostile message changes nothing'(driver) {
    const user = await session(driver, TRANSPORTS.broadcast);
    // 4 s (the copies: 3 s and 4 s): B's checks come after a round trip to A.
    const [a, b] = await user.tabs(2, { timeout: '4s', warning: '1s' });
    // Another script of the origin posts junk, future-dated activity, and another version.
    await a.eval(`
      const ch = new BroadcastChannel('autologoff:default');
      for (const m of ['', 'hello', '1;a;zz;99999999999999', '2;l;zz;1', '1;l;ZZ;1', { kind: 'logout' }, '1;a;zz;1'.repeat(10)]) ch.postMessage(m);
      ch.close();`);
    await sleep(300);
    assert.equal(await b.state(), 'active', 'no logout from a malformed message');
    const after = await remaining(b);
    assert.ok(after <= 4_000, 'a future timestamp is clamped to now, never beyond the timeout: ' + after);
  },

  async 'separate channels keep separate sessions on one origin'(driver) {
    const user = await session(driver, TRANSPORTS.broadcast);
    const a = await user.open(portal({ timeout: '3s', warning: '1s', channel: 'billing' }));
    const b = await user.open(portal({ timeout: '1m', warning: '20s', channel: 'records' }));
    await a.waitForUrl(LOGIN);
    assert.equal(await b.state(), 'active', 'the other portal was not logged out by the message');
  },
};
