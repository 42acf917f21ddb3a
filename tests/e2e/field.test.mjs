// End to end, the way portals and people really run it (issue "Trustworthy in the field"): one
// session identity, only the user answers the warning, fail closed, the server always told,
// tabs share the server's deadline, nothing left behind, framework lifecycles. Each test
// reproduces a reported symptom and failed before its fix. Runs in Chromium and Firefox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import { launch, startServer, signedIn, sid, open, state, sleep, portal, dialog, LOGIN, IN_FIREFOX, landsOn, eventually } from './helpers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = {};
let reactApp;

before(async () => {
  // React 19 in Strict Mode (development build), bundled from the repository's own
  // devDependencies: the README's useEffect example, as a portal would write it.
  reactApp = fs.mkdtempSync(path.join(os.tmpdir(), 'autologoff-react-'));
  fs.writeFileSync(
    path.join(reactApp, 'main.jsx'),
    `import { StrictMode, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { start } from 'autologoff';
function AutoLogoff() {
  useEffect(() => {
    const session = start({ timeout: '4s', warning: '2s', logoutUrl: '/autologoff/logout', redirectUrl: '/login?reason=timeout', channel: 'react' });
    return () => { session.then((s) => s.stop()); };
  }, []);
  return null;
}
createRoot(document.getElementById('root')).render(<StrictMode><AutoLogoff /></StrictMode>);
`,
  );
  fs.writeFileSync(
    path.join(reactApp, 'index.html'),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>React app</title>' +
      '<script type="module" src="/react-app/main.js"></script></head><body><div id="root"></div></body></html>',
  );
  await esbuild.build({
    entryPoints: [path.join(reactApp, 'main.jsx')],
    outfile: path.join(reactApp, 'main.js'),
    bundle: true,
    format: 'esm',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"development"' },
    alias: { autologoff: path.join(root, 'pkg', 'index.js') },
    nodePaths: [path.join(root, 'node_modules')],
    // The package's `new URL('./autologoff_bg.wasm', import.meta.url)` stays as written:
    // served from /react-app/, the .wasm is copied next to the bundle.
    logLevel: 'warning',
  });
  fs.copyFileSync(path.join(root, 'pkg', 'autologoff_bg.wasm'), path.join(reactApp, 'autologoff_bg.wasm'));
  env.server = await startServer({ extraStatic: [['/react-app/', reactApp]] });
  env.browser = await launch();
});

after(async () => {
  await env.browser?.close();
  await env.server?.close();
  if (reactApp) fs.rmSync(reactApp, { recursive: true, force: true });
});

/** A page whose clock reads `ms` ahead of the machine's (another device's clock, or one set). */
async function skewed(context, path, ms) {
  const page = await context.newPage();
  await page.addInitScript((ms) => {
    const real = Date.now.bind(Date);
    Date.now = () => real() + ms;
  }, ms);
  await page.goto(path);
  return page;
}

const active = (page) => page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'active', null, { timeout: 15_000 });
const wake = (page) =>
  page.evaluate(() => {
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event('focus'));
  });
const logoutsOf = (cookie) => env.server.state.logouts.filter((l) => l.sid === cookie);
const auditOf = (cookie) => env.server.state.audit.filter((e) => e.sid === cookie);

/** The fallback logged `cookie`'s session off: one logout request (idle), one console error
 * matching `said`, and `fallback-engaged` in the audit trail. */
function assertFallbackLoggedOff(page, cookie, said) {
  const logout = logoutsOf(cookie);
  assert.equal(logout.length, 1);
  assert.equal(logout[0].reason, 'idle');
  const errors = page.consoleMessages.filter((m) => m.type === 'error' && m.text.startsWith('autologoff:'));
  assert.equal(errors.length, 1);
  assert.match(errors[0].text, said);
  assert.ok(auditOf(cookie).some((e) => e.type === 'fallback-engaged'), 'in the audit trail');
  return logout[0];
}
const faults = (form) => fetch(env.server.url + '/__faults', { method: 'POST', body: new URLSearchParams(form) });

// --- 1. A session needs an identity, not a time heuristic ------------------------------------

