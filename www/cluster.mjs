// Two instances of the demo portal sharing one redis-server, behind a small round-robin proxy:
// what a portal behind a load balancer looks like. Every request goes to the next instance, so a
// keepalive on one and a logout on the other are one session.
//
// `npm run demo:cluster` (node www/cluster.mjs) starts redis-server on a free loopback port, the
// two instances and the proxy (PORT, default 8080), and prints the URL. The tests call
// startCluster({ testMode: true }) for the end-to-end suites (AUTOLOGOFF_SERVER=cluster).
import http from 'node:http';
import crypto from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient } from 'redis';
import { RedisStore } from 'connect-redis';
import { startServer } from './server.mjs';
import { memorySink } from 'autologoff-server/express';
import { startRedis } from '../scripts/redis-server.mjs';

/**
 * Starts redis-server, two instances (sharing the session secret, the store and, in test mode,
 * the tests' state) and the proxy. Returns { url, state, instances, redis, close }.
 */
export async function startCluster({ port = 0, host = '127.0.0.1', quiet = true, testMode = false } = {}) {
  const redis = await startRedis();
  const secret = crypto.randomBytes(32).toString('base64url');
  const sink = memorySink(); // one audit trail for both (in production: one file, or a log pipeline)
  const shared = testMode ? { state: (await import('./test-mode.mjs')).newState() } : null;
  const clients = [];
  const instances = [];
  for (let i = 0; i < 2; i++) {
    // Each instance its own connection, as separate processes would have. disableOfflineQueue:
    // with Redis down a command fails at once (the middleware answers 503) instead of waiting.
    const client = createClient({ url: redis.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 200 } });
    client.on('error', (error) => quiet || console.error(`instance ${i}: redis: ${error.message}`));
    await client.connect();
    clients.push(client);
    const store = new RedisStore({ client, prefix: 'portal:' });
    instances.push(await startServer({ host, quiet, testMode, store, secret, sink, shared }));
  }
  const proxy = roundRobin(instances.map((s) => new URL(s.url)));
  await new Promise((resolve) => proxy.listen(port, host, resolve));
  const url = `http://${host}:${proxy.address().port}`;
  return {
    url,
    state: shared?.state,
    instances,
    redis,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
      for (const s of instances) await s.close();
      for (const c of clients) await c.close().catch(() => {});
      await redis.stop();
    },
  };
}

/** An HTTP proxy that sends each request to the next target in turn, Host and all headers kept. */
export function roundRobin(targets) {
  let next = 0;
  // A connection of its own for each request to an instance (none is kept alive): an instance
  // closes a kept-alive connection after its idle timeout (Node: 5 s), and a request
  // sent on it as it closes is lost (ECONNRESET), which the browser would see as a reset of a
  // page, a script or a logout request it sent right. Node's Agent does not retry, and a request
  // body cannot be sent again once piped (https://nodejs.org/api/http.html#requestreusedsocket).
  const agent = new http.Agent({ keepAlive: false });
  const server = http.createServer((req, res) => {
    const target = targets[next++ % targets.length];
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      // The instance dropped the connection (a fault switch's reset): do the same.
      req.socket.destroy();
    });
    req.pipe(upstream);
  });
  server.on('connection', (socket) => socket.setNoDelay(true));
  return server;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const c = await startCluster({ port: Number(process.env.PORT || 8080), quiet: false });
  console.log(`\nautologoff demo portal, two instances on one redis-server (port ${c.redis.port}): ${c.url}/login`);
  console.log(`instances: ${c.instances.map((s) => s.url).join(', ')}; each request goes to the next one.`);
  console.log('(Ctrl+C stops the proxy, both instances and redis-server)');
  const stop = () => c.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
