// Scenarios: the fallback is a true second line (issue "Unbreakable by the page it protects",
// item 4). When the module cannot run (its .wasm refused, a Content-Security-Policy without
// 'wasm-unsafe-eval'), the fallback enforces the deadline from page load, takes its part among
// the tabs (its input and theirs are one session's), counts input as the module does (frames
// too), offers the same session API, and ends a session as completely as the module.
// Run by tests/e2e/scenarios.test.mjs (Chromium, Firefox) and tests/webkit/scenarios.test.mjs.
import assert from 'node:assert/strict';
import { until } from './helpers.mjs';

const LOGIN = /\/login\?reason=timeout$/;
const portal = (query) => '/portal?' + new URLSearchParams(query);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `user`'s logout requests, as the server received them. */
const logouts = (driver, user) => driver.server.state.logouts.filter((l) => l.sid === user.sid);

/** Runs `fn` with the demo server refusing the .wasm (503), then serves it again. */
async function withoutWasm(driver, fn) {
  driver.server.state.faults.wasm = 'fail';
  try {
    return await fn();
  } finally {
    driver.server.state.faults.wasm = 'ok';
  }
}

/** A fallback page of `user`'s session opened with `query`, once it has written its record:
 * [the tab, the record's fields]. */
async function fallbackWithRecord(user, query) {
  const tab = await user.open(portal(query));
  await tab.waitForState('active', 10_000);
  const record = await until(() => tab.eval("return localStorage.getItem('autologoff:default')"), { what: 'the fallback tab to write its record' });
  const f = record.split(';');
  assert.equal(f.length, 8, 'record format 3: ' + record);
  return [tab, f];
}

/**
 * A fallback tab of `user`'s session (a policy without 'wasm-unsafe-eval'), then its record
 * rewritten from another tab with no message: ended now, the server told ('d'), as a tab that
 * logged out writes it (src/wire.rs), with `edit` applied to the fields. Returns the tab.
 */
async function recordEndedFromElsewhere(user, edit = () => {}) {
  const [fallback, f] = await fallbackWithRecord(user, { timeout: '1m', warning: '20s', csp: 'nowasm' });
  f[4] = String(Date.now());
  f[7] = 'd';
  edit(f);
  const other = await user.open('/login');
  await other.eval('localStorage.setItem(arguments[0], arguments[1])', 'autologoff:default', f.join(';'));
  return fallback;
}

/** A page of a session with neither a session id nor a session start. */
const ANONYMOUS = { timeout: '1m', warning: '20s', csp: 'nowasm', 'session-id': '', 'session-start': '' };

/**
 * A fallback page of `user`'s session opened with `query`, left for the sign-in page, and its
 * record then rewritten with `edit` applied to the fields: what the session's last tab left
 * behind, with no portal page open.
 */
async function leftBehind(user, query, edit) {
  const [tab, f] = await fallbackWithRecord(user, query);
  edit(f);
  await tab.goto('/login');
  await tab.eval('localStorage.setItem(arguments[0], arguments[1])', 'autologoff:default', f.join(';'));
}

/** A new sign-in of `user` opens an anonymous fallback page over what the earlier one left:
 * nothing ends, no logout is sent, and the page's first write replaces the record. */
async function newSignInUntouched(driver, user) {
  const again = await user.signInAgain();
  const fresh = await again.open(portal(ANONYMOUS));
  await fresh.waitForState('active', 10_000).catch(async (e) => {
    throw new Error(`${e.message}\nat ${await fresh.url().catch(String)}, events ${JSON.stringify(await fresh.timeline().catch(() => []))}, logouts ${JSON.stringify(driver.server.state.logouts)}`);
  });
  await sleep(2_500); // the fallback waits a second (GRACE) for the module before it acts on an end
  assert.equal(await fresh.state(), 'active');
  assert.deepEqual(await fresh.dispatched('autologoff:logout'), []);
  assert.deepEqual(driver.server.state.logouts.filter((l) => l.sid === again.sid || l.sid === user.sid), []);
  const r = await fetch(driver.server.url + '/api/me', { headers: { cookie: 'sid=' + again.sid } });
  assert.equal(r.status, 200, 'the new session is alive');
  const now = await until(() => fresh.eval("const r = localStorage.getItem('autologoff:default'); return r && r.split(';')[4] === '-' && r"), { timeout: 5_000, what: 'the new session\'s record' });
  assert.ok(Number(now.split(';')[5]) > Date.now() - 60_000, 'the record is the new session\'s: ' + now);
}

