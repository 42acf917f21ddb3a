// WebKit (Safari's engine) for the end-to-end tests: Debian's WebKitGTK MiniBrowser on an Xvfb
// display, driven over WebDriver classic by WebKitWebDriver.
//
// The client is selenium-webdriver, chosen over webdriverio because:
// - footprint: 4 small dependencies (jszip, tmp, ws, @bazel/runfiles); webdriverio 9 pulls in
//   @wdio/utils with @puppeteer/browsers, edgedriver, geckodriver and safaridriver, packages
//   whose job is to download browsers and drivers;
// - WebDriver classic is its native protocol (WebKitGTK speaks classic; no BiDi is assumed);
// - maintenance: it is the Selenium project's own binding, released with Selenium itself.
// Nothing here downloads anything: the session is created with `WebDriver.createSession` on an
// executor pointed at a WebKitWebDriver this file starts itself, so selenium-manager (which the
// `Builder` runs to find or fetch a driver) is never invoked; SE_OFFLINE makes sure of it.
// Pinned at 4.46.0, the last release that supports Node 20 (4.47 wants Node 22).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { WebDriver, Capabilities } from 'selenium-webdriver';
import http from 'selenium-webdriver/http/index.js';

process.env.SE_OFFLINE = 'true';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** MiniBrowser ships inside libwebkit2gtk-4.1-0, outside PATH: `MINIBROWSER` or where Debian puts it. */
let miniBrowser = process.env.MINIBROWSER;
export function miniBrowserPath() {
  if (!miniBrowser) {
    const out = spawnSync('dpkg', ['-L', 'libwebkit2gtk-4.1-0'], { encoding: 'utf8' }).stdout || '';
    miniBrowser = out.split('\n').find((l) => l.endsWith('/MiniBrowser'));
    if (!miniBrowser) throw new Error('MiniBrowser not found: run scripts/setup.sh (installs webkit2gtk-driver)');
  }
  return miniBrowser;
}

// Every process this file started, killed with its whole process group (WebKitWebDriver starts
// MiniBrowser, which starts WebKit's web and network processes).
const children = new Set();

function killAll() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}

// Ctrl-C, a test runner's SIGTERM, or a plain exit: nothing may outlive the test process.
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killAll();
    process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 })[signal]);
  });
}

function start(command, args, options = {}) {
  // detached: a process group of its own, so that killing -pid takes its descendants too.
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'], ...options });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  child.stderrTail = () => stderr;
  child.once('exit', () => children.delete(child));
  return child;
}

function stop(child) {
  if (!child || !children.has(child)) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  children.delete(child);
}

/**
 * Xvfb on a display number it picks itself (-displayfd writes the free number it took), so two
 * runs on one machine never collide.
 *
 * The screen is larger than MiniBrowser's 1024x768 windows (all placed at 0,0) so that X's
 * pointer, which starts at the centre of the screen and which WebDriver's input actions do not
 * move (they are simulated inside the browser), sits outside every window. Over a window, it
 * makes WebKit send that page trusted pointer events whenever a window opens or closes above
 * it, which autologoff rightly counts as activity, and which would keep tests' idle tabs alive.
 */
async function startXvfb() {
  const child = start('Xvfb', ['-displayfd', '3', '-screen', '0', '2560x1600x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const display = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not start: ' + child.stderrTail())), 30_000);
    child.stdio[3].on('data', (d) => {
      text += d;
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve(':' + text.trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error('Xvfb exited ' + code + ': ' + child.stderrTail()));
    });
  });
  return { child, display };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startDriver(display) {
  const binary = process.env.WEBKITWEBDRIVER || '/usr/bin/WebKitWebDriver';
  if (!fs.existsSync(binary)) throw new Error(binary + ' not found: run scripts/setup.sh (installs webkit2gtk-driver)');
  // A port another process takes between freePort() and the driver's bind: try another.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = start(binary, ['--port=' + port, '--host=127.0.0.1'], { env: { ...process.env, DISPLAY: display } });
    const url = `http://127.0.0.1:${port}`;
    const until = Date.now() + 30_000;
    while (Date.now() < until && children.has(child)) {
      try {
        const r = await fetch(url + '/status');
        if (r.ok) return { child, url };
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    stop(child);
    if (attempt >= 2) throw new Error('WebKitWebDriver did not start: ' + child.stderrTail());
  }
}

/** MiniBrowser's names (`MiniBrowser --features=help`) of the APIs a session can be without. */
const FEATURES = { BroadcastChannel: 'BroadcastChannel', WebLocks: 'WebLocksAPI' };

/**
 * Capabilities of a MiniBrowser session (WebKitGTK's WebDriver needs the binary named). `without`
 * lists APIs to turn off in the engine (see FEATURES), as a Safari that predates them lacks them.
 */
export function miniBrowserCapabilities({ without = [] } = {}) {
  const off = without.map((api) => {
    if (!FEATURES[api]) throw new Error('no WebKit feature for ' + api);
    return '-' + FEATURES[api];
  });
  return new Capabilities({
    browserName: 'MiniBrowser',
    'webkitgtk:browserOptions': { binary: miniBrowserPath(), args: ['--automation', ...(off.length ? ['--features=' + off.join(',')] : [])] },
  });
}

/**
 * Xvfb for the tests of one file. `newSession(options)` starts a WebKitWebDriver and, through it, a
 * MiniBrowser: a new browser with its own storage and cookies (WebKitWebDriver runs one session
 * at a time, so each session has a driver of its own). `quit(session)` ends one; `close()` quits
 * every session and kills every process, and is safe to call twice.
 */
export async function startWebKit() {
  const xvfb = await startXvfb();
  const sessions = new Map(); // session -> its WebKitWebDriver
  const quit = async (session) => {
    const driver = sessions.get(session);
    sessions.delete(session);
    await withTimeout(session.quit(), 10_000).catch(() => {});
    stop(driver?.child);
  };
  return {
    display: xvfb.display,
    /** `options`: see miniBrowserCapabilities. */
    async newSession(options) {
      const driver = await startDriver(xvfb.display);
      const session = WebDriver.createSession(new http.Executor(new http.HttpClient(driver.url)), miniBrowserCapabilities(options));
      sessions.set(session, driver);
      try {
        await session.getSession(); // fails here, not later, when the browser cannot start
        // Generous: the machine is shared with other builds and browsers.
        await session.manage().setTimeouts({ script: 30_000, pageLoad: 60_000, implicit: 0 });
      } catch (error) {
        await quit(session);
        throw new Error('MiniBrowser session not created: ' + error.message + '\n' + driver.child.stderrTail());
      }
      return session;
    },
    quit,
    async close() {
      await Promise.all([...sessions.keys()].map(quit));
      stop(xvfb.child);
    },
  };
}

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
