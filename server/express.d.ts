// 'autologoff-server/express': the Express 5 middleware (on express-session).
import type { AutologoffOptions } from './index.js';
export * from './index.js';

/** `app.use(autologoff({ secret, … }))`; then `req.autologoff` (RequestAutologoff) on every request. */
export declare function autologoff(
  options: AutologoffOptions,
  internals?: { now?: () => number },
): ((req: any, res: any, next: (err?: unknown) => void) => void) & { readonly config: Readonly<Record<string, unknown>> };
