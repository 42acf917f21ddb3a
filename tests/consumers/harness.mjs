// Shared by the consumer tests (tests/consumers/*.test.mjs, run by scripts/test-consumers.mjs):
// each test installs the packed npm package into a small app pinned by its own lockfile, builds
// it the way its users do, serves it, and drives it in headless Chromium through
// active -> warning -> logged off.
//
// The apps are copied out of the repository before they are installed and built (to a folder
// under the system's temp dir, or AUTOLOGOFF_CONSUMERS_DIR), so nothing resolves from the
// repository's own node_modules and each app sees only what its lockfile pins. Their
// node_modules are kept between runs and reinstalled (npm ci) only when the lockfile changes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, open, startServer } from '../e2e/helpers.mjs';

export { launch, startServer };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCES = path.join(ROOT, 'tests', 'consumers');

/** Where the apps are installed and built: outside the repository, one folder per checkout. */
export const WORK =
  process.env.AUTOLOGOFF_CONSUMERS_DIR ||
  path.join(os.tmpdir(), 'autologoff-consumers-' + crypto.createHash('sha256').update(ROOT).digest('hex').slice(0, 10));

/** The environment the apps' tools run in: none of the repository's npm project or binaries. */
export const ENV = (() => {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    // `npm run` exports the repository as the project (npm_config_local_prefix would make an
    // app's `npm ci` install the repository's lockfile); the user's npm settings (cache,
    // registry, proxy) stay.
    if (/^npm_(package_|lifecycle_|command$|config_local_prefix$)/i.test(k) || k === 'INIT_CWD' || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  // `npm run` puts the repository's node_modules/.bin on PATH: an app must not find tools there.
  env.PATH = (process.env.PATH || '')
    .split(path.delimiter)
    .filter((p) => !/[\\/]node_modules[\\/]\.bin[\\/]?$/.test(p) && !p.includes('node-gyp-bin'))
    .join(path.delimiter);
  Object.assign(env, {
    NG_CLI_ANALYTICS: 'false', // no question asked (CI=true would also turn Angular's cache off)
    NEXT_TELEMETRY_DISABLED: '1',
    NO_UPDATE_NOTIFIER: '1',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  });
  return env;
})();

/** The packed package: AUTOLOGOFF_TARBALL (the runner packs once), or `npm pack pkg/` now. */
let packed = null;
export async function tarball() {
  if (process.env.AUTOLOGOFF_TARBALL) return process.env.AUTOLOGOFF_TARBALL;
  if (!packed) {
    assert.ok(fs.existsSync(path.join(ROOT, 'pkg', 'package.json')), 'pkg/ is not built: run `node scripts/build.mjs` (or npm run test:consumers)');
    fs.mkdirSync(WORK, { recursive: true });
    const dir = fs.mkdtempSync(path.join(WORK, 'tarball-')); // one per test process
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    const { output } = await run('npm', ['pack', path.join(ROOT, 'pkg'), '--pack-destination', dir, '--silent'], { cwd: dir });
    packed = path.join(dir, output.trim().split('\n').pop());
  }
  return packed;
}

/**
 * Copies the app `name` (tests/consumers/<name>) to its work folder, installs what its lockfile
 * pins (`npm ci`, skipped when node_modules already matches the lockfile), then the packed
 * package with `npm install --no-save`, and checks that this changed nothing else (and that the
 * app's own dependencies are pinned exactly). Returns the app's folder.
 */
export async function prepareApp(name) {
  const src = path.join(SOURCES, name);
  const dir = path.join(WORK, name);
  fs.mkdirSync(dir, { recursive: true });
  // A fresh copy of the sources each run; only node_modules is kept (build caches are not).
  for (const entry of fs.readdirSync(dir)) {
    if (entry !== 'node_modules') fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
  fs.cpSync(src, dir, { recursive: true, filter: (from) => !from.split(path.sep).includes('node_modules') });

  const lock = fs.readFileSync(path.join(dir, 'package-lock.json'));
  const stampFile = path.join(dir, 'node_modules', '.autologoff-consumer-lock');
  const stamp = crypto.createHash('sha256').update(lock).digest('hex');
  if (!fs.existsSync(stampFile) || fs.readFileSync(stampFile, 'utf8') !== stamp) {
    await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeout: 30 * 60_000 });
    fs.writeFileSync(stampFile, stamp);
  }
  fs.rmSync(path.join(dir, 'node_modules', 'autologoff'), { recursive: true, force: true });
  // What npm installed (its record in node_modules), but the package under test.
  const installed = () => {
    const { packages } = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', '.package-lock.json'), 'utf8'));
    return Object.entries(packages).filter(([p]) => p !== 'node_modules/autologoff').map(([p, v]) => p + '@' + v.version).sort();
  };
  const before = installed();
  await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', await tarball()], { cwd: dir, timeout: 10 * 60_000 });
  assert.deepEqual(installed(), before, `${name}: installing the tarball changed other packages`);

  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const [dep, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
    assert.match(version, /^\d+\.\d+\.\d+$/, `${name}: ${dep} must be pinned to an exact version`);
    const installed = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', dep, 'package.json'), 'utf8')).version;
    assert.equal(installed, version, `${name}: installing the tarball changed ${dep}`);
  }
  const ours = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'autologoff', 'package.json'), 'utf8'));
  assert.equal(ours.name, 'autologoff');
  return dir;
}

