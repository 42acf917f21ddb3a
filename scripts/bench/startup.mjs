// Start-up, measured in a Chromium the bench starts on the page itself, with no DevTools Protocol
// attached: a visitor has no debugger attached, and one changes the figure. In an A/B on the same
// page and settings, autologoff armed on a reload in 40-55 ms with Playwright's browser and in
// 20-30 ms without (13-25 ms on later reloads); its first fetch() call took about 5 ms instead of
// 1-2, and startSession about 10 ms instead of 2. Each round is a new browser: a same-origin page
// that lets it settle, then the subject's page cold (empty cache), then reloads, each reporting
// its time to the bench server (see HARNESS in pages.mjs).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PORTAL, STARTUP_LOADS } from './pages.mjs';

// Start-up runs in progress, by run id: the times reported so far and what to call when done.
const runs = new Map();

/** For the server: one load's report. */
export function onStartupReport(query, body) {
  const run = runs.get(query.get('run'));
  if (!run) return;
  run.times[Number(query.get('load'))] = Number(body);
  if (run.times.filter((t) => t != null).length === STARTUP_LOADS) run.done();
}

// A start-up Chromium runs in its own process group (so stopping it stops every process it
// started), which also keeps a Ctrl-C to the bench from reaching it: stop it on the way out.
let child = null;
let profileDir = null;
const stopChild = (signal) => {
  try {
    if (child) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};
process.on('exit', () => {
  stopChild('SIGKILL');
  if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
});

/** Start-up of page `name` in a new Chromium (`chromium`, `args`) with no DevTools Protocol
 * attached: ms from script start to armed for each of STARTUP_LOADS loads, the first cold; null
 * for a load that did not report within 30 s. */
export async function startupWithoutDevTools({ chromium, args, base }, name, round) {
  const id = name + '-' + round;
  const dir = (profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'autologoff-bench-')));
  const run = { times: [] };
  const finished = new Promise((resolve) => (run.done = resolve));
  runs.set(id, run);
  const query = new URLSearchParams(PORTAL.slice(1));
  query.set('to', name + '.html');
  query.set('run', id);
  query.set('load', '0');
  child = spawn(chromium, [...args, '--user-data-dir=' + dir, base + 'settle.html?' + query], { stdio: 'ignore', detached: true });
  const exited = new Promise((resolve) => {
    child.once('exit', resolve);
    child.once('error', (error) => {
      console.error('bench: ' + chromium + ': ' + error.message);
      resolve();
    });
  });
  let timer;
  await Promise.race([finished, exited, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
  clearTimeout(timer);
  runs.delete(id);
  stopChild('SIGTERM');
  const killer = setTimeout(() => stopChild('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killer);
  stopChild('SIGKILL'); // helpers still shutting down after the browser process exited
  child = null;
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  profileDir = null;
  return Array.from({ length: STARTUP_LOADS }, (_, i) => run.times[i] ?? null);
}

export { stopChild as stopStartupBrowser };
