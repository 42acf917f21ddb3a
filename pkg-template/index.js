// The npm entry: `import { start, stop } from 'autologoff'`.
// Importing is free of side effects (safe in Node and during server-side rendering); the
// .wasm is fetched on the first start().
import { startSession } from './autologoff.js';
import { failNow, halt, run } from './loader.js';
import { get } from './calls.js';

export { Session } from './autologoff.js';

/**
 * Starts automatic logoff for this page, replacing a session it runs. Calls to start() and
 * stop() may overlap in any order: the page ends in the state asked for last. Rejects with an
 * Error naming the option at fault (the page is protected by the fail-safe settings meanwhile).
 * @param {import('./index.js').AutologoffOptions} [options]
 * @returns {Promise<import('./index.js').Session>}
 */
export async function start(options) {
  if (typeof window === 'undefined' || typeof document === 'undefined') {
    throw new Error(
      'autologoff: start() needs a browser page. During server-side rendering, call it from ' +
        'client-only code (React useEffect, Vue onMounted, Angular afterNextRender).',
    );
  }
  // `wasmUrl`: where autologoff_bg.wasm is served, for bundlers that do not ship the file named
  // by the `new URL()` below (esbuild, Angular's application builder; see docs/bundlers.md). A
  // relative URL is resolved against the page (document.baseURI), as fetch() would. The module
  // validates it with the other options (it is declared with them) and ignores it.
  const wasmUrl = options && typeof options === 'object' ? options.wasmUrl : undefined;
  let url;
  try {
    // Keep this expression as it is: bundlers recognise it and ship the .wasm.
    url = wasmUrl == null ? new URL('./autologoff_bg.wasm', import.meta.url) : new URL(wasmUrl, get(document, 'baseURI'));
  } catch (error) {
    // An IIFE or CommonJS bundle has no import.meta.url (esbuild's default format), or wasmUrl
    // is not a URL. The page is protected all the same, by the fallback.
    const fault = new Error(
      'autologoff: cannot tell where autologoff_bg.wasm is' +
        (wasmUrl == null ? ' (this bundle has no import.meta.url)' : ' (option `wasmUrl` is not a URL)') +
        ': copy the file to your static files and pass its URL as the `wasmUrl` option.',
      { cause: error },
    );
    failNow(options, fault);
    throw fault;
  }
  return run(url, () => startSession(options), options);
}

/** Stops the page's session without logging out, and cancels a start() still loading. */
export function stop() {
  halt();
}
