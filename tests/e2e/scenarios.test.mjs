// The scenarios written once (tests/scenarios/) in Chromium, or in Firefox with
// AUTOLOGOFF_BROWSER=firefox, through Playwright.
import { test } from 'node:test';
import { useServerAndBrowser } from './helpers.mjs';
import { playwrightDriver } from './driver.mjs';
import { scenarios } from '../scenarios/index.mjs';

const driver = playwrightDriver(useServerAndBrowser());

for (const [file, name, scenario] of scenarios) {
  test(file + ': ' + name, async (t) => {
    driver.test = t; // for the scenario's driver.note() and driver.todo()
    try {
      await scenario(driver);
    } finally {
      driver.test = null;
      await driver.done();
    }
  });
}
