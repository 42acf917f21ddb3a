// End to end in Chromium through Playwright: what reads Chromium's own accessibility tree or
// needs Playwright's emulation. Everything else about the warning as people meet it (the live
// region, the keyboard, the tab title, the page's own words, right-to-left, frames, the
// strict-CSP error, the preload hint) is written once for every engine in
// tests/scenarios/accessibility.mjs.
//
// Apart, and why:
// - axe-core in light and dark: the colour scheme is emulated (emulateMedia), axe runs in a
//   context that bypasses the CSP, and the tree is read with Playwright's accessibility snapshot
//   (WebKit's counterpart reads WebKit's own tree through WebDriver's computed role and name:
//   tests/webkit/accessibility.test.mjs);
// - a phone's touch screen: touch emulation and CDP touch events (WebKitGTK has no touch events
//   on the desktop; Firefox's lane does not run this file);
// - screenshots in emulated light, dark and forced-colors modes and at a 320 px viewport
//   (WebDriver classic emulates no media; WebKit's narrow window is its own test).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { signedIn, open, state, sleep, useServerAndBrowser, portal, dialog } from './helpers.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const ARTIFACTS = new URL('./artifacts/', import.meta.url);

const env = useServerAndBrowser();
before(() => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});

for (const scheme of ['light', 'dark']) {
test(`axe-core finds no violations in the open dialog (${scheme}); the accessibility tree reads as an alert dialog`, async () => {
  // The audit tool itself needs eval, which the portal's CSP rightly forbids: this one context
  // bypasses the CSP so axe can run (autologoff's own CSP behaviour is tested elsewhere).
  const context = await env.browser.newContext({ baseURL: env.server.url, bypassCSP: true });
  await context.request.post('/login', { form: { user: 'axe', preset: 'demo' }, maxRedirects: 0 });
  try {
    const page = await open(context);
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(portal({ timeout: '40s', warning: '39s' }));
    await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
    await page.addScriptTag({ content: AXE });
    const result = await page.evaluate(() =>
      window.axe.run('[data-autologoff-dialog]', { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }),
    );
    assert.deepEqual(result.violations.map((v) => v.id + ': ' + v.help), []);
    const snapshot = await dialog(page).ariaSnapshot();
    assert.match(snapshot, /alertdialog "Your session is about to expire"/);
    assert.match(snapshot, /button "Stay signed in"/);
    assert.match(snapshot, /button "Log out now"/);
    // The ticking m:ss is hidden; the time is only in the polite status region.
    const timed = snapshot.split('\n').filter((l) => /\d:\d\d/.test(l));
    assert.deepEqual(timed.map((l) => l.trim().split(':')[0]), ['- status'], snapshot);
  } finally {
    await context.close();
  }
});
}

test('touch: taps and touch scrolling keep the session alive on a phone; the warning is usable by touch', async () => {
  const context = await signedIn(env.browser, env.server);
  await context.close();
  const phone = await env.browser.newContext({ baseURL: env.server.url, viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
  try {
    await phone.request.post('/login', { form: { user: 'phone', preset: 'demo' }, maxRedirects: 0 });
    const page = await open(phone, portal({ timeout: '3s', warning: '2s' }));
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'active');
    const cdp = await phone.newCDPSession(page);
    const until = Date.now() + 4_000;
    for (let i = 0; Date.now() < until; i++) {
      if (i % 2) {
        await page.touchscreen.tap(180, 400);
      } else {
        // A swipe up: trusted touch events that scroll the page.
        const y = 500;
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: 180, y }] });
        for (let d = 20; d <= 100; d += 20) {
          await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: 180, y: y - d }] });
        }
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      }
      await sleep(300);
    }
    assert.equal(await state(page), 'active');
    await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
    for (const name of ['Stay signed in', 'Log out now']) {
      const box = await page.getByRole('button', { name }).boundingBox();
      assert.ok(box.width >= 44 && box.height >= 44, name + ' is a large touch target: ' + JSON.stringify(box));
      assert.ok(box.x >= 0 && box.x + box.width <= 360, name + ' fits a 360 px screen');
    }
    await page.screenshot({ path: new URL('dialog-phone.png', ARTIFACTS).pathname });
    const box = await page.getByRole('button', { name: 'Stay signed in' }).boundingBox();
    await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
    await dialog(page).waitFor({ state: 'detached', timeout: 2_000 });
    assert.equal(await state(page), 'active');
  } finally {
    await phone.close();
  }
});

test('screenshots of the dialog in light, dark and forced-colors modes, and at 200 % zoom', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    for (const [name, media] of [['light', { colorScheme: 'light' }], ['dark', { colorScheme: 'dark' }], ['forced-colors', { forcedColors: 'active' }]]) {
      const page = await open(context);
      await page.emulateMedia(media);
      await page.goto(portal({ timeout: '40s', warning: '39s' }));
      await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
      await page.screenshot({ path: new URL(`dialog-${name}.png`, ARTIFACTS).pathname });
      const colors = await page.evaluate(() => getComputedStyle(document.querySelector('[data-autologoff-dialog]')).backgroundColor);
      if (name === 'dark') assert.equal(colors, 'rgb(27, 36, 48)', 'dark background in dark mode');
      if (name === 'light') assert.equal(colors, 'rgb(255, 255, 255)');
      await page.close();
    }
    // 200 % zoom of a 640 px window is a 320 px layout: nothing may be cut off.
    const zoomed = await env.browser.newContext({ baseURL: env.server.url, viewport: { width: 320, height: 480 }, deviceScaleFactor: 2 });
    await zoomed.request.post('/login', { form: { user: 'zoom', preset: 'demo' }, maxRedirects: 0 });
    const page = await open(zoomed, portal({ timeout: '40s', warning: '39s' }));
    await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
    const box = await dialog(page).boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 320, 'fits 320 px: ' + JSON.stringify(box));
    const overflow = await page.evaluate(() => {
      const d = document.querySelector('[data-autologoff-dialog]');
      return [...d.querySelectorAll('button, h2, p')].some((e) => e.scrollWidth > e.clientWidth + 1);
    });
    assert.equal(overflow, false, 'no text cut off at 320 px');
    await page.screenshot({ path: new URL('dialog-320px.png', ARTIFACTS).pathname });
    await zoomed.close();
  } finally {
    await context.close();
  }
});
