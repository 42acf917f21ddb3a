// End to end in WebKit: the warning as people meet it (axe-core, WebKit's own accessibility
// tree, keyboard, the tab title, words and direction), same-origin frames, the strict-CSP
// error, and the .wasm preload hint. The specification is tests/e2e/accessibility.test.mjs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import dc from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { useServerAndWebKit, signedIn, portal, sleep, until, By, Key } from './helpers.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const ARTIFACTS = new URL('../e2e/artifacts/', import.meta.url);

const env = useServerAndWebKit();
before(() => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});

// Every request the in-process demo server receives (Node's own HTTP instrumentation), for
// counting downloads the way Playwright's page.on('request') does.
const requests = [];
dc.subscribe('http.server.request.start', ({ request }) => requests.push(request.url));

test('axe-core finds no violations in the open dialog; WebKit computes the alertdialog role and names', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '40s', warning: '39s' }));
    await page.waitForDialog();
    // The portal's CSP (no 'unsafe-inline', Trusted Types required) blocks a script tag; a
    // WebDriver "execute script" runs as the automation, which the page's CSP does not govern
    // (https://www.w3.org/TR/webdriver2/#execute-script). Playwright's test bypasses the CSP
    // for the whole context instead; here autologoff runs under the real policy throughout.
    assert.equal(await page.eval(AXE + '\n;return typeof window.axe.run'), 'function');
    const violations = await page.evalAsync(
      `window.axe.run('[data-autologoff-dialog]', { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] })
        .then((r) => done(r.violations.map((v) => v.id + ': ' + v.help)), (e) => done(['axe failed: ' + e]));`,
    );
    assert.deepEqual(violations, []);
    // WebKit's accessibility tree, through WebDriver's computed role and label.
    const role = (css) => page.run(async (d) => { const e = await d.findElement(By.css(css)); return [await e.getAriaRole(), await e.getAccessibleName()]; });
    assert.deepEqual(await role('[data-autologoff-dialog]'), ['alertdialog', 'Your session is about to expire']);
    assert.deepEqual(await role('[data-autologoff-action="extend"]'), ['button', 'Stay signed in']);
    assert.deepEqual(await role('[data-autologoff-action="logout"]'), ['button', 'Log out now']);
    assert.equal((await role('[data-autologoff-live]'))[0], 'status');
    assert.deepEqual(page.problems(), [], 'autologoff ran under the strict CSP without a violation');
    const png = await page.run((d) => d.takeScreenshot());
    fs.writeFileSync(new URL('dialog-webkit.png', ARTIFACTS), png, 'base64');
  } finally {
    await browser.close();
  }
});

test('the dialog in dark mode', { skip: 'WebDriver classic cannot emulate prefers-color-scheme (Playwright emulateMedia); MiniBrowser follows the GTK theme' }, () => {});

test('the live region speaks at coarse steps, not every second', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '40s', warning: '38s' }));
    await page.waitForDialog();
    const changes = await page.evalAsync(`
      const live = document.querySelector('[data-autologoff-live]');
      const countdown = document.querySelector('[data-autologoff-countdown]');
      let spoken = 0;
      let ticks = 0;
      new MutationObserver(() => spoken++).observe(live, { childList: true, characterData: true, subtree: true });
      new MutationObserver(() => ticks++).observe(countdown, { childList: true, characterData: true, subtree: true });
      setTimeout(() => done({ spoken, ticks, said: live.textContent }), 4_500);`);
    assert.ok(changes.ticks >= 3, 'the visible countdown ticks every second: ' + changes.ticks);
    assert.ok(changes.spoken <= 1, 'at most one announcement in 4.5 s: ' + changes.spoken);
    assert.match(changes.said, /^Time left: 0:\d\d$/);
  } finally {
    await browser.close();
  }
});

test('keyboard only: the warning takes focus, Tab cycles inside, Enter on "Stay signed in" extends', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '6s', warning: '5s' }));
    await page.waitForDialog();
    assert.equal(await page.focusedAction(), 'extend');
    await sleep(600); // a key answers the dialog once it has been open 0.5 s
    await page.press(Key.TAB);
    await page.press(Key.TAB);
    assert.equal(await page.focusedAction(), 'extend', 'Tab wraps');
    await page.press(Key.ENTER);
    assert.equal(await page.dialogCount(), 0);
    assert.equal(await page.state(), 'active');
  } finally {
    await browser.close();
  }
});

