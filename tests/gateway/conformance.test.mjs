// The conformance kit (docs/protocol.md section 9) against the gateway in front of the fixture
// portal, which has no timeout logic of its own: with the memory store, and with two gateway
// instances sharing one redis-server behind a round-robin balancer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { gatewayBinary, startPortal, startGateway, startRedis, roundRobin, runKit, KIT } from './harness.mjs';

const kitHere = fs.existsSync(KIT);
const env = {};
before(() => {
  env.binary = gatewayBinary();
});

const kitArgs = (audit) => ['--passive', '/api/poll', '--audit-file', audit, '--sign-in-page', '/login'];

/** The kit's failures with their errors, and its counts. */
function summary(out) {
  const lines = out.split('\n');
  const keep = [];
  lines.forEach((l, i) => {
    if (/^not ok/.test(l)) keep.push(...lines.slice(i, i + 12));
    else if (/^# (pass|fail|skipped)/.test(l)) keep.push(l);
  });
  return keep.join('\n');
}

test('the kit passes against one gateway (memory store)', { skip: !kitHere && 'no conformance/ in this checkout' }, async () => {
  const portal = await startPortal();
  const gw = await startGateway({ binary: env.binary, upstream: portal.url });
  try {
    const { code, out } = await runKit(gw.url, kitArgs(gw.audit));
    assert.equal(code, 0, summary(out) + '\n' + gw.log.join(''));
    assert.match(out, /# fail 0/);
    assert.doesNotMatch(out, /# pass 0\n/);
  } finally {
    await gw.close();
    await portal.close();
  }
});

test('the kit passes against two gateways sharing one redis-server, requests alternating between them', { skip: !kitHere && 'no conformance/ in this checkout' }, async () => {
  const portal = await startPortal();
  const redis = await startRedis();
  const a = await startGateway({ binary: env.binary, upstream: portal.url, store: redis.url });
  // One audit trail for both, as a shared log file or collector would be.
  const b = await startGateway({ binary: env.binary, upstream: portal.url, store: redis.url, dir: a.dir, audit: a.audit });
  const lb = await roundRobin([a.url, b.url]);
  try {
    const { code, out } = await runKit(lb.url, kitArgs(a.audit));
    assert.equal(code, 0, summary(out) + '\n' + a.log.join('') + b.log.join(''));
    assert.match(out, /# fail 0/);
    assert.doesNotMatch(out, /# pass 0\n/);
  } finally {
    await lb.close();
    await a.close();
    await b.close();
    await redis.stop();
    await portal.close();
  }
});

after(() => {});
