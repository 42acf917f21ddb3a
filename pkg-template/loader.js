// Shared by the npm entry and the script-tag bundle: loading the .wasm (with retries), the order
// of start() and stop() calls, and what protects the page when the module cannot run at all.
import init, { stopSession } from './autologoff.js';
import { watch } from './fallback.js';

let loading = null;
let loaded = false;
// Every start() and stop() moves this on: a start() whose load finishes after a later call
// was made does nothing, so overlapping calls end as the last one asked (React Strict Mode
// mounts, unmounts and mounts again while the first start() is still loading).
let generation = 0;
// The fail-closed fallback: watching input while the module loads, enforcing the timeout if
// it cannot run.
let guard = null;

// Waits between attempts to fetch the module (a network blip, a deploy in progress): about
// 15 s in all, after which the fallback takes over.
const RETRIES = [500, 1000, 2000, 4000, 8000];
// One attempt (the download and the compilation) is given up after this long: a server or a
// proxy that accepts the request and never answers would otherwise leave it pending for good.
// Generous, for a slow phone network: the fallback does not wait for it (LOAD_BOUND).
const ATTEMPT_BOUND = 30_000;
// The fallback takes over if the module is not running this long after start() (whatever the
// retries are doing meanwhile); the module replaces it if it loads later.
const LOAD_BOUND = 20_000;

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
    const abort = new AbortController();
    const bound = setTimeout(() => abort.abort(new Error('no answer within ' + ATTEMPT_BOUND / 1000 + ' s')), ATTEMPT_BOUND);
    try {
      const response = await fetch(url, { signal: abort.signal, ...(tries ? { cache: 'reload' } : {}) });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return await init({ module_or_path: response });
    } finally {
      clearTimeout(bound);
    }
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
 * already stopped. Meanwhile, and for good if the module cannot run, the fallback driven by
 * `settings` (the options object, or the script tag's dataset) enforces the timeout; then the
 * promise gets the fallback's session (the same API; the console says why).
 */
export async function run(url, launch, settings) {
  const mine = ++generation;
  if (!loaded) {
    if (guard) guard.stop();
    guard = watch(settings, halt);
  }
  const watching = guard;
  const slow = setTimeout(() => {
    if (watching) watching.engage(new Error('autologoff: its WebAssembly module from ' + url + ' is still not running after ' + LOAD_BOUND / 1000 + ' s.'));
  }, LOAD_BOUND);
  try {
    await load(url);
  } catch (error) {
    if (mine !== generation || !watching) throw error;
    watching.engage(error);
    return watching.session;
  } finally {
    clearTimeout(slow);
  }
  if (mine !== generation) return superseded;
  // The fallback logged the user off before the module came.
  if (watching && watching.ended) return watching.session;
  if (guard) guard.stop();
  guard = null;
  return launch();
}

/** Starts the fallback at once: the module cannot be loaded at all (`error` says why). Returns
 * its session. */
export function failNow(settings, error) {
  if (guard) guard.stop();
  guard = watch(settings, halt);
  guard.engage(error);
  return guard.session;
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