test('a server clock 20 s ahead and a second tab 25 s later end nothing', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    // data-session-start from a server 20 s ahead of this device.
    const query = { timeout: '1m', warning: '20s', 'session-start': String(Date.now() + 20_000) };
    const a = await open(context, portal(query));
    await active(a);
    // The second tab, "25 s later": a page whose clock reads 25 s on; then the first tab is
    // clicked into, 25 s on as well (its clock jumps, as if the time had passed).
    const b = await skewed(context, portal(query), 25_000);
    await active(b);
    await a.evaluate(() => {
      const real = Date.now.bind(Date);
      Date.now = () => real() + 25_000;
    });
    await a.bringToFront();
    await wake(a);
    await sleep(500);
    assert.equal(await state(a), 'active', 'the first tab stays signed in');
    assert.equal(await state(b), 'active');
    assert.deepEqual(logoutsOf(cookie), []);
    assert.equal((await fetch(env.server.url + '/api/me', { headers: { cookie: 'sid=' + cookie } })).status, 200);
  } finally {
    await context.close();
  }
});

test("a page of the previous user's session, woken after a new sign-in, ends only its own session and leaves the new one alone", async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const oldId = env.server.state.sessions.get(await sid(context)).publicId;
    const old = await open(context, portal({ timeout: '1m', warning: '20s' }));
    await active(old);
    // Someone signs in anew in this browser (a new cookie); their page runs 15 s later.
    const r = await context.request.post('/login', { form: { user: 'second.user', password: 'x', preset: 'demo' }, maxRedirects: 0 });
    assert.equal(r.status(), 303);
    const cookie = await sid(context);
    const fresh = await skewed(context, portal({ timeout: '1m', warning: '20s' }), 15_000);
    await active(fresh);
    await fresh.evaluate(() => localStorage.setItem('draft', 'the new user\'s'));
    // The old page wakes (a tab brought back, a page restored from the back/forward cache).
    await old.bringToFront();
    await wake(old);
    await landsOn(old, LOGIN, 10_000);
    assert.deepEqual(old.recorded.filter((e) => e.name === 'autologoff:logout').map((e) => e.detail.reason), ['replaced']);
    // The new session is untouched: the one logout request that carries its cookie names the
    // old session (docs/protocol.md 3.3), its record and storage as they were, its page signed in.
    await sleep(500);
    await wake(fresh);
    await sleep(300);
    assert.equal(await state(fresh), 'active');
    assert.deepEqual(logoutsOf(cookie).map((l) => [l.named, l.reason]), [[oldId, 'replaced']]);
    assert.equal(await fresh.evaluate(() => localStorage.getItem('draft')), "the new user's");
    assert.match(await fresh.evaluate(() => localStorage.getItem('autologoff:default')), /^3;[0-9a-z]*;[0-9a-z]+;\d+;-;/);
    assert.equal((await fetch(env.server.url + '/api/me', { headers: { cookie: 'sid=' + cookie } })).status, 200);
  } finally {
    await context.close();
  }
});

test("input on a page of the previous user's session (a window beside the new one) writes nothing over the new session", { skip: IN_FIREFOX && "Firefox's WebDriver BiDi cannot send input to a page in the background (input.performActions fails), and bringing it to the front wakes it first" }, async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const oldId = env.server.state.sessions.get(await sid(context)).publicId;
    const old = await open(context, portal({ timeout: '1m', warning: '20s' }));
    await active(old);
    const r = await context.request.post('/login', { form: { user: 'second.user', password: 'x', preset: 'demo' }, maxRedirects: 0 });
    assert.equal(r.status(), 303);
    const cookie = await sid(context);
    const fresh = await open(context, portal({ timeout: '1m', warning: '20s' }));
    await active(fresh);
    const record = await fresh.evaluate(() => localStorage.getItem('autologoff:default'));
    // The mouse passes over the old window: trusted input, which it would announce at once.
    await old.mouse.move(40, 40);
    await old.mouse.move(80, 90);
    await landsOn(old, LOGIN, 10_000);
    assert.deepEqual(old.recorded.filter((e) => e.name === 'autologoff:logout').map((e) => e.detail.reason), ['replaced']);
    assert.equal((await fresh.evaluate(() => localStorage.getItem('autologoff:default'))).split(';')[2], record.split(';')[2], "the new session's record");
    // The new session's page, woken, goes on.
    await fresh.bringToFront();
    await wake(fresh);
    await sleep(300);
    assert.equal(await state(fresh), 'active');
    assert.deepEqual(logoutsOf(cookie).map((l) => [l.named, l.reason]), [[oldId, 'replaced']], 'only the old session, by name');
    assert.equal((await fetch(env.server.url + '/api/me', { headers: { cookie: 'sid=' + cookie } })).status, 200);
  } finally {
    await context.close();
  }
});

