// scripts/redis-server.mjs, which every suite with a Redis uses: a server that answers on the
// port must be the one just started. Lanes run side by side, so a port found free can be taken
// by another lane's redis-server before this one binds it; it then exits, and the other lane's
// server answered its PING: two lanes shared one Redis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startRedis } from '../../scripts/redis-server.mjs';

test("a redis-server that cannot bind its port is an error, not another process's server", async () => {
  const first = await startRedis();
  try {
    await assert.rejects(startRedis({ port: first.port }), /port \d+ is taken by another process/);
  } finally {
    await first.stop();
  }
});

test('two servers started at once get two ports and are both running', async () => {
  const [a, b] = await Promise.all([startRedis(), startRedis()]);
  try {
    assert.notEqual(a.port, b.port);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('a port taken by something that answers and hangs up (another lane\'s HTTP server) is an error, not a hang', { timeout: 30_000 }, async () => {
  const http = net.createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  try {
    await assert.rejects(startRedis({ port: http.address().port }), /is taken by another process/);
  } finally {
    http.close();
  }
});

test('a paused server still stops', { timeout: 30_000 }, async () => {
  const redis = await startRedis();
  redis.pause();
  await redis.stop();
});
