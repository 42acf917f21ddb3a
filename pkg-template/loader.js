// Shared by the npm entry and the script-tag bundle: loading the .wasm (with retries), the order
// of start() and stop() calls, and what protects the page when the module cannot run at all.
import init, { stopSession } from './autologoff.js';
import { failClosed } from './fallback.js';

let loading = null;
let loaded = false;
// Every start() and stop() moves this on: a start() whose load finishes after a later call
// was made does nothing, so overlapping calls end as the last one asked (React Strict Mode
// mounts, unmounts and mounts again while the first start() is still loading).
let generation = 0;
// The fail-closed fallback, while the module cannot run.
let guard = null;

// Waits between attempts to fetch the module (a network blip, a deploy in progress): about
// 15 s in all, after which the fallback takes over.
const RETRIES = [500, 1000, 2000, 4000, 8000];

/** Loads and instantiates the module from `url` once (retrying with backoff; a failed load may
 * be tried again later). */
export function load(url) {
  if (!loading) {
    loading = attempt(url, 0).then(
      (wasm) => {
        loaded = true;
        return wasm;
      },
      (error) => {
        loading = null;
        throw explain(error, url);
      },
    );
    warmStorage();
  }
  return loading;
}

async function attempt(url, tries) {
  try {
    // The first request is the one a <link rel=preload> made early; a retry asks the network
    // again rather than a cache that may hold the failure.
    const response = await fetch(url, tries ? { cache: 'reload' } : undefined);
    if (!response.ok) throw new Error('HTTP ' + response.status);
    return await init({ module_or_path: response });
  } catch (error) {
    // A Content-Security-Policy that forbids compiling WebAssembly will not change: no retry.
    if (tries >= RETRIES.length || blockedByPolicy(error)) throw error;
    await new Promise((resolve) => setTimeout(resolve, RETRIES[tries]));
    return attempt(url, tries + 1);
  }
}

/**
 * Runs `launch` (which starts the session in the module) once the module is loaded, unless a
 * later start() or stop() was asked for meanwhile; then the promise gets a session that is
 * already stopped. If the module cannot run, `settings` (the options object, or the script
 * tag's dataset) drive the fallback that still enforces the idle timeout.
 */
export async function run(url, launch, settings) {
  const mine = ++generation;
  try {
    await load(url);
  } catch (error) {
    if (mine === generation && !guard) guard = failClosed(settings, error);
    throw error;
  }
  if (mine !== generation) return superseded;
  if (guard) guard.stop();
  guard = null;
  return launch();
}

/** Stops the page's session, whatever state it is in, and cancels a start() still loading. */
export function halt() {
  generation++;
  if (guard) guard.stop();
  guard = null;
  if (loaded) stopSession();
}

/** What a start() that a later start() or stop() overtook resolves to. */
const superseded = Object.freeze({
  state: 'stopped',
  remainingMs: 0,
  extend: () => false,
  logout() {},
  stop() {},
});

// The module downloads and compiles off the main thread, which waits meanwhile. The session's
// first step reads its shared record from localStorage, and a page's first localStorage access
// is slow (the browser loads the origin's storage area, a few ms): do that now, in the wait.
function warmStorage() {
  try {
    void window.localStorage.length;
  } catch {
    // Storage disabled or denied (sandboxed frame): the session copes, and so does this.
  }
}

function blockedByPolicy(error) {
  return /unsafe-eval|Content.Security.Policy|CSP/i.test(String(error && error.message));
}

// The usual causes, named with their fix. Loading from the bytes also covers a .wasm served
// with a wrong Content-Type.
function explain(error, url) {
  const cause = error && error.message ? error.message : String(error);
  return new Error(
    'autologoff: could not load its WebAssembly module from ' + url + ' (' + cause + '). ' +
      'Check that the file is served (with Content-Type: application/wasm) next to the script, ' +
      "and that a Content-Security-Policy allows it with script-src 'wasm-unsafe-eval'.",
    { cause: error },
  );
}
