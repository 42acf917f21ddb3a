// Sessions (protocol sections 1, 2 and 5): a fresh cookie and public id at every sign-in, what a
// page is given, and no caching of what a session sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signIn, requireEndpoints, status, navigate, options } from '../lib/portal.mjs';

test('sign-in: a new session cookie and a new public id every time, even when the browser held a session (1)', async () => {
  const first = await signIn();
  requireEndpoints(first, 'status');
  const second = await signIn(first.jar);
  assert.notEqual(second.cookie, first.cookie, 'the cookie value changed at sign-in (no session fixation)');
  assert.notEqual(second.id, first.id, 'the public id changed at sign-in');
  assert.ok(second.id.length >= 8, 'the public id has at least 64 bits (8 or more characters)');
  assert.equal((await status(second)).status, 200, 'the new session is live');
});

test('the session cookie is HttpOnly and SameSite, and no page shows it (1, 2)', async () => {
  const s = await signIn();
  assert.match(s.setCookie, /;\s*HttpOnly/i, 'HttpOnly');
  assert.match(s.setCookie, /;\s*SameSite=(Lax|Strict)/i, 'SameSite=Lax or Strict');
  const raw = decodeURIComponent(s.cookie);
  assert.ok(!s.html.includes(s.cookie) && !s.html.includes(raw), 'the page does not contain the cookie');
  assert.notEqual(s.id, s.cookie, 'the public id is not the cookie');
  assert.ok(s.csrf, 'the page has <meta name="csrf-token">');
});

test('the page is given its policy by the server: a URL cannot change or switch it off (2)', async () => {
  const s = await signIn();
  const plain = await navigate(s);
  const tampered = await (await import('../lib/portal.mjs')).send('GET', options.page + (options.page.includes('?') ? '&' : '?') + 'timeout=24h&autostart=false&csrf-header=X-Nope&keepalive-interval=1s', { jar: s.jar, headers: { 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'same-origin', accept: 'text/html' } });
  const attrs = (html) => [...html.matchAll(/\bdata-(timeout|autostart|csrf-header|keepalive-interval|warning|absolute-timeout)="([^"]*)"/g)].map((m) => m[1] + '=' + m[2]).sort();
  assert.deepEqual(attrs(tampered.body), attrs(plain.body), 'query parameters changed the script tag\'s policy');
});

test('protected pages and every endpoint answer Cache-Control: no-store (3, 5)', async () => {
  const s = await signIn();
  assert.match(s.page.headers['cache-control'] ?? '', /no-store/, `${options.page}`);
  assert.match((await status(s)).headers['cache-control'] ?? '', /no-store/, 'the status endpoint');
});
