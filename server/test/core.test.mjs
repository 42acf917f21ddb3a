// The pure core, driven with moments chosen by the test (no clock, no sleeping).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  judge, parseConfig, ConfigError, checkEvent, judgeBatch, crossOrigin, isNavigation, wantsRedirect,
  keepalive, status, logout, audit, newRecord, assess, route, routeMatchers, publicIdHash, parseDuration,
} from '../src/core/index.js';

const SECRET = 's'.repeat(32);
const config = parseConfig({ secret: SECRET, idle: '3s', absolute: '8s', clientTimeout: '2s', keepaliveInterval: '1s', passivePaths: ['/api/poll'] });
const T0 = 1_000_000;
const rec = (over = {}) => ({ ...newRecord(config, T0, { publicId: 'pub1d0000001', csrf: 'tok' }, { user: 'ann' }), ...over });
const live = (r = rec()) => ({ state: 'live', record: r });
const SAME = { 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' };
const input = (over) => ({ method: 'POST', headers: SAME, query: new URLSearchParams(), body: '', bodyBytes: 0, origin: 'http://portal', now: T0 + 1000, ...over });

test('idle and absolute: deadline = min(last + idle, created + absolute), created never moves', () => {
  const s = { created: T0, lastActive: T0, idle: 3000, absolute: 8000 };
  assert.deepEqual(judge(s, T0 + 2999, 'status'), { live: { remainingMs: 1, idleRemainingMs: 1, absoluteRemainingMs: 5001 }, touch: false });
  assert.deepEqual(judge(s, T0 + 3000, 'keepalive'), { ended: 'idle' });
  // Constant keepalives: the absolute limit holds.
  let last = T0;
  let t = T0;
  for (; t < T0 + 20_000; t += 500) {
    const v = judge({ ...s, lastActive: last }, t, 'keepalive');
    if (v.ended) break;
    last = t;
  }
  assert.equal(t, T0 + 8000);
  assert.deepEqual(judge({ ...s, lastActive: T0 + 7999 }, T0 + 8000, 'navigation'), { ended: 'absolute' });
});

test('only navigations and keepalives are activity; status, passive, background and audit never', () => {
  const s = { created: T0, lastActive: T0, idle: 3000, absolute: 8000 };
  for (const kind of ['status', 'passive', 'background', 'audit']) assert.equal(judge(s, T0 + 2000, kind).touch, false, kind);
  assert.equal(judge(s, T0 + 2000, 'navigation').touch, true);
  assert.equal(judge(s, T0 + 100, 'navigation').touch, false, 'throttled: min(idle/10, 60 s)');
  assert.equal(judge(s, T0 + 1, 'keepalive').touch, true, 'a keepalive always writes');
});

test('the shared vectors (protocol/vectors.json) hold here too', (t) => {
  const file = new URL('../../protocol/vectors.json', import.meta.url);
  if (!fs.existsSync(file)) return t.skip('protocol/vectors.json is not in this checkout (the gateway branch adds it)');
  const v = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const c of v.judge) {
    const got = judge({ ...c.policy, created: c.created, lastActive: c.lastActive }, c.now, c.kind);
    const want = c.expect.ended ? { ended: c.expect.ended } : { live: { remainingMs: c.expect.live.remainingMs, idleRemainingMs: c.expect.live.idleRemainingMs, absoluteRemainingMs: c.expect.live.absoluteRemainingMs }, touch: c.expect.live.touch };
    assert.deepEqual(got, want, c.name);
  }
  for (const c of v.publicIdHash) assert.equal(publicIdHash(c.id), c.hash);
  for (const c of v.duration) assert.equal(parseDuration(c.text), c.ms, c.text);
  for (const c of v.audit) {
    const got = checkEvent(c.event);
    if (c.expect.kept) assert.deepEqual(got, { kept: c.expect.kept }, c.name);
    else assert.deepEqual(got, { rejected: c.expect.rejected, ...(c.expect.field ? { field: c.expect.field } : {}) }, c.name);
  }
});

test('a configuration that cannot protect is refused, naming the field and the fix', () => {
  const bad = [
    [{ idle: '15m' }, 'secret', /at least 32 characters/],
    [{ secret: 'short', idle: '15m' }, 'secret', /at least 32/],
    [{ secret: SECRET, idle: '13h', absolute: '12h' }, 'idle', /longer than `absolute`.*shorten idle or lengthen absolute/],
    [{ secret: SECRET, idle: '15m', clientTimeout: '14m', keepaliveInterval: '2m' }, 'clientTimeout', /plus `keepaliveInterval`.*Shorten clientTimeout/],
    [{ secret: SECRET, idel: '15m' }, 'idel', /not an option.*known options are/],
    [{ secret: SECRET, idle: 'fifteen' }, 'idle', /must be a duration/],
    [{ secret: SECRET, cookie: { sameSite: 'none' } }, 'cookie.sameSite', /"lax" or "strict"/],
    [{ secret: SECRET, store: {} }, 'store', /get, set and destroy/],
  ];
  for (const [options, field, message] of bad) {
    assert.throws(() => parseConfig(options), (e) => e instanceof ConfigError && e.field === field && message.test(e.message), field);
  }
});

