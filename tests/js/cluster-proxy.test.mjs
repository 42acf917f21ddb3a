// The demo cluster's round-robin proxy (www/cluster.mjs), which the cluster end-to-end run, the
// conformance kit's cluster run and the gateway's tests put in front of their instances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { roundRobin } from '../../www/cluster.mjs';

/** GETs `path` from `port` on a connection of its own: resolves with the status, or the error's code. */
function get(port, path) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    request.on('error', (error) => resolve(error.code || error.message));
  });
}

// An HTTP server closes a kept-alive connection once it has been idle for its keepAliveTimeout
// (Node: 5 s). A request the proxy sends on that connection as it closes is lost with it: a reset
// the browser sees for a page, a script or a logout it never sent wrong (seen in the cluster run:
// `GET /assets/autologoff/autologoff.js` reset on a reused connection, the page never protected).
// This upstream plays that moment every time: it answers the first request on a connection and
// drops the connection when a second one arrives on it.
test('a connection the instance closes as it is reused never fails a browser request', { timeout: 20_000 }, async () => {
  const sockets = [];
  const upstream = net.createServer((socket) => {
    sockets.push(socket);
    let answered = false;
    let head = '';
    socket.on('data', (chunk) => {
      // A request's head may come in more than one chunk.
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      head = '';
      if (answered) return socket.destroy();
      answered = true;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nok');
    });
    socket.on('error', () => {});
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  const proxy = roundRobin([new URL(`http://127.0.0.1:${upstream.address().port}`)]);
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  try {
    const port = proxy.address().port;
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await get(port, '/assets/autologoff/autologoff.js?' + i));
    assert.deepEqual(answers, [200, 200, 200, 200, 200]);
    assert.equal(sockets.length, 5, 'each request on a connection of its own');
  } finally {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => upstream.close(r));
  }
});