// --- 2. Only the user may press "Stay signed in" ----------------------------------------------

test('a script that clicks "Stay signed in", sends Escape or cancels the dialog keeps nothing alive', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    const page = await open(context, portal({ timeout: '4s', warning: '3s' }));
    await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
    // An auto-clicker, every 100 ms, every way it can.
    await page.evaluate(() => {
      setInterval(() => {
        const d = document.querySelector('[data-autologoff-dialog]');
        document.querySelector('[data-autologoff-action=extend]')?.click();
        d?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
        d?.dispatchEvent(new Event('cancel', { cancelable: true }));
        d?.requestClose?.();
      }, 100);
    });
    await landsOn(page, LOGIN, 10_000);
    assert.deepEqual(page.recorded.filter((e) => e.name === 'autologoff:extend'), []);
    assert.deepEqual(page.recorded.filter((e) => e.name === 'autologoff:logout').map((e) => e.detail.reason), ['idle']);
    assert.equal(logoutsOf(cookie).length, 1);
  } finally {
    await context.close();
  }
});

test('a key held down (something resting on the keyboard) does not keep the session alive', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    // Warned 2 s after the last input, ended 6 s after it. The page's state is not read after
    // the key is let go: under load one key event can take seconds in Firefox over BiDi, and the
    // session could have ended and left the page by then (seen once in CI: the read failed on a
    // page navigating away). What counts is that the warning came while the key was down.
    const page = await open(context, portal({ timeout: '6s', warning: '4s' }));
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'active');
    await page.locator('body').click();
    // The first press counts; the auto-repeats that follow (KeyboardEvent.repeat) do not.
    await page.keyboard.down('Shift');
    const pressedAt = Date.now();
    const warned = () => page.recorded.some((e) => e.name === 'autologoff:warning');
    while (!warned() && Date.now() - pressedAt < 10_000) {
      await sleep(150);
      await page.keyboard.down('Shift');
    }
    const heldFor = Date.now() - pressedAt;
    await page.keyboard.up('Shift').catch(() => {});
    assert.ok(warned(), 'warned while the key was held down (for ' + heldFor + ' ms)');
    assert.ok(!page.recorded.some((e) => e.name === 'autologoff:extend'), 'nothing extended the session');
  } finally {
    await context.close();
  }
});

test('Enter typed just as the warning opens does not press "Stay signed in"; a moment later it does', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context, portal({ timeout: '4s', warning: '3s' }));
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'warning', null, { polling: 10 });
    await page.keyboard.press('Enter'); // focus has just moved to the button
    await sleep(300);
    assert.equal(await state(page), 'warning', 'still warning');
    await sleep(700);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'active', null, { timeout: 2_000 });
  } finally {
    await context.close();
  }
});

// --- 3. Fail closed -------------------------------------------------------------------------

test('a .wasm that cannot be fetched for a moment is fetched again', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    await faults({ wasm: '2' }); // the first two requests fail (a deploy in progress)
    const page = await open(context, portal({ timeout: '1m', warning: '20s', preload: '0' }));
    // The session the tag started: the module's, once its third request got it (the fallback
    // guards the page meanwhile, and would answer only after every retry failed).
    assert.equal(await page.evaluate(() => window.autologoff.ready.then((s) => s.state)), 'active');
    assert.equal(env.server.state.faults.wasm, 'ok', 'both failures were met');
    assert.deepEqual(page.consoleMessages.filter((m) => m.type === 'error' && m.text.startsWith('autologoff:')), [], 'no fallback');
  } finally {
    await faults({ wasm: 'ok' });
    await context.close();
  }
});

