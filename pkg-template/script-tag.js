// The drop-in bundle: <script src=".../autologoff.js" data-timeout="15m" ...></script>.
// A classic script (bundled to an IIFE): finds its .wasm next to itself, starts from the
// script's data-* attributes unless data-autostart="false", and exposes window.autologoff.
import { startFromScript, startSession } from './autologoff.js';
import { halt, load, run } from './loader.js';

(function () {
  if (window.autologoff && window.autologoff.ready) {
    console.error('autologoff: the script is included twice on this page; the first one is running.');
    return;
  }
  // currentScript is only set while this script runs for the first time: read it now.
  const script = document.currentScript;
  const wasmUrl = new URL('autologoff_bg.wasm', (script && script.src) || document.baseURI);
  let settle = null;
  const ready = new Promise((resolve, reject) => (settle = { resolve, reject }));
  ready.catch(() => {}); // reported on the console (by the fallback); no unhandled rejection too
  const resolveReady = (session) => {
    if (settle) settle.resolve(session);
    settle = null;
    return session;
  };
  const rejectReady = (error) => {
    if (settle) settle.reject(error);
    settle = null;
  };

  const autostart = !!script && script.dataset.autostart !== 'false';
  // Without autostart, the page calls start() soon (usually from its next script): fetch and
  // compile the module now, in parallel with that. load() is shared: start() gets this load
  // while it runs (or tries again after a failure) and reports its error; this one stays quiet.
  if (!autostart) load(wasmUrl).catch(() => {});

  window.autologoff = Object.freeze({
    /** Starts a session with an options object (same options as the npm package). */
    start: (options) => run(wasmUrl, () => resolveReady(startSession(options)), options),
    /** Stops the page's session without logging out, and cancels a start() still loading. */
    stop: halt,
    /** The auto-started session (or the first started one when data-autostart="false"). */
    ready,
  });

  if (autostart) {
    run(wasmUrl, () => resolveReady(startFromScript(script)), script.dataset).catch(rejectReady);
  }
})();
