// End to end in WebKit (MiniBrowser, WebKitGTK) against the demo portal and its real session
// server: the main path of automatic logoff. The specification is tests/e2e/main-path.test.mjs;
// the assertions are the same wherever WebDriver classic can make them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndWebKit, signedIn, seedStorage, storageLeft, portal, sleep, until, Key, LOGIN } from './helpers.mjs';

const env = useServerAndWebKit();

test('signing in through the real form lands on the portal with autologoff running', async () => {
  const browser = await env.webkit.newSession();
  try {
    await browser.get(env.server.url + '/login');
    await browser.findElement({ css: 'input[name=user]' }).clear();
    await browser.findElement({ css: 'input[name=user]' }).sendKeys('form.user');
    await browser.findElement({ css: 'button[type=submit]' }).click();
    await until(async () => new URL(await browser.getCurrentUrl()).pathname === '/portal', { what: 'the portal' });
    await until(async () => (await browser.executeScript('return document.documentElement.dataset.autologoffState')) === 'active', {
      what: 'autologoff active',
    });
    const cookie = await browser.manage().getCookie('sid');
    assert.equal(cookie.httpOnly, true);
    assert.equal(env.server.state.sessions.get(cookie.value)?.user, 'form.user');
    // The demo preset: 30 s, warned 20 s before.
    const left = await browser.executeAsyncScript('const done = arguments[0]; window.autologoff.ready.then((s) => done(s.remainingMs));');
    assert.ok(left > 20_000 && left <= 30_000, 'the 30 s demo policy: ' + left);
  } finally {
    await env.webkit.quit(browser);
  }
});

test('idle session: accessible warning, then logout request with the session cookie, storage cleared, redirect, server session dead', async () => {
  env.server.state.faults.logout = 'ok';
  const browser = await signedIn(env);
  try {
    const cookie = browser.sid;
    const page = await browser.open(portal({ timeout: '5s', warning: '3s' }));
    await seedStorage(page);

    await page.waitForDialog();
    // When, by autologoff's own audit trail: the warning is due 2 s after the last activity, which
    // is the page's load at the latest (the deadline runs from page load, not from when the module
    // started: issue 19, item 4). The page's time origin is a moment no later than that.
    await until(() => env.server.state.audit.some((e) => e.sid === cookie && e.type === 'warning-shown'), { what: 'the audit' });
    const at = (type) => env.server.state.audit.find((e) => e.sid === cookie && e.type === type).at;
    const origin = await page.eval('return performance.timeOrigin');
    assert.ok(at('warning-shown') - origin >= 1_950, `warning shown too early: ${at('warning-shown') - origin} ms after the page's time origin`);
    assert.equal(await page.state(), 'warning');
    const a11y = await page.eval(`
      const d = document.querySelector('[role="alertdialog"]');
      return {
        modal: d.getAttribute('aria-modal'),
        title: document.getElementById(d.getAttribute('aria-labelledby'))?.textContent,
        message: document.getElementById(d.getAttribute('aria-describedby'))?.textContent,
        focused: document.activeElement?.dataset.autologoffAction,
        countdown: d.querySelector('[data-autologoff-countdown]').textContent,
        countdownHidden: d.querySelector('[data-autologoff-countdown]').closest('[aria-hidden="true"]') !== null,
        live: d.querySelector('[aria-live="polite"]')?.textContent,
        buttons: [...d.querySelectorAll('button')].map((b) => [b.dataset.autologoffAction, b.textContent]),
      };`);
    assert.equal(a11y.modal, 'true');
    assert.equal(a11y.title, 'Your session is about to expire');
    assert.match(a11y.message, /inactive/);
    assert.equal(a11y.focused, 'extend');
    assert.match(a11y.countdown, /^0:0[0-3]$/);
    assert.ok(a11y.countdownHidden, 'the ticking countdown must be hidden from screen readers');
    assert.match(a11y.live, /^Time left: 0:0\d$/);
    assert.deepEqual(a11y.buttons, [['extend', 'Stay signed in'], ['logout', 'Log out now']]);

    await page.waitForUrl(LOGIN);
    const logout = env.server.state.logouts.find((l) => l.sid === cookie);
    assert.ok(logout, 'the logout endpoint received the session cookie');
    assert.equal(logout.known, true);
    assert.equal(logout.reason, 'idle');
    await page.settle();
    const seen = page.recorded().map((e) => e.name).filter((n) => n.startsWith('autologoff:') || n === 'covered');
    assert.deepEqual(seen, ['autologoff:warning', 'autologoff:logout', 'covered']);
    assert.deepEqual(page.recorded().find((e) => e.name === 'covered').detail, { cover: true, bodyHidden: true });
    const left = await storageLeft(page);
    assert.deepEqual(left, { local: ['autologoff:default'], session: [], cookies: '', idb: [], caches: [] });
    assert.match(await page.eval("return localStorage.getItem('autologoff:default')"), /^3;[0-9a-z]*;[0-9a-z]+;\d+;\d+;\d+;(\d+|-);d$/, 'only a tombstone of timestamps');
    assert.deepEqual(await browser.cookieNames(), []);
    // The old session cookie is dead on the server.
    const r = await fetch(env.server.url + '/api/me', { headers: { cookie: 'sid=' + cookie } });
    assert.equal(r.status, 401);
    assert.deepEqual(page.problems(), []);
  } finally {
    await browser.close();
  }
});

