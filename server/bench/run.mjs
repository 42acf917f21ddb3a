// npm run bench:server: what autologoff-server adds to a request on one instance, in memory and
// with Redis on loopback, against the same app without it, in one run (autocannon). Not a test:
// it prints the figures and writes them into docs/bench.md between its markers.
// Latency is measured with one connection (the time a request takes, no queue in front of it),
// each answer's time taken from autocannon's response event (its histogram keeps whole ms only);
// requests per second with --connections (default 10) keeping the server busy.
//   node server/bench/run.mjs [--seconds 5] [--rounds 3] [--connections 10] [--no-write]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startRedis } from '../../scripts/redis-server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 5);
const ROUNDS = arg('rounds', 3);
const CONNECTIONS = arg('connections', 10);
const VARIANTS = ['bare', 'session', 'memory', 'session-redis', 'redis'];

function start(variant, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, 'app.mjs'), variant], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', (d) => {
      const port = /port (\d+)/.exec(String(d))?.[1];
      port ? resolve({ child, url: 'http://127.0.0.1:' + port }) : reject(new Error('no port: ' + d));
    });
    child.once('exit', (code) => reject(new Error(variant + ' exited ' + code)));
  });
}

async function cookieOf(url) {
  const r = await fetch(url + '/login', { method: 'POST', redirect: 'manual' });
  return (r.headers.get('set-cookie') ?? '').split(';')[0];
}

function load(url, cookie, seconds, connections, times) {
  const run = autocannon({
    url: url + '/portal',
    connections,
    duration: seconds,
    // A navigation of a signed-in user: the request autologoff-server does the most for
    // (session read, tombstone read, judged as activity; the write throttled to once a minute).
    headers: { cookie, 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'same-origin', accept: 'text/html' },
  });
  if (times) run.on('response', (client, status, bytes, ms) => times.push(ms));
  return run;
}

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const redis = await startRedis();
const servers = {};
try {
  for (const v of VARIANTS) servers[v] = await start(v, { REDIS_URL: redis.url });
  const cookies = {};
  for (const v of VARIANTS) cookies[v] = await cookieOf(servers[v].url);
  for (const v of VARIANTS) await load(servers[v].url, cookies[v], 2, CONNECTIONS); // warm-up
  const results = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of VARIANTS) {
      const times = [];
      const l = await load(servers[v].url, cookies[v], SECONDS, 1, times);
      const r = await load(servers[v].url, cookies[v], SECONDS, CONNECTIONS);
      for (const x of [l, r]) if (x.non2xx || x.errors) throw new Error(`${v}: ${x.non2xx} non-2xx answers, ${x.errors} errors`);
      const row = { p50: percentile(times, 50), p99: percentile(times, 99), rps: r.requests.average };
      results[v].push(row);
      console.log(`round ${round + 1} ${v.padEnd(13)} p50 ${row.p50.toFixed(3)} ms  p99 ${row.p99.toFixed(3)} ms  ${Math.round(row.rps)} req/s`);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const m = Object.fromEntries(VARIANTS.map((v) => [v, { p50: median(results[v].map((x) => x.p50)), p99: median(results[v].map((x) => x.p99)), rps: median(results[v].map((x) => x.rps)) }]));
  // Each variant against the bare app, and autologoff-server against express-session alone on
  // the same store (what a portal that already has sessions adds by using it).
  const against = { memory: 'session', redis: 'session-redis' };
  const rows = VARIANTS.map((v) => {
    const vs = (base) => `${(m[v].p50 - m[base].p50).toFixed(3)} / ${(m[v].p99 - m[base].p99).toFixed(3)} / ${Math.round((m[v].rps / m[base].rps) * 100)} %`;
    const label = {
      bare: 'the same app without sessions',
      session: 'express-session alone, in memory',
      memory: 'autologoff-server, in memory',
      'session-redis': 'express-session alone, connect-redis',
      redis: 'autologoff-server, connect-redis',
    }[v];
    return `| ${label} | ${m[v].p50.toFixed(3)} | ${m[v].p99.toFixed(3)} | ${Math.round(m[v].rps).toLocaleString('en-US')} | ${v === 'bare' ? '—' : vs('bare')} | ${against[v] ? vs(against[v]) : '—'} |`;
  });
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const table = [
    '| server | median (ms) | p99 (ms) | requests/s | against the bare app: added median / p99 (ms), share of req/s | against express-session alone on the same store |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `From one run of \`npm run bench:server\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores (${cpu}), Node ${process.version}, redis-server on loopback; ` +
      `autocannon: latency with 1 connection, requests/s with ${CONNECTIONS}, ${ROUNDS} interleaved rounds of ${SECONDS} s each per server (medians of the rounds), after a 2 s warm-up; each server in its own process; ` +
      'the request is a signed-in navigation to a page that renders the script tag. ' +
      'Targets: at most 1 ms added at p99 in memory, 2 ms with Redis, and at least 90 % of the bare app\'s requests per second.',
  ].join('\n');
  console.log('\n' + table);
  if (!process.argv.includes('--no-write')) {
    const file = path.join(here, '../../docs/bench.md');
    const doc = fs.readFileSync(file, 'utf8');
    const re = /<!-- bench:server[^>]*-->[\s\S]*?<!-- \/bench:server -->/;
    if (!re.test(doc)) throw new Error('docs/bench.md has no <!-- bench:server --> markers');
    fs.writeFileSync(file, doc.replace(re, `<!-- bench:server (written by npm run bench:server) -->\n${table}\n<!-- /bench:server -->`));
    console.log('written to docs/bench.md');
  }
} finally {
  for (const s of Object.values(servers)) s.child.kill();
  await redis.stop();
}
