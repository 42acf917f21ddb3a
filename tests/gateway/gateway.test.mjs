// What the gateway adds in front of a portal that knows nothing of autologoff, over real HTTP:
// the script tag and no-store on its pages, the portal's own sign-out at the deadline, unknown
// cookies, a portal that is down, a store that is down, bad configuration, and one session
// across two instances sharing a redis-server. (The protocol itself: conformance.test.mjs.)
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gatewayBinary, startPortal, startGateway, startRedis, configText, freePort, COOKIE } from './harness.mjs';
import { request, signIn, navigate, background, sameOrigin, form } from './http.mjs';

const env = {};
before(() => {
  env.binary = gatewayBinary();
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function withGateway(options, fn) {
  const portal = await startPortal();
  const gw = await startGateway({ binary: env.binary, upstream: portal.url, ...options });
  try {
    await fn({ portal, gw });
  } finally {
    await gw.close();
    await portal.close();
  }
}

test('pages of a session get the script tag, the token and no-store; the script and module are served', () =>
  withGateway({}, async ({ portal, gw }) => {
    const direct = await request(portal.url + '/login');
    assert.equal(direct.headers['cache-control'], undefined, 'the portal itself sends no Cache-Control');
    const s = await signIn(gw.url, COOKIE);
    assert.equal(s.page.status, 200);
    assert.equal(s.page.headers['cache-control'], 'no-store');
    assert.match(s.page.body, /<script src="\/.autologoff\/autologoff.js" data-session-id="[0-9a-z]{16}"/);
    assert.match(s.page.body, /<meta name="csrf-token" content="[0-9a-f]{48}">/);
    assert.match(s.page.body, /Jane Q. Sample/, 'the page itself is intact');
    assert.ok(!s.page.body.includes(s.cookie.split('=')[1]), 'the cookie is never in a page');
    const js = await request(gw.url + '/.autologoff/autologoff.js');
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    const wasm = await request(gw.url + '/.autologoff/autologoff_bg.wasm');
    assert.equal(wasm.headers['content-type'], 'application/wasm');
    assert.equal((await request(gw.url + '/.autologoff/nothing')).status, 404);
    // The sign-in page (no session) is sent as it is, but never cached either.
    const login = await request(gw.url + '/login', { headers: navigate });
    assert.equal(login.headers['cache-control'], 'no-store');
    assert.doesNotMatch(login.body, /autologoff\.js/);
  }));

test('at the deadline the session ends at the portal too, and its cookie is refused from then on', () =>
  withGateway({ idle: '1s', absolute: '8s' }, async ({ portal, gw }) => {
    const s = await signIn(gw.url, COOKIE);
    assert.equal(portal.state.sessions.size, 1);
    await sleep(1_100); // the idle limit, 1 s, passes: no request in between
    const poll = await request(gw.url + '/api/poll', { headers: { ...background, cookie: s.cookie } });
    assert.deepEqual(poll.json(), { error: 'session-ended', reason: 'idle' });
    assert.match(poll.setCookie(COOKIE), /Max-Age=0/);
    assert.equal(portal.state.sessions.size, 0, 'the portal signed the session out');
    assert.equal(portal.state.signOuts.length, 1);
    const nav = await request(gw.url + '/portal', { headers: { ...navigate, cookie: s.cookie } });
    assert.equal(nav.status, 303);
    assert.equal(nav.headers.location, '/login?reason=timeout');
    // The sign-in page is served, without the ended cookie.
    const login = await request(gw.url + '/login', { headers: { ...navigate, cookie: s.cookie } });
    assert.equal(login.status, 200);
    const events = gw.auditLines().filter((l) => l.via === 'server').map((l) => l.event.type);
    assert.deepEqual(events, ['session-created', 'expired']);
    assert.equal(JSON.stringify(gw.auditLines()).includes(s.cookie.split('=')[1]), false, 'no cookie in the trail');
  }));

test('a cookie the gateway never saw issued is refused, or adopted with a fresh creation time', async () => {
  const portal = await startPortal();
  let gw = await startGateway({ binary: env.binary, upstream: portal.url });
  const s = await signIn(gw.url, COOKIE);
  await gw.close();
  // A new instance with an empty memory store: the portal still knows the session.
  gw = await startGateway({ binary: env.binary, upstream: portal.url });
  const refused = await request(gw.url + '/portal', { headers: { ...navigate, cookie: s.cookie } });
  assert.equal(refused.status, 303);
  assert.equal(portal.state.requests > 0, true);
  await gw.close();
  gw = await startGateway({ binary: env.binary, upstream: portal.url, session: 'unknown_cookie = "adopt"', idle: '2s', absolute: '3s' });
  const adopted = await request(gw.url + '/portal', { headers: { ...navigate, cookie: s.cookie } });
  assert.equal(adopted.status, 200);
  assert.match(adopted.body, /data-session-id=/);
  const st = await request(gw.url + '/.autologoff/status', { headers: { ...sameOrigin, cookie: s.cookie } });
  assert.ok(st.json().absoluteRemainingMs <= 3_000, 'never a longer life than absolute from now');
  await gw.close();
  await portal.close();
});

test('the portal down: a clear 502 page, never a cached one', async () => {
  const port = await freePort();
  const gw = await startGateway({ binary: env.binary, upstream: `http://127.0.0.1:${port}` });
  try {
    const r = await request(gw.url + '/portal', { headers: navigate });
    assert.equal(r.status, 502);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.match(r.body, /The portal is not answering/);
  } finally {
    await gw.close();
  }
});

test('two instances share one session through redis: a keepalive on one, a logout on the other, the cookie refused on both', async () => {
  const portal = await startPortal();
  const redis = await startRedis();
  const a = await startGateway({ binary: env.binary, upstream: portal.url, store: redis.url, idle: '3s', absolute: '8s' });
  const b = await startGateway({ binary: env.binary, upstream: portal.url, store: redis.url, idle: '3s', absolute: '8s' });
  try {
    const s = await signIn(a.url, COOKIE);
    const onB = await request(b.url + '/portal', { headers: { ...navigate, cookie: s.cookie } });
    assert.equal(onB.status, 200);
    assert.ok(onB.body.includes(`data-session-id="${s.sessionId}"`), 'the same public id on both');
    const ka = await request(b.url + '/.autologoff/keepalive', {
      method: 'POST',
      headers: { ...sameOrigin, ...form, cookie: s.cookie, 'x-csrf-token': s.csrf },
      body: `keepalive=1&session=${s.sessionId}`,
    });
    assert.equal(ka.status, 200);
    const out = await request(a.url + '/.autologoff/logout', {
      method: 'POST',
      headers: { ...sameOrigin, ...form, cookie: s.cookie, 'x-csrf-token': s.csrf },
      body: `reason=user&session=${s.sessionId}`,
    });
    assert.equal(out.status, 204);
    assert.equal(out.headers['clear-site-data'], '"cache", "cookies", "storage"');
    assert.equal(portal.state.sessions.size, 0, 'signed out at the portal');
    for (const gw of [a, b]) {
      const r = await request(gw.url + '/api/poll', { headers: { ...background, cookie: s.cookie } });
      assert.deepEqual(r.json(), { error: 'session-ended', reason: 'logout' });
    }
    // Redis gone: every instance fails closed, naming why in its log.
    await redis.stop();
    const s2cookie = s.cookie;
    const down = await request(b.url + '/portal', { headers: { ...navigate, cookie: s2cookie } });
    assert.equal(down.status, 503);
    assert.match(b.log.join(''), /failing closed \(503\)/);
  } finally {
    await a.close();
    await b.close();
    await redis.stop();
    await portal.close();
  }
});

test('a configuration that cannot protect stops the gateway at start, naming the field', async () => {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'autologoff-bad-'));
  const file = path.join(dir, 'bad.toml');
  const good = configText({ port: 1, upstream: 'http://127.0.0.1:2', audit: path.join(dir, 'a.jsonl'), assets: path.join(dir, 'none') });
  for (const [from, to, field] of [
    ['idle = "3s"', 'idle = "9s"', '`session.idle`'],
    ['idle = "3s"', 'idel = "3s"', '`idel`'],
    ['', '', '`client.assets`'],
  ]) {
    fs.writeFileSync(file, from ? good.replace(from, to) : good);
    const r = spawnSync(env.binary, ['--config', file], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.ok(r.stderr.includes(field), `${field} in: ${r.stderr}`);
  }
});
