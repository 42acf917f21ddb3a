// Starts what the gateway's Node tests and bench need: the fixture portal, gateway instances
// (the binary cargo built) with a written configuration, and Debian's redis-server on a free
// loopback port. Everything is stopped by close().
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPortal, COOKIE } from './portal.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export { startPortal, COOKIE };

/** The gateway binary: built once per run (`cargo build -p autologoff-gateway`, profile given). */
export function gatewayBinary(profile = process.env.GATEWAY_PROFILE || 'dev') {
  execFileSync('cargo', ['build', '--quiet', '-p', 'autologoff-gateway', '--profile', profile], { cwd: root, stdio: 'inherit' });
  return path.join(root, 'target', profile === 'dev' ? 'debug' : profile, 'autologoff-gateway');
}

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

/** Debian's redis-server on a free loopback port, never saving, never evicting. */
export async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitFor(child, /Ready to accept connections/, 'redis-server');
  return { url: `redis://127.0.0.1:${port}/0`, port, child, close: () => stop(child) };
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
