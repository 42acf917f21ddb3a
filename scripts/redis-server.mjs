// Debian's redis-server on a free loopback port, for the tests, the cluster demo and the
// benchmark: no persistence, noeviction (an evicted tombstone could let a session come back),
// stopped with the process that started it. scripts/setup.sh installs it.
import { spawn } from 'node:child_process';
import net from 'node:net';

export const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Answers whether a redis-server listens on `port` (a PING). */
function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => (socket.destroy(), resolve(d.toString().startsWith('+PONG'))));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/**
 * Starts redis-server. Returns { port, url, stop() }; stop() ends it and waits for its exit.
 * `port`: a fixed port (default: a free one).
 */
export async function startRedis({ port, binary = process.env.REDIS_SERVER || 'redis-server' } = {}) {
  port ??= await freePort();
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('error', (error) => (stderr += error.message));
  const end = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (child.exitCode !== null || Date.now() > end) {
      child.kill();
      throw new Error(`redis-server did not start on port ${port} (is it installed? scripts/setup.sh installs it): ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const stopOnExit = () => child.kill();
  process.once('exit', stopOnExit);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    /** Stops redis-server (SIGTERM), and waits for it. */
    async stop() {
      process.off('exit', stopOnExit);
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    /** Pauses it (SIGSTOP: the socket stays open, nothing answers) or resumes it (SIGCONT). */
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
  };
}
