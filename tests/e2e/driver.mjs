// The scenario driver (tests/scenarios/README.md) for Playwright: Chromium, or Firefox with
// AUTOLOGOFF_BROWSER=firefox.
import { signedIn, sid, open } from './helpers.mjs';

/** A driver over `env.server` and `env.browser` (see `useServerAndBrowser`). */
export function playwrightDriver(env) {
  return {
    get server() {
      return env.server;
    },
    async signIn() {
      const context = await signedIn(env.browser, env.server);
      env.contexts = [...(env.contexts || []), context];
      return {
        sid: await sid(context),
        async open(path) {
          return new PlaywrightTab(await open(context, path));
        },
      };
    },
    /** Closes what the scenario opened. */
    async done() {
      for (const c of env.contexts || []) await c.close();
      env.contexts = [];
    },
  };
}

/** `document.documentElement`, read with the browser's own getter: the scenarios put markup on
 * the page that shadows it by name. */
const ROOT = "Object.getOwnPropertyDescriptor(Document.prototype, 'documentElement').get.call(document)";

class PlaywrightTab {
  constructor(page) {
    this.page = page;
  }

  /** A function body, evaluated as a string so the page's CSP (no 'unsafe-eval') allows it. */
  eval(body, ...args) {
    return this.page.evaluate(`(function () {${body}\n}).apply(null, ${JSON.stringify(args)})`);
  }

  state() {
    return this.eval(`return ${ROOT}.getAttribute('data-autologoff-state')`);
  }

  title() {
    return this.page.title();
  }

  url() {
    return this.page.url();
  }

  waitForState(want, timeout = 10_000) {
    return this.page.waitForFunction(`${ROOT}.getAttribute('data-autologoff-state') === ${JSON.stringify(want)}`, null, { timeout });
  }

  waitForDialog(timeout = 10_000) {
    return this.page.locator('[role="alertdialog"]').waitFor({ state: 'visible', timeout });
  }

  waitForNoDialog(timeout = 2_000) {
    return this.page.locator('[role="alertdialog"]').waitFor({ state: 'detached', timeout });
  }

  waitForUrl(pattern, timeout = 15_000) {
    return this.page.waitForURL(pattern, { timeout });
  }

  clickButton(name) {
    return this.page.locator('[role="alertdialog"]').getByRole('button', { name, exact: true }).click();
  }

  async consoleErrors() {
    return [
      ...this.page.consoleMessages.filter((m) => m.type === 'error').map((m) => m.text),
      ...this.page.pageErrors,
    ];
  }
}
