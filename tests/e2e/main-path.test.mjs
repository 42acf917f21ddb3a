// End to end, in headless Chromium against the demo portal and its real session server: the one
// step of the main path that only the Chrome DevTools Protocol can take. Everything else of the
// main path is written once for every engine in tests/scenarios/main-path.mjs.
//
// Apart because pausing a page's script (Debugger.pause) needs CDP: Firefox runs Playwright over
// WebDriver BiDi, and WebDriver classic cannot stop a page's timers in WebKit. WebKit's
// counterpart, a page held in the back/forward cache past its deadline, is in
// tests/webkit/safari.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signedIn, open, sleep, IN_FIREFOX, useServerAndBrowser, portal, landsOn } from './helpers.mjs';

const env = useServerAndBrowser();

test('a page paused past its deadline expires at once on resume, without a warning', { skip: IN_FIREFOX && 'pausing a page needs the Chrome DevTools Protocol' }, async () => {
  const context = await signedIn(env.browser, env.server);
  try {
    const page = await open(context, portal({ timeout: '3s', warning: '1s' }));
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState === 'active');
    // Headless Chromium ignores Page.setWebLifecycleState; pausing script stops its timers the
    // way a frozen or sleeping page's are stopped.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.pause');
    await sleep(4_500);
    await cdp.send('Debugger.resume');
    await landsOn(page, /\/login\?reason=timeout$/, 10_000);
    assert.deepEqual(page.recorded.map((e) => [e.name, e.detail.reason]), [['autologoff:logout', 'idle'], ['covered', undefined]], 'no warning first');
  } finally {
    await context.close();
  }
});
