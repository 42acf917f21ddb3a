import type { AutologoffOptions, LogoutReason, Session } from './autologoff.js';

export type { AutologoffOptions, Duration, LogoutReason, Session, SessionState } from './autologoff.js';

/** Starts automatic logoff for this page. Rejects with an Error naming the option at fault. */
export function start(options?: AutologoffOptions): Promise<Session>;

/** How a session was extended (`autologoff:extend` detail.how). */
export type ExtendHow = 'button' | 'key' | 'api' | 'peer';

declare global {
  interface DocumentEventMap {
    'autologoff:warning': CustomEvent<{ deadline: number; remainingMs: number }>;
    'autologoff:extend': CustomEvent<{ how: ExtendHow }>;
    'autologoff:logout': CustomEvent<{ reason: LogoutReason }>;
  }
}