test('the same-origin rule: Sec-Fetch-Site, then Origin, then refuse a cookie-carrying request', () => {
  assert.equal(crossOrigin({ 'sec-fetch-site': 'same-origin' }, 'http://p', true), null);
  assert.equal(crossOrigin({ 'sec-fetch-site': 'none' }, 'http://p', true), null);
  assert.match(crossOrigin({ 'sec-fetch-site': 'same-site', origin: 'http://p' }, 'http://p', true).detail, /same-site/);
  assert.equal(crossOrigin({ origin: 'http://p' }, 'http://p', true), null);
  assert.match(crossOrigin({ origin: 'null' }, 'http://p', true).detail, /null/);
  assert.ok(crossOrigin({}, 'http://p', true));
  assert.equal(crossOrigin({}, 'http://p', false), null);
});

test('navigations are told from background requests', () => {
  assert.equal(isNavigation('GET', { 'sec-fetch-mode': 'navigate' }), true);
  assert.equal(isNavigation('GET', { 'sec-fetch-mode': 'cors', accept: 'text/html' }), false);
  assert.equal(isNavigation('GET', { accept: 'text/html,application/xhtml+xml' }), true);
  assert.equal(isNavigation('GET', { accept: '*/*' }), false, 'a poll never counts');
  assert.equal(wantsRedirect('GET', { accept: '*/*' }), true);
  assert.equal(wantsRedirect('GET', { accept: 'application/json' }), false);
  assert.equal(wantsRedirect('POST', {}), false);
});

test('keepalive: 200 with the times and a write; 401 when gone or replaced; 403 on token or origin', () => {
  const ok = keepalive(config, input({ cookieState: assess(config, live(), T0 + 1000, 'keepalive'), headers: { ...SAME, 'x-csrf-token': 'tok' }, body: 'keepalive=1&session=pub1d0000001' }));
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, { remainingMs: 3000, idleRemainingMs: 3000, absoluteRemainingMs: 7000 });
  assert.equal(ok.touch.lastActive, T0 + 1000);
  const bad = keepalive(config, input({ cookieState: assess(config, live(), T0 + 1000, 'keepalive'), headers: { ...SAME, 'x-csrf-token': 'nope' } }));
  assert.equal(bad.status, 403);
  assert.equal(bad.touch, null);
  const cross = keepalive(config, input({ cookieState: live(), headers: { 'sec-fetch-site': 'cross-site', 'x-csrf-token': 'tok' } }));
  assert.equal(cross.status, 403);
  const replaced = keepalive(config, input({ cookieState: assess(config, live(), T0 + 1000, 'keepalive'), headers: { ...SAME, 'x-csrf-token': 'tok' }, body: 'session=another0000001' }));
  assert.deepEqual([replaced.status, replaced.body.reason, replaced.touch], [401, 'replaced', null]);
  const late = keepalive(config, input({ now: T0 + 3000, cookieState: assess(config, live(), T0 + 3000, 'keepalive'), headers: { ...SAME, 'x-csrf-token': 'tok' } }));
  assert.deepEqual([late.status, late.body.reason, late.end[0].reason], [401, 'idle', 'idle']);
  assert.deepEqual(keepalive(config, input({ cookieState: { state: 'none' } })).body, { error: 'session-ended', reason: 'unknown' });
  const ended = keepalive(config, input({ cookieState: { state: 'ended', tombstone: { reason: 'logout' } } }));
  assert.deepEqual(ended.body, { error: 'session-ended', reason: 'logout' });
});

test('status never extends, needs no token, and answers 401 replaced for another session', () => {
  const s = status(config, input({ method: 'GET', now: T0 + 2000, cookieState: assess(config, live(), T0 + 2000, 'status') }));
  assert.deepEqual([s.status, s.touch, s.body.idleRemainingMs], [200, null, 1000]);
  const other = status(config, input({ method: 'GET', query: new URLSearchParams('session=another0000001'), cookieState: assess(config, live(), T0 + 2000, 'status') }));
  assert.equal(other.body.reason, 'replaced');
  const hashed = status(config, input({ method: 'GET', query: new URLSearchParams('session=' + publicIdHash('pub1d0000001')), cookieState: assess(config, live(), T0 + 2000, 'status') }));
  assert.equal(hashed.status, 200, "the page's short form of the public id names the session too");
});

