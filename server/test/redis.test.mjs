// Many instances on one real redis-server (Debian's, started here on a free loopback port):
// one session whichever instance answers, no resurrection by a request in flight during a logout
// (property test over random interleavings), the store's TTL at the deadline, throttled writes,
// and failing closed when Redis is down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { RedisStore } from 'connect-redis';
import { expressPortal } from './portals.mjs';
import { startRedis } from '../../scripts/redis-server.mjs';
import { signIn, keepalive, status, logout, body, request, SAME, NAV, Jar } from './support.mjs';
import { memorySink } from '../src/audit-sink.js';

let redis;
let direct; // a client of the test's own, to look at the keys
const started = [];

before(async () => {
  redis = await startRedis();
  direct = createClient({ url: redis.url });
  await direct.connect();
});
after(async () => {
  for (const c of started) await c();
  await direct?.close().catch(() => {});
  await redis?.stop();
});

/** Two Express instances on the Redis, sharing one audit sink. */
async function cluster(prefix, limits = {}) {
  const sink = memorySink();
  const logs = [];
  const instances = [];
  for (let i = 0; i < 2; i++) {
    const client = createClient({ url: redis.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 100 } });
    client.on('error', () => {});
    await client.connect();
    const p = await expressPortal({ store: new RedisStore({ client, prefix }), sink, log: (m) => logs.push(m), ...limits });
    instances.push(p);
    started.push(async () => {
      await p.close();
      await client.close().catch(() => {});
    });
  }
  return { a: instances[0].url, b: instances[1].url, sink, logs };
}

const sidOf = (cookie) => /^s:([^.]+)\./.exec(decodeURIComponent(cookie))[1];

test('a keepalive on one instance and a logout on the other are one session', async () => {
  const { a, b } = await cluster('one:');
  const s = await signIn(a);
  assert.equal((await keepalive(b, s)).status, 200, 'B knows the session A signed in');
  assert.equal((await status(a, s)).status, 200);
  assert.equal((await logout(b, s)).status, 204);
  for (const url of [a, b]) {
    const copy = new Jar(); // a copy of the cookie for each (an answer expires it in the jar)
    copy.set('sid', s.cookie);
    const r = await status(url, s, copy);
    assert.deepEqual([r.status, body(r).reason], [401, 'logout']);
  }
});

test('the store keeps a session exactly to its deadline (TTL), and a tombstone to the absolute one', async () => {
  const { a } = await cluster('ttl:');
  const s = await signIn(a);
  const key = 'ttl:' + sidOf(s.cookie);
  const k = body(await keepalive(a, s));
  const ttl = await direct.pTTL(key);
  // connect-redis sets whole seconds (rounded up).
  assert.ok(ttl > k.remainingMs - 1_000 && ttl <= k.remainingMs + 1_000, `TTL ${ttl} ms, deadline in ${k.remainingMs} ms`);
  await logout(a, s);
  assert.equal(await direct.exists(key), 0, 'the record is gone');
  const tomb = await direct.pTTL('ttl:autologoff-end-' + sidOf(s.cookie));
  assert.ok(tomb > k.absoluteRemainingMs && tomb <= k.absoluteRemainingMs + 6 * 60_000, `tombstone TTL ${tomb} ms`);
});

test('a navigation within the throttle is not written; a keepalive always is', async () => {
  const { a } = await cluster('thr:', { idle: '5s' }); // throttle: min(idle / 10, 60 s) = 500 ms
  const s = await signIn(a);
  const key = 'thr:' + sidOf(s.cookie);
  const last = async () => JSON.parse(await direct.get(key)).autologoff.lastActive;
  await keepalive(a, s);
  const written = await last();
  await request(a, 'GET', '/portal', { jar: s.jar, headers: NAV });
  assert.equal(await last(), written, 'a navigation 0 ms later wrote the store');
  await new Promise((r) => setTimeout(r, 600));
  await request(a, 'GET', '/portal', { jar: s.jar, headers: NAV });
  assert.ok((await last()) > written, 'a navigation after the throttle is written');
});

test('a request in flight during a logout on the other instance never brings the session back', async () => {
  const { a, b } = await cluster('res:');
  const s = await signIn(a);
  const key = 'res:' + sidOf(s.cookie);
  const slow = request(a, 'POST', '/slow?ms=300', { jar: s.jar, headers: SAME, body: '' });
  await new Promise((r) => setTimeout(r, 80));
  assert.equal((await logout(b, s)).status, 204);
  await slow; // it saves the session it loaded before the logout
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await direct.exists(key), 0, 'the record was written back');
  const copy = () => {
    const j = new Jar();
    j.set('sid', s.cookie);
    return j;
  };
  for (const url of [a, b]) assert.equal((await status(url, s, copy())).status, 401);
});

