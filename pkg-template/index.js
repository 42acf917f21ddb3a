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
  await load(new URL('./autologoff_bg.wasm', import.meta.url));
  return startSession(options);
}