test('the tab title counts down during the warning and is restored after', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '6s', warning: '5s' }));
    const original = await page.title();
    await page.waitForDialog();
    await sleep(600); // and a key answers the dialog once it has been open 0.5 s
    assert.match(await page.title(), /^\(0:0[1-5]\) Session expiring — Patient record — Riverside Health$/);
    await page.press(Key.ESCAPE);
    assert.equal(await page.title(), original);
  } finally {
    await browser.close();
  }
});

test("the page's own words, Spanish built in, and right-to-left text", async () => {
  const browser = await signedIn(env);
  try {
    const es = await browser.open(portal({ timeout: '6s', warning: '5s', lang: 'es' }));
    await es.waitForDialog();
    assert.equal(await es.eval('return document.querySelector(\'[data-autologoff-action="extend"]\').textContent'), 'Seguir conectado');
    assert.match(await es.title(), /La sesión caduca/);
    // Leave the page (closing the browser's only window would end the WebDriver session).
    await es.goto('/login');

    // A channel of its own: the Spanish page's deadline is not this one's.
    const ar = await browser.open(portal({
      timeout: '6s', warning: '5s', lang: 'ar', channel: 'rtl',
      'dialog-title': 'ستنتهي جلستك قريبًا', 'dialog-message': 'سيتم تسجيل خروجك بسبب عدم النشاط.',
      'stay-label': 'البقاء متصلاً', 'logout-label': 'تسجيل الخروج', 'time-left-label': 'الوقت المتبقي:',
      'title-prefix': 'الجلسة تنتهي',
    }));
    await ar.waitForDialog();
    const layout = await ar.eval(`
      const d = document.querySelector('[role="alertdialog"]');
      const x = (action) => d.querySelector('[data-autologoff-action="' + action + '"]').getBoundingClientRect().x;
      return { dir: d.getAttribute('dir'), lang: d.getAttribute('lang'), stay: x('extend'), out: x('logout'), live: d.querySelector('[data-autologoff-live]').textContent };`);
    assert.equal(layout.dir, 'rtl');
    assert.equal(layout.lang, 'ar');
    assert.ok(layout.stay > layout.out, 'the first button sits on the right in a right-to-left dialog');
    assert.match(layout.live, /^الوقت المتبقي: 0:0\d$/);
    fs.writeFileSync(new URL('dialog-webkit-rtl.png', ARTIFACTS), await ar.run((d) => d.takeScreenshot()), 'base64');
  } finally {
    await browser.close();
  }
});

test('dialog: false leaves the warning to the page: events and the API still work', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '4s', warning: '3s', dialog: 'false' }));
    await page.waitForState('warning');
    assert.equal(await page.dialogCount(), 0);
    assert.equal((await page.events()).filter((e) => e.name === 'autologoff:warning').length, 1);
    assert.equal(await page.evalAsync('window.autologoff.ready.then((s) => done(s.extend()))'), true);
    assert.equal(await page.state(), 'active');
  } finally {
    await browser.close();
  }
});

// frame=slow: the frame finishes loading 1.5 s after the page, long after autologoff started.
for (const frame of ['1', 'slow']) {
  test(`input inside a same-origin frame keeps the session alive (frame=${frame})`, async () => {
    const browser = await signedIn(env);
    try {
      const page = await browser.open(portal({ timeout: '5s', warning: '2s', frame }));
      await page.waitForState('active');
      await page.run(async (d) => {
        await d.switchTo().frame(await d.findElement(By.css('iframe')));
        const note = await until(() => d.findElement(By.id('frame-note')).catch(() => null), { what: 'the frame' });
        await note.click();
        const end = Date.now() + 6_000;
        while (Date.now() < end) {
          await d.actions().sendKeys('x').perform(); // focus is inside the frame
          await sleep(250);
        }
        assert.ok((await note.getAttribute('value')).length >= 10, 'the keys reached the frame');
        await d.switchTo().defaultContent();
      });
      assert.equal(await page.state(), 'active', 'typing in the frame is activity');
      assert.equal(await page.dialogCount(), 0);
    } finally {
      await browser.close();
    }
  });
}

