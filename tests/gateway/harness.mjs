// Starts what the gateway's Node tests and bench need: the fixture portal, gateway instances
// (the binary cargo built) with a written configuration, and Debian's redis-server on a free
// loopback port. Everything is stopped by close().
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPortal, COOKIE } from './portal.mjs';
import { freePort, startRedis } from '../../scripts/redis-server.mjs';
import { roundRobin as balancer } from '../../www/cluster.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export { startPortal, COOKIE, freePort, startRedis };

/** The gateway binary: built once per run (`cargo build -p autologoff-gateway`, profile given). */
export function gatewayBinary(profile = process.env.GATEWAY_PROFILE || 'dev') {
  execFileSync('cargo', ['build', '--quiet', '-p', 'autologoff-gateway', '--profile', profile], { cwd: root, stdio: 'inherit' });
  return path.join(root, 'target', profile === 'dev' ? 'debug' : profile, 'autologoff-gateway');
}

function waitFor(child, pattern, what) {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start in 20 s:\n${out}`)), 20_000);
    const on = (chunk) => {
      out += chunk;
      const m = out.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}):\n${out}`));
    });
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The configuration file's text. */
export function configText({ port, upstream, store = 'memory', idle = '3s', absolute = '8s', audit, assets, extra = '', client = '', session = '' }) {
  return `listen = "127.0.0.1:${port}"
upstream = "${upstream}"
${extra}
[session]
cookie = "${COOKIE}"
idle = "${idle}"
absolute = "${absolute}"
${session}
[portal]
sign_in = "/login"
sign_out = "/logout"
user_field = "user"
passive = ["/api/poll"]

[client]
assets = "${assets}"
${client}
[store]
url = "${store}"

[audit]
file = "${audit}"
`;
}

/**
 * A gateway instance in front of `upstream`. Options as configText; `binary` from gatewayBinary().
 * Returns { url, audit (the file), auditLines(), close }.
 */
export async function startGateway({ binary, upstream, dir, ...options }) {
  const port = await freePort();
  dir = dir || fs.mkdtempSync(path.join(os.tmpdir(), 'autologoff-gateway-'));
  const audit = options.audit || path.join(dir, 'audit.jsonl');
  const file = path.join(dir, `gateway-${port}.toml`);
  fs.writeFileSync(file, configText({ port, upstream, audit, assets: path.join(root, 'dist'), ...options }));
  const child = spawn(binary, ['--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = [];
  child.stderr.on('data', (c) => log.push(String(c)));
  await waitFor(child, /listening on (http:\/\/\S+)/, 'autologoff-gateway');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    audit,
    log,
    child,
    auditLines: () => (fs.existsSync(audit) ? fs.readFileSync(audit, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []),
    close: () => stop(child),
  };
}

/**
 * The demo cluster's round-robin proxy over `targets` (gateway instances), as a load balancer
 * with no affinity: consecutive requests of one browser land on different instances.
 */
export async function roundRobin(targets) {
  const server = balancer(targets.map((t) => new URL(t)));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** The conformance kit's command, if this checkout has it (the server branch brings it). */
export const KIT = process.env.AUTOLOGOFF_KIT || path.join(root, 'conformance', 'bin', 'autologoff-conformance.mjs');

/** Runs the conformance kit against `baseUrl`; resolves with its exit code and output. */
export function runKit(baseUrl, args = []) {
  return new Promise((resolve) => {
    // The kit runs node --test itself: not as a child of this test run (NODE_TEST_CONTEXT would
    // make it skip its files).
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, [KIT, '--base-url', baseUrl, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => resolve({ code, out }));
  });
}
