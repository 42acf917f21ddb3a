import type { AutologoffOptions, LogoutReason, Session } from './autologoff.js';

export type { AutologoffOptions, Duration, LogoutReason, Session, SessionState } from './autologoff.js';

/**
 * Starts automatic logoff for this page, replacing a session it runs. Calls to `start()` and
 * `stop()` may overlap in any order (React Strict Mode): the page ends in the state asked for
 * last. Rejects with an Error naming the option at fault; the page is protected by the
 * fail-safe settings meanwhile.
 */
export function start(options?: AutologoffOptions): Promise<Session>;

/** Stops the page's session without logging out, and cancels a `start()` still loading. */
export function stop(): void;

/** How a session was extended (`autologoff:extend` detail.how). */
export type ExtendHow = 'button' | 'key' | 'api' | 'peer';

/** One audit-trail event (`autologoff:audit` detail, and an element of what `auditUrl` receives). */
export interface AuditEvent {
  type:
    | 'session-started'
    | 'warning-shown'
    | 'extended'
    | 'expired'
    | 'logged-out'
    | 'logout-request-failed'
    | 'logout-retried'
    | 'config-error'
    | 'clear-incomplete'
    | 'fallback-engaged';
  /** ms since the epoch */
  at: number;
  /** This tab's id. */
  tab: string;
  /** The session's identity on the wire (a short hash of `sessionId` or `sessionStart`), or null. */
  session: string | null;
  channel: string;
  policy: { timeout: number; warning: number; absolute: number | null };
  reason?: LogoutReason | 'module-unavailable';
  how?: ExtendHow;
  status?: 'http' | 'network' | 'timeout';
  /** `config-error`: the option that could not be used. */
  field?: string;
  /** `clear-incomplete`: what could not be cleared (`indexeddb`, where `indexedDB.databases()` is missing). */
  what?: 'indexeddb';
  /** Sent by the fail-closed fallback (the module could not run). */
  fallback?: true;
}

declare global {
  interface DocumentEventMap {
    'autologoff:warning': CustomEvent<{ deadline: number; remainingMs: number }>;
    'autologoff:extend': CustomEvent<{ how: ExtendHow }>;
    'autologoff:logout': CustomEvent<{ reason: LogoutReason }>;
    'autologoff:audit': CustomEvent<AuditEvent>;
  }
}
