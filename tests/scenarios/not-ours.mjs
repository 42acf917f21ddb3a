// Scenarios: a record, a lock or a message that is not this session's must not end it silently
// (issue "Unbreakable by the page it protects", item 3). Another application on the origin, or a
// script there, writes the shared record or holds the logout lock; the page must never end its
// own session without the server being told about that session (the logout names it:
// docs/protocol.md 3.3), and two applications sharing a channel are told apart and reported.
// Run by tests/e2e/scenarios.test.mjs (Chromium, Firefox) and tests/webkit/scenarios.test.mjs.
import assert from 'node:assert/strict';

const LOGIN = /\/login\?reason=timeout$/;
const portal = (query) => '/portal?' + new URLSearchParams(query);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The demo session of `user`, as the server knows it. */
const session = (driver, user) => driver.server.state.sessions.get(user.sid);

/** `user`'s session was ended at the server by one logout request naming it. */
async function assertToldByName(driver, user, publicId, reason) {
  const logouts = driver.server.state.logouts.filter((l) => l.named === publicId);
  assert.equal(logouts.length, 1, 'one logout request naming the session: ' + JSON.stringify(driver.server.state.logouts));
  assert.equal(logouts[0].reason, reason);
  const r = await fetch(driver.server.url + '/api/me', { headers: { cookie: 'sid=' + user.sid } });
  assert.equal(r.status, 401, 'the server session is dead');
}

/** Waits until the module has written the shared record: the page can say `active` before (the
 * fallback watches from page load while the module loads, and under load that takes a while). */
async function recordWritten(tab) {
  for (let i = 0; i < 100; i++) {
    if (await tab.eval(`return localStorage.getItem('autologoff:default') !== null`)) return;
    await sleep(100);
  }
  throw new Error('no record in autologoff:default after 10 s');
}

export const scenarios = {
  async 'a record of another identity written to autologoff:default: the page leaves, and the server is told of its session'(driver) {
    const user = await driver.signIn();
    const publicId = session(driver, user).publicId;
    const tab = await user.open(portal({ timeout: '20s', warning: '10s' }));
    await tab.waitForState('active', 10_000);
    await recordWritten(tab);
    // What another application on the origin (or a crafted value) writes: this application's
    // record, with another session's identity in it.
    await tab.eval(`const [v, app] = localStorage.getItem('autologoff:default').split(';');
      localStorage.setItem('autologoff:default', [v, app, 'zzz', Date.now(), '-', Date.now(), '-', '-'].join(';'));
      window.dispatchEvent(new Event('focus'));`);
    await tab.waitForUrl(LOGIN, 15_000);
    await assertToldByName(driver, user, publicId, 'replaced');
  },

  async 'a value in the old record format of another identity changes nothing: the session runs to its own timeout'(driver) {
    const user = await driver.signIn();
    const publicId = session(driver, user).publicId;
    const tab = await user.open(portal({ timeout: '5s', warning: '3s' }));
    await tab.waitForState('active', 10_000);
    await tab.eval(`localStorage.setItem('autologoff:default', '2;zzz;' + Date.now() + ';-;' + Date.now() + ';-;-');
      window.dispatchEvent(new Event('focus'));`);
    await sleep(500);
    assert.equal(await tab.state(), 'active');
    await tab.waitForDialog(8_000);
    await tab.waitForUrl(LOGIN, 15_000);
    await assertToldByName(driver, user, publicId, 'idle');
  },

  async 'a page that holds the logout Web Locks for ever cannot keep the server from being told'(driver) {
    const user = await driver.signIn();
    const publicId = session(driver, user).publicId;
    const tab = await user.open(portal({ timeout: '5s', warning: '3s' }));
    await tab.waitForState('active', 10_000);
    await recordWritten(tab);
    // The lock of the channel, and the session's own (its name is in the record): taken and never
    // released, as a hostile script (or another application) could.
    const held = await tab.eval(`const id = localStorage.getItem('autologoff:default').split(';')[2];
      const names = ['autologoff:default:logout', 'autologoff:default:logout:' + id];
      for (const name of names) navigator.locks.request(name, () => new Promise(() => {}));
      return names.length;`);
    assert.equal(held, 2);
    await tab.waitForUrl(LOGIN, 20_000);
    await assertToldByName(driver, user, publicId, 'idle');
  },

  async 'two applications on one origin that share a channel are told apart and reported, and neither logs the other out'(driver) {
    const user = await driver.signIn();
    const portalTab = await user.open(portal({ timeout: '20s', warning: '10s' }));
    await portalTab.waitForState('active', 10_000);
    // A second application: its own logout URL, the same (default) channel.
    const billing = await user.open(portal({ timeout: '20s', warning: '10s', 'logout-url': '/logout?app=billing', 'session-id': 'billing-7' }));
    await billing.waitForState('active', 10_000);
    await portalTab.eval(`window.dispatchEvent(new Event('focus'));`);
    await sleep(500);
    assert.equal(await portalTab.state(), 'active');
    assert.equal(await billing.state(), 'active');
    const said = [...(await portalTab.consoleErrors()), ...(await billing.consoleErrors())];
    assert.ok(said.some((t) => /another application on this origin uses the channel `default`/.test(t)), JSON.stringify(said));
    assert.equal(driver.server.state.logouts.filter((l) => l.sid === user.sid).length, 0);
  },
};
