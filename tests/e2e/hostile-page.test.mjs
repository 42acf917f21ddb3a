// Markup on the page cannot switch autologoff off: tests/scenarios/hostile-page.mjs in Chromium
// (or Firefox, AUTOLOGOFF_BROWSER=firefox).
import { test } from 'node:test';
import { useServerAndBrowser } from './helpers.mjs';
import { playwrightDriver } from './driver.mjs';
import { scenarios } from '../scenarios/hostile-page.mjs';

const driver = playwrightDriver(useServerAndBrowser());

for (const [name, scenario] of Object.entries(scenarios)) {
  test(name, async () => {
    try {
      await scenario(driver);
    } finally {
      await driver.done();
    }
  });
}
