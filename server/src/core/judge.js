// The session's clock (docs/protocol.md sections 1 and 4): deadline = min(last activity + idle,
// creation + absolute), creation never moves, and only activity moves the last activity. Time is
// an input: nothing here reads a clock, so tests drive it with any moments they like.

/** What a request is, for the session's clock. */
export const KINDS = ['navigation', 'keepalive', 'status', 'passive', 'background', 'audit'];
const ACTIVITY = new Set(['navigation', 'keepalive']);

/**
 * How often, at most, a navigation writes the last activity: min(idle / 10, 60 s). A keepalive
 * always writes. Within the throttle a navigation is activity that is neither written nor counted,
 * so every instance computes the same deadline from the store alone.
 */
export function throttleFor(idle) {
  return Math.min(Math.floor(idle / 10), 60_000);
}

/**
 * Judges a session at `now` for a request of `kind`.
 * `session`: { created, lastActive, idle, absolute } (moments and durations in ms).
 * Returns { ended: 'idle' | 'absolute' } or
 * { live: { remainingMs, idleRemainingMs, absoluteRemainingMs }, touch } where `touch` says the
 * last activity becomes `now` and is written to the store.
 */
export function judge(session, now, kind) {
  // Moments from the future (another instance's clock a little ahead) count as now: a skewed
  // clock never lengthens a session.
  const created = Math.min(session.created, now);
  const last = Math.min(Math.max(session.lastActive, created), now);
  const absoluteDeadline = created + session.absolute;
  if (now >= absoluteDeadline) return { ended: 'absolute' };
  if (now >= last + session.idle) return { ended: 'idle' };
  const touch = kind === 'keepalive' || (kind === 'navigation' && now - last >= throttleFor(session.idle));
  const idleRemainingMs = (touch ? now : last) + session.idle - now;
  const absoluteRemainingMs = absoluteDeadline - now;
  return {
    live: { remainingMs: Math.min(idleRemainingMs, absoluteRemainingMs), idleRemainingMs, absoluteRemainingMs },
    touch,
  };
}

/** Whether `kind` counts as the user's activity at all (even when the throttle skips the write). */
export const isActivity = (kind) => ACTIVITY.has(kind);

/** The session's deadline as the store sees it (for its TTL): a moment in ms. */
export function deadlineOf(session) {
  return Math.min(session.lastActive + session.idle, session.created + session.absolute);
}