test('the client clears storage itself when the server sends no Clear-Site-Data (logout answers 500)', async () => {
  env.server.state.faults.logout = 'error';
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '4s', warning: '1s' }));
    await seedStorage(page);
    await page.waitForUrl(LOGIN);
    assert.deepEqual(await storageLeft(page), { local: ['autologoff:default'], session: [], cookies: '', idb: [], caches: [] });
    // Only the HttpOnly session cookie is left: script cannot clear it, the server must.
    assert.deepEqual(await browser.cookieNames(), [['sid', true]]);
  } finally {
    env.server.state.faults.logout = 'ok';
    await browser.close();
  }
});

for (const fault of ['hang', 'reset']) {
  test(`logout endpoint ${fault}: the page is covered at once and local termination completes within logoutWait`, async () => {
    env.server.state.faults.logout = fault;
    const browser = await signedIn(env);
    try {
      const page = await browser.open(portal({ timeout: '4s', warning: '1s', 'logout-wait': '1s' }));
      await page.waitForUrl(LOGIN);
      const arrived = Date.now();
      await page.settle();
      const covered = page.recorded().find((e) => e.name === 'covered');
      assert.deepEqual(covered?.detail, { cover: true, bodyHidden: true }, 'covered as soon as the session expired');
      const expiredAt = page.recorded().find((e) => e.name === 'autologoff:logout').at;
      // Bounded by logoutWait (1 s); generous margin for a slow machine, but a hang would never get here.
      assert.ok(arrived - expiredAt < 8_000, 'finished ' + (arrived - expiredAt) + ' ms after expiry');
      assert.deepEqual((await storageLeft(page)).local, ['autologoff:default']);
    } finally {
      env.server.state.faults.logout = 'ok';
      await browser.close();
    }
  });
}

test('real input keeps the session alive; the warning comes once input stops', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '3s', warning: '1s' }));
    await page.waitForState('active');
    // Trusted input (WebDriver actions) for 5 s, longer than the timeout.
    // When the last input was given: the checks below take time of their own (under load a
    // WebDriver call can take half a second).
    const stopped = await page.wiggle(5_000, 250);
    assert.equal(await page.state(), 'active');
    assert.equal(await page.dialogCount(), 0);
    await page.waitForDialog();
    assert.ok(Date.now() - stopped >= 1_500, 'warning must wait for timeout - warning after the last input');
    assert.deepEqual(page.problems(), []);
  } finally {
    await browser.close();
  }
});

test('untrusted synthetic events and pointer moves that do not move keep nothing alive', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '3s', warning: '1s', 'logout-wait': '500ms' }));
    await page.waitForState('active');
    await page.move(300, 300);
    const last = Date.now();
    // A page script fires every kind of event; the pointer stays still.
    await page.eval(`
      window.__spam = setInterval(() => {
        for (const t of ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'mousemove', 'scroll']) {
          window.dispatchEvent(new Event(t));
          document.body.dispatchEvent(new Event(t, { bubbles: true }));
        }
        window.scrollTo(0, (window.scrollY + 40) % 200);
      }, 100);`);
    let still = true;
    const stillLoop = (async () => {
      while (still) {
        await page.move(300, 300).catch(() => {});
        await sleep(200);
      }
    })();
    try {
      await page.waitForDialog();
      assert.ok(Date.now() - last < 2_000 + 3_000, 'warned on schedule');
      await page.waitForUrl(LOGIN);
    } finally {
      still = false;
      await stillLoop;
    }
  } finally {
    await browser.close();
  }
});

test('"Stay signed in" closes the warning, restarts the timer and returns focus; input alone does not', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '5s', warning: '3500ms' }));
    await page.eval("document.querySelector('textarea').focus()");
    await page.waitForDialog();
    // Activity while the warning shows does not dismiss it.
    await page.move(10, 10);
    await page.move(40, 60);
    await sleep(300);
    assert.equal(await page.state(), 'warning');
    await page.clickButton('Stay signed in');
    assert.equal(await page.dialogCount(), 0);
    assert.equal(await page.state(), 'active');
    assert.equal(await page.eval('return document.activeElement.tagName'), 'TEXTAREA');
    const ev = (await page.events()).filter((e) => e.name === 'autologoff:extend');
    assert.deepEqual(ev.map((e) => e.detail.how), ['button']);
    const remaining = await page.remaining();
    assert.ok(remaining > 3_000 && remaining <= 5_000, 'a full timeout again: ' + remaining);
    assert.deepEqual(page.problems(), []);
  } finally {
    await browser.close();
  }
});

