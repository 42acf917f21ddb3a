// The drop-in bundle: <script src=".../autologoff.js" data-timeout="15m" ...></script>.
// A classic script (bundled to an IIFE): finds its .wasm next to itself, starts from the
// script's data-* attributes unless data-autostart="false", and exposes window.autologoff.
//
// The page is hostile (see calls.js): markup on it can shadow `document.currentScript` and
// `window.autologoff` by name (DOM clobbering). So the tag is found with the browser's own
// `currentScript` getter and checked to be a script element, and the double-inclusion guard is
// an own property of the window, which markup cannot create.
import { startFromScript, startSession } from './autologoff.js';
import { failNow, halt, load, run } from './loader.js';
import { get } from './calls.js';

(function () {
  if (Object.getOwnPropertyDescriptor(window, 'autologoff')) {
    console.error('autologoff: the script is included twice on this page; the first one is running.');
    return;
  }
  const found = findSelf();
  const script = found.script;
  if (!script) {
    // Not knowing the portal's settings, the fallback enforces the default timeout meanwhile.
    failNow({}, new Error(found.why));
  }
  const wasmUrl = new URL('autologoff_bg.wasm', found.url || get(document, 'baseURI'));
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

  const dataset = script ? get(script, 'dataset') : {};
  const autostart = !!script && dataset.autostart !== 'false';
  // Without autostart, the page calls start() soon (usually from its next script): fetch and
  // compile the module now, in parallel with that. load() is shared: start() gets this load
  // while it runs (or tries again after a failure) and reports its error; this one stays quiet.
  if (!autostart) load(wasmUrl).catch(() => {});

  Object.defineProperty(window, 'autologoff', {
    enumerable: true,
    value: Object.freeze({
      /** Starts a session with an options object (same options as the npm package). */
      start: (options) => run(wasmUrl, () => resolveReady(startSession(options)), options),
      /** Stops the page's session without logging out, and cancels a start() still loading. */
      stop: halt,
      /** The auto-started session (or the first started one when data-autostart="false"). */
      ready,
    }),
  });

  if (autostart) {
    run(wasmUrl, () => resolveReady(startFromScript(script)), dataset).catch(rejectReady);
  }
})();

/**
 * This script's own tag and URL. A classic script is `document.currentScript` while it first
 * runs, read with the browser's own getter (a named element cannot stand in for it) and checked
 * to be a script element. In a `<script type="module">`, currentScript is null
 * (https://html.spec.whatwg.org/multipage/dom.html#dom-document-currentscript): a classic bundle
 * cannot use `import.meta.url`, so the URL this code runs from is read off a stack trace, which
 * markup cannot forge, and the module script with exactly that `src` is the tag.
 */
function findSelf() {
  const current = get(document, 'currentScript');
  if (isScript(current)) return { script: current, url: get(current, 'src') };
  const url = ownUrl();
  const tags = [];
  const all = get(document, 'scripts');
  for (let i = 0; i < (get(all, 'length') || 0); i++) {
    const s = all[i];
    if (isScript(s) && get(s, 'type') === 'module' && get(s, 'src') === url) tags.push(s);
  }
  if (tags.length === 1) return { script: tags[0], url };
  return {
    script: null,
    url,
    why:
      'autologoff: cannot find its <script> tag (' +
      (tags.length ? tags.length + ' module scripts load ' + url : 'no script on the page loads ' + (url || 'this file')) +
      '). Load it once with <script src=".../autologoff.js" data-…>.',
  };
}

/** Whether `node` is a script element (by its toStringTag, which markup cannot set). */
function isScript(node) {
  return node != null && Object.prototype.toString.call(node) === '[object HTMLScriptElement]';
}

/** The URL of the file this code was loaded from, from a stack trace (Chromium: "at URL:1:2",
 * Firefox and WebKit: "name@URL:1:2"), or null. */
function ownUrl() {
  const m = /(https?:\/\/[^\s()@]+?):\d+:\d+/.exec(String(new Error().stack));
  return m ? m[1] : null;
}
