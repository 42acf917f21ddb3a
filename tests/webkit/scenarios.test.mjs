// The scenarios written once (tests/scenarios/) in WebKit: MiniBrowser on Xvfb, through
// WebDriver.
import { test } from 'node:test';
import { useServerAndWebKit, signedIn, Browser } from './helpers.mjs';
import { scenarios } from '../scenarios/index.mjs';

const env = useServerAndWebKit();
const browsers = [];

/** The user of a MiniBrowser session: its session cookie (if signed in), tabs and cookie jar. */
const userOf = (browser) => ({
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
    return userOf(browser);
  },
  cookies: () => browser.cookies(),
});

const driver = {
  engine: 'webkit',
  // What this driver and engine can do (tests/scenarios/README.md). WebDriver classic has no
  // init script and no console log: the recorder (helpers.mjs) starts once the page has loaded,
  // after autologoff's first messages. WebKit downloads a preloaded .wasm again when fetch()
  // asks for it (docs/browsers.md).
  can: { consoleFromStart: false, reusePreload: false },
  /** The node:test context of the scenario that runs. */
  test: null,
  note(text) {
    this.test?.diagnostic(text);
  },
  todo(reason) {
    this.test?.todo(reason);
  },
  get server() {
    return env.server;
  },
  // `backForwardCache`: WebKit's is always on. `without`: turned off in the engine (harness.mjs).
  async signIn(form, { without } = {}) {
    const browser = await signedIn(env, form, { without });
    browsers.push(browser);
    return userOf(browser);
  },
  /** A new MiniBrowser, not signed in. */
  async newBrowser() {
    const browser = new Browser(env, await env.webkit.newSession());
    browser.sid = null;
    browsers.push(browser);
    return userOf(browser);
  },
};

for (const [file, name, scenario] of scenarios) {
  test(file + ': ' + name, async (t) => {
    driver.test = t; // for the scenario's driver.note() and driver.todo()
    try {
      await scenario(driver);
    } finally {
      driver.test = null;
      for (const b of browsers.splice(0)) await b.close();
    }
  });
}
