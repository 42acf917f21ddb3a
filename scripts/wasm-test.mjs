#!/usr/bin/env node
// Runs `cargo test --target wasm32-unknown-unknown --test browser` in Chromium or Firefox with
// the browser's page loads going through a small proxy here that gives each request a
// connection of its own to the test runner's server.
//
// Why: wasm-bindgen-test-runner 0.2.130 serves the test page with rouille on tiny_http 0.12,
// which hands each connection to a thread pool (tiny_http src/util/task_pool.rs, TaskPool::spawn).
// When two connections arrive while one thread is idle, both are queued for that one thread
// (`waiting_tasks` is still 1 for the second), and the second waits until some thread finishes
// its connection. Chromium opens up to six keep-alive connections at once and keeps them open,
// so the threads never finish: the module script's request is never read, the page never loads,
// and chromedriver gives up after 300 s ("Timed out receiving message from renderer"). Seen here
// on 9 of 40 launches on a 2-core machine (CI failed so); 0 of 26 through this proxy. Here every
// request upstream is one connection that closes after its answer, so a queued one is picked
// up as soon as the request before it is answered.
//
// Usage: node scripts/wasm-test.mjs chromium|firefox [extra args for the test binary]
import { spawn } from 'node:child_process';
import { pipeline } from 'node:stream';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [browser, ...rest] = process.argv.slice(2);
if (browser !== 'chromium' && browser !== 'firefox') {
  console.error('usage: node scripts/wasm-test.mjs chromium|firefox [test filter]');
  process.exit(2);
}

/** Requests forwarded to a loopback origin: the runner's server is the only one the tests use. */
let forwarded = 0;
/** Forwards one proxied request (absolute-form URL) to a loopback origin on a fresh connection. */
function forward(req, res) {
  let target;
  try {
    target = new URL(req.url);
  } catch {
    res.writeHead(400).end('absolute URL expected');
    return;
  }
  if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost') {
    // Nothing but the runner's own server: the tests make no other request.
    res.writeHead(403).end('only loopback');
    return;
  }
  forwarded += 1;
  const headers = { ...req.headers, connection: 'close' };
  delete headers['proxy-connection'];
  const upstream = http.request(
    { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers, agent: false },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      // An answer cut off upstream cuts the browser's off too, rather than leaving it waiting.
      pipeline(answer, res, (e) => e && res.destroy(e));
    },
  );
  upstream.on('error', (e) => {
    if (res.headersSent) res.destroy(e);
    else res.writeHead(502).end(String(e));
  });
  req.pipe(upstream);
}

const proxy = http.createServer(forward);
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const port = /** @type {import('node:net').AddressInfo} */ (proxy.address()).port;

const caps = JSON.parse(readFileSync(join(root, 'webdriver.json'), 'utf8'));
if (browser === 'chromium') {
  // <-loopback> takes loopback off Chromium's implicit bypass list, so 127.0.0.1 goes through too.
  caps['goog:chromeOptions'].args.push(`--proxy-server=http://127.0.0.1:${port}`, '--proxy-bypass-list=<-loopback>');
} else {
  caps['moz:firefoxOptions'].prefs = {
    ...(caps['moz:firefoxOptions'].prefs ?? {}),
    'network.proxy.type': 1,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': port,
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': true,
  };
}
const dir = mkdtempSync(join(tmpdir(), 'autologoff-wasm-test-'));
const capsFile = join(dir, 'webdriver.json');
writeFileSync(capsFile, JSON.stringify(caps));

const env = { ...process.env, WASM_BINDGEN_TEST_WEBDRIVER_JSON: capsFile, WASM_BINDGEN_TEST_TIMEOUT: process.env.WASM_BINDGEN_TEST_TIMEOUT ?? '120' };
delete env.CHROMEDRIVER;
delete env.GECKODRIVER;
delete env.SAFARIDRIVER;
if (browser === 'chromium') env.CHROMEDRIVER = process.env.CHROMEDRIVER ?? '/usr/bin/chromedriver';
else env.GECKODRIVER = process.env.GECKODRIVER ?? join(process.env.HOME ?? '', '.cargo/bin/geckodriver');

const args = ['test', '--target', 'wasm32-unknown-unknown', '--test', 'browser'];
if (rest.length) args.push('--', ...rest);
// cargo, the test runner, the driver and the browser are one process group, killed with this
// script whichever way it ends (as tests/webkit/with-display.mjs does).
let child;
const killChild = () => {
  try {
    if (child) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
};
const cleanUp = () => {
  killChild();
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
}
const code = await new Promise((resolve) => {
  child = spawn('cargo', args, { cwd: root, env, stdio: 'inherit', detached: true });
  child.once('error', (error) => {
    console.error(`wasm-test: ${error.message}`);
    resolve(127);
  });
  child.once('exit', (c, signal) => resolve(c ?? 128 + (signal === 'SIGINT' ? 2 : 15)));
});
proxy.close();
proxy.closeAllConnections();
// None forwarded means the browser went around the proxy, and the hang above can come back.
console.log(`(wasm-test: ${forwarded} requests through the proxy)`);
if (code === 0 && forwarded === 0) {
  console.error('wasm-test: the browser sent nothing through the proxy; its proxy settings were not applied');
  process.exit(1);
}
process.exit(code);
