// Shared set-up for the WebKit end-to-end tests: the demo server in-process, MiniBrowser through
// WebKitWebDriver (harness.mjs), signed-in browsers, and tabs (browser windows of one session).
//
// What WebDriver classic cannot do that the Playwright helpers do, and what stands in for it:
// - no init scripts: the recorder of autologoff's DOM events and of page errors and CSP
//   violations is installed once the page has loaded (autologoff has started by then, but its
//   first event comes seconds later);
// - no exposed functions: recorded events are sent to the demo server's test-mode /__record
//   endpoint (same origin, allowed by the portal's CSP) with a type starting `e2e:`, so they
//   survive the redirect that ends a session, as Playwright's exposeFunction does; read them with
//   `tab.recorded()` (the real audit endpoint accepts only autologoff's own events);
// - no request API: signing in is a same-origin fetch() POST /login from the sign-in page (the
//   browser keeps the HttpOnly cookie, as it would for the form), or the real form.
import { before, after } from 'node:test';
import { By, Key } from 'selenium-webdriver';
import { startWebKit } from './harness.mjs';
import { startServer as startDemo } from '../../www/server.mjs';
import { until } from '../scenarios/helpers.mjs';

/** The demo server in test mode (query-parameter overrides, fault switches, state introspection). */
const startServer = (options = {}) => startDemo({ testMode: true, ...options });

export { By, Key };
// Written once for the scenarios and these suites alike (tests/scenarios/helpers.mjs).
export { until, seedStorage, storageLeft, neverShowsPhi } from '../scenarios/helpers.mjs';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** A portal page URL with these script-tag settings. */
export const portal = (query) => '/portal?' + new URLSearchParams(query);
/** Where a timed-out session lands. */
export const LOGIN = /\/login\?reason=timeout$/;

/**
 * The demo server and an X display for the tests of one file: started before them, closed
 * after. Read `env.server` and `env.webkit` inside tests.
 */
export function useServerAndWebKit(options) {
  const env = {};
  before(async () => {
    env.server = await startServer(options);
    env.webkit = await startWebKit();
  });
  after(async () => {
    await env.webkit?.close();
    await env.server?.close();
  });
  return env;
}

let users = 0;

/**
 * A new MiniBrowser (its own cookie jar and storage) signed in to the demo portal. `form` adds
 * fields to POST /login (e.g. serverIdle); `options` are the session's (`without`: see
 * harness.mjs). Returns a Browser; `browser.sid` is the session id.
 */
