// The scenarios written once (tests/scenarios/) in Chromium, or in Firefox with
// AUTOLOGOFF_BROWSER=firefox, through Playwright.
import { test } from 'node:test';
import { useServerAndBrowser } from './helpers.mjs';
import { playwrightDriver } from './driver.mjs';
import { scenarios } from '../scenarios/index.mjs';

const driver = playwrightDriver(useServerAndBrowser());

for (const [file, name, scenario] of scenarios) {
  test(file + ': ' + name, async () => {
    try {
      await scenario(driver);
    } finally {
      await driver.done();
    }
  });
}