// Every command runs in a process group of its own (so a server's workers end with it). Groups
// still running when this process exits or is interrupted are ended with it.
const groups = new Set();
function start(cmd, args, { cwd, env = {} }) {
  const child = spawn(cmd, args, { cwd, env: { ...ENV, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  groups.add(child);
  child.on('close', () => groups.delete(child));
  return child;
}
process.on('exit', () => {
  for (const child of groups) killGroup(child, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of groups) killGroup(child, 'SIGKILL');
    process.exit(130);
  });
}

/** Runs a command to completion; rejects with the end of its output when it fails. */
export function run(cmd, args, { cwd, timeout = 15 * 60_000, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = start(cmd, args, { cwd, env });
    let output = '';
    const keep = (d) => {
      output += d;
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) took longer than ${timeout / 1000} s:\n${tail(output)}`));
    }, timeout);
    child.on('error', (e) => (clearTimeout(timer), reject(e)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ output });
      else reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed (${signal || 'exit ' + code}):\n${tail(output)}`));
    });
  });
}

/**
 * Starts a long-running command (a framework's server) in its own process group.
 * `stop()` ends the whole group (npm, the shell it runs, the server and its workers).
 */
export function serve(cmd, args, { cwd, env = {} } = {}) {
  const child = start(cmd, args, { cwd, env });
  let output = '';
  const keep = (d) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const done = new Promise((resolve) => child.on('close', (code, signal) => resolve((exited = signal || 'exit ' + code))));
  return {
    output: () => output,
    exited: () => exited,
    async stop() {
      if (exited) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
      killGroup(child, 'SIGKILL'); // any straggler left in the group
    },
  };
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

const tail = (text) => text.split('\n').slice(-40).join('\n');

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Waits until `url` answers with a status below 500, or the server process ends. */
export async function waitForHttp(url, server, timeoutMs = 5 * 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (server.exited()) throw new Error(`the server ended (${server.exited()}) before answering ${url}:\n${tail(server.output())}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(60_000) });
      await r.arrayBuffer();
      if (r.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s:\n${tail(server.output())}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Opens `url` (the app's signed-in page) in a new context and follows the session to its end:
 * `<html data-autologoff-state>` must go active -> warning -> expired, the warning dialog must
 * show, the logout request must reach `logoutPath` with reason=idle and be answered, and the page
 * must land on `landing`. `server` (the demo server), when given, must also have recorded the
 * logout; with `endpoints`, the logout endpoint and the landing page are answered by the browser
 * context itself (for dev servers with no backend). Every failure names what the page showed and
 * said.
 */
export async function driveToLogoff(browser, url, { logoutPath = '/autologoff/logout', landing = /\/login\?reason=timeout$/, server, loadTimeout = 60_000, endpoints = false } = {}) {
  const context = await browser.newContext();
  const logouts = [];
  try {
    if (endpoints) {
      // A dev server with no backend: the logout endpoint and the sign-in page are answered here.
      await context.route((u) => u.pathname === logoutPath, (route) =>
        route.request().method() === 'POST' ? route.fulfill({ status: 204 }) : route.fallback());
      await context.route((u) => landing.test(u.href), (route) =>
        route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Sign in</title><h1>Sign in</h1>' }));
    }
    const page = await open(context);
    // Every value the state attribute takes, in order (old values too, so changes made in one
    // task are not lost), sent to this process so they survive the redirect.
    // (The document, not <html>: init scripts run before <html> exists.)
    await page.addInitScript(() => {
      const seen = (value) => window.__recordEvent('state', value);
      new MutationObserver((all) => {
        const records = all.filter((r) => r.target === document.documentElement);
        records.forEach((r, i) => {
          if (i === 0 && r.oldValue !== null) seen(r.oldValue);
          const next = i + 1 < records.length ? records[i + 1].oldValue : r.target.dataset.autologoffState;
          seen(next ?? null);
        });
      }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-autologoff-state'], attributeOldValue: true });
    });
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === logoutPath) {
        const entry = { body: r.postData(), status: null };
        logouts.push(entry);
        r.response().then((res) => (entry.status = res && res.status()), () => {});
      }
    });

    const states = () => page.recorded.filter((e) => e.name === 'state').map((e) => e.detail);
    const report = (what) =>
      `${what}\n  states seen: ${states().join(' -> ') || '(none)'}\n  url: ${page.url()}\n  console: ${JSON.stringify(page.consoleMessages)}\n  page errors: ${JSON.stringify(page.problems())}`;
    const waitForState = async (wanted, timeout) => {
      // Fail as soon as the session is somewhere it should not be, not after the timeout.
      const ok = await page
        .waitForFunction(
          (w) => {
            const s = document.documentElement.dataset.autologoffState;
            return s === w || s === 'stopped' || (w !== 'expired' && s === 'expired') ? s : false;
          },
          wanted,
          { timeout },
        )
        .then((h) => h.jsonValue(), (e) => 'timeout: ' + e.message.split('\n')[0]);
      if (ok !== wanted) throw new Error(report(`expected the session to be "${wanted}", found ${ok}`));
    };

    await page.goto(url, { timeout: loadTimeout });
    await waitForState('active', loadTimeout);
    await waitForState('warning', 30_000);
    await page.getByRole('alertdialog').waitFor({ state: 'visible', timeout: 10_000 });
    await page.waitForURL(landing, { timeout: 30_000 }).catch((e) => {
      throw new Error(report('the page did not land on ' + landing + ': ' + e.message.split('\n')[0]));
    });

    const seen = states().filter((s, i, all) => s !== all[i - 1]);
    assert.deepEqual(seen, ['active', 'warning', 'expired'], report('the state attribute went another way'));
    const logoutEvents = page.recorded.filter((e) => e.name === 'autologoff:logout');
    assert.deepEqual(logoutEvents.map((e) => e.detail), [{ reason: 'idle' }], report('autologoff:logout events'));
    assert.equal(logouts.length, 1, report('POST ' + logoutPath + ' requests: ' + JSON.stringify(logouts)));
    assert.match(logouts[0].body || '', /(^|&)reason=idle(&|$)/);
    for (let i = 0; i < 50 && logouts[0].status === null; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(logouts[0].status >= 200 && logouts[0].status < 300, 'the logout request was answered with ' + logouts[0].status);
    if (server) {
      const reasons = server.state.logouts.map((l) => l.reason);
      assert.ok(reasons.includes('idle'), 'the demo server saw the logout: ' + JSON.stringify(server.state.logouts));
    }
    assert.deepEqual(page.problems(), [], report('page errors'));
    const ourErrors = page.consoleMessages.filter((m) => m.type === 'error' && /autologoff/i.test(m.text));
    assert.deepEqual(ourErrors, [], report('autologoff reported errors'));
    return { page, states: seen };
  } finally {
    await context.close();
  }
}

/**
 * Runs one statically served consumer: prepares the app, runs `npm run build`, serves `outDir`
 * (relative to the app) at /consumers/<name>/ on the demo server, and drives each page.
 */
export async function staticConsumer(name, { outDir = 'dist', pages = ['index.html'], check } = {}) {
  const dir = await prepareApp(name);
  await run('npm', ['run', 'build'], { cwd: dir });
  const out = path.join(dir, outDir);
  if (check) check(out);
  const server = await startServer({ extraStatic: [[`/consumers/${name}/`, out]] });
  const browser = await launch();
  try {
    for (const p of pages) {
      server.state.logouts.length = 0;
      await driveToLogoff(browser, `${server.url}/consumers/${name}/${p}`, { server });
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Files under `dir` (recursively) whose names match `re`. */
export function filesMatching(dir, re) {
  const found = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && re.test(e.name)) found.push(path.relative(dir, path.join(e.parentPath ?? e.path, e.name)));
  }
  return found;
}
