// The scenarios written once (tests/scenarios/) in WebKit: MiniBrowser on Xvfb, through
// WebDriver.
import { test } from 'node:test';
import { useServerAndWebKit, signedIn } from './helpers.mjs';
import { scenarios } from '../scenarios/index.mjs';

const env = useServerAndWebKit();
const browsers = [];
const driver = {
  get server() {
    return env.server;
  },
  // `backForwardCache`: WebKit's is always on. `without`: turned off in the engine (harness.mjs).
  async signIn(form, { without } = {}) {
    const browser = await signedIn(env, form, { without });
    browsers.push(browser);
    const user = () => ({
      sid: browser.sid,
      open: (path) => browser.open(path),
      /** Signs in again in the same browser, from a tab of its own. */
      async signInAgain() {
        const tab = await browser.open('/login', { record: false });
        const status = await tab.evalAsync(
          `fetch('/login', { method: 'POST', body: new URLSearchParams({ user: 'second.user', password: 'x', preset: 'demo' }) })
             .then((r) => done(r.redirected ? 'ok' : 'status ' + r.status), (e) => done(String(e)));`,
        );
        if (status !== 'ok') throw new Error('login failed: ' + status);
        browser.sid = await browser.cookie('sid');
        return user();
      },
    });
    return user();
  },
};

for (const [file, name, scenario] of scenarios) {
  test(file + ': ' + name, async () => {
    try {
      await scenario(driver);
    } finally {
      for (const b of browsers.splice(0)) await b.close();
    }
  });
}
