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

/** The process id of the redis-server that answers on `port` (INFO server), or null if none does. */
function pidOn(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (d) => {
      text += d;
      const pid = /\r\nprocess_id:(\d+)\r\n/.exec(text);
      if (pid) (socket.destroy(), resolve(Number(pid[1])));
    });
    // Whatever else answers (another lane's HTTP server on a port it took, a redis-server that
    // closes the connection) settles it too: an answer with no process id is not ours.
    socket.once('error', () => resolve(null));
    socket.once('close', () => resolve(null));
    socket.once('timeout', () => (socket.destroy(), resolve(null)));
    setTimeout(() => (socket.destroy(), resolve(null)), 1_000).unref();
  });
}

/**
 * Starts redis-server. Returns { port, url, stop() }; stop() ends it and waits for its exit.
 * `port`: a fixed port (default: a free one).
 *
 * A free port is only free when it was looked at: another process (another test lane) can take
 * it before redis-server binds it. So the server must be ours (its process id answers on the
 * port, not another lane's redis-server), and a port lost to such a race is given up for another.
 */
export async function startRedis({ port, binary = process.env.REDIS_SERVER || 'redis-server' } = {}) {
  const fixed = port !== undefined;
  for (let attempt = 1; ; attempt++) {
    const at = fixed ? port : await freePort();
    const started = await startOn(at, binary);
    if (started.running) return started.running;
    if (started.portTaken && fixed) throw new Error(`redis-server: port ${at} is taken by another process; give another port, or none for a free one`);
    if (!started.portTaken || attempt >= 5) {
      throw new Error(`redis-server did not start on port ${at} (is it installed? scripts/setup.sh installs it): ${started.stderr}`);
    }
  }
}

async function startOn(port, binary) {
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // redis-server logs to stdout (a bind failure too): kept until it runs, for the error message.
  let output = '';
  const keep = (d) => (output += d);
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // A binary that cannot be spawned may emit 'error' without 'exit'.
  let gone = false;
  const exited = new Promise((resolve) => {
    child.once('exit', () => ((gone = true), resolve()));
    child.once('error', (error) => ((output += error.message), (gone = true), resolve()));
  });
  const end = Date.now() + 10_000;
  while ((await pidOn(port)) !== child.pid) {
    if (gone || Date.now() > end) {
      child.kill();
      await exited;
      return { stderr: output.trim().split('\n').slice(-3).join(' | '), portTaken: /address already in use/i.test(output) };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.stdout.off('data', keep).resume();
  child.stderr.off('data', keep).resume();
  const stopOnExit = () => child.kill();
  process.once('exit', stopOnExit);
  const running = {
    port,
    url: `redis://127.0.0.1:${port}`,
    /** Stops redis-server (SIGTERM), and waits for it. */
    async stop() {
      process.off('exit', stopOnExit);
      // A paused server (SIGSTOP) holds SIGTERM until it runs again.
      if (!gone) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      }
      await exited;
    },
    /** Pauses it (SIGSTOP: the socket stays open, nothing answers) or resumes it (SIGCONT). */
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
  };
  return { running };
}