test('when the module cannot run at all, a fallback still logs off: covered, server told, storage cleared, redirected', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    await faults({ wasm: 'fail' });
    const page = await open(context, portal({ timeout: '3s', warning: '1s', preload: '0' }));
    await page.evaluate(() => localStorage.setItem('draft-note', 'PHI'));
    // The deadline comes while the module is still being retried: the fallback enforces it.
    await landsOn(page, LOGIN, 40_000);
    assert.equal(assertFallbackLoggedOff(page, cookie, /fallback/).csrfOk, true);
    assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), []);
    assert.deepEqual(page.recorded.map((e) => e.name), ['autologoff:logout', 'covered']);
    assert.deepEqual(page.recorded.find((e) => e.name === 'covered').detail, { cover: true, bodyHidden: true }, 'covered before leaving');
    assert.equal((await fetch(env.server.url + '/api/me', { headers: { cookie: 'sid=' + cookie } })).status, 401);
  } finally {
    await faults({ wasm: 'ok' });
    await context.close();
  }
});

test('a .wasm download that hangs still ends in the fallback, within its bound', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    await faults({ wasm: 'hang' }); // accepted, never answered: no error, no retry would come
    const page = await open(context, portal({ timeout: '3s', warning: '1s', preload: '0' }));
    // The deadline comes long before the load's bound: the fallback enforces it, from the start.
    await landsOn(page, LOGIN, 45_000);
    assertFallbackLoggedOff(page, cookie, /not running yet when the session ended \(idle\).*fallback/);
  } finally {
    await faults({ wasm: 'ok' });
    await context.close();
  }
});

test('the npm entry that cannot tell where the .wasm is still protects the page (fallback)', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    const page = await open(context, '/portal/npm?' + new URLSearchParams({ timeout: '3s', warning: '1s', 'wasm-url': 'http://[' }));
    await landsOn(page, LOGIN, 15_000);
    assert.equal(logoutsOf(cookie).length, 1);
    assert.ok(auditOf(cookie).some((e) => e.type === 'fallback-engaged'), 'in the audit trail');
  } finally {
    await context.close();
  }
});

test('the script tag loaded with type="module" still reads its data-* attributes', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context, portal({ timeout: '3s', warning: '2s', tag: 'module' }));
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'warning', null, { timeout: 10_000 });
    await dialog(page).waitFor({ state: 'visible' });
  } finally {
    await context.close();
  }
});

test('a malformed attribute never weakens protection: logout URL, absolute limit, channel', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    const page = await open(
      context,
      portal({ timeout: '1m', warning: '20s', 'absolute-timeout': '8 hours', channel: 'billing portal', 'logout-url': 'javascript:void(0)' }),
    );
    await active(page);
    await sleep(300);
    const started = auditOf(cookie).find((e) => e.type === 'session-started');
    assert.equal(started.policy.absolute, 12 * 3_600_000, 'a malformed absolute limit is 12 h, not none');
    assert.notEqual(started.channel, 'default', 'never the default channel');
    assert.deepEqual(auditOf(cookie).filter((e) => e.type === 'config-error').map((e) => e.field).sort(), ['absoluteTimeout', 'channel', 'logoutUrl']);
    // A page of the same portal on the default channel is another session: it keeps nothing
    // of this one alive and ends nothing of it.
    const other = await open(context, portal({ timeout: '1m', warning: '20s' }));
    await active(other);
    await other.evaluate(() => window.autologoff.ready.then((s) => s.logout()));
    await landsOn(other, LOGIN, 10_000);
    await wake(page);
    await sleep(300);
    assert.equal(await state(page), 'active');
  } finally {
    await context.close();
  }
});

// --- 4. The server is always told -----------------------------------------------------------

test('a rejected logout falls back to a beacon, and the next page of the session sends it again', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    await faults({ logout: 'reset' }); // fetch() rejects
    const page = await open(context, portal({ timeout: '3s', warning: '1s', 'logout-wait': '1500ms' }));
    await landsOn(page, LOGIN, 15_000);
    await sleep(500);
    // The fetch, then the beacon (its CSRF token as a form field); neither got an answer. (The
    // browser may itself try a reset request again: at least these two.)
    const tried = logoutsOf(cookie);
    assert.ok(tried.some((l) => l.via === 'header') && tried.some((l) => l.via === 'form'), JSON.stringify(tried));
    assert.ok(tried.every((l) => l.csrfOk));
    assert.equal((await fetch(env.server.url + '/api/me', { headers: { cookie: 'sid=' + cookie } })).status, 200, 'still alive on the server');
    // The network is back. The next page of this session sends the logout before anything else.
    await faults({ logout: 'ok' });
    const next = await open(context, portal({ timeout: '1m', warning: '20s' }));
    await landsOn(next, /\/login/, 10_000);
    assert.equal(logoutsOf(cookie).length, tried.length + 1);
    assert.equal(logoutsOf(cookie).at(-1).known, true);
    assert.equal((await fetch(env.server.url + '/api/me', { headers: { cookie: 'sid=' + cookie } })).status, 401);
    // (Possibly sent after the logout's answer cleared the cookie: found by the session's identity.)
    // The audit beacon is sent as the page leaves: it arrives when it arrives.
    const session = auditOf(cookie).find((e) => e.type === 'session-started').session;
    assert.ok(await eventually(() => env.server.state.audit.some((e) => e.session === session && e.type === 'logout-retried')));
  } finally {
    await faults({ logout: 'ok' });
    await context.close();
  }
});