test('touch: taps and touch scrolling keep the session alive on a phone', {
  skip: 'WebKitGTK has no touch events on the desktop (navigator.maxTouchPoints is 0, no ontouchstart): WebDriver touch actions arrive as mouse events. Safari on iOS needs a real device.',
}, () => {});

test('the dialog fits a narrow window (447 px, the narrowest MiniBrowser window; 320 px is checked in Chromium)', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '40s', warning: '39s' }));
    await page.run((d) => d.manage().window().setRect({ width: 320, height: 600 }));
    await page.waitForDialog();
    const fit = await page.eval(`
      const d = document.querySelector('[data-autologoff-dialog]');
      const box = d.getBoundingClientRect();
      return { width: innerWidth, left: box.left, right: box.right,
        cut: [...d.querySelectorAll('button, h2, p')].some((e) => e.scrollWidth > e.clientWidth + 1) };`);
    assert.ok(fit.width <= 480, 'a narrow window: ' + fit.width);
    assert.ok(fit.left >= 0 && fit.right <= fit.width, 'fits: ' + JSON.stringify(fit));
    assert.equal(fit.cut, false, 'no text cut off');
  } finally {
    await browser.close();
  }
});

test('under a CSP without wasm-unsafe-eval, the fallback guards the page: ready resolves to its session, and the audit trail says so', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '1m', warning: '20s', csp: 'nowasm' }));
    // The console (where the error names the fix: checked in Chromium and Firefox) is out of
    // WebDriver classic's reach; the session the page gets and the audit trail are not.
    const seen = await page.evalAsync('window.autologoff.ready.then((s) => done([s.state, typeof s.logout]), (e) => done(String(e)))');
    assert.deepEqual(seen, ['active', 'function']);
    assert.equal(await page.state(), 'active');
    await until(() => env.server.state.audit.some((e) => e.sid === browser.sid && e.type === 'fallback-engaged'), { what: 'fallback-engaged in the audit trail' });
  } finally {
    await browser.close();
  }
});

const wasmPath = '/assets/autologoff/autologoff_bg.wasm';
async function downloads(browser, query) {
  const from = requests.length;
  const page = await browser.open(portal(query));
  await page.waitForState('active');
  await sleep(300);
  const hint = await page.eval('return document.querySelectorAll(\'link[rel=preload][href$="autologoff_bg.wasm"]\').length');
  return { hint, wasm: requests.slice(from).filter((u) => new URL(u, 'http://x').pathname === wasmPath).length };
}

test('the tag works without the preload hint (the .wasm is downloaded once)', async () => {
  const browser = await signedIn(env);
  try {
    assert.deepEqual(await downloads(browser, { timeout: '1m', warning: '20s', preload: '0' }), { hint: 0, wasm: 1 });
  } finally {
    await browser.close();
  }
});

// WebKit never hands a `<link rel=preload as=fetch crossorigin>` response to a later fetch() of
// the same URL: Safari downloads the .wasm twice, whatever the cache headers (checked with
// no-cache, max-age, an ETag and none). Known: https://github.com/DioxusLabs/dioxus/pull/4796 ,
// https://github.com/curlconverter/curlconverter.github.io/issues/99 ,
// https://github.com/ampproject/amphtml/issues/15942 . The README's tip costs Safari users a
// second 41 KB download; see docs/browsers.md.
test('the preload hint is used (the .wasm is downloaded once)', {
  todo: 'WebKit downloads a preloaded .wasm again when fetch() asks for it (see comment)',
}, async () => {
  const browser = await signedIn(env);
  try {
    assert.deepEqual(await downloads(browser, { timeout: '1m', warning: '20s' }), { hint: 1, wasm: 1 });
  } finally {
    await browser.close();
  }
});

test('a .wasm served with the wrong Content-Type still loads', async () => {
  const browser = await signedIn(env);
  try {
    const page = await browser.open(portal({ timeout: '1m', warning: '20s', asset: 'octet' }));
    await page.waitForState('active');
    const responses = await page.eval("return performance.getEntriesByType('resource').map((r) => r.name).filter((n) => n.endsWith('.wasm'))");
    assert.ok(responses.length >= 1);
    assert.ok(responses.every((u) => new URL(u).pathname === '/assets-octet/autologoff/autologoff_bg.wasm'), responses.join());
  } finally {
    await browser.close();
  }
});
