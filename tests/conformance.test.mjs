// The conformance kit (conformance/, `npx autologoff-conformance`) against the servers this
// repository ships: the Express and Fastify middleware and two instances sharing one redis-server
// pass it; today's faulty servers (the demo before issue 20, express-session with rolling: true)
// fail it, on the checks that name their faults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { RedisStore } from 'connect-redis';
import { expressPortal, fastifyPortal } from '../server/test/portals.mjs';
import { roundRobin } from '../www/cluster.mjs';
import { startRedis } from '../scripts/redis-server.mjs';
import { startRollingPortal } from './fixtures/rolling-express-session.mjs';
import { startServer as startFaultyDemo } from './fixtures/faulty-demo-server.mjs';

const kit = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../conformance/bin/autologoff-conformance.mjs');

/** Runs the kit; returns { code, passed: [names], failed: [names], output }. */
function conformance(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [kit, ...args], { env: { ...process.env, NODE_TEST_CONTEXT: undefined }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => {
      const names = (re) => [...output.matchAll(re)].map((m) => m[1].trim());
      resolve({ code, output, passed: names(/^ok \d+ - (.*?)(?: # SKIP.*)?$/gm), failed: names(/^not ok \d+ - (.*)$/gm) });
    });
  });
}

const ours = (url) => ['--base-url', url, '--sign-in', 'POST /login user=conformance', '--audit-url', '/audit.jsonl', '--passive', '/api/poll'];

function assertPassed(r) {
  assert.equal(r.code, 0, 'the kit failed:\n' + r.output.split('\n').filter((l) => /^not ok|error:|expected|actual/.test(l.trim())).join('\n'));
  assert.ok(r.passed.length >= 20, `only ${r.passed.length} checks ran`);
}

for (const [name, start] of [['Express', expressPortal], ['Fastify', fastifyPortal]]) {
  test(`the ${name} middleware passes the conformance kit`, async () => {
    const portal = await start();
    try {
      assertPassed(await conformance(ours(portal.url)));
    } finally {
      await portal.close();
    }
  });
}

test('two Express instances sharing one redis-server, behind a round-robin proxy, pass the conformance kit', async () => {
  const redis = await startRedis();
  const clients = [];
  const instances = [];
  try {
    for (let i = 0; i < 2; i++) {
      const client = createClient({ url: redis.url, disableOfflineQueue: true });
      client.on('error', () => {});
      await client.connect();
      clients.push(client);
      instances.push(await expressPortal({ store: new RedisStore({ client, prefix: 'conf:' }), sink: i === 0 ? undefined : instances[0].sink }));
    }
    const proxy = roundRobin(instances.map((p) => new URL(p.url)));
    await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      assertPassed(await conformance(ours(`http://127.0.0.1:${proxy.address().port}`)));
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  } finally {
    for (const p of instances) await p.close();
    for (const c of clients) await c.close().catch(() => {});
    await redis.stop();
  }
});

test('the kit fails against express-session with rolling: true: polls keep it alive, no absolute limit', async () => {
  const portal = await startRollingPortal({ idle: 5_000 });
  try {
    const r = await conformance(['--base-url', portal.url, '--sign-in', 'POST /login user=rolling', '--audit-url', '/audit.json']);
    assert.notEqual(r.code, 0, 'the kit passed a faulty server');
    for (const check of ['a polled status never extends', 'the absolute limit holds']) {
      assert.ok(r.failed.some((n) => n.startsWith(check)), `"${check}" did not fail: failed ${JSON.stringify(r.failed)}`);
    }
  } finally {
    await portal.close();
  }
});

test("the kit fails against the demo server as it was before issue 20 (tests/fixtures/faulty-demo-server.mjs)", async () => {
  const demo = await startFaultyDemo({});
  try {
    const r = await conformance(['--base-url', demo.url, '--sign-in', 'POST /login user=old&preset=demo&serverIdle=5000&serverAbsolute=12000', '--audit-url', '/audit.json']);
    assert.notEqual(r.code, 0, 'the kit passed a faulty server');
    for (const check of [
      'the page is given its policy by the server', // a URL sets the policy
      'another site cannot log the user out', // the keepalive and the audit endpoint take cross-site requests
      'a keepalive without the session\'s CSRF token', // the keepalive checks no token
      'the stored trail: server fields are the server\'s', // an event overwrites user and receivedAt
      'no cookie, no token in the stored trail', // the raw sid in every event
    ]) {
      assert.ok(r.failed.some((n) => n.startsWith(check)), `"${check}" did not fail: failed ${JSON.stringify(r.failed)}`);
    }
  } finally {
    await demo.close();
  }
});
