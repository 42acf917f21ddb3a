// The audit endpoint and trail (protocol sections 3.4 and 6): bounded, each event judged on its
// own, server fields the server's, never a cookie or a token; malformed requests get a 4xx.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signIn, requireEndpoints, audit, keepalive, logout, status, send, json, canReadAudit, auditTrail, eventually, assertClientError, SAME_ORIGIN } from '../lib/portal.mjs';

const event = (s, extra = {}) => ({ type: 'warning-shown', at: Date.now(), tab: 'conformance', session: s.id, channel: 'default', policy: { timeout: 3000, warning: 1000, absolute: null }, reason: 'idle', ...extra });

test('valid events are kept when a neighbour is malformed; each rejection names its index (3.4)', async () => {
  const s = await signIn();
  requireEndpoints(s, 'audit');
  const r = await audit(s, [event(s), { type: 'warning-shown' }, 'not an event', event(s, { reason: 'x'.repeat(201) }), event(s, { type: 'extended', how: 'button' })]);
  assert.equal(r.status, 200, `${r.status} ${r.body}`);
  const b = json(r);
  assert.equal(b.accepted, 2);
  assert.deepEqual(b.rejected.map((x) => x.index), [1, 2, 3]);
});

test('audit limits: 413 over 64 KiB or 100 events; 400 for what is not a JSON array (3.4)', async () => {
  const s = await signIn();
  requireEndpoints(s, 'audit');
  const big = await audit(s, null, { raw: JSON.stringify([event(s, { tab: 'x'.repeat(70_000) })]) });
  assert.equal(big.status, 413);
  const many = await audit(s, Array.from({ length: 101 }, () => event(s)));
  assert.equal(many.status, 413);
  for (const raw of ['{', '{"type":"expired"}', 'null', '']) {
    const r = await audit(s, null, { raw });
    assert.equal(r.status, 400, `${JSON.stringify(raw)}: ${r.status}`);
    assertClientError(r, 'audit ' + JSON.stringify(raw));
  }
});

test('malformed requests get a 4xx naming what is wrong, never a 5xx or a stack trace (3, 6 of the issue)', async () => {
  const s = await signIn();
  requireEndpoints(s, 'audit', 'keepalive', 'logout', 'status');
  const form = { ...SAME_ORIGIN, 'x-csrf-token': s.csrf };
  const cases = [
    ['keepalive with a JSON body', await send('POST', s.urls.keepalive, { jar: s.jar, headers: { ...form, 'content-type': 'application/json' }, body: '{"keepalive":1}' })],
    ['keepalive with a broken %-escape', await keepalive(s, { body: 'keepalive=1&session=%E0%A4%A' })],
    ['keepalive naming a malformed session', await keepalive(s, { body: 'session=' + encodeURIComponent('<script>') })],
    ['logout naming a malformed session', await logout(s, { body: 'reason=user&session=' + 'x'.repeat(300) })],
    ['status naming a malformed session', await status(s, { query: '?session=%3Cx%3E' })],
    ['audit with a binary body', await audit(s, null, { raw: '\u0000\u0001\u0002' })],
  ];
  for (const [what, r] of cases) assertClientError(r, what);
  const wrongMethod = await send('GET', s.urls.logout, { jar: s.jar, headers: SAME_ORIGIN });
  assert.ok(wrongMethod.status >= 400 && wrongMethod.status < 500 && wrongMethod.status !== 401 || wrongMethod.status === 404, `GET on the logout endpoint: ${wrongMethod.status}`);
  assert.equal((await status(s)).status, 200, 'the session is unharmed');
});

test('the stored trail: server fields are the server\'s, a page cannot overwrite them (6)', async (t) => {
  if (!canReadAudit()) return t.skip('no --audit-url or --audit-file: the stored trail cannot be read');
  const s = await signIn();
  requireEndpoints(s, 'audit');
  const marker = 'conf' + Math.random().toString(36).slice(2, 10);
  const forged = event(s, { tab: marker, user: 'mallory', receivedAt: '1999-01-01T00:00:00.000Z', via: 'server', sid: 'stolen' });
  assert.equal((await audit(s, [forged])).status, 200);
  const line = await eventually(async () => (await auditTrail()).records.find((r) => JSON.stringify(r).includes(marker)), 'the event in the trail');
  assert.notEqual(line.user, 'mallory', 'user is the server\'s');
  assert.notEqual(line.receivedAt, '1999-01-01T00:00:00.000Z', 'receivedAt is the server\'s');
  assert.ok(Math.abs(Date.parse(line.receivedAt) - Date.now()) < 60_000, 'receivedAt is now, in UTC ISO 8601');
  assert.match(line.receivedAt, /Z$/);
  assert.equal(line.session, s.id, 'session is the public id of the cookie\'s session');
  assert.equal(line.via, 'client');
  assert.equal(line.event.tab, marker, 'the client\'s event sits whole under `event`');
  assert.equal(JSON.stringify(line).includes('stolen'), false, 'unknown fields are dropped');
});

test('no cookie, no token in the stored trail, whatever the session did (6)', async (t) => {
  if (!canReadAudit()) return t.skip('no --audit-url or --audit-file: the stored trail cannot be read');
  const s = await signIn();
  requireEndpoints(s, 'audit', 'keepalive', 'logout');
  await audit(s, [event(s)]);
  await keepalive(s, { headers: { 'x-csrf-token': 'forged-token-value' } });
  await logout(s, { body: `reason=user&session=${encodeURIComponent(s.id)}` });
  await audit(s, [event(s, { type: 'logged-out' })]);
  const { text } = await auditTrail();
  const secrets = [s.cookie, decodeURIComponent(s.cookie), s.csrf, 'forged-token-value'];
  const sidPart = /^s:([^.]+)\./.exec(decodeURIComponent(s.cookie))?.[1];
  if (sidPart) secrets.push(sidPart);
  for (const secret of secrets) assert.equal(text.includes(secret), false, 'the audit trail holds a cookie or a token');
  assert.equal((await status(s)).status, 401);
});
