// The absolute limit (protocol section 1): creation never moves; constant keepalives and
// navigations cannot keep a session past created + absolute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signIn, requireEndpoints, keepalive, navigate, status, limits, json, sleep } from '../lib/portal.mjs';

test('the absolute limit holds under constant keepalives and navigations (1, 3.1)', async () => {
  const s = await signIn();
  requireEndpoints(s, 'status', 'keepalive');
  const { idle, absolute, at } = await limits(s);
  const every = Math.max(200, Math.floor(idle / 4));
  let endedAt = null;
  let i = 0;
  while (Date.now() - at < absolute + 2_000) {
    const r = i++ % 2 ? await keepalive(s) : await navigate(s);
    if (r.status !== 200) {
      endedAt = Date.now() - at;
      break;
    }
    if (r.headers['content-type']?.includes('json')) {
      const b = json(r);
      assert.ok(b.remainingMs <= b.absoluteRemainingMs, 'remainingMs never past the absolute deadline');
      assert.ok(b.absoluteRemainingMs <= absolute - (Date.now() - at) + 500, 'absoluteRemainingMs counts from the sign-in');
    }
    await sleep(every);
  }
  assert.ok(endedAt !== null, `the session lived past its absolute limit (${absolute} ms) under constant activity`);
  assert.ok(endedAt >= absolute - 1_000, `ended at ${endedAt} ms, well before its absolute limit ${absolute} ms`);
  const r = await status(s);
  assert.equal(r.status, 401);
  assert.ok(['absolute', 'unknown'].includes(json(r)?.reason), `reason ${json(r)?.reason}`);
});
