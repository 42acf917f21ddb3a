import type { AutologoffOptions, LogoutReason, Session } from './autologoff.js';

export type { AutologoffOptions, Duration, LogoutReason, Session, SessionState } from './autologoff.js';

/**
 * Starts automatic logoff for this page. Rejects with an Error naming the option at fault.
 * `wasmUrl`: where `autologoff_bg.wasm` is served, for bundlers that do not ship it by
 * themselves (esbuild, Angular's application builder; see docs/bundlers.md). A relative URL is
 * resolved against the page. By default the file is found next to the package's JS.
 */
export function start(options?: AutologoffOptions & { wasmUrl?: string | URL }): Promise<Session>;

/** How a session was extended (`autologoff:extend` detail.how). */
export type ExtendHow = 'button' | 'key' | 'api' | 'peer';

/** One audit-trail event (`autologoff:audit` detail, and an element of what `auditUrl` receives). */
export interface AuditEvent {
  type: 'session-started' | 'warning-shown' | 'extended' | 'expired' | 'logged-out' | 'logout-request-failed';
  /** ms since the epoch */
  at: number;
  tab: string;
  channel: string;
  policy: { timeout: number; warning: number; absolute: number | null };
  reason?: LogoutReason;
  how?: ExtendHow;
  status?: 'http' | 'network' | 'timeout';
}

declare global {
  interface DocumentEventMap {
    'autologoff:warning': CustomEvent<{ deadline: number; remainingMs: number }>;
    'autologoff:extend': CustomEvent<{ how: ExtendHow }>;
    'autologoff:logout': CustomEvent<{ reason: LogoutReason }>;
    'autologoff:audit': CustomEvent<AuditEvent>;
  }
}
