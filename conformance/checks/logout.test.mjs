// Logout and the same-origin rule (protocol sections 3 and 3.3): idempotent, scoped to the session
// it names, refused to other sites; a keepalive needs the session's token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signIn, requireEndpoints, logout, keepalive, status, audit, navigate, json, send, limits, sleep, CROSS_SITE, options } from '../lib/portal.mjs';
import { Jar } from '../lib/http.mjs';

test('logout ends the session, and is idempotent (3.3)', async () => {
  const s = await signIn();
  requireEndpoints(s, 'logout', 'status');
  const cookie = s.cookie;
  const first = await logout(s, { body: `reason=idle&session=${encodeURIComponent(s.id)}` });
  assert.ok(first.status >= 200 && first.status < 300, `logout: ${first.status} ${first.body}`);
  assert.match(first.headers['clear-site-data'] ?? '', /"cookies"/, 'Clear-Site-Data for the session it ended');
  assert.match(first.headers['cache-control'] ?? '', /no-store/);
  // The same cookie, replayed (a copy, or a beacon that also arrived).
  const replay = new Jar();
  replay.set(s.cookieName, cookie);
  const again = await logout(s, { jar: replay, body: `reason=idle&session=${encodeURIComponent(s.id)}&_csrf=${encodeURIComponent(s.csrf)}` });
  assert.ok(again.status >= 200 && again.status < 300, `a second logout: ${again.status} ${again.body}`);
  const never = await logout(s, { jar: new Jar(), body: 'reason=idle&session=neverissued0000' });
  assert.ok(never.status >= 200 && never.status < 300, `a logout for a session never known: ${never.status}`);
  const r = await status(s, { jar: replay });
  assert.deepEqual([r.status, json(r)?.error], [401, 'session-ended'], 'no use after logout');
  const page = await navigate({ jar: replay });
  assert.notEqual(page.status, 200, 'the old cookie no longer gets the protected page');
});

test('a logout by beacon: the token as a _csrf field, no header (3.3)', async () => {
  const s = await signIn();
  requireEndpoints(s, 'logout', 'status');
  const r = await send('POST', s.urls.logout, { jar: s.jar, headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'no-cors', 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body: `reason=idle&session=${encodeURIComponent(s.id)}&_csrf=${encodeURIComponent(s.csrf)}` });
  assert.ok(r.status >= 200 && r.status < 300, `beacon logout: ${r.status} ${r.body}`);
  assert.equal((await status(s)).status, 401);
});

test("a page of an earlier sign-in ends that session only, and leaves the newer one's cookie alone (3.3)", async () => {
  const old = await signIn();
  requireEndpoints(old, 'logout', 'status');
  const oldJar = new Jar();
  oldJar.set(old.cookieName, old.cookie);
  const fresh = await signIn(old.jar); // the same browser signs in anew: its cookie is the new session's
  const r = await logout(fresh, { headers: { 'x-csrf-token': old.csrf }, body: `reason=replaced&session=${encodeURIComponent(old.id)}` });
  assert.ok(r.status >= 200 && r.status < 300, `logout naming the old session: ${r.status} ${r.body}`);
  assert.equal(r.headers['clear-site-data'], undefined, 'no Clear-Site-Data: the cookie is the newer session\'s');
  assert.ok(!r.setCookies.some((l) => l.startsWith(fresh.cookieName + '=')), 'the newer session\'s cookie is not expired');
  assert.equal((await status(fresh)).status, 200, 'the newer session is still live');
  assert.equal((await status(old, { jar: oldJar })).status, 401, 'the old session is over');
  // A status that names another session than the cookie's.
  const other = await status(fresh, { query: '?session=' + encodeURIComponent(old.id) });
  assert.deepEqual([other.status, json(other)?.reason], [401, 'replaced']);
});

test('another site cannot log the user out, keep the session alive or write the audit trail (3)', async () => {
  const s = await signIn();
  requireEndpoints(s, 'logout', 'status', 'keepalive', 'audit');
  const { idle } = await limits(s);
  for (const [what, r] of [
    ['logout', await logout(s, { headers: CROSS_SITE, body: 'reason=user&_csrf=' + encodeURIComponent(s.csrf) })],
    ['logout with Origin only', await logout(s, { headers: { 'sec-fetch-site': undefined, 'sec-fetch-mode': undefined, origin: 'https://evil.example' } })],
    ['logout with Origin: null', await logout(s, { headers: { 'sec-fetch-site': undefined, 'sec-fetch-mode': undefined, origin: 'null' } })],
    ['logout from a sibling site', await logout(s, { headers: { 'sec-fetch-site': 'same-site' } })],
    ['keepalive', await keepalive(s, { headers: CROSS_SITE })],
    ['audit', await audit(s, [{ type: 'logged-out', at: Date.now(), reason: 'user' }], { headers: CROSS_SITE })],
  ]) {
    assert.equal(r.status, 403, `a cross-site ${what} got ${r.status}: ${r.body.slice(0, 200)}`);
  }
  assert.equal((await status(s)).status, 200, 'the session survived the cross-site logouts');
  await sleep(idle * 0.3);
  const left = json(await status(s)).idleRemainingMs;
  assert.ok(left <= idle - idle * 0.3 + 200, 'the cross-site keepalive did not extend the session');
});

test('a keepalive without the session\'s CSRF token is refused and extends nothing (3.1)', async () => {
  const s = await signIn();
  requireEndpoints(s, 'status', 'keepalive');
  const { idle } = await limits(s);
  await sleep(Math.min(1_000, idle * 0.3));
  for (const headers of [{ 'x-csrf-token': 'not-the-token' }, { 'x-csrf-token': '' }]) {
    const r = await keepalive(s, { headers });
    assert.equal(r.status, 403, `a keepalive with a bad token got ${r.status}`);
  }
  const left = json(await status(s)).idleRemainingMs;
  assert.ok(left <= idle - Math.min(1_000, idle * 0.3) + 200, `a refused keepalive extended the session (${left} ms left)`);
  const named = await keepalive(s, { body: 'keepalive=1&session=anothersession01' });
  assert.deepEqual([named.status, json(named)?.reason], [401, 'replaced'], 'a keepalive naming another session');
  assert.equal((await status(s)).status, 200, 'and the cookie\'s session is untouched');
});

test('the logout of a live session needs its token (3.3)', async () => {
  const s = await signIn();
  requireEndpoints(s, 'status', 'logout');
  const r = await logout(s, { headers: { 'x-csrf-token': 'forged' } });
  assert.equal(r.status, 403, `a logout with a forged token got ${r.status}`);
  assert.equal((await status(s)).status, 200, 'nothing ended');
  assert.ok(options.baseUrl);
});