// A small seeded PRNG, so a failing interleaving can be run again.
function prng(seed) {
  let x = seed >>> 0 || 1;
  return () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
}

test('property: random interleavings of keepalive, status, navigation, in-flight writes and logout on two instances', async () => {
  const { a, b } = await cluster('prop:', { idle: '5s', absolute: '60s', clientTimeout: '3s', keepaliveInterval: '2s' });
  const runs = Number(process.env.AUTOLOGOFF_PROPERTY_RUNS || 25);
  for (let run = 0; run < runs; run++) {
    const seed = 1000 + run;
    const rnd = prng(seed);
    const s = await signIn(rnd() < 0.5 ? a : b);
    const copy = () => {
      const j = new Jar();
      j.set('sid', s.cookie);
      return j;
    };
    const ops = Array.from({ length: 4 + Math.floor(rnd() * 6) }, () => ({
      kind: ['keepalive', 'status', 'nav', 'slow', 'logout'][Math.floor(rnd() * 5)],
      url: rnd() < 0.5 ? a : b,
      delay: Math.floor(rnd() * 60),
      ms: Math.floor(rnd() * 80),
    }));
    const results = await Promise.all(
      ops.map(async (op) => {
        await new Promise((r) => setTimeout(r, op.delay));
        const jar = copy(); // every request carries the cookie, as in-flight requests of tabs would
        const startedAt = performance.now();
        const r =
          op.kind === 'keepalive' ? await keepalive(op.url, s, jar)
          : op.kind === 'status' ? await status(op.url, s, jar)
          : op.kind === 'nav' ? await request(op.url, 'GET', '/portal', { jar, headers: NAV })
          : op.kind === 'slow' ? await request(op.url, 'POST', `/slow?ms=${op.ms}`, { jar, headers: SAME, body: '' })
          : await logout(op.url, s, jar);
        return { ...op, status: r.status, startedAt, endedAt: performance.now() };
      }),
    );
    const logouts = results.filter((r) => r.kind === 'logout');
    const trace = `seed ${seed}: ` + JSON.stringify(results.map((r) => [r.kind, r.url === a ? 'A' : 'B', r.status]));
    for (const l of logouts) assert.equal(l.status, 204, trace);
    if (logouts.length) {
      const firstEnd = Math.min(...logouts.map((l) => l.endedAt));
      for (const r of results) {
        if (r.startedAt > firstEnd && r.kind !== 'logout') assert.notEqual(r.status, 200, 'served after the logout answered: ' + trace);
      }
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(await direct.exists('prop:' + sidOf(s.cookie)), 0, 'the record came back: ' + trace);
      for (const url of [a, b]) assert.equal((await status(url, s, copy())).status, 401, trace);
    } else {
      for (const url of [a, b]) assert.equal((await status(url, s, copy())).status, 200, trace);
    }
  }
});

test('with Redis down the middleware fails closed: 503 that says why, never the page', async () => {
  const own = await startRedis();
  const client = createClient({ url: own.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 100 } });
  client.on('error', () => {});
  await client.connect();
  const logs = [];
  const p = await expressPortal({ store: new RedisStore({ client, prefix: 'down:' }), log: (m) => logs.push(m) });
  try {
    const s = await signIn(p.url);
    await own.stop();
    const page = await request(p.url, 'GET', '/portal', { jar: s.jar, headers: NAV });
    assert.equal(page.status, 503);
    assert.equal(body(page).error, 'store-unavailable');
    assert.doesNotMatch(page.body, /Patient record/);
    assert.equal((await keepalive(p.url, s)).status, 503);
    assert.equal((await status(p.url, s)).status, 503);
    const signInAgain = await request(p.url, 'POST', '/login', { jar: new Jar(), headers: { ...NAV, 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=x' });
    assert.equal(signInAgain.status, 503, 'sign-in rejects with a StoreUnavailableError (status 503)');
    assert.ok(logs.some((m) => /session store unavailable/.test(m)), 'the log says why: ' + logs.join(' | '));
  } finally {
    await p.close();
    await client.close().catch(() => {});
  }
});
