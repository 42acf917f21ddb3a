// Runs one command with an X display: `node tests/webkit/with-display.mjs CMD ARGS...`.
// MiniBrowser has no headless mode, so whatever starts it (wasm-bindgen-test-runner through
// WebKitWebDriver) needs DISPLAY. Xvfb is started on a free display and killed afterwards, and
// so is every process the command left behind (its whole process group), also on Ctrl-C.
import { spawn } from 'node:child_process';
import { startWebKit } from './harness.mjs';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node tests/webkit/with-display.mjs COMMAND [ARGS...]');
  process.exit(2);
}

const webkit = await startWebKit();
let child;
// The harness kills its own processes on exit and on signals; this one is ours to kill.
const killChild = () => {
  try {
    if (child) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
};
process.on('exit', killChild);

const code = await new Promise((resolve) => {
  child = spawn(command, args, { stdio: 'inherit', detached: true, env: { ...process.env, DISPLAY: webkit.display } });
  child.once('error', (error) => {
    console.error(error.message);
    resolve(127);
  });
  child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : 15)));
});
killChild(); // MiniBrowser and drivers the command may have left running
await webkit.close();
process.exit(code);
