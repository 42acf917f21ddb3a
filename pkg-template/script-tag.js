// The drop-in bundle: <script src=".../autologoff.js" data-timeout="15m" ...></script>.
// A classic script (bundled to an IIFE): finds its .wasm next to itself, starts from the
// script's data-* attributes unless data-autostart="false", and exposes window.autologoff.
import { startFromScript, startSession } from './autologoff.js';
import { failNow, halt, load, run } from './loader.js';

(function () {
  if (window.autologoff && window.autologoff.ready) {
    console.error('autologoff: the script is included twice on this page; the first one is running.');
    return;
  }
  // currentScript is only set while this script runs for the first time: read it now. It is
  // null in a <script type="module"> (https://html.spec.whatwg.org/multipage/dom.html#dom-document-currentscript):
  // then the tag is found by its file name, so its data-* attributes still count.
  const script = document.currentScript || findTag();
  if (!script) {
    const error = new Error(
      'autologoff: cannot find its <script> tag (it is not document.currentScript, and no script ' +
        'on the page is named autologoff.js). Load it with a classic <script src=".../autologoff.js">.',
    );
    // Not knowing the portal's settings, the fallback enforces the default timeout meanwhile.
    failNow({}, error);
  }
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

/** The last <script> on the page loaded from a file named autologoff.js. */
function findTag() {
  const tags = [...document.querySelectorAll('script[src]')].filter((s) => /\/autologoff\.js(?:[?#]|$)/.test(s.src));
  return tags[tags.length - 1] || null;
}
