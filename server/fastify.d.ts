// 'autologoff-server/fastify': the Fastify 5 plugin (on @fastify/session).
import type { AutologoffOptions } from './index.js';
export * from './index.js';

/** `await app.register(autologoff, { secret, … })`; then `request.autologoff` (RequestAutologoff). */
export declare function autologoff(fastify: any, options: AutologoffOptions & { clock?: () => number }): Promise<void>;
