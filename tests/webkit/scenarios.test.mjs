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
  async signIn(form) {
    const browser = await signedIn(env, form);
    browsers.push(browser);
    return { sid: browser.sid, open: (path) => browser.open(path) };
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
