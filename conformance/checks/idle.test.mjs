// The idle limit (protocol sections 1, 3.1, 3.2, 4 and 5): only activity slides it; a status poll,
// a passive route and a background request never do; an ended session is redirected or refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signIn, requireEndpoints, status, keepalive, navigate, background, limits, json, sleep, options, send } from '../lib/portal.mjs';

test('a polled status never extends the session: it ends at its idle deadline (3.2, 4)', async () => {
  const s = await signIn();
  requireEndpoints(s, 'status');
  const { idle, at } = await limits(s);
  let previous = Infinity;
  while (Date.now() - at < idle - 500) {
    const r = await status(s);
    assert.equal(r.status, 200, 'live before its deadline');
    const left = json(r).idleRemainingMs;
    assert.ok(left <= previous + 50, `status extended the session: ${left} ms left after ${previous} ms`);
    previous = left;
    await sleep(250);
  }
  await sleep(Math.max(0, at + idle + 1_000 - Date.now()));
  const r = await status(s);
  assert.equal(r.status, 401, `the session outlived its idle limit under status polls: ${r.status} ${r.body}`);
  assert.equal(json(r)?.error, 'session-ended');
  // The store's TTL is the deadline: a server that was not asked at the moment may no longer
  // know why (unknown).
  assert.ok(['idle', 'unknown'].includes(json(r).reason), `reason ${json(r).reason}`);
});

test('background requests and the passive route never extend the session (4)', async () => {
  const s = await signIn();
  requireEndpoints(s, 'status');
  const { idle, at } = await limits(s);
  while (Date.now() - at < idle - 500) {
    await background(s);
    if (options.passive) {
      const r = await send('GET', options.passive, { jar: s.jar, headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', accept: 'text/html' } });
      assert.ok(r.status < 500, `the passive route ${options.passive} answered ${r.status}`);
    }
    await sleep(250);
  }
  await sleep(Math.max(0, at + idle + 1_000 - Date.now()));
  assert.equal((await status(s)).status, 401, 'background requests' + (options.passive ? ' or the passive route' : '') + ' kept the session alive');
});

test('a keepalive slides the idle deadline, and answers the times left on the server\'s clock (3.1)', async () => {
  const s = await signIn();
  requireEndpoints(s, 'status', 'keepalive');
  const { idle, absolute } = await limits(s);
  await sleep(idle * 0.6);
  const r = await keepalive(s);
  assert.equal(r.status, 200, `keepalive: ${r.status} ${r.body}`);
  const b = json(r);
  // `idle` was read a moment after sign-in: a little less than the limit itself.
  assert.ok(b.idleRemainingMs >= idle - 300 && b.idleRemainingMs <= idle + 300, `idleRemainingMs ${b.idleRemainingMs}, idle ${idle}`);
  assert.ok(b.absoluteRemainingMs <= absolute - idle * 0.5, 'absoluteRemainingMs did not move with the keepalive');
  assert.equal(b.remainingMs, Math.min(b.idleRemainingMs, b.absoluteRemainingMs));
  assert.match(r.headers['content-type'] ?? '', /application\/json/);
  await sleep(idle * 0.6);
  assert.equal((await status(s)).status, 200, 'alive 1.2 idle limits after sign-in, thanks to the keepalive');
});

test('a navigation slides the idle deadline too (4)', async () => {
  const s = await signIn();
  requireEndpoints(s, 'status');
  const { idle } = await limits(s);
  await sleep(idle * 0.6);
  assert.equal((await navigate(s)).status, 200);
  await sleep(idle * 0.6);
  assert.equal((await status(s)).status, 200, 'alive 1.2 idle limits after sign-in, thanks to the navigation');
});

test('after the deadline: a navigation is sent to sign in, a fetch gets 401, nothing is served (5)', async () => {
  const s = await signIn();
  requireEndpoints(s, 'status');
  const { idle, at } = await limits(s);
  await sleep(Math.max(0, at + idle + 500 - Date.now()));
  const page = await navigate(s);
  assert.ok([302, 303, 307].includes(page.status), `a navigation after the deadline got ${page.status}, not a redirect to sign in`);
  assert.ok((page.headers.location ?? '').includes(new URL(options.signInPage, 'http://x').pathname), `redirected to ${page.headers.location}`);
  assert.match(page.headers['cache-control'] ?? '', /no-store/);
  const s2 = await signIn();
  const l2 = await limits(s2);
  await sleep(Math.max(0, l2.at + l2.idle + 500 - Date.now()));
  const fetched = await background(s2);
  assert.equal(fetched.status, 401, `a background request after the deadline got ${fetched.status}`);
  const k = await keepalive(s2);
  assert.equal(k.status, 401, 'a keepalive cannot bring it back');
  assert.equal(json(k)?.error, 'session-ended');
});
