// Issue 20's reported symptoms, each as a test, against the demo server as `npm start` runs it
// (no test mode). tests/symptoms-before.test.mjs runs this same file against the demo as it was
// before (tests/fixtures/faulty-demo-server.mjs) and checks that every one of these fails there.
// AUTOLOGOFF_SYMPTOMS_SERVER names the module whose startServer() is tested.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const module = process.env.AUTOLOGOFF_SYMPTOMS_SERVER
  ? pathToFileURL(path.resolve(process.env.AUTOLOGOFF_SYMPTOMS_SERVER)).href
  : new URL('../www/server.mjs', import.meta.url).href;
const { startServer } = await import(module);

let server;
before(async () => {
  server = await startServer({});
});
after(() => server?.close());

const SAME = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' };
const CROSS = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', origin: 'https://evil.example' };
const NAV = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', accept: 'text/html' };
const attr = (html, name) => new RegExp(`\\bdata-${name}="([^"]*)"`).exec(html)?.[1] ?? null;

/** Signs in as `user` and reads the portal page: { cookie, html, csrf, id, urls }. */
async function signIn(user) {
  const r = await fetch(server.url + '/login', { method: 'POST', body: new URLSearchParams({ user, password: 'x', preset: 'demo' }), redirect: 'manual' });
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const html = await (await fetch(server.url + '/portal', { headers: { cookie, ...NAV } })).text();
  return {
    cookie,
    value: cookie.slice(cookie.indexOf('=') + 1),
    html,
    csrf: /name="csrf-token" content="([^"]*)"/.exec(html)?.[1],
    id: attr(html, 'session-id'),
    urls: { keepalive: attr(html, 'keepalive-url'), audit: attr(html, 'audit-url'), logout: attr(html, 'logout-url') },
  };
}

const event = (s, extra) => ({ type: 'session-started', at: Date.now(), tab: 'symptomtab', session: s.id, channel: 'default', policy: { timeout: 30000, warning: 20000, absolute: null }, ...extra });
const postAudit = (s, events, headers = SAME, cookie = s.cookie) =>
  fetch(server.url + s.urls.audit, { method: 'POST', headers: { ...headers, ...(cookie ? { cookie } : {}), 'content-type': 'text/plain;charset=UTF-8' }, body: JSON.stringify(events) });

test('"Live session cookies are handed out": the audit trail anyone can read holds no session cookie', async () => {
  const s = await signIn('cookie.owner');
  await postAudit(s, [event(s)]);
  const shown = (await (await fetch(server.url + '/audit.json')).text()) + (await (await fetch(server.url + '/audit-log')).text());
  const raw = decodeURIComponent(s.value);
  const storeSid = /^s:([^.]+)\./.exec(raw)?.[1] ?? raw;
  for (const secret of [s.value, raw, storeSid]) assert.equal(shown.includes(secret), false, 'a live session cookie is served to anyone');
  assert.equal(shown.includes(s.csrf), false, 'a CSRF token is served to anyone');
});

test('"A URL sets the policy": query parameters change nothing on the page\'s script tag', async () => {
  const s = await signIn('url.policy');
  const tampered = await (await fetch(server.url + '/portal?autostart=false&timeout=24h&csrf-header=X-Nope&keepalive-interval=1s', { headers: { cookie: s.cookie, ...NAV } })).text();
  for (const name of ['autostart', 'timeout', 'warning', 'csrf-header', 'keepalive-interval', 'absolute-timeout']) {
    assert.equal(attr(tampered, name), attr(s.html, name), `?${name}= changed data-${name}`);
  }
});

test('"The audit trail can be forged and broken": cross-site posts refused, server fields kept, a malformed event breaks nothing', async () => {
  const s = await signIn('audit.owner');
  const cross = await postAudit(s, [event(s, { tab: 'crosssite01' })], CROSS);
  assert.equal(cross.status, 403, 'the audit endpoint takes text/plain from any origin');
  const forged = await postAudit(s, [event(s, { tab: 'forgedtab01', user: 'mallory', sid: 'forged', receivedAt: 0 })]);
  assert.ok(forged.status < 300, 'a same-origin batch is accepted');
  const trail = await (await fetch(server.url + '/audit.json')).json();
  const stored = trail.find((r) => JSON.stringify(r).includes('forgedtab01'));
  assert.ok(stored, 'the event is in the trail');
  assert.equal(stored.user, 'audit.owner', 'a posted event overwrote the server\'s user');
  assert.notEqual(stored.receivedAt, 0, 'a posted event overwrote receivedAt');
  assert.equal(trail.some((r) => JSON.stringify(r).includes('crosssite01')), false, 'the cross-site event was stored');
  const noAt = await postAudit(s, [{ type: 'expired', tab: 'noat' }, event(s, { tab: 'neighbour01' })]);
  assert.ok(noAt.status < 500, 'an event without `at` answered ' + noAt.status);
  const page = await fetch(server.url + '/audit-log');
  assert.equal(page.status, 200, 'an event without `at` broke /audit-log');
  assert.ok((await (await fetch(server.url + '/audit.json')).text()).includes('neighbour01'), 'the valid neighbour was kept');
});

test('"Fault switches and keepalive are open": no fault switch for other sites, no keepalive without the token', async () => {
  const s = await signIn('fault.victim');
  const switched = await fetch(server.url + '/__faults', { method: 'POST', headers: { ...CROSS, 'content-type': 'application/x-www-form-urlencoded' }, body: 'logout=hang&keepalive=401' });
  assert.ok(switched.status >= 400, 'a cross-origin form post set the fault switches: ' + switched.status);
  const noToken = await fetch(server.url + s.urls.keepalive, { method: 'POST', headers: { ...SAME, cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'keepalive=1' });
  assert.equal(noToken.status, 403, 'a keepalive without the CSRF token answered ' + noToken.status);
  const crossSite = await fetch(server.url + s.urls.keepalive, { method: 'POST', headers: { ...CROSS, cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/x-www-form-urlencoded' }, body: 'keepalive=1' });
  assert.equal(crossSite.status, 403, 'a cross-site keepalive answered ' + crossSite.status);
  // The switches exist only in test mode, and even there no browser page reaches them.
  const testMode = await startServer({ testMode: true });
  try {
    const r = await fetch(testMode.url + '/__faults', { method: 'POST', headers: { ...CROSS, 'content-type': 'application/x-www-form-urlencoded' }, body: 'logout=hang' });
    assert.equal(r.status, 403, 'test mode: a cross-origin form post reached the fault switches');
  } finally {
    await testMode.close();
  }
  // And the logout still answers at once (no switch made it hang).
  const ctl = AbortSignal.timeout(3_000);
  const out = await fetch(server.url + s.urls.logout, { method: 'POST', signal: ctl, headers: { ...SAME, cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/x-www-form-urlencoded' }, body: 'reason=user&session=' + s.id });
  assert.ok(out.status < 300, 'logout answered ' + out.status);
});