test('logout: idempotent, scoped to the named session, clears only when the cookie is not another live session', () => {
  const mine = logout(config, input({ cookieState: live(), headers: { ...SAME, 'x-csrf-token': 'tok' }, body: 'reason=idle&session=pub1d0000001' }));
  assert.deepEqual([mine.status, mine.end.length, mine.end[0].reason, mine.clearSiteData, mine.expireCookie], [204, 1, 'idle', true, true]);
  const again = logout(config, input({ cookieState: { state: 'ended', tombstone: { reason: 'logout' } }, body: 'reason=idle' }));
  assert.deepEqual([again.status, again.end.length], [204, 0]);
  const never = logout(config, input({ cookieState: { state: 'none' }, body: 'reason=idle&session=zzzzzzzzzzzz', namedState: { state: 'unknown' } }));
  assert.deepEqual([never.status, never.end.length], [204, 0]);
  // An old page ends its own session; the newer sign-in holding the cookie is left alone.
  const old = rec({ publicId: 'oldsession01', csrf: 'oldtok' });
  const scoped = logout(config, input({ cookieState: live(), namedState: live(old), headers: { ...SAME, 'x-csrf-token': 'oldtok' }, body: 'reason=replaced&session=oldsession01' }));
  assert.deepEqual([scoped.status, scoped.end.map((e) => e.record.publicId), scoped.clearSiteData, scoped.expireCookie], [204, ['oldsession01'], false, false]);
  const wrongToken = logout(config, input({ cookieState: live(), namedState: live(old), headers: { ...SAME, 'x-csrf-token': 'tok' }, body: 'session=oldsession01' }));
  assert.deepEqual([wrongToken.status, wrongToken.end.length], [403, 0]);
  const beacon = logout(config, input({ cookieState: live(), headers: SAME, body: 'reason=user&_csrf=tok' }));
  assert.equal(beacon.status, 204);
  assert.equal(logout(config, input({ cookieState: live(), headers: { 'sec-fetch-site': 'cross-site' }, body: 'reason=user' })).status, 403);
  assert.equal(logout(config, input({ cookieState: live(), headers: SAME, body: 'reason=user' })).status, 403, 'no token');
});

test('audit: each event on its own, server fields stamped, never from the body', () => {
  const body = JSON.stringify([
    { type: 'expired', at: 5, reason: 'idle', user: 'mallory', receivedAt: 'x', sid: 'secret' },
    { type: 'expired' },
    'nope',
  ]);
  const out = audit(config, input({ cookieState: live(), headers: { 'sec-fetch-site': 'same-origin' }, body, bodyBytes: body.length }));
  assert.deepEqual(out.body, { accepted: 1, rejected: [{ index: 1, error: 'missing-field', field: 'at' }, { index: 2, error: 'not-an-object' }] });
  assert.equal(out.audit.length, 1);
  const line = out.audit[0];
  assert.deepEqual([line.user, line.session, line.via, line.receivedAt], ['ann', 'pub1d0000001', 'client', new Date(T0 + 1000).toISOString()]);
  assert.deepEqual(line.event, { type: 'expired', at: 5, reason: 'idle' });
  assert.equal(judgeBatch('x'.repeat(70_000), 70_000).status, 413);
  assert.equal(judgeBatch(JSON.stringify(Array(101).fill({ type: 'expired', at: 1 })), 100).body.error, 'too-many-events');
  assert.equal(judgeBatch('{', 1).status, 400);
  assert.equal(audit(config, input({ cookieState: live(), headers: { 'sec-fetch-site': 'cross-site' }, body })).status, 403);
});

test('application routes: passive routes and polls never extend; an ended session is redirected or refused', () => {
  const m = routeMatchers(config);
  const nav = { 'sec-fetch-mode': 'navigate' };
  const poll = route(config, m, { method: 'GET', path: '/api/poll', headers: nav, loaded: live(), now: T0 + 2000 });
  assert.deepEqual([poll.pass, poll.touch], [true, null]);
  const page = route(config, m, { method: 'GET', path: '/portal', headers: nav, loaded: live(), now: T0 + 2000 });
  assert.equal(page.touch.lastActive, T0 + 2000);
  const over = route(config, m, { method: 'GET', path: '/portal', headers: nav, loaded: live(), now: T0 + 3000 });
  assert.deepEqual([over.status, over.location, over.end[0].reason, over.expireCookie], [303, '/login?reason=timeout', 'idle', true]);
  const fetched = route(config, m, { method: 'GET', path: '/api/x', headers: { 'sec-fetch-mode': 'cors' }, loaded: { state: 'ended', tombstone: { reason: 'logout' } }, now: T0 });
  assert.deepEqual([fetched.status, fetched.body], [401, { error: 'session-ended', reason: 'logout' }]);
  const down = route(config, m, { method: 'GET', path: '/portal', headers: nav, loaded: { state: 'unavailable', detail: 'ECONNREFUSED' }, now: T0 });
  assert.equal(down.status, 503);
  const signIn = route(config, m, { method: 'GET', path: '/login', headers: nav, loaded: { state: 'unavailable', detail: 'x' }, now: T0 });
  assert.equal(signIn.pass, true, 'the sign-in page is public');
});
