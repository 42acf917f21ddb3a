// Scenarios: the record is concealed while the warning shows (issue 22; NIST SP 800-53 AC-11).
// The warning comes when the user has been away for most of the timeout, which is when a
// passer-by can read the screen: what the screen shows is checked in screenshots, as a person
// would see it, not in styles. Text has many sharp luminance edges; a concealed page has none.
// Run by tests/e2e/scenarios.test.mjs (Chromium, Firefox) and tests/webkit/scenarios.test.mjs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { decodePng, textEdges } from './pixels.mjs';

const portal = (query) => '/portal?' + new URLSearchParams(query);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The box-shadow of the dialog reaches this far (CSS px) beyond its box: not counted. */
const SHADOW = 48;

/** What the screen shows now: the screenshot and the boxes of the viewport, the open dialog
 * (any modal `<dialog>`), the frame, and the concealment's computed motion. */
async function look(tab) {
  const png = await tab.screenshot();
  const image = decodePng(png);
  const at = await tab.eval(`
    const box = (e) => {
      if (!e) return null;
      const r = e.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    };
    const shade = document.querySelector('[data-autologoff-conceal]');
    const style = shade && getComputedStyle(shade);
    return {
      width: innerWidth,
      height: innerHeight,
      dialog: box([...document.querySelectorAll('dialog')].find((d) => d.open)),
      frame: box(document.querySelector('iframe')),
      shade: style && { transition: style.transitionDuration, animation: style.animationName, opacity: style.opacity },
    };`);
  const scale = image.width / at.width;
  const viewport = { left: 0, top: 0, right: at.width, bottom: at.height };
  const grown = at.dialog && {
    left: at.dialog.left - SHADOW,
    top: at.dialog.top - SHADOW,
    right: at.dialog.right + SHADOW,
    bottom: at.dialog.bottom + SHADOW,
  };
  const where = {};
  return {
    ...at,
    png,
    /** Text edges on the page around the dialog, and where they are. */
    page: textEdges(image, viewport, scale, grown ? [grown] : [], where),
    where,
    /** Text edges in the frame's box (where it is in the viewport), around the dialog. */
    frameEdges: at.frame && textEdges(image, at.frame, scale, grown ? [grown] : []),
    /** Text edges inside the dialog. */
    dialogEdges: at.dialog && textEdges(image, at.dialog, scale),
  };
}

/** Nothing readable around the dialog in `seen` (a `look`); if there is, the screenshot is kept
 * in tests/e2e/artifacts/ and the message says where the edges are and where the dialog was. */
function assertConcealed(seen, what) {
  if (seen.page <= 5) return;
  const file = new URL('../e2e/artifacts/conceal-failed-' + Date.now() + '.png', import.meta.url);
  fs.mkdirSync(new URL('.', file), { recursive: true });
  fs.writeFileSync(file, seen.png);
  assert.fail(`${what}: ${seen.page} text edges around the dialog, within ${JSON.stringify(seen.where)}; the dialog at ${JSON.stringify(seen.dialog)}, the viewport ${seen.width}x${seen.height}; screenshot ${file.pathname}`);
}

/** Waits until the frame's document has loaded (its text is on the screen). */
async function frameLoaded(tab) {
  for (let i = 0; i < 100; i++) {
    if (await tab.eval(`return document.querySelector('iframe').contentDocument?.readyState === 'complete'`)) return;
    await sleep(100);
  }
  throw new Error('the frame did not load');
}

/** No console error, page error or CSP violation on the page (the portal runs under a strict
 * CSP with Trusted Types). */
async function assertClean(tab) {
  assert.deepEqual(await tab.consoleErrors(), []);
  assert.deepEqual(await tab.problems(), []);
}