test('a tab reopened after the shared deadline, every tab closed meanwhile, logs that session out at once', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    const page = await open(context, portal({ timeout: '3s', warning: '1s' }));
    await active(page);
    await page.close(); // every tab closed (or a background tab discarded)
    await sleep(4_000);
    const reopened = await open(context, portal({ timeout: '3s', warning: '1s' }));
    await landsOn(reopened, LOGIN, 5_000);
    // At once: a fresh timeout would have warned first, 2 s after the page started. (No bound
    // on the wall time: on a loaded machine opening the page alone can take longer than that.)
    assert.deepEqual(reopened.recorded.filter((e) => e.name === 'autologoff:warning'), []);
    assert.equal(logoutsOf(cookie).length, 1);
    assert.equal(logoutsOf(cookie)[0].reason, 'idle');
  } finally {
    await context.close();
  }
});

// --- 5. Tabs share the server's deadline ----------------------------------------------------

test("one tab's keepalive answers keep the server's deadline for every tab", async () => {
  // The server ends an idle session after 9 s; the client after 6 s, pinging every second
  // while the user is active. Active in A for 2 s, then only in B for 11 s: past the server
  // deadline A last heard of. (Both tabs must be active before the warning, 4 s after the first
  // started: B's input would not close a warning.)
  const context = await env.browser.newContext({ baseURL: env.server.url });
  try {
    const r = await context.request.post('/login', { form: { user: 'n', password: 'x', preset: 'demo', serverIdle: '9000' }, maxRedirects: 0 });
    assert.equal(r.status(), 303);
    const query = { timeout: '6s', warning: '2s', 'keepalive-interval': '1s' };
    const a = await open(context, portal(query));
    const b = await open(context, portal(query));
    await active(a);
    await active(b);
    for (const [page, ms] of [[a, 2_000], [b, 11_000]]) {
      const until = Date.now() + ms;
      for (let i = 0; Date.now() < until; i++) {
        await page.mouse.move(100 + (i % 40) * 9, 200 + (i % 2) * 3);
        await sleep(150);
      }
    }
    assert.equal(await state(a), 'active', 'A is not ended by its own old idea of the server deadline');
    assert.equal(await state(b), 'active');
    assert.deepEqual([...a.recorded, ...b.recorded].filter((e) => e.name === 'autologoff:logout'), []);
  } finally {
    await context.close();
  }
});

// --- 6. Nothing left behind -----------------------------------------------------------------

// This test loads both cores on purpose. Beside other suites (AUTOLOGOFF_SIDE_BY_SIDE, set by
// scripts/test.sh for its lanes) it would starve their browsers too, and their timeouts of
// seconds would measure the load, not autologoff: there it is skipped, and scripts/test.sh runs
// it on its own after the lanes.
const SIDE_BY_SIDE = process.env.AUTOLOGOFF_SIDE_BY_SIDE === '1' && 'loads both cores: scripts/test.sh runs it after the lanes, on its own';

