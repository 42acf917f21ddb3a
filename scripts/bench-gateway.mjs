// npm run bench:gateway: what autologoff-gateway adds, measured, not timed as a test.
//
// In one run, on this machine: the fixture portal (tests/gateway/portal.mjs) reached directly,
// through nginx as a plain reverse proxy, and through the gateway (memory store, and Redis on
// loopback), with wrk: latency (median, p99) of one connection making requests one after the
// other, and requests per second with 32 connections. The request is a signed-in background
// poll of a small JSON route (the session is looked up and judged on every one), and a
// signed-in page (the gateway also puts the script tag in). Then the gateway's memory for
// 10,000 live sessions (RSS after signing them in, less RSS before).
//
// Installs Debian's nginx, wrk and redis-server if they are missing. Writes the figures into
// docs/bench.md (the "Gateway" section, between its markers) and target/bench/gateway.json.
import { spawn, execFileSync, execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort, startGateway, startRedis, gatewayBinary, COOKIE } from '../tests/gateway/harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (m) => console.error('bench:gateway: ' + m);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const DURATION = Number(process.env.BENCH_SECONDS || 8);

function ensureDebian(pkgs) {
  const missing = pkgs.filter(([cmd]) => {
    try {
      execSync(`command -v ${cmd}`, { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  const names = missing.map(([, p]) => p);
  say(`installing ${names.join(' ')} from Debian`);
  const sudo = process.getuid() === 0 ? [] : ['sudo'];
  execFileSync(sudo[0] || 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'update', '-qq'], { stdio: 'inherit' });
  execFileSync(sudo[0] || 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'install', '-y', '-qq', '-o', 'DPkg::Lock::Timeout=600', ...names], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function waitOutput(child, pattern) {
  return new Promise((resolve, reject) => {
    let out = '';
    const on = (c) => {
      out += c;
      if (pattern.test(out)) resolve();
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

async function startNginx(upstreamPort) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-nginx-'));
  // A plain reverse proxy, as a portal team would put in front: keep-alive to the upstream,
  // two workers (the machine's cores), no cache, no logs on the measured path.
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `worker_processes 2;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream portal { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://portal;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_buffering off;
    }
  }
}
`);
  const child = spawn('nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  for (let i = 0; i < 50; i++) {
    if (await fetch(`http://127.0.0.1:${port}/hello`).then((r) => r.ok, () => false)) break;
    await sleep(100);
  }
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
}

function post(url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: keepAlive, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 16 });

async function signInCookie(base, user = 'bench') {
  const res = await post(base + '/login', `user=${user}&password=x`);
  return res.headers['set-cookie'][0].split(';')[0];
}

function wrk(url, { connections, headers }) {
  const args = ['-t', connections > 1 ? '2' : '1', '-c', String(connections), '-d', `${DURATION}s`, '--latency'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  const out = execFileSync('wrk', [...args, url], { encoding: 'utf8' });
  const ms = (s) => {
    const m = /([\d.]+)(us|ms|s)/.exec(s);
    return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
  };
  const p = (q) => ms(new RegExp(`^\\s+${q}%\\s+(\\S+)`, 'm').exec(out)[1]);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  return { p50: p(50), p99: p(99), rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]), non2xx: errors ? Number(errors[1]) : 0 };
}

const rss = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;

async function main() {
  ensureDebian([['nginx', 'nginx-light'], ['wrk', 'wrk'], ['redis-server', 'redis-server']]);
  say('building the gateway (profile gateway)');
  const binary = gatewayBinary('gateway');
  if (!fs.existsSync(path.join(root, 'dist', 'autologoff.js'))) execFileSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });

  const portalPort = await freePort();
  const portal = spawn(process.execPath, [path.join(root, 'tests/gateway/portal.mjs'), String(portalPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitOutput(portal, /portal: /);
  const direct = `http://127.0.0.1:${portalPort}`;
  const nginx = await startNginx(portalPort);
  // Limits long enough that no session ends during the run.
  const gw = await startGateway({ binary, upstream: direct, idle: '30m', absolute: '12h' });
  const redis = await startRedis();
  const gwRedis = await startGateway({ binary, upstream: direct, idle: '30m', absolute: '12h', store: redis.url });

  // One session signed in through each gateway (the same cookie is the portal's session).
  const cookieMem = await signInCookie(gw.url);
  const cookieRedis = await signInCookie(gwRedis.url);
  const targets = [
    ['portal, direct', direct, cookieMem],
    ['nginx (plain proxy)', nginx.url, cookieMem],
    ['autologoff-gateway, memory store', gw.url, cookieMem],
    ['autologoff-gateway, Redis on loopback', gwRedis.url, cookieRedis],
  ];
  const requests = {
    poll: { path: '/api/poll', headers: { 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'same-origin', accept: 'application/json' } },
    page: { path: '/portal', headers: { 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'same-origin', accept: 'text/html' } },
  };
  const results = {};
  // Two rounds, interleaved, so a neighbour's load on the shared machine falls on every target;
  // the better round of each is kept.
  for (let round = 0; round < 2; round++) {
    for (const [name, base, cookie] of targets) {
      for (const [kind, r] of Object.entries(requests)) {
        const headers = { ...r.headers, cookie };
        say(`round ${round + 1}: ${name}, ${kind}`);
        const lat = wrk(base + r.path, { connections: 1, headers });
        const thr = wrk(base + r.path, { connections: 32, headers });
        if (lat.non2xx || thr.non2xx) throw new Error(`${name} ${kind}: non-2xx answers (${lat.non2xx + thr.non2xx})`);
        const key = `${name}|${kind}`;
        const prev = results[key];
        results[key] = prev
          ? { p50: Math.min(prev.p50, lat.p50), p99: Math.min(prev.p99, lat.p99), rps: Math.max(prev.rps, thr.rps) }
          : { p50: lat.p50, p99: lat.p99, rps: thr.rps };
      }
    }
  }

  // Memory: 10,000 live sessions in the memory store, signed in through a fresh instance.
  const gwMem = await startGateway({ binary, upstream: direct, idle: '30m', absolute: '12h' });
  await signInCookie(gwMem.url, 'warm-up');
  await sleep(500);
  const before = rss(gwMem.child.pid);
  say('signing in 10,000 sessions');
  const N = 10_000;
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < N) await signInCookie(gwMem.url, 'user' + next++);
  }));
  await sleep(500);
  const after = rss(gwMem.child.pid);

  for (const c of [gwMem, gw, gwRedis]) await c.close();
  await redis.stop();
  await nginx.close();
  portal.kill('SIGTERM');
  keepAlive.destroy();

  const get = (name, kind) => results[`${name}|${kind}`];
  const added = (name, kind, q) => get(name, kind)[q] - get('portal, direct', kind)[q];
  const memory = { sessions: N, before, after, delta: after - before, perSession: (after - before) / N };
  const json = { date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, seconds: DURATION, results, memory };
  fs.mkdirSync(path.join(root, 'target', 'bench'), { recursive: true });
  fs.writeFileSync(path.join(root, 'target', 'bench', 'gateway.json'), JSON.stringify(json, null, 2));

  const f = (n, d = 2) => n.toFixed(d);
  const signed = (n) => (n < 0 ? '−' : '+') + Math.abs(n).toFixed(3);
  const rows = [];
  for (const kind of Object.keys(requests)) {
    for (const [name] of targets) {
      const r = get(name, kind);
      const extra = name === 'portal, direct' ? '' : ` | ${signed(added(name, kind, 'p50'))} | ${signed(added(name, kind, 'p99'))}`;
      rows.push(`| ${kind} | ${name} | ${f(r.p50, 3)} | ${f(r.p99, 3)}${extra || ' | – | –'} | ${Math.round(r.rps).toLocaleString('en-US')} |`);
    }
  }
  const ratio = (kind) => added('autologoff-gateway, memory store', kind, 'p50') / added('nginx (plain proxy)', kind, 'p50');
  const section = `<!-- gateway bench: start (npm run bench:gateway writes this section; everything else is kept) -->
## Gateway (autologoff-gateway)

Run ${json.date.slice(0, 10)}, ${json.cores}-core ${json.cpu}, wrk ${DURATION} s a measurement, the better of two interleaved rounds.
The fixture portal (tests/gateway/portal.mjs, Node) answers a signed-in poll (\`/api/poll\`, JSON,
background: looked up and judged, never activity) and a signed-in page (\`/portal\`, HTML: a
navigation, so also activity and the script tag put in). Latency: one connection, one request after
the other; requests/s: 32 connections. "Added" is the median or p99 less the portal's own.

| request | path | median ms | p99 ms | added median ms | added p99 ms | requests/s |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

- Latency the gateway adds against nginx's (target: within 1.2×): poll ${f(ratio('poll'))}×, page ${f(ratio('page'))}×.
- Memory for ${N.toLocaleString('en-US')} live sessions (memory store, RSS after less before; target: at most 10 MB): ${f(memory.delta / 1048576, 1)} MB (${Math.round(memory.perSession)} bytes a session).
<!-- gateway bench: end -->`;
  const benchMd = path.join(root, 'docs', 'bench.md');
  let md = fs.readFileSync(benchMd, 'utf8');
  const start = md.indexOf('<!-- gateway bench: start');
  const end = md.indexOf('<!-- gateway bench: end -->');
  md = start >= 0 && end > start ? md.slice(0, start) + section + md.slice(end + '<!-- gateway bench: end -->'.length) : md.trimEnd() + '\n\n' + section + '\n';
  fs.writeFileSync(benchMd, md);
  console.log(section);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
