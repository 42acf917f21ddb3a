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
  }
  return loading;
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