test('exactly one logout request for five tabs expiring together, run after run, under CPU load', { skip: SIDE_BY_SIDE }, async () => {
  // Two threads keep both cores busy, so the tabs' timers run late and far apart: a tab whose
  // timer fires after another tab's logout was answered (its Clear-Site-Data may have freed the
  // lock) is the race this looks for. It was seen in half the runs.
  const load = [0, 1].map(() => new Worker('const end = Date.now() + 120000; while (Date.now() < end) {}', { eval: true }));
  try {
    for (let run = 0; run < 6; run++) {
      const context = await signedIn(env.browser, env.server);
      try {
        const cookie = await sid(context);
        const pages = [];
        for (let i = 0; i < 5; i++) pages.push(await open(context, portal({ timeout: '8s', warning: '1s' })));
        if (!IN_FIREFOX) {
          // Chromium: each tab's scripts also run several times slower (CDP CPU throttling).
          for (const [i, p] of pages.entries()) {
            const cdp = await context.newCDPSession(p);
            await cdp.send('Emulation.setCPUThrottlingRate', { rate: 2 + 2 * i });
          }
        }
        await Promise.all(pages.map((p) => landsOn(p, LOGIN, 40_000)));
        await sleep(1_000); // a straggler would have arrived by now
        assert.equal(logoutsOf(cookie).length, 1, 'run ' + run + ': ' + JSON.stringify(logoutsOf(cookie)));
      } finally {
        await context.close();
      }
    }
  } finally {
    await Promise.all(load.map((w) => w.terminate()));
  }
});

test('a frozen tab that resumes after the other tab logged out sends no second logout request', { skip: IN_FIREFOX && 'pausing a page needs the Chrome DevTools Protocol' }, async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    const a = await open(context, portal({ timeout: '4s', warning: '1s' }));
    const b = await open(context, portal({ timeout: '4s', warning: '1s' }));
    await active(a);
    await active(b);
    // B is frozen (its scripts stopped, as a frozen or sleeping tab's are) through the deadline
    // and A's whole logout: A's Clear-Site-Data answer and its leaving free the lock.
    const cdp = await context.newCDPSession(b);
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.pause');
    await landsOn(a, LOGIN, 15_000);
    await sleep(1_000);
    await cdp.send('Debugger.resume');
    await landsOn(b, LOGIN, 10_000);
    await sleep(1_000);
    assert.equal(logoutsOf(cookie).length, 1, JSON.stringify(env.server.state.logouts.slice(-3)));
    assert.equal(env.server.state.logouts.at(-1).sid, cookie, 'no request without the cookie after it');
  } finally {
    await context.close();
  }
});

test('cookies set for a directory path with a trailing slash are expired too', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context, '/portal/npm?' + new URLSearchParams({ timeout: '1m', warning: '20s' }));
    await page.waitForFunction(() => window.demoSession !== undefined, null, { timeout: 10_000 });
    await page.evaluate(() => {
      document.cookie = 'dir_slash=1; path=/portal/';
      document.cookie = 'dir=1; path=/portal';
    });
    assert.match(await page.evaluate(() => document.cookie), /dir_slash=1/);
    await page.evaluate(() => window.demoSession.logout());
    await landsOn(page, LOGIN, 10_000);
    assert.deepEqual((await context.cookies()).map((c) => c.name), []);
  } finally {
    await context.close();
  }
});

