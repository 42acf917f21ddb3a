// Writes docs/warning.png, the README's picture of the warning: the demo portal's patient record
// concealed behind the dialog, as Debian's Chromium renders it. Run after a build:
// `node scripts/screenshot.mjs` (`npm run screenshot`), and commit the image.
import { fileURLToPath } from 'node:url';
import { launch, signedIn, open, portal, startServer } from '../tests/e2e/helpers.mjs';

const out = fileURLToPath(new URL('../docs/warning.png', import.meta.url));
const server = await startServer();
const browser = await launch();
try {
  const context = await signedIn(browser, server);
  const page = await open(context, null);
  await page.setViewportSize({ width: 960, height: 600 });
  await page.goto(portal({ timeout: '20s', warning: '15s' }));
  await page.locator('[role="alertdialog"]').waitFor({ state: 'visible', timeout: 15_000 });
  // The dialog settled (focus on "Stay signed in", the countdown drawn).
  await page.waitForTimeout(300);
  await page.screenshot({ path: out });
  if (page.problems().length) throw new Error('problems on the page: ' + page.problems().join('; '));
  console.log('wrote ' + out);
} finally {
  await browser.close();
  await server.close();
}
