// Types of autologoff-server: the core ('autologoff-server', 'autologoff-server/core') and the
// adapters ('autologoff-server/express', 'autologoff-server/fastify'). Self-contained: no
// framework's type package is needed to use them.

/** A duration: whole ms, or a string such as "15m", "90s", "1.5h", "500ms", "1d". */
export type Duration = number | string;

/** A store with the express-session interface (connect-redis's RedisStore, MemoryStore, …). */
export interface SessionStore {
  get(sid: string, callback: (err: unknown, session?: unknown) => void): void;
  set(sid: string, session: unknown, callback?: (err?: unknown) => void): void;
  destroy(sid: string, callback?: (err?: unknown) => void): void;
}

/** One stored line of the audit trail. */
export interface AuditRecord {
  /** When the server received it: UTC, ISO 8601 with ms. */
  receivedAt: string;
  /** The signed-in user of the session the cookie carried, or null. */
  user: string | null;
  /** The public id of that session, or null. */
  session: string | null;
  via: 'client' | 'server';
  event: AuditEvent;
}

/** A page's event as kept (only these fields), or a server's own event. */
export interface AuditEvent {
  type: string;
  at: number;
  tab?: string;
  session?: string | null;
  channel?: string;
  policy?: { timeout?: number; warning?: number; absolute?: number | null };
  reason?: string;
  how?: string;
  status?: string;
  field?: string;
  what?: string;
  fallback?: boolean;
  by?: 'client' | 'server' | 'portal';
  endpoint?: string;
}

/** Where the audit trail goes: anything with write(record). Nothing may rewrite or delete a line. */
export interface AuditSink {
  write(record: AuditRecord): void;
}

export interface AutologoffOptions {
  /** At least 32 characters (or an array, newest first, to rotate). Required. */
  secret: string | string[];
  /** Default: this package's MemoryStore (one instance only). Use connect-redis for many. */
  store?: SessionStore;
  /** Inactivity limit on the server. Default "15m". */
  idle?: Duration;
  /** Maximum lifetime from sign-in, never extended. Default "12h". */
  absolute?: Duration;
  /** The page's own timeout; with keepaliveInterval at most `idle`. Default idle − keepaliveInterval. */
  clientTimeout?: Duration;
  /** The page's warning before its timeout. Default min(60 s, clientTimeout / 2). */
  warning?: Duration;
  /** How often, at most, an active page sends a keepalive. Default min(idle / 5, 5 min). */
  keepaliveInterval?: Duration;
  /** Where an ended navigation goes (with ?reason=timeout or signed-out). Default "/login". */
  signInPath?: string;
  /** Paths served without a session ("/x/" is a prefix, "/" the root page only). The sign-in path always is. */
  publicPaths?: Array<string | RegExp>;
  /** Paths that never count as activity (polls, notifications, badges). */
  passivePaths?: Array<string | RegExp>;
  /** Where the endpoints are mounted. Default "/autologoff". */
  basePath?: string;
  /** The CSRF header the page sends. Default "X-CSRF-Token". */
  csrfHeader?: string;
  /** The portal's origin(s), when the Host header cannot be trusted to say it. */
  origin?: string | string[];
  cookie?: { name?: string; secure?: boolean | 'auto'; sameSite?: 'lax' | 'strict'; domain?: string; path?: string };
  /** Default: JSON lines on standard output. */
  audit?: AuditSink;
  /** Where the package says why it failed closed. Default console.error. */
  log?: (message: string) => void;
}

/** What a portal may know of its session: never the cookie. */
export interface SessionView {
  readonly publicId: string;
  readonly csrfToken: string;
  readonly user: string | null;
  readonly created: number;
  readonly idle: number;
  readonly absolute: number;
}

/** A shorter client policy for one page, in ms. */
export interface PageOverrides {
  timeout?: number;
  warning?: number;
  keepaliveInterval?: number;
}

/** `req.autologoff` (Express) / `request.autologoff` (Fastify). */
export interface RequestAutologoff {
  /** The live session, or null. */
  session: SessionView | null;
  /** Signs in: a new session id and public id; the browser's old session (if any) ends. */
  signIn(options?: { user?: string | null; idle?: number; absolute?: number }): Promise<SessionView>;
  /** Ends this request's session (the portal's own "Log out"); sets Clear-Site-Data and expires the cookie. */
  logout(reason?: string): Promise<void>;
  /** The script tag's data-* attributes, without the "data-" prefix. */
  attributes(overrides?: PageOverrides): Record<string, string>;
  /** `<script src="…" data-…>` for the page, escaped. */
  scriptTag(src: string, overrides?: PageOverrides): string;
  /** `<meta name="csrf-token" content="…">`. */
  csrfMeta(): string;
}

export declare class ConfigError extends Error {
  readonly field: string;
}
export declare class StoreUnavailableError extends Error {
  readonly status: 503;
  readonly statusCode: 503;
}

export declare class MemoryStore implements SessionStore {
  constructor(options?: { now?: () => number });
  get(sid: string, callback: (err: unknown, session?: unknown) => void): void;
  set(sid: string, session: unknown, callback?: (err?: unknown) => void): void;
  destroy(sid: string, callback?: (err?: unknown) => void): void;
  /** The stored value, synchronously (tests, introspection). */
  peek(key: string): unknown;
  keys(): string[];
}

export declare function jsonLinesFile(path: string): AuditSink & { close(): void };
export declare function jsonLinesStream(stream?: { write(chunk: string): unknown }): AuditSink;
export declare function memorySink(): AuditSink & { records(): AuditRecord[] };

// The pure core.
export declare function parseDuration(value: unknown): number | null;
export declare function parseConfig(options: AutologoffOptions): Readonly<Record<string, unknown>>;
export type Kind = 'navigation' | 'keepalive' | 'status' | 'passive' | 'background' | 'audit';
export interface Times {
  remainingMs: number;
  idleRemainingMs: number;
  absoluteRemainingMs: number;
}
export declare function judge(
  session: { created: number; lastActive: number; idle: number; absolute: number },
  now: number,
  kind: Kind,
): { ended: 'idle' | 'absolute' } | { live: Times; touch: boolean };
export declare function throttleFor(idle: number): number;
export declare function checkEvent(event: unknown): { kept: AuditEvent } | { rejected: string; field?: string };
export declare function crossOrigin(headers: Record<string, string | string[] | undefined>, origin: string | null, carriesSession: boolean): null | { error: 'cross-origin'; detail: string };
export declare function isNavigation(method: string, headers: Record<string, string | string[] | undefined>): boolean;
export declare function publicIdHash(id: string): string;
export declare const CLIENT_TYPES: readonly string[];
export declare const SERVER_TYPES: readonly string[];
