// The npm entry: `import { start } from 'autologoff'`.
// Importing is free of side effects (safe in Node and during server-side rendering); the
// .wasm is fetched on the first start().
import { startSession } from './autologoff.js';
import { load } from './loader.js';

export { Session } from './autologoff.js';

/**
 * Starts automatic logoff for this page. Rejects with an Error naming the option at fault.
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
  // `wasmUrl` (JS entry only, not a module option): where autologoff_bg.wasm is served, for
  // bundlers that do not ship the file named by the `new URL()` below (esbuild, Angular's
  // application builder; see docs/bundlers.md). Taken out here, before the options
  // reach the module, which refuses options it does not know. A relative URL is resolved
  // against the page (document.baseURI), as fetch() would.
  let wasmUrl;
  if (options && typeof options === 'object' && 'wasmUrl' in options) {
    ({ wasmUrl, ...options } = options);
    if (wasmUrl !== undefined && typeof wasmUrl !== 'string' && !(wasmUrl instanceof URL)) {
      throw new Error('autologoff: option `wasmUrl` must be a URL or a string such as "/assets/autologoff_bg.wasm"');
    }
  }
  let url;
  try {
    // Keep this expression as it is: bundlers recognise it and ship the .wasm.
    url = wasmUrl === undefined ? new URL('./autologoff_bg.wasm', import.meta.url) : new URL(wasmUrl, document.baseURI);
  } catch (error) {
    // An IIFE or CommonJS bundle has no import.meta.url (esbuild's default format), or wasmUrl
    // is not a URL.
    throw new Error(
      'autologoff: cannot tell where autologoff_bg.wasm is' +
        (wasmUrl === undefined ? ' (this bundle has no import.meta.url)' : ' (`wasmUrl` is not a URL)') +
        ': copy the file to your static files and pass its URL as the `wasmUrl` option.',
      { cause: error },
    );
  }
  await load(url);
  return startSession(options);
}