export const scenarios = {
  async 'while the warning shows the page and its frame are concealed, the dialog readable above; "Stay signed in" reveals them'(driver) {
    const user = await driver.signIn();
    const tab = await user.open(portal({ timeout: '20s', warning: '14s', frame: '1' }));
    await tab.waitForState('active', 10_000);
    await frameLoaded(tab);
    // The frame into view, with the record above it (a script's scroll is not activity), and
    // painted: WebKit's screenshot can show the frame painted before the scroll.
    await tab.eval(`document.querySelector('iframe').scrollIntoView({ block: 'end' })`);
    await sleep(300);
    const before = await look(tab);
    assert.ok(before.page > 1_000, 'the record is readable before the warning: ' + before.page + ' text edges');
    assert.ok(before.frameEdges > 100, 'and the frame: ' + before.frameEdges);

    await tab.waitForDialog(15_000);
    const during = await look(tab);
    assert.equal(await tab.state(), 'warning');
    assertConcealed(during, `nothing readable around the dialog (${before.page} text edges before)`);
    assert.ok(during.frameEdges <= 5, 'nor in the frame: ' + during.frameEdges);
    assert.ok(during.dialogEdges > 300, 'the dialog is readable above it: ' + during.dialogEdges);
    // Nothing moves (prefers-reduced-motion): no transition or animation, fully opaque at once.
    assert.deepEqual(during.shade, { transition: '0s', animation: 'none', opacity: '1' });

    await tab.clickButton('Stay signed in');
    await tab.waitForNoDialog(5_000);
    await tab.waitForState('active', 5_000);
    const after = await look(tab);
    assert.equal(after.shade, null, 'the concealment is gone');
    // (Not exactly as before: the countdown beside the record has moved on, and the focus ring.)
    assert.ok(after.page > before.page * 0.6, `the record is back at once: ${after.page} text edges (${before.page} before)`);
    assert.ok(after.frameEdges > before.frameEdges * 0.6, 'and the frame: ' + after.frameEdges);
    await assertClean(tab);
  },

  async 'with dialog: false the page is concealed all the same, and the portal\'s own warning opened with showModal() is above it'(driver) {
    const user = await driver.signIn();
    const tab = await user.open(portal({ timeout: '20s', warning: '14s', dialog: 'false' }));
    await tab.waitForState('active', 10_000);
    // The portal's own warning, as the README says: a <dialog> opened with showModal() from the
    // warning event, whose button calls session.extend().
    await tab.eval(`document.addEventListener('autologoff:warning', () => {
      const d = document.createElement('dialog');
      d.setAttribute('role', 'alertdialog');
      d.setAttribute('aria-label', 'Session expiring');
      const h = document.createElement('h2');
      h.textContent = 'Are you still there? Your session ends soon.';
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = 'Keep working';
      b.addEventListener('click', () => window.autologoff.ready.then((s) => { s.extend(); d.close(); d.remove(); }));
      d.append(h, b);
      document.body.append(d);
      d.showModal();
    });`);
    const before = await look(tab);
    assert.ok(before.page > 1_000, 'readable before: ' + before.page);

    await tab.waitForDialog(15_000);
    const during = await look(tab);
    assert.equal(await tab.eval(`return !!document.querySelector('[data-autologoff-dialog]')`), false, 'no built-in dialog');
    assertConcealed(during, "nothing readable around the portal's warning");
    assert.ok(during.dialogEdges > 300, "the portal's warning is readable above the concealment: " + during.dialogEdges);

    await tab.clickButton('Keep working');
    await tab.waitForNoDialog(5_000);
    await tab.waitForState('active', 5_000);
    const after = await look(tab);
    assert.equal(after.shade, null);
    assert.ok(after.page > before.page * 0.6, `revealed: ${after.page} text edges (${before.page} before)`);
    await assertClean(tab);
  },

  async 'data-conceal-during-warning="false" leaves the page as it is behind the warning'(driver) {
    const user = await driver.signIn();
    const tab = await user.open(portal({ timeout: '20s', warning: '16s', 'conceal-during-warning': 'false' }));
    await tab.waitForState('active', 10_000);
    await tab.waitForDialog(15_000);
    const during = await look(tab);
    assert.equal(during.shade, null);
    assert.ok(during.page > 500, 'the page stays visible around the dialog: ' + during.page);
    await assertClean(tab);
  },
};