test('on https, __Secure- and __Host- cookies are expired too', async () => {
  // A self-signed certificate for 127.0.0.1, made for this test (openssl, from Debian).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autologoff-tls-'));
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const secure = await startServer({ tls: { key: fs.readFileSync(key), cert: fs.readFileSync(cert) } });
  const context = await env.browser.newContext({ baseURL: secure.url, ignoreHTTPSErrors: true });
  try {
    const r = await context.request.post('/login', { form: { user: 'n', password: 'x', preset: 'demo' }, maxRedirects: 0 });
    assert.equal(r.status(), 303);
    const page = await open(context, portal({ timeout: '1m', warning: '20s' }));
    await active(page);
    await page.evaluate(() => {
      document.cookie = '__Host-theme=dark; Secure; Path=/';
      document.cookie = '__Secure-hint=1; Secure; Path=/';
      document.cookie = 'plain_secure=1; Secure; Path=/portal';
    });
    assert.deepEqual((await context.cookies()).map((c) => c.name).sort(), ['__Host-theme', '__Secure-hint', 'plain_secure', 'sid']);
    // Without the server's Clear-Site-Data (it answers 500 here), only the page's writes can do it.
    secure.state.faults.logout = 'error';
    await page.evaluate(() => window.autologoff.ready.then((s) => s.logout()));
    await landsOn(page, /\/login/, 10_000);
    assert.deepEqual((await context.cookies()).map((c) => c.name), ['sid'], 'only the HttpOnly one, which is the server\'s');
  } finally {
    await context.close();
    await secure.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('where indexedDB.databases() is missing, the audit trail says the databases could not be cleared', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    await context.addInitScript(() => {
      delete IDBFactory.prototype.databases;
    });
    const page = await open(context, portal({ timeout: '1m', warning: '20s' }));
    await active(page);
    await page.evaluate(() => window.autologoff.ready.then((s) => s.logout()));
    await landsOn(page, LOGIN, 10_000);
    await sleep(300);
    // Sent after the logout response cleared the cookies: found by the tab's id.
    const tab = auditOf(cookie).find((e) => e.type === 'session-started').tab;
    const incomplete = env.server.state.audit.filter((e) => e.tab === tab && e.type === 'clear-incomplete');
    assert.deepEqual(incomplete.map((e) => e.what), ['indexeddb']);
  } finally {
    await context.close();
  }
});

test('without a redirect the page content is removed from the document and its media paused', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context, portal({ timeout: '1m', warning: '20s' }));
    await active(page);
    await page.evaluate(() => {
      window.__paused = 0;
      const pause = HTMLMediaElement.prototype.pause;
      HTMLMediaElement.prototype.pause = function () {
        window.__paused++;
        return pause.call(this);
      };
      document.body.append(document.createElement('video'), document.createElement('audio'));
    });
    // No redirect: the demo's redirect is taken away for this page.
    await page.evaluate(() => window.autologoff.start({ timeout: '1m', warning: '20s', logoutUrl: '/autologoff/logout' }).then((s) => s.logout()));
    await page.waitForFunction(() => !!document.querySelector('[data-autologoff-sign-in]'), null, { timeout: 10_000 });
    const left = await page.evaluate(() => ({
      body: document.body.childElementCount,
      phi: !!document.querySelector('[data-phi]'),
      text: document.documentElement.textContent.includes('Jane Q. Sample'),
      paused: window.__paused,
    }));
    assert.deepEqual(left, { body: 0, phi: false, text: false, paused: 2 });
  } finally {
    await context.close();
  }
});

// --- 7. Framework lifecycles ----------------------------------------------------------------

test("React 19 Strict Mode: the README's useEffect example runs a session, and it logs off", async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const cookie = await sid(context);
    const page = await open(context, '/react-app/index.html');
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState !== undefined, null, { timeout: 10_000 });
    await sleep(300);
    assert.equal(await state(page), 'active', 'mount, unmount, mount: a session runs');
    await landsOn(page, LOGIN, 15_000);
    // This static app has no CSRF token, so the demo server refuses the logout with a 403: not
    // told (docs/protocol.md 3.3), so it goes again as a beacon, which is refused too.
    assert.deepEqual(logoutsOf(cookie).map((l) => [l.reason, l.csrfOk]), [['idle', false], ['idle', false]]);
    assert.deepEqual(page.consoleMessages.filter((m) => m.type === 'error' && !m.text.startsWith('Failed to load resource')), []);
  } finally {
    await context.close();
  }
});

test('start() and stop() in any order end as asked last', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context, '/portal/npm?' + new URLSearchParams({ timeout: '1m', warning: '20s', channel: 'order' }));
    await page.waitForFunction(() => window.demoSession !== undefined, null, { timeout: 10_000 });
    const states = await page.evaluate(async () => {
      const { start, stop } = await import('/pkg/index.js');
      const seen = [];
      const at = () => seen.push(document.documentElement.dataset.autologoffState);
      // stop() before a pending start() resolves cancels it.
      const a = start({ timeout: '1m', warning: '20s', channel: 'order' });
      stop();
      await a;
      at();
      // start, stop, start: started.
      const b = start({ timeout: '1m', warning: '20s', channel: 'order' });
      stop();
      const c = start({ timeout: '1m', warning: '20s', channel: 'order' });
      (await b).stop(); // an overtaken start's handle stops nothing
      await c;
      at();
      // start while one runs: the later one replaces it.
      const d = await start({ timeout: '2m', warning: '20s', channel: 'order' });
      at();
      seen.push((await c).state, d.state);
      stop();
      at();
      return seen;
    });
    assert.deepEqual(states, ['stopped', 'active', 'active', 'stopped', 'active', 'stopped']);
  } finally {
    await context.close();
  }
});
