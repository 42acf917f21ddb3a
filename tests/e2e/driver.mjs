// The scenario driver (tests/scenarios/README.md) for Playwright: Chromium, or Firefox with
// AUTOLOGOFF_BROWSER=firefox.
import { signedIn, sid, open, landsOn, launch, BROWSER, IN_FIREFOX } from './helpers.mjs';

/** Init scripts that take an API away from every page of a context, before the page's scripts
 * run (`driver.signIn`'s `without`). */
const WITHOUT = {
  BroadcastChannel: () => {
    delete window.BroadcastChannel;
  },
  WebLocks: () => {
    Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true });
  },
};

/** A driver over `env.server` and `env.browser` (see `useServerAndBrowser`). */
export function playwrightDriver(env) {
  /** The user of a browser context: its session cookie (if signed in), tabs and cookie jar. */
  const userOf = async (context) => ({
    sid: await sid(context),
    async open(path) {
      return new PlaywrightTab(await open(context, path));
    },
    /** Signs in again in the same browser (a new session, its cookie replacing this one's). */
    async signInAgain() {
      const r = await context.request.post('/login', { form: { user: 'second.user', password: 'x', preset: 'demo' }, maxRedirects: 0 });
      if (r.status() !== 303) throw new Error('login failed: ' + r.status());
      return userOf(context);
    },
    async cookies() {
      return (await context.cookies()).map(({ name, value, httpOnly }) => ({ name, value, httpOnly }));
    },
  });
  return {
    engine: BROWSER,
    // What this driver and engine can do (tests/scenarios/README.md): Playwright records the
    // console from before the page's first script; Chromium and Firefox hand a preloaded
    // response to the fetch() that asks for it.
    can: { consoleFromStart: true, reusePreload: true },
    /** The node:test context of the scenario that runs (set by tests/e2e/scenarios.test.mjs). */
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
    async signIn(form, { without = [], backForwardCache = false } = {}) {
      let browser = env.browser;
      // Playwright launches Chromium with its back/forward cache off; Firefox keeps its own.
      if (backForwardCache && !IN_FIREFOX) {
        browser = await launch({ backForwardCache });
        env.browsers = [...(env.browsers || []), browser];
      }
      const context = await signedIn(browser, env.server, form);
      env.contexts = [...(env.contexts || []), context];
      for (const api of without) await context.addInitScript(WITHOUT[api]);
      return userOf(context);
    },
    /** A new browser profile, not signed in. */
    async newBrowser() {
      const context = await env.browser.newContext({ baseURL: env.server.url });
      env.contexts = [...(env.contexts || []), context];
      return userOf(context);
    },
    /** Closes what the scenario opened. */
    async done() {
      for (const c of env.contexts || []) await c.close();
      for (const b of env.browsers || []) await b.close();
      env.contexts = [];
      env.browsers = [];
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

  /** A function body that finishes by calling `done(value)`. */
  evalAsync(body, ...args) {
    return this.page.evaluate(`new Promise((done) => { (function () {${body}\n}).apply(null, ${JSON.stringify(args)}); })`);
  }

  /** A trusted pointer move to (x, y) of the viewport. */
  move(x, y) {
    return this.page.mouse.move(x, y);
  }

  /** A trusted pointer move to (x, y) inside the page's first frame. */
  async moveInFrame(x, y) {
    const frame = this.page.locator('iframe').first();
    // Into view first (a script's scroll is not input): the pointer can only reach what is shown.
    await frame.scrollIntoViewIfNeeded();
    const box = await frame.boundingBox();
    return this.page.mouse.move(box.x + x, box.y + y);
  }

  state() {
    return this.eval(`return ${ROOT}.getAttribute('data-autologoff-state')`);
  }

  title() {
    return this.page.title();
  }

  async url() {
    return this.page.url();
  }

  async goto(path) {
    await this.page.goto(path);
  }

  /** Back in the tab's history. Returns once the navigation has started: where it lands (a page
   * from the back/forward cache, a reload, a redirect) is for the scenario to watch. */
  async back() {
    // A navigation that a redirect or the page's own navigation replaces rejects: not a failure.
    await this.page.goBack({ waitUntil: 'commit' }).catch(() => {});
  }

  close() {
    return this.page.close();
  }

  /** A trusted key press, by its name ('Escape', 'Tab', 'Shift'), or a chord ('Shift+Tab'). */
  press(key) {
    return this.page.keyboard.press(key);
  }

  /** Trusted key presses that type `text` into whatever has focus. */
  type(text) {
    return this.page.keyboard.type(text);
  }

  /** A trusted click on the element `css` selects. */
  click(css) {
    return this.page.locator(css).click();
  }

  /** Replaces the value of the input `css` selects with `text`, as typing would. */
  fill(css, text) {
    return this.page.locator(css).fill(text);
  }

  /** A trusted click on the element `css` selects inside the page's first frame, once it is
   * there (a frame may load late). */
  async clickInFrame(css, timeout = 10_000) {
    const target = this.page.frameLocator('iframe').first().locator(css);
    await target.waitFor({ timeout });
    await target.click({ timeout });
  }

  /** The `detail`s of autologoff's DOM event `name` in this tab, oldest first, across its
   * navigations. */
  async dispatched(name) {
    return this.page.recorded.filter((e) => e.name === name).map((e) => e.detail);
  }

  /** autologoff's DOM events in this tab and `covered` at its logout, oldest first, across its
   * navigations: [{ name, detail, at }] (`at`: the test process's clock when it was recorded). */
  async timeline() {
    return this.page.recorded.map(({ name, detail, at }) => ({ name, detail, at }));
  }

  waitForState(want, timeout = 10_000) {
    // A function, not a string: the page's CSP forbids evaluating strings.
    const at = (w) => Object.getOwnPropertyDescriptor(Document.prototype, 'documentElement').get.call(document).getAttribute('data-autologoff-state') === w;
    return this.page.waitForFunction(at, want, { timeout });
  }

  waitForDialog(timeout = 10_000) {
    return this.page.locator('[role="alertdialog"]').waitFor({ state: 'visible', timeout });
  }

  waitForNoDialog(timeout = 2_000) {
    return this.page.locator('[role="alertdialog"]').waitFor({ state: 'detached', timeout });
  }

  waitForUrl(pattern, timeout = 15_000) {
    return landsOn(this.page, pattern, timeout);
  }

  clickButton(name) {
    return this.page.locator('[role="alertdialog"]').getByRole('button', { name, exact: true }).click();
  }

  /** The viewport as PNG bytes. */
  screenshot() {
    this.screenshots = (this.screenshots || 0) + 1;
    return this.page.screenshot();
  }

  /** Page errors and CSP violations seen so far (but Playwright's own, see `ours`). */
  problems() {
    // Firefox gives no sample: one refused inline style sheet per screenshot is Playwright's.
    // (Its console message, which names the sheet by hash, tells it apart: `consoleErrors`.)
    let left = this.screenshots || 0;
    return this.page.problems().filter((p) => !this.ours(p) && !(/^csp: style-src-elem inline (body \{\})?$/.test(p) && left-- > 0));
  }

  /** Whether a console or page error is Playwright's own CSP violation: in Firefox it takes a
   * screenshot after adding `<style>body {}</style>` to the page (inPagePrepareForScreenshots,
   * playwright-core 1.64.1), which the portal's `style-src 'self'` refuses. Only that style
   * sheet, known by its hash, and only once a screenshot was taken. */
  ours(text) {
    return !!this.screenshots && text.includes("'sha256-YjaKGiklmzC6wjXA513HAMmzus8VE61XCOT+SmwNZWA='");
  }

  async consoleErrors() {
    return [
      ...this.page.consoleMessages.filter((m) => m.type === 'error' && !this.ours(m.text)).map((m) => m.text),
      ...this.page.pageErrors.filter((e) => !this.ours(e)),
    ];
  }
}
