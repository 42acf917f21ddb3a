// Scenarios: markup on the page tries to switch autologoff off (issue "Unbreakable by the page it
// protects", items 1 and 2). Portals show clinical notes and messages; a sanitizer removes
// scripts and event handlers but keeps `id` and `name`, and named elements shadow `document`'s
// own members and `window.autologoff` (DOM clobbering). Each scenario runs the whole idle path.
//
// Written once; tests/e2e/scenarios.test.mjs runs them in Chromium and Firefox
// (Playwright) and tests/webkit/scenarios.test.mjs in WebKit (WebDriver), through a driver
// with one small interface (see tests/scenarios/README.md).
import assert from 'node:assert/strict';

/** Where a timed-out session lands. */
const LOGIN = /\/login\?reason=timeout$/;
const portal = (query) => '/portal?' + new URLSearchParams(query);

/** Every member of `document` autologoff reads or calls, shadowed by an element of that name. */
const EVERY_NAME = [
  'createElement', 'dispatchEvent', 'addEventListener', 'removeEventListener', 'querySelector',
  'querySelectorAll', 'body', 'documentElement', 'title', 'cookie', 'activeElement',
  'fullscreenElement', 'exitFullscreen', 'currentScript', 'baseURI', 'scripts', 'visibilityState',
  'hidden', 'defaultView',
]
  .map((n) => `<img name="${n}" alt="">`)
  .join('');

/** The session of `user` ended at the server: one logout request (reason `reason`) with its
 * cookie, and the cookie no longer works. */
async function assertServerTold(driver, user, reason) {
  const logouts = driver.server.state.logouts.filter((l) => l.sid === user.sid);
  assert.equal(logouts.length, 1, 'one logout request with the session cookie');
  assert.equal(logouts[0].reason, reason);
  const r = await fetch(driver.server.url + '/api/me', { headers: { cookie: 'sid=' + user.sid } });
  assert.equal(r.status, 401, 'the server session is dead');
}

/** No console error from autologoff, and no exception thrown in its code (the page's own
 * scripts, the demo's portal.js among them, do break on such markup: not ours to fix). */
async function assertNoFailedCalls(tab) {
  const said = await tab.consoleErrors();
  // The frame that threw: the first after the message (Chromium "    at …", Firefox and WebKit "name@url").
  const thrower = (t) => t.split('\n').find((line, i) => i > 0 && /^\s+at |@/.test(line)) || '';
  assert.deepEqual(said.filter((t) => t.startsWith('autologoff:') || /autologoff/.test(thrower(t))), []);
}

export const scenarios = {
  async 'a note with <img name="createElement"> and <img name="dispatchEvent">: warning, logout request, redirect, server session dead'(driver) {
    const user = await driver.signIn();
    const tab = await user.open(portal({ timeout: '5s', warning: '3s', note: '<p>Call back re: labs</p><img name="createElement" alt=""><img name="dispatchEvent" alt="">' }));
    await tab.waitForDialog(10_000);
    assert.equal(await tab.state(), 'warning');
    await tab.waitForUrl(LOGIN, 15_000);
    await assertServerTold(driver, user, 'idle');
    await assertNoFailedCalls(tab);
  },

  async 'every member of document autologoff uses, shadowed by markup: the dialog answers, then the idle path completes and storage is cleared'(driver) {
    const user = await driver.signIn();
    const tab = await user.open(portal({ timeout: '6s', warning: '4s', note: EVERY_NAME, 'tag-position': 'end' }));
    await tab.eval(`localStorage.setItem('draft-note', 'PHI'); sessionStorage.setItem('last-patient', '00-4417-2291');`);
    await tab.waitForDialog(10_000);
    // The title counts down (the page's own title is read and written with the real accessors).
    assert.match(await tab.title(), /^\(0:0\d\) Session expiring — Patient record/);
    await tab.clickButton('Stay signed in');
    await tab.waitForNoDialog(3_000);
    assert.equal(await tab.state(), 'active');
    await tab.waitForDialog(10_000);
    await tab.waitForUrl(LOGIN, 15_000);
    await assertServerTold(driver, user, 'idle');
    const left = await tab.eval('return [Object.keys(localStorage), Object.keys(sessionStorage)]');
    assert.deepEqual(left, [['autologoff:default'], []]);
    await assertNoFailedCalls(tab);
  },

  async 'a note that shadows window.autologoff (type="module" tag after it): the session still runs and logs off'(driver) {
    const user = await driver.signIn();
    const tab = await user.open(
      portal({ timeout: '4s', warning: '2s', tag: 'module', 'tag-position': 'end', note: '<a id="autologoff"></a><a id="autologoff" name="ready"></a>' }),
    );
    await tab.waitForDialog(10_000);
    assert.equal(await tab.eval('return typeof window.autologoff.start'), 'function', 'window.autologoff is ours');
    await tab.waitForUrl(LOGIN, 15_000);
    await assertServerTold(driver, user, 'idle');
    const said = await tab.consoleErrors();
    assert.equal(said.filter((t) => /included twice/.test(t)).length, 0, 'not mistaken for a second inclusion');
  },

  async 'a note with <img name="currentScript"> before a classic tag: the tag still reads its own settings'(driver) {
    const user = await driver.signIn();
    const tab = await user.open(portal({ timeout: '4s', warning: '2s', 'tag-position': 'end', note: '<img name="currentScript" alt="">' }));
    // The tag's 4 s, not the 15-minute default a fallback without settings would use.
    await tab.waitForDialog(8_000);
    assert.equal(await tab.eval('return typeof window.autologoff.start'), 'function');
    await tab.waitForUrl(LOGIN, 15_000);
    await assertServerTold(driver, user, 'idle');
    await assertNoFailedCalls(tab);
  },

  async 'an unexecuted <script type="text/plain" src=".../autologoff.js" data-timeout="24h"> in a note is not taken for the module tag'(driver) {
    const user = await driver.signIn();
    const tab = await user.open(
      portal({
        timeout: '4s',
        warning: '2s',
        tag: 'module',
        note: '<script type="text/plain" src="/assets/autologoff/autologoff.js" data-timeout="24h" data-autostart="false"></script>',
      }),
    );
    await tab.waitForDialog(8_000);
    await tab.waitForUrl(LOGIN, 15_000);
    await assertServerTold(driver, user, 'idle');
  },
};
