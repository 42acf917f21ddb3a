// End to end in WebKit: what reads WebKit's own accessibility tree or needs a WebKit window.
// Everything else about the warning as people meet it (the live region, the keyboard, the tab
// title, the page's own words, right-to-left, frames, the strict-CSP error, the preload hint) is
// written once for every engine in tests/scenarios/accessibility.mjs.
//
// Apart, and why:
// - axe-core under the portal's real CSP, and WebKit's own accessibility tree through
//   WebDriver's computed role and name (Chromium's counterpart reads Playwright's accessibility
//   snapshot, in emulated colour schemes: tests/e2e/accessibility.test.mjs);
// - a narrow window: MiniBrowser's window made as narrow as it goes (Chromium's counterpart is a
//   320 px viewport);
// - what WebDriver classic cannot do here (dark mode, touch) is skipped, saying why.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { useServerAndWebKit, signedIn, portal, By } from './helpers.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const ARTIFACTS = new URL('../e2e/artifacts/', import.meta.url);

const env = useServerAndWebKit();
before(() => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});

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