export async function signedIn(env, form = {}, options) {
  const driver = await env.webkit.newSession(options);
  const browser = new Browser(env, driver);
  try {
    const user = 'wk.user' + ++users;
    await driver.get(env.server.url + '/login');
    const status = await driver.executeAsyncScript(
      `const done = arguments[arguments.length - 1];
       fetch('/login', { method: 'POST', body: new URLSearchParams(arguments[0]) })
         .then((r) => done(r.redirected && new URL(r.url).pathname === '/portal' ? 'ok' : 'status ' + r.status), (e) => done(String(e)));`,
      { user, password: 'x', preset: 'demo', ...form },
    );
    if (status !== 'ok') throw new Error('login failed: ' + status);
    browser.sid = await browser.cookie('sid');
    if (!browser.sid || env.server.state.sessions.get(browser.sid)?.user !== user) throw new Error('no server session for the cookie');
    return browser;
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/**
 * One MiniBrowser session. Its windows are the tabs of one browser (same cookies, storage,
 * BroadcastChannel, Web Locks; checked in safari.test.mjs). WebDriver talks to one window at a
 * time, so every command goes through `run`, which switches to the tab's window first and keeps
 * two tabs' commands from interleaving.
 */
export class Browser {
  constructor(env, driver) {
    this.env = env;
    this.driver = driver;
    this.current = null;
    this.queue = Promise.resolve();
    this.tabs = 0;
  }

  /** Runs `fn(driver)` with `handle`'s window current, one command sequence at a time. */
  run(handle, fn) {
    const go = async () => {
      if (handle && this.current !== handle) {
        await this.driver.switchTo().window(handle);
        this.current = handle;
      }
      return fn(this.driver);
    };
    const result = this.queue.then(go, go);
    this.queue = result.catch(() => {});
    return result;
  }

  /** A cookie's value (HttpOnly ones too: WebDriver sees the whole jar), or null. */
  cookie(name) {
    return this.run(null, async (d) => (await d.manage().getCookie(name).catch(() => null))?.value ?? null);
  }

  cookieNames() {
    return this.run(null, async (d) => (await d.manage().getCookies()).map((c) => [c.name, c.httpOnly]));
  }

  /** The cookie jar (HttpOnly cookies too): [{ name, value, httpOnly }]. */
  cookies() {
    return this.run(null, async (d) => (await d.manage().getCookies()).map(({ name, value, httpOnly }) => ({ name, value, httpOnly: !!httpOnly })));
  }

  /**
   * Opens `path` in a tab: the session's first window for the first tab, a new browser window
   * for the others (`kind: 'tab'` opens a background tab instead: MiniBrowser shows only the
   * front tab of a window, so the others are hidden, as in Safari).
   */
  async open(path, { kind = 'window', record = true } = {}) {
    const label = 't' + this.tabs++;
    const handle = await this.run(null, async (d) => {
      if (label !== 't0') await d.switchTo().newWindow(kind);
      this.current = await d.getWindowHandle();
      return this.current;
    });
    const tab = new Tab(this, handle, label);
    if (path) {
      await tab.goto(path);
      if (record) await tab.record();
    }
    return tab;
  }

  async close() {
    await this.env.webkit.quit(this.driver);
  }
}

export class Tab {
  constructor(browser, handle, label) {
    Object.assign(this, { browser, handle, label, server: browser.env.server });
  }

  run(fn) {
    return this.browser.run(this.handle, fn);
  }

  goto(path) {
    return this.run((d) => d.get(new URL(path, this.server.url).href));
  }

  /** Back in the tab's history (the back/forward cache is on in WebKit). */
  back() {
    return this.run((d) => d.navigate().back());
  }

  /** Closes this tab's window. */
  close() {
    return this.run(async (d) => {
      await d.close();
      this.browser.current = null;
    });
  }

  /** Runs `script` (a function body; `arguments[0]`…) in the page. */
  eval(script, ...args) {
    return this.run((d) => d.executeScript(script, ...args));
  }

  /** Runs `script` in the page; it finishes by calling `done(value)`. */
  evalAsync(script, ...args) {
    return this.run((d) => d.executeAsyncScript('const done = arguments[arguments.length - 1];\n' + script, ...args));
  }

  url() {
    return this.run((d) => d.getCurrentUrl());
  }

  title() {
    // Not WebDriver's Get Title: WebKitWebDriver reads `document.title` by name, which markup
    // on the page can shadow (the hostile-page scenarios).
    return this.eval("return Object.getOwnPropertyDescriptor(Document.prototype, 'title').get.call(document)");
  }

  state() {
    return this.eval(`return ${ROOT}.getAttribute('data-autologoff-state')`);
  }

  waitForState(want, timeout = 10_000) {
    return until(async () => (await this.state()) === want, { timeout, what: `state ${want} in ${this.label}` });
  }

  /** Started: any state (a slow browser may open the last tabs close to a shared deadline). */
  waitForStart(timeout = 15_000) {
    return until(async () => (await this.state()) !== null, { timeout, what: 'autologoff started in ' + this.label });
  }

  async waitForUrl(pattern, timeout = 15_000) {
    try {
      return await until(async () => pattern.test(await this.url()), { timeout, what: pattern + ' in ' + this.label });
    } catch (error) {
      // Where the tab is instead, for the report.
      const seen = await this.eval(
        "return [location.href, document.visibilityState, Object.getOwnPropertyDescriptor(Document.prototype, 'documentElement').get.call(document).getAttribute('data-autologoff-state'), localStorage.getItem('autologoff:default')]",
      ).catch((e) => String(e));
      // Whether the module runs there (its session's state), or only the fallback (not ready).
      const module = await this.evalAsync(
        "Promise.race([window.autologoff.ready.then((s) => ['ready', s.state, s.remainingMs]), new Promise((r) => setTimeout(() => r(['not ready after 1 s']), 1000))]).then(done, (e) => done(String(e)))",
      ).catch((e) => String(e));
      error.message += ' (the tab: ' + JSON.stringify(seen) + '; the module: ' + JSON.stringify(module) + '; what it recorded: ' + JSON.stringify(this.recorded().map((e) => e.name)) + ')';
      throw error;
    }
  }

  /** The warning dialog is open and rendered. */
  dialogVisible() {
    return this.eval(`const d = ${query("'[role=\"alertdialog\"]'")};
      return !!d && d.open && d.getClientRects().length > 0 && getComputedStyle(d).visibility !== 'hidden';`);
  }

  dialogCount() {
    return this.eval(`return ${query("'[role=\"alertdialog\"]'", 'querySelectorAll')}.length`);
  }

  waitForDialog(timeout = 10_000) {
    return until(() => this.dialogVisible(), { timeout, what: 'the warning in ' + this.label });
  }

  waitForNoDialog(timeout = 2_000) {
    return until(async () => (await this.dialogCount()) === 0, { timeout, what: 'the warning gone from ' + this.label });
  }

  /** Clicks a button of the warning by its visible name, as a person would (trusted click). */
  clickButton(name) {
    return this.run(async (d) => {
      const button = await d.findElement(By.xpath(`//*[@role="alertdialog"]//button[normalize-space(.)="${name}"]`));
      await button.click();
    });
  }

  /** Presses keys (WebDriver key actions: trusted input), as `Key` values, characters, or names
   * ('Escape', 'Tab', 'Shift+Tab', as the scenario driver's `press` takes them). `Key.SHIFT`
   * before a key holds it. */
  press(...names) {
    const keys = names.flatMap((k) => (k.length > 1 && k.includes('+') ? k.split('+') : [k])).map((k) => (k.length > 1 && Key[k.toUpperCase()]) || k);
    return this.run(async (d) => {
      const a = d.actions();
      if (keys[0] === Key.SHIFT) a.keyDown(Key.SHIFT).sendKeys(...keys.slice(1)).keyUp(Key.SHIFT);
      else a.sendKeys(...keys);
      await a.perform();
    });
  }

  /** Trusted key presses that type `text` into whatever has focus (in a frame too: WebKit
   * sends key actions to the focused element of the page). */
  type(text) {
    return this.run((d) => d.actions().sendKeys(text).perform());
  }

  /** A trusted click on the element `css` selects. */
  click(css) {
    return this.run(async (d) => (await d.findElement(By.css(css))).click());
  }

  /** Replaces the value of the input `css` selects with `text`, typed. */
  fill(css, text) {
    return this.run(async (d) => {
      const input = await d.findElement(By.css(css));
      await input.clear();
      await input.sendKeys(text);
    });
  }

  /** A trusted click on the element `css` selects inside the page's first frame, once it is
   * there (a frame may load late). */
  clickInFrame(css, timeout = 10_000) {
    return this.run(async (d) => {
      await d.switchTo().frame(await d.findElement(By.css('iframe')));
      try {
        const target = await until(() => d.findElement(By.css(css)).catch(() => null), { timeout, what: css + ' in the frame of ' + this.label });
        await target.click();
      } finally {
        await d.switchTo().defaultContent();
      }
    });
  }

  /** A trusted pointer move to (x, y) in the viewport. */
  move(x, y) {
    return this.run((d) => d.actions().move({ x, y, duration: 0 }).perform());
  }

  /** A trusted pointer move to (x, y) inside the page's first frame (from its top left). */
  moveInFrame(x, y) {
    return this.run(async (d) => {
      const frame = await d.findElement(By.css('iframe'));
      // Into view first (a script's scroll is not input): the pointer can only reach what is shown.
      await d.executeScript('Element.prototype.scrollIntoView.call(arguments[0], { block: "center" })', frame);
      const rect = await frame.getRect();
      await d.actions().move({ origin: frame, x: Math.round(x - rect.width / 2), y: Math.round(y - rect.height / 2), duration: 0 }).perform();
    });
  }

  /**
   * Records autologoff's DOM events, page errors and CSP violations of this page, to the server
   * (see the top of this file); the logout event also notes whether the page was covered.
   */
  record() {
    return this.eval(RECORDER, this.label, this.browser.sid);
  }

  /** What `record()` saw in this tab, oldest first: [{ name, detail, at }]. */
  recorded() {
    return this.server.state.audit
      // A beacon sent as the session ends can reach the server after the logout answer's
      // Clear-Site-Data removed the cookie: it carries the session it was recorded for.
      .filter((e) => e.type.startsWith('e2e:') && e.tab === this.label && (e.sid ?? e.owner) === this.browser.sid)
      .sort((a, b) => a.at - b.at || a.seq - b.seq)
      .map((e) => ({ name: e.type.slice(4), detail: e.detail, at: e.at }));
  }

  /** The viewport as PNG bytes (WebDriver's Take Screenshot). */
  async screenshot() {
    return Buffer.from(await this.run((d) => d.takeScreenshot()), 'base64');
  }

  /** The `detail`s of autologoff's DOM event `name` seen since `record()`, oldest first, across
   * the tab's navigations (the scenario driver's interface). */
  async dispatched(name) {
    await this.settle();
    return this.recorded().filter((e) => e.name === name).map((e) => e.detail);
  }

  /** autologoff's DOM events and `covered` at a logout, seen since `record()`, oldest first,
   * across the tab's navigations: [{ name, detail, at }] (the scenario driver's interface). */
  async timeline() {
    await this.settle();
    return this.recorded().filter((e) => e.name.startsWith('autologoff:') || e.name === 'covered');
  }

  /** Page errors and CSP violations seen since `record()`. */
  problems() {
    return this.recorded().filter((e) => e.name === 'problem').map((e) => e.detail);
  }

  /** Console errors and page errors (with their stacks) seen since `record()` (the scenario
   * driver's interface, tests/scenarios/README.md). */
  async consoleErrors() {
    await this.settle();
    return this.recorded()
      .filter((e) => e.name === 'console-error' || (e.name === 'problem' && e.detail.startsWith('pageerror')))
      .map((e) => (e.name === 'console-error' ? e.detail : e.detail.slice('pageerror: '.length)));
  }

  /** Events that reached the page since `record()`: [{ name, detail }]. */
  events() {
    return this.eval('return window.__events');
  }

  /** Waits for the recorder's beacons (sent when the event happened) to reach the server. */
  async settle() {
    await sleep(300);
  }
}

const RECORDER = `
  const tab = arguments[0];
  const owner = arguments[1];
  if (window.__recording) return;
  window.__recording = true;
  window.__events = [];
  let seq = 0;
  const send = (name, detail) => navigator.sendBeacon('/__record', JSON.stringify([{ type: 'e2e:' + name, tab, owner, detail, at: Date.now(), seq: seq++ }]));
  // Markup on the page may shadow document's members by name (the hostile-page scenarios): the
  // recorder uses the browser's own functions.
  const on = (target, type, f) => EventTarget.prototype.addEventListener.call(target, type, f);
  const query = (sel) => Document.prototype.querySelector.call(document, sel);
  const body = () => Object.getOwnPropertyDescriptor(Document.prototype, 'body').get.call(document);
  on(document, 'securitypolicyviolation', (e) => send('problem', 'csp: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));
  on(window, 'error', (e) => send('problem', 'pageerror: ' + e.message + (e.error && e.error.stack ? '\\n' + e.error.stack : '')));
  const error = console.error;
  console.error = (...args) => {
    send('console-error', args.map(String).join(' '));
    return error.apply(console, args);
  };
  on(window, 'unhandledrejection', (e) => send('problem', 'unhandled rejection: ' + (e.reason && e.reason.message || e.reason)));
  // Back/forward cache: persisted is true when the page goes into it and comes out of it.
  on(window, 'pagehide', (e) => send('pagehide', { persisted: e.persisted }));
  on(window, 'pageshow', (e) => send('pageshow', { persisted: e.persisted }));
  for (const name of ['autologoff:warning', 'autologoff:extend', 'autologoff:logout']) {
    on(document, name, (e) => {
      window.__events.push({ name, detail: e.detail });
      send(name, e.detail);
      if (name === 'autologoff:logout') {
        const cover = query('[data-autologoff-cover]');
        send('covered', { cover: !!cover && getComputedStyle(cover).position === 'fixed', bodyHidden: getComputedStyle(body()).visibility === 'hidden' });
      }
    });
  }`;

/** `document.documentElement` and `document.querySelector(…)` as the browser defines them: the
 * hostile-page scenarios put markup on the page that shadows them by name. */
const ROOT = "Object.getOwnPropertyDescriptor(Document.prototype, 'documentElement').get.call(document)";
const query = (selector, method = 'querySelector') => `Document.prototype.${method}.call(document, ${selector})`;