export const scenarios = {
  async 'with the .wasm refused, the deadline is enforced on time, not after the retries'(driver) {
    const user = await driver.signIn();
    await withoutWasm(driver, async () => {
      const opened = Date.now();
      const tab = await user.open(portal({ timeout: '4s', warning: '2s' }));
      await tab.waitForUrl(LOGIN, 12_000);
      const sent = logouts(driver, user);
      assert.equal(sent.length, 1);
      assert.equal(sent[0].reason, 'idle');
      // The retries alone take 15.5 s; the timeout is 4 s from the page's load.
      assert.ok(sent[0].at - opened < 8_000, 'logged off ' + (sent[0].at - opened) + ' ms after opening');
    });
  },

  async 'a fallback tab and a module tab are one session: work in the module tab keeps the fallback tab signed in'(driver) {
    const user = await driver.signIn();
    // The first tab cannot run WebAssembly (its policy forbids it); the second can.
    const fallback = await user.open(portal({ timeout: '6s', warning: '3s', csp: 'nowasm' }));
    await fallback.waitForState('active', 10_000);
    const working = await user.open(portal({ timeout: '6s', warning: '3s' }));
    await working.waitForState('active', 10_000);
    const stopAt = Date.now() + 11_000;
    for (let i = 0; Date.now() < stopAt; i++) {
      await working.move(100 + (i % 40) * 5, 200 + (i % 2) * 7);
      await sleep(700);
    }
    assert.equal(await fallback.state(), 'active', 'the fallback tab heard of the work in the other tab');
    assert.equal(logouts(driver, user).length, 0);
    // Then nobody works: both end, together, and the server is told.
    await fallback.waitForUrl(LOGIN, 15_000);
    await working.waitForUrl(LOGIN, 15_000);
    assert.ok(logouts(driver, user).length >= 1);
    const r = await fetch(driver.server.url + '/api/me', { headers: { cookie: 'sid=' + user.sid } });
    assert.equal(r.status, 401);
  },

  async 'the fallback counts input in a same-origin frame, and not pointer moves to the same spot'(driver) {
    const user = await driver.signIn();
    await withoutWasm(driver, async () => {
      const tab = await user.open(portal({ timeout: '4s', warning: '2s', frame: '1' }));
      await tab.waitForState('active', 10_000);
      const until = Date.now() + 7_000;
      for (let i = 0; Date.now() < until; i++) {
        await tab.moveInFrame(20 + (i % 30) * 3, 20 + (i % 2) * 5);
        await sleep(500);
      }
      assert.equal(await tab.state(), 'active', 'input in the frame kept it alive');
      // The same spot, again and again: no input at all.
      const still = Date.now() + 6_000;
      while (Date.now() < still && !LOGIN.test(await tab.url())) {
        await tab.moveInFrame(50, 50).catch(() => {});
        await sleep(300);
      }
      await tab.waitForUrl(LOGIN, 8_000);
      assert.equal(logouts(driver, user).length, 1);
    });
  },

  async 'the fallback offers the session API: the portal\'s own "Log out" logs out, with reason user'(driver) {
    const user = await driver.signIn();
    await withoutWasm(driver, async () => {
      const tab = await user.open(portal({ timeout: '1m', warning: '20s' }));
      await tab.waitForState('active', 10_000);
      // (window.autologoff.ready resolves once the module's retries have failed, about 15 s.)
      const seen = await tab.evalAsync(`window.autologoff.ready.then((s) => done([s.state, s.remainingMs > 0, typeof s.extend, typeof s.logout]), (e) => done(String(e)))`);
      assert.deepEqual(seen, ['active', true, 'function', 'function']);
      await tab.eval(`window.autologoff.ready.then((s) => s.logout())`);
      await tab.waitForUrl(LOGIN, 10_000);
      assert.deepEqual(logouts(driver, user).map((l) => l.reason), ['user']);
    });
  },

  async 'without a redirect the fallback removes the content and clears IndexedDB and Cache Storage too'(driver) {
    const user = await driver.signIn();
    await withoutWasm(driver, async () => {
      const tab = await user.open(portal({ timeout: '1m', warning: '20s', 'redirect-url': '' }));
      await tab.waitForState('active', 10_000);
      await tab.evalAsync(`(async () => {
        localStorage.setItem('draft', 'PHI');
        await new Promise((resolve) => { const r = indexedDB.open('patient-cache', 1); r.onupgradeneeded = () => r.result.createObjectStore('x'); r.onsuccess = () => (r.result.close(), resolve()); });
        if (self.caches) await (await caches.open('portal-api')).put('/api/record', new Response('{}'));
      })().then(() => done(true), (e) => done(String(e)));`);
      await tab.evalAsync(`window.autologoff.ready.then((s) => done(s.logout()))`);
      await tab.waitForState('expired', 10_000);
      await sleep(3_500);
      const left = await tab.evalAsync(`(async () => done({
        content: document.querySelector('[data-phi]') !== null,
        signIn: !!document.querySelector('[data-autologoff-sign-in]'),
        local: Object.keys(localStorage).filter((k) => !k.startsWith('autologoff:')),
        idb: indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [],
        caches: self.caches ? await caches.keys() : [],
      }))()`);
      assert.deepEqual(left, { content: false, signIn: true, local: [], idb: [], caches: [] });
      assert.deepEqual(logouts(driver, user).map((l) => l.reason), ['user']);
    });
  },

  async 'while the module loads, news from the previous sign-in\'s page does not end the new one'(driver) {
    // The new session's page has not written its record yet (its module is still loading, here
    // for good): the record is the earlier sign-in's, and that page's news says nothing of the
    // new session. (Found as a flaky end-to-end test: the new page sometimes left at once.)
    const user = await driver.signIn();
    const old = await user.open(portal({ timeout: '1m', warning: '20s' }));
    await old.waitForState('active', 10_000);
    const again = await user.signInAgain();
    driver.server.state.faults.wasm = 'hang';
    try {
      const fresh = await again.open(portal({ timeout: '1m', warning: '20s', preload: '0' }));
      await fresh.waitForState('active', 10_000);
      await old.evalAsync(`window.autologoff.ready.then((s) => done(s.extend()))`);
      await sleep(1_500);
      assert.equal(await fresh.state(), 'active');
      // (The old page itself may end meanwhile, naming its own session; the new one stays.)
      const r = await fetch(driver.server.url + '/api/me', { headers: { cookie: 'sid=' + again.sid } });
      assert.equal(r.status, 200, 'the new session is alive');
    } finally {
      driver.server.state.faults.wasm = 'ok';
    }
  },

  async 'a fallback tab hears of the end from the shared record alone, when no message reaches it'(driver) {
    // A BroadcastChannel just opened can miss a message (WebKit); the record's storage event
    // cannot be missed, and the module listens to it. The fallback must too: here the end is
    // written to the record by another tab with no message at all.
    const user = await driver.signIn();
    const fallback = await recordEndedFromElsewhere(user);
    await until(async () => (await fallback.dispatched('autologoff:logout')).length > 0, { timeout: 5_000, what: 'the fallback tab to end (its own deadline is a minute away)' });
    assert.deepEqual(await fallback.dispatched('autologoff:logout'), [{ reason: 'peer' }]);
    await fallback.waitForUrl(LOGIN);
    await sleep(1_000); // a request sent with keepalive can arrive after the page left
    assert.equal(logouts(driver, user).length, 0, 'the tab that ended the session told the server; this one does not again');
  },

  async 'with no identity, an earlier sign-in\'s end recorded before the page loaded neither ends the new session nor logs it out'(driver) {
    // A page with neither a session id nor a session start cannot tell sign-ins apart by the
    // record's identity: an end recorded before the page loaded is an earlier sign-in's (the
    // module's rule, src/session.rs). The fallback once took it as this session's end at once,
    // and with the logout marked undelivered sent it again: with the new sign-in's cookie,
    // ending the new session at the server.
    const user = await driver.signIn();
    // That sign-in's last tab as it left it: ended a minute ago, its logout undelivered.
    await leftBehind(user, ANONYMOUS, (f) => {
      assert.equal(f[2], '', 'no identity');
      f[3] = f[5] = String(Date.now() - 120_000);
      f[4] = String(Date.now() - 60_000);
      f[7] = 'u';
    });
    await newSignInUntouched(driver, user);
  },

  async 'with no identity, an earlier sign-in\'s record left live past its deadline does not end the new session'(driver) {
    // Its last tab closed without ending it (the record still says active, its last input long
    // ago). The module starts afresh over it (src/session.rs, Core::new); the fallback once
    // joined it, found the deadline past and ended the new session with its cookie.
    const user = await driver.signIn();
    await leftBehind(user, ANONYMOUS, (f) => {
      assert.equal(f[2], '', 'no identity');
      f[3] = f[5] = String(Date.now() - 300_000);
    });
    await newSignInUntouched(driver, user);
  },

  async 'a logout left pending by a tab that closed first is sent by the next fallback page of the session'(driver) {
    // A tab ended the session (told p: its request on the way) and closed before the request
    // left. A minute later the module reads such a record as undelivered and sends the logout
    // again (src/session.rs, `told`); the fallback once ended the page quietly, the server
    // session still alive.
    const user = await driver.signIn();
    await leftBehind(user, { timeout: '1m', warning: '20s', csp: 'nowasm' }, (f) => {
      f[3] = f[5] = String(Date.now() - 120_000);
      f[4] = String(Date.now() - 70_000);
      f[7] = 'p';
    });
    const tab = await user.open(portal({ timeout: '1m', warning: '20s', csp: 'nowasm' }));
    await tab.waitForUrl(LOGIN);
    await until(() => logouts(driver, user).length > 0, { timeout: 5_000, what: 'the logout sent again' });
    assert.deepEqual(logouts(driver, user).map((l) => l.reason), ['peer']);
    const r = await fetch(driver.server.url + '/api/me', { headers: { cookie: 'sid=' + user.sid } });
    assert.equal(r.status, 401, 'the server session is over');
  },

  async 'a fallback tab of an earlier sign-in that expires leaves a newer sign-in\'s session alone'(driver) {
    // The new sign-in's page writes its record at start with no message, so the old tab learns
    // of it only when it reads the record. The module reads it as it ends (src/session.rs,
    // `decide`, then `replaced`): it tells the server of its own session by name and leaves the
    // new one's record and storage alone. The fallback once wrote its own end over the new
    // record and cleared the new session's storage, and the new session's tabs then ended it at
    // the server.
    const user = await driver.signIn();
    const publicId = driver.server.state.sessions.get(user.sid).publicId;
    // 12 s: the old tab must outlast the new sign-in and its page's start (round trips under load).
    const [old] = await fallbackWithRecord(user, { timeout: '12s', warning: '2s', csp: 'nowasm' });
    const again = await user.signInAgain();
    const fresh = await again.open(portal({ timeout: '1m', warning: '20s' }));
    await fresh.waitForState('active', 10_000);
    await fresh.eval('return window.autologoff.ready.then(() => true)');
    await fresh.eval("localStorage.setItem('draft', 'the new session\\'s')");
    assert.deepEqual(await old.dispatched('autologoff:logout'), [], 'the old tab is still on when the new session starts');
    await until(async () => (await old.dispatched('autologoff:logout')).length > 0, { timeout: 20_000, what: 'the old tab to end' });
    assert.deepEqual(await old.dispatched('autologoff:logout'), [{ reason: 'idle' }]);
    await sleep(2_000);
    assert.equal(await fresh.state(), 'active');
    assert.deepEqual(await fresh.dispatched('autologoff:logout'), []);
    assert.equal(await fresh.eval("return localStorage.getItem('draft')"), "the new session's");
    const r = await fetch(driver.server.url + '/api/me', { headers: { cookie: 'sid=' + again.sid } });
    assert.equal(r.status, 200, 'the new session is alive');
    // The old session was told, by name.
    const named = driver.server.state.logouts.filter((l) => l.named === publicId);
    assert.deepEqual(named.map((l) => l.reason), ['idle'], JSON.stringify(driver.server.state.logouts));
    const gone = await fetch(driver.server.url + '/api/me', { headers: { cookie: 'sid=' + user.sid } });
    assert.equal(gone.status, 401, 'the old session is over at the server');
  },

  async 'input that arrives after the deadline (the page busy, its timer late) does not bring a fallback session back'(driver) {
    // The module counts activity only before expiry (src/engine.rs); the fallback once took any
    // input as new activity, so a page whose timer ran late (busy, hidden, frozen) stayed
    // signed in for another whole timeout. Here the page is kept busy past its deadline with a
    // pointer move waiting: input goes before timers after a long task (Chromium), and it must
    // not count.
    const user = await driver.signIn();
    const tab = await user.open(portal({ timeout: '4s', warning: '2s', csp: 'nowasm' }));
    await tab.waitForState('active', 10_000);
    const busy = tab.eval('const until = performance.now() + 5000; while (performance.now() < until) {} return true');
    await sleep(500);
    const moved = tab.move(200, 220).catch(() => {});
    await busy;
    const free = Date.now();
    await moved;
    await until(async () => (await tab.dispatched('autologoff:logout')).length > 0, { timeout: 10_000, what: 'the session to end' });
    const ended = (await tab.timeline()).find((e) => e.name === 'autologoff:logout').at;
    assert.ok(ended - free < 2_000, 'ended ' + (ended - free) + ' ms after the page was free again (a whole timeout later: the late input counted)');
    assert.deepEqual(await tab.dispatched('autologoff:logout'), [{ reason: 'idle' }]);
  },

  async 'a fallback tab ignores another sign-in\'s record written over its own (a late tombstone)'(driver) {
    // The earlier sign-in's last tab rewrites its tombstone when its logout is answered (told
    // p, then d), which can land after the new session's page wrote its record. The module
    // ignores such a write (it names another session); so must the fallback, which once ended
    // the new session as "replaced" and sent a logout that named it.
    const user = await driver.signIn();
    // Another identity, the same application.
    const fallback = await recordEndedFromElsewhere(user, (f) => (f[2] = f[2] === 'zzzzzzzz' ? 'yyyyyyyy' : 'zzzzzzzz'));
    await sleep(2_000);
    assert.equal(await fallback.state(), 'active');
    assert.deepEqual(await fallback.dispatched('autologoff:logout'), []);
    assert.equal(logouts(driver, user).length, 0);
    const r = await fetch(driver.server.url + '/api/me', { headers: { cookie: 'sid=' + user.sid } });
    assert.equal(r.status, 200, 'the session is alive');
  },
};
