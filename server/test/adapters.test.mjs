// The Express and Fastify adapters over HTTP, with a fake clock: the same behaviour from both, the
// limits decided on the test's moments (no sleeping for a timeout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expressPortal, fastifyPortal } from './portals.mjs';
import { MemoryStore } from '../src/memory-store.js';
import { autologoff as expressAutologoff } from '../src/express.js';
import { autologoff as fastifyAutologoff } from '../src/fastify.js';
import { ConfigError } from '../src/core/index.js';
import Fastify from 'fastify';
import { fakeClock, signIn, keepalive, status, logout, body, request, NAV, SAME, FORM } from './support.mjs';

for (const [name, start] of [['express', expressPortal], ['fastify', fastifyPortal]]) {
  test(`${name}: idle and absolute limits on the adapter's clock; status and polls never extend`, async () => {
    const clock = fakeClock();
    const store = new MemoryStore({ now: clock });
    const p = await start({ store, clock, idle: '3s', absolute: '8s', clientTimeout: '2s', keepaliveInterval: '1s' });
    try {
      const s = await signIn(p.url);
      assert.deepEqual(body(await status(p.url, s)), { remainingMs: 3000, idleRemainingMs: 3000, absoluteRemainingMs: 8000 });
      clock.advance(2_000);
      await request(p.url, 'GET', '/api/poll', { jar: s.jar, headers: NAV }); // passive
      await request(p.url, 'GET', '/portal', { jar: s.jar, headers: SAME }); // background
      assert.equal(body(await status(p.url, s)).idleRemainingMs, 1000, 'nothing extended it');
      assert.equal(body(await keepalive(p.url, s)).idleRemainingMs, 3000);
      for (let i = 0; i < 3; i++) {
        clock.advance(1_500);
        const r = await keepalive(p.url, s);
        assert.equal(r.status, 200, 'kept alive at ' + (2000 + 1500 * (i + 1)));
      }
      clock.advance(1_000);
      assert.deepEqual(body(await keepalive(p.url, s)), { remainingMs: 500, idleRemainingMs: 3000, absoluteRemainingMs: 500 });
      clock.advance(500); // 8 s after sign-in: the absolute limit, whatever the activity
      const over = await keepalive(p.url, s);
      // The store's TTL is the deadline: the record may be gone already (reason unknown).
      assert.equal(over.status, 401);
      assert.equal(body(over).error, 'session-ended');
      assert.ok(['absolute', 'unknown'].includes(body(over).reason), body(over).reason);
      assert.match(over.setCookies.join(), /sid=;.*Max-Age=0/, 'the dead cookie is expired');
      s.jar.set('sid', s.cookie); // a copy of the cookie, used again
      const page = await request(p.url, 'GET', '/portal', { jar: s.jar, headers: NAV });
      assert.deepEqual([page.status, page.headers.location.split('?')[0]], [303, '/login']);
    } finally {
      await p.close();
    }
  });

  test(`${name}: a new session id and public id at sign-in; the old session ends`, async () => {
    const p = await start({});
    try {
      const a = await signIn(p.url);
      const old = a.jar.get('sid');
      const b = await signIn(p.url, a.jar, 'bob');
      assert.notEqual(b.cookie, old);
      assert.notEqual(b.id, a.id);
      const oldJar = new (await import('./support.mjs')).Jar();
      oldJar.set('sid', old);
      const r = await status(p.url, a, oldJar);
      assert.deepEqual([r.status, body(r).reason], [401, 'replaced']);
    } finally {
      await p.close();
    }
  });

  test(`${name}: malformed and oversized requests get a 4xx naming what is wrong`, async () => {
    const p = await start({});
    try {
      const s = await signIn(p.url);
      const big = await request(p.url, 'POST', '/autologoff/audit', { jar: s.jar, headers: { ...SAME, 'content-type': 'text/plain' }, body: 'x'.repeat(70_000) });
      assert.deepEqual([big.status, body(big)], [413, { error: 'too-large', limit: 65536 }]);
      const huge = await request(p.url, 'POST', '/autologoff/audit', { jar: s.jar, headers: { ...SAME, 'content-type': 'text/plain' }, body: 'x'.repeat(2_000_000) });
      assert.equal(huge.status, 413);
      const json = await request(p.url, 'POST', '/autologoff/keepalive', { jar: s.jar, headers: { ...SAME, 'content-type': 'application/json', 'x-csrf-token': s.csrf }, body: '{}' });
      assert.deepEqual([json.status, body(json).error], [400, 'bad-body']);
      const method = await request(p.url, 'DELETE', '/autologoff/logout', { jar: s.jar, headers: SAME });
      assert.equal(method.status, 405);
      assert.equal((await status(p.url, s)).status, 200);
    } finally {
      await p.close();
    }
  });

  test(`${name}: a configuration that cannot protect is refused at start, naming the field`, async () => {
    const bad = { secret: 'x'.repeat(32), idle: '20m', absolute: '10m' };
    if (name === 'express') assert.throws(() => expressAutologoff(bad), (e) => e instanceof ConfigError && e.field === 'idle');
    else await assert.rejects(Fastify().register(fastifyAutologoff, bad).ready(), (e) => e instanceof ConfigError && e.field === 'idle');
  });
}

test('a request after the deadline (the record still in the store) ends it: tombstone, expired event, 303 with reason timeout', async () => {
  const clock = fakeClock();
  // A store whose own expiry lags (as Redis's whole seconds do): the record is still there.
  const store = new MemoryStore({ now: () => clock() - 1_000 });
  const p = await expressPortal({ store, clock, idle: '3s', absolute: '8s', clientTimeout: '2s', keepaliveInterval: '1s' });
  try {
    const s = await signIn(p.url);
    clock.advance(3_000);
    const page = await request(p.url, 'GET', '/portal', { jar: s.jar, headers: NAV });
    assert.deepEqual([page.status, page.headers.location], [303, '/login?reason=timeout']);
    const server = p.sink.records().filter((r) => r.via === 'server').map((r) => [r.event.type, r.event.reason ?? null]);
    assert.deepEqual(server, [['session-created', null], ['expired', 'idle']]);
    // The tombstone answers from now on, with the reason (to a copy of the cookie).
    s.jar.set('sid', s.cookie);
    assert.deepEqual(body(await status(p.url, s)), { error: 'session-ended', reason: 'idle' });
  } finally {
    await p.close();
  }
});

test('logout from a page of an earlier sign-in ends only that session (Express)', async () => {
  const p = await expressPortal({});
  try {
    const a = await signIn(p.url);
    // Another browser (jar) of the same user signs in: a separate live session.
    const b = await signIn(p.url, undefined, 'ann');
    // Page A's logout arrives with B's cookie (the same browser signed in anew).
    const r = await request(p.url, 'POST', '/autologoff/logout', { jar: b.jar, headers: { ...SAME, ...FORM, 'x-csrf-token': a.csrf }, body: 'reason=replaced&session=' + a.id });
    assert.equal(r.status, 204);
    assert.equal(r.headers['clear-site-data'], undefined);
    assert.equal((await status(p.url, b)).status, 200);
    assert.equal((await status(p.url, a)).status, 401);
    assert.equal((await logout(p.url, b)).headers['clear-site-data'], '"cache", "cookies", "storage"');
  } finally {
    await p.close();
  }
});
