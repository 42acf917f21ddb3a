// End to end: the warning as people meet it — keyboard, screen reader text, touch, frames,
// the tab title, the page's own words, right-to-left, themes — and the strict-CSP errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { signedIn, open, state, sleep, useServerAndBrowser, portal, dialog, LOGIN } from './helpers.mjs';

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

test('the live region speaks at coarse steps, not every second', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context, portal({ timeout: '40s', warning: '38s' }));
    await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
    const changes = await page.evaluate(async () => {
      const live = document.querySelector('[data-autologoff-live]');
      const countdown = document.querySelector('[data-autologoff-countdown]');
      let spoken = 0;
      let ticks = 0;
      new MutationObserver(() => spoken++).observe(live, { childList: true, characterData: true, subtree: true });
      new MutationObserver(() => ticks++).observe(countdown, { childList: true, characterData: true, subtree: true });
      await new Promise((r) => setTimeout(r, 4_500));
      return { spoken, ticks, said: live.textContent };
    });
    assert.ok(changes.ticks >= 3, 'the visible countdown ticks every second: ' + changes.ticks);
    assert.ok(changes.spoken <= 1, 'at most one announcement in 4.5 s: ' + changes.spoken);
    assert.match(changes.said, /^Time left: 0:\d\d$/);
  } finally {
    await context.close();
  }
});

test('keyboard only: the warning takes focus, Tab cycles inside, Enter on "Stay signed in" extends', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context, portal({ timeout: '4s', warning: '3s' }));
    await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
    const focused = () => page.evaluate(() => document.activeElement?.dataset.autologoffAction ?? document.activeElement?.tagName);
    assert.equal(await focused(), 'extend');
    await sleep(600); // a key answers the dialog once it has been open 0.5 s
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'extend', 'Tab wraps');
    await page.keyboard.press('Enter');
    assert.equal(await dialog(page).count(), 0);
    assert.equal(await state(page), 'active');
  } finally {
    await context.close();
  }
});

test('the tab title counts down during the warning and is restored after', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context, portal({ timeout: '4s', warning: '3s' }));
    const original = await page.title();
    await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
    await sleep(600); // and a key answers the dialog once it has been open 0.5 s
    assert.match(await page.title(), /^\(0:0[1-3]\) Session expiring — Patient record — Riverside Health$/);
    await page.keyboard.press('Escape');
    assert.equal(await page.title(), original);
  } finally {
    await context.close();
  }
});

test("the page's own words, Spanish built in, and right-to-left text", async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const es = await open(context, portal({ timeout: '4s', warning: '3s', lang: 'es' }));
    await dialog(es).waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await es.locator('[data-autologoff-action="extend"]').textContent(), 'Seguir conectado');
    assert.match(await es.title(), /La sesión caduca/);
    await es.close();

    const ar = await open(context, portal({
      timeout: '4s', warning: '3s', lang: 'ar',
      'dialog-title': 'ستنتهي جلستك قريبًا', 'dialog-message': 'سيتم تسجيل خروجك بسبب عدم النشاط.',
      'stay-label': 'البقاء متصلاً', 'logout-label': 'تسجيل الخروج', 'time-left-label': 'الوقت المتبقي:',
      'title-prefix': 'الجلسة تنتهي',
    }));
    await dialog(ar).waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await dialog(ar).getAttribute('dir'), 'rtl');
    assert.equal(await dialog(ar).getAttribute('lang'), 'ar');
    const stay = await ar.getByRole('button', { name: 'البقاء متصلاً' }).boundingBox();
    const out = await ar.getByRole('button', { name: 'تسجيل الخروج' }).boundingBox();
    assert.ok(stay.x > out.x, 'the first button sits on the right in a right-to-left dialog');
    assert.match(await ar.locator('[data-autologoff-live]').textContent(), /^الوقت المتبقي: 0:0\d$/);
    await ar.screenshot({ path: new URL('dialog-rtl.png', ARTIFACTS).pathname });
  } finally {
    await context.close();
  }
});

test('dialog: false leaves the warning to the page: events and the API still work', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context, portal({ timeout: '3s', warning: '2s', dialog: 'false' }));
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'warning', null, { timeout: 10_000 });
    assert.equal(await dialog(page).count(), 0);
    assert.deepEqual(page.recorded.filter((e) => e.name === 'autologoff:warning').length, 1);
    assert.equal(await page.evaluate(() => window.autologoff.ready.then((s) => s.extend())), true);
    assert.equal(await state(page), 'active');
  } finally {
    await context.close();
  }
});

// frame=slow: the frame finishes loading 1.5 s after the page, long after autologoff started
// (a frame's load is seen on its parent's document, not its window).
for (const frame of ['1', 'slow']) {
  test(`input inside a same-origin frame keeps the session alive (frame=${frame})`, async () => {
    const context = await signedIn(env.browser, env.server);
    try {
      // The page's load waits for the slow frame: a timeout long enough that the session is
      // still active by then, and typing for longer than it.
      const page = await open(context, portal({ timeout: '5s', warning: '2s', frame }));
      await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'active');
      const inside = page.frameLocator('iframe');
      await inside.locator('#frame-note').waitFor();
      await inside.locator('#frame-note').click();
      const until = Date.now() + 6_000;
      while (Date.now() < until) {
        await page.keyboard.type('x'); // focus is inside the frame
        await sleep(250);
      }
      assert.equal(await state(page), 'active', 'typing in the frame is activity');
      assert.equal(await dialog(page).count(), 0);
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

test('under a CSP without wasm-unsafe-eval, one clear console error names the fix', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context, portal({ timeout: '1m', warning: '20s', csp: 'nowasm' }));
    await page.waitForFunction(() => window.autologoff && window.autologoff.ready.catch(() => 'failed'));
    await page.evaluate(() => window.autologoff.ready.catch(() => {}));
    await sleep(200);
    const errors = page.consoleMessages.filter((m) => m.type === 'error' && m.text.startsWith('autologoff:'));
    assert.equal(errors.length, 1, JSON.stringify(page.consoleMessages));
    assert.match(errors[0].text, /'wasm-unsafe-eval'/);
    assert.match(errors[0].text, /application\/wasm/);
  } finally {
    await context.close();
  }
});

test('the preload hint is used (the .wasm is downloaded once), and the tag works without it', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    for (const preload of [true, false]) {
      const page = await context.newPage();
      const wasm = [];
      page.on('request', (r) => { if (new URL(r.url()).pathname === '/assets/autologoff/autologoff_bg.wasm') wasm.push(r.url()); });
      await page.goto(portal({ timeout: '1m', warning: '20s', ...(preload ? {} : { preload: '0' }) }));
      await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'active', null, { timeout: 10_000 });
      const hint = await page.evaluate(() => document.querySelectorAll('link[rel=preload][href$="autologoff_bg.wasm"]').length);
      assert.equal(hint, preload ? 1 : 0);
      // A preload the module's own fetch did not match would be downloaded a second time.
      assert.equal(wasm.length, 1, (preload ? 'with' : 'without') + ' the hint: ' + JSON.stringify(wasm));
      await page.close();
    }
  } finally {
    await context.close();
  }
});

test('a .wasm served with the wrong Content-Type still loads', async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context, portal({ timeout: '1m', warning: '20s', asset: 'octet' }));
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'active', null, { timeout: 10_000 });
    const responses = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name).filter((n) => n.endsWith('.wasm')));
    assert.deepEqual(responses.map((u) => new URL(u).pathname), ['/assets-octet/autologoff/autologoff_bg.wasm']);
  } finally {
    await context.close();
  }
});
