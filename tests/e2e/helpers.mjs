// Shared set-up for the end-to-end tests: the demo server in-process, Debian's Chromium through
// playwright-core, a signed-in context, and a watch for CSP violations and page errors.
import { before, after } from 'node:test';
import { chromium, firefox } from 'playwright-core';
import { startServer as startDemo } from '../../www/server.mjs';
import { startCluster } from '../../www/cluster.mjs';
import { seedStorage as seedIn, storageLeft as storageIn } from '../scenarios/helpers.mjs';

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The browser under test: `AUTOLOGOFF_BROWSER=firefox` runs a suite in Firefox ESR. */
export const BROWSER = process.env.AUTOLOGOFF_BROWSER === 'firefox' ? 'firefox' : 'chromium';
export const IN_FIREFOX = BROWSER === 'firefox';

/** Launches the browser under test. `backForwardCache`: keep Chromium's back/forward cache on
 * (Playwright turns it off by default; Firefox keeps its own). */
export async function launch({ backForwardCache = false } = {}) {
  if (IN_FIREFOX) {
    // Debian's Firefox ESR, driven over WebDriver BiDi (playwright-core 1.64.1 can; 1.65 cannot).
    return firefox.launch({
      channel: 'moz-firefox',
      executablePath: process.env.FIREFOX || '/usr/lib/firefox-esr/firefox-esr',
    });
  }
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    ...(backForwardCache ? { ignoreDefaultArgs: ['--disable-back-forward-cache'] } : {}),
  });
}

/**
 * The demo server in test mode (query-parameter overrides, fault switches, state introspection).
 * AUTOLOGOFF_SERVER=cluster starts two instances sharing one redis-server behind a round-robin
 * proxy instead (see www/cluster.mjs): the same state, merged from both instances.
 */
export const startServer = (options = {}) =>
  process.env.AUTOLOGOFF_SERVER === 'cluster' && !options.tls && !options.extraStatic
    ? startCluster({ testMode: true, ...options })
    : startDemo({ testMode: true, ...options });

/** A new browser context signed in to the demo portal (its own cookie jar). `form` adds fields
 * to POST /login (e.g. serverIdle). */
export async function signedIn(browser, server, form = {}) {
  const context = await browser.newContext({ baseURL: server.url });
  const r = await context.request.post('/login', { form: { user: 'test.nurse', password: 'x', preset: 'demo', ...form }, maxRedirects: 0 });
  if (r.status() !== 303) throw new Error('login failed: ' + r.status());
  return context;
}

/** The session cookie value of a context. */
export async function sid(context) {
  const c = (await context.cookies()).find((c) => c.name === 'sid');
  return c ? c.value : null;
}

/**
 * Opens a page and records console messages, page errors and CSP violations on it.
 * `page.problems()` lists page errors and violations; tests assert it is empty.
 */
export async function open(context, path) {
  const page = await context.newPage();
  const consoleMessages = [];
  const errors = [];
  page.on('console', (m) => consoleMessages.push({ type: m.type(), text: m.text() }));
  const pageErrors = [];
  page.on('pageerror', (e) => {
    errors.push('pageerror: ' + e.message);
    pageErrors.push(e.stack || e.message);
  });
  const recorded = [];
  await page.exposeFunction('__cspViolation', (v) => errors.push('csp: ' + v));
  // Events also go to the test process, so they survive the redirect that ends a session.
  await page.exposeFunction('__recordEvent', (name, detail) => recorded.push({ name, detail, at: Date.now() }));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolation(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample),
    );
    window.__events = [];
    for (const name of ['autologoff:warning', 'autologoff:extend', 'autologoff:logout']) {
      document.addEventListener(name, (e) => {
        window.__events.push({ name, detail: e.detail, at: Date.now() });
        window.__recordEvent(name, e.detail);
        if (name === 'autologoff:logout') {
          // At the moment of logout: is the page already covered and the body hidden?
          const cover = document.querySelector('[data-autologoff-cover]');
          window.__recordEvent('covered', {
            cover: !!cover && getComputedStyle(cover).position === 'fixed',
            bodyHidden: getComputedStyle(document.body).visibility === 'hidden',
          });
        }
      });
    }
  });
  page.consoleMessages = consoleMessages;
  page.recorded = recorded;
  page.problems = () => errors.slice();
  /** Page errors with their stacks (which script threw). */
  page.pageErrors = pageErrors;
  if (path) await page.goto(path);
  return page;
}

export const state = (page) => page.evaluate(() => document.documentElement.dataset.autologoffState);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The scenario helpers' view of a Playwright page: a function body that calls `done(value)`. */
const asTab = (page) => ({ evalAsync: (body) => page.evaluate(`new Promise((done) => { ${body}\n })`) });

/** Seeds every kind of client storage the page's origin has, plus script-readable cookies (one
 * definition for every suite: tests/scenarios/helpers.mjs). */
export const seedStorage = (page) => seedIn(asTab(page));

/** What client storage the page's origin still holds. */
export const storageLeft = (page) => storageIn(asTab(page));

/**
 * Waits until `page` is at a URL matching `pattern`. Not `page.waitForURL`, which rejects at the
 * first aborted navigation: Chromium can abort one that starts while a `Clear-Site-Data: "cache"`
 * answer is being applied (https://crbug.com/40233601), and autologoff then sends the page again
 * (README, "Expiry"); where it lands is what counts.
 */
export async function landsOn(page, pattern, timeout = 15_000) {
  const end = Date.now() + timeout;
  while (!pattern.test(page.url())) {
    if (Date.now() > end) throw new Error(`still at ${page.url()} after ${timeout} ms, not ${pattern}`);
    await sleep(50);
  }
}

/** Waits until `fn()` is true (polled every 50 ms), for at most `timeout` ms; whether it came
 * true. For what arrives on its own time: a beacon, a request sent with keepalive. */
export async function eventually(fn, timeout = 5_000) {
  const end = Date.now() + timeout;
  while (!fn()) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

/** A portal page URL with these script-tag settings. */
export const portal = (query) => '/portal?' + new URLSearchParams(query);
/** The warning dialog. */
export const dialog = (page) => page.locator('[role="alertdialog"]');
/** Where a timed-out session lands. */
export const LOGIN = /\/login\?reason=timeout$/;

/**
 * The demo server and a browser for the tests of one file: started before them, closed after.
 * Read `env.server` and `env.browser` inside tests.
 */
export function useServerAndBrowser(options) {
  const env = {};
  before(async () => {
    env.server = await startServer(options);
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}
