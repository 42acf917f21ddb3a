// Shared by the npm entry and the script-tag bundle: load the .wasm once, explain failures.
import init from './autologoff.js';

let loading = null;

/** Loads and instantiates the module from `url` (once; a failed load may be retried). */
export function load(url) {
  if (!loading) {
    loading = init({ module_or_path: url }).catch((error) => {
      loading = null;
      throw explain(error, url);
    });
    warmStorage();
  }
  return loading;
}

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

// The two usual causes, named with their fix. wasm-bindgen's loader already falls back from
// instantiateStreaming to instantiate when the Content-Type is wrong.
function explain(error, url) {
  const cause = error && error.message ? error.message : String(error);
  return new Error(
    'autologoff: could not load its WebAssembly module from ' + url + ' (' + cause + '). ' +
      'Check that the file is served (with Content-Type: application/wasm) next to the script, ' +
      "and that a Content-Security-Policy allows it with script-src 'wasm-unsafe-eval'.",
    { cause: error },
  );
}