test('Escape extends (how: key); Tab stays inside the dialog', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '6s', warning: '4500ms' }));
    await page.waitForDialog();
    await sleep(600); // a key answers the dialog once it has been open 0.5 s
    await page.press(Key.TAB);
    assert.equal(await page.focusedAction(), 'logout');
    await page.press(Key.TAB);
    assert.equal(await page.focusedAction(), 'extend');
    // Shift+Tab: focus never leaves the modal dialog (where it lands: the next test).
    await page.press(Key.SHIFT, Key.TAB);
    assert.equal(await page.eval('return document.querySelector(\'[role="alertdialog"]\').contains(document.activeElement)'), true);
    await page.press(Key.ESCAPE);
    assert.equal(await page.dialogCount(), 0);
    assert.equal(await page.state(), 'active');
    assert.deepEqual((await page.events()).filter((e) => e.name === 'autologoff:extend').map((e) => e.detail.how), ['key']);
  } finally {
    await browser.close();
  }
});

// WebKitGTK reports Shift+Tab as key "Unidentified" (GTK sends the ISO_Left_Tab keysym; `code`
// is "Tab", keyCode 9): https://github.com/marijnh/w3c-keyname/issues/13 . The focus trap treats
// an "Unidentified" key with `code === "Tab"` as Tab (src/browser/dialog.rs), so Shift+Tab on
// "Stay signed in" wraps to "Log out now" in GNOME Web, Tauri and other WebKitGTK browsers too.
// Safari on macOS sends key "Tab".
test('Shift+Tab on the first button wraps to the last one', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '6s', warning: '4500ms' }));
    await page.waitForDialog();
    assert.equal(await page.focusedAction(), 'extend');
    await page.press(Key.SHIFT, Key.TAB);
    assert.equal(await page.focusedAction(), 'logout');
  } finally {
    await browser.close();
  }
});

test('"Log out now" logs out with reason user', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '5s', warning: '3500ms' }));
    await page.waitForDialog();
    await page.clickButton('Log out now');
    await page.waitForUrl(LOGIN);
    assert.equal(env.server.state.logouts.find((l) => l.sid === browser.sid)?.reason, 'user');
  } finally {
    await browser.close();
  }
});

test('a page paused past its deadline expires at once on resume, without a warning', {
  skip: 'pausing a page needs the Chrome DevTools Protocol (Debugger.pause); WebDriver classic cannot stop a page\'s timers. See safari.test.mjs for a hidden tab.',
}, () => {});

test('npm entry: start(options) runs the same session; bad options reject naming the option', async () => {
  const browser = await signedIn(env);
  try {
    // A channel of its own: the fail-safe session below must not be the one the next page joins.
    const bad = await browser.open('/portal/npm?' + new URLSearchParams({ timeout: '30s', warning: '1m', channel: 'npm-bad' }));
    await until(() => bad.eval('return window.demoStartError !== undefined'), { what: 'the start error' });
    assert.match(await bad.eval('return window.demoStartError'), /option `warning` must be shorter than `timeout`/);
    // Rejected, and still protected: the fail-safe settings run.
    assert.equal(await bad.state(), 'active');

    const page = await browser.open('/portal/npm?' + new URLSearchParams({ timeout: '4000', warning: '3s' }));
    await until(() => page.eval('return window.demoSession !== undefined'), { what: 'the session' });
    assert.equal(await page.eval('return window.demoSession.state'), 'active');
    await page.waitForDialog();
    assert.deepEqual((await page.events()).map((e) => e.name), ['autologoff:warning']);
    await page.eval('window.demoSession.extend()');
    assert.equal(await page.dialogCount(), 0);
    await page.eval('window.demoSession.logout()');
    await page.waitForUrl(LOGIN);
    assert.deepEqual(page.problems(), []);
  } finally {
    await browser.close();
  }
});

test('session.stop() detaches everything without logging out', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '2s', warning: '1s' }));
    await page.evalAsync('window.autologoff.ready.then((s) => { s.stop(); done(); })');
    assert.equal(await page.state(), 'stopped');
    await sleep(3_000);
    assert.equal(await page.state(), 'stopped');
    assert.equal(await page.dialogCount(), 0);
    assert.ok((await page.url()).includes('/portal'));
    assert.equal(env.server.state.logouts.filter((l) => l.sid === browser.sid).length, 0);
  } finally {
    await browser.close();
  }
});
