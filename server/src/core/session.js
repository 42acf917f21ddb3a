// The session record autologoff keeps in the portal's session (one object, so any store keeps
// it), and what a loaded session is at a moment: live, just ended, ended before, or unknown.
import { judge } from './judge.js';

/** The form of a public id this package issues and accepts in a `session` field. */
export const PUBLIC_ID = /^[0-9A-Za-z_-]{8,64}$/;

/**
 * A new session's record. `ids` are random values the caller made (`publicId`, `csrf`): the core
 * has no randomness of its own, as it has no clock. `limits` may only shorten the configured ones.
 */
export function newRecord(config, now, ids, { user = null, idle, absolute } = {}) {
  const idleMs = Math.min(idle ?? config.idle, config.idle);
  return {
    v: 1,
    publicId: ids.publicId,
    csrf: ids.csrf,
    user,
    created: now,
    lastActive: now,
    idle: idleMs,
    absolute: Math.max(idleMs, Math.min(absolute ?? config.absolute, config.absolute)),
  };
}

/** Whether `value` is a record this package wrote (anything else in a session is the portal's). */
export function isRecord(value) {
  return (
    value !== null && typeof value === 'object' && value.v === 1 && typeof value.publicId === 'string' &&
    typeof value.csrf === 'string' && Number.isFinite(value.created) && Number.isFinite(value.lastActive) &&
    Number.isFinite(value.idle) && Number.isFinite(value.absolute)
  );
}

/**
 * The limits in force for a record: its own, never longer than the configuration's (a policy
 * shortened by a deploy applies to sessions already open).
 */
export function limitsOf(config, record) {
  return {
    created: record.created,
    lastActive: record.lastActive,
    idle: Math.min(record.idle, config.idle),
    absolute: Math.min(record.absolute, config.absolute),
  };
}

/** What a tombstone says of a session: why it ended, and whose it was (for late audit events). */
export function tombstoneFor(record, reason, now) {
  return { reason, publicId: record.publicId, user: record.user ?? null, endedAt: now };
}

/**
 * What the cookie's session is at `now`, for a request of `kind`. `loaded` is what the adapter
 * found: { state: 'none' } (no cookie), { state: 'unknown' } (a cookie the store does not know),
 * { state: 'live', record }, { state: 'ended', tombstone }, { state: 'unavailable', detail }.
 * Returns the same shapes, where a live record past its deadline becomes
 * { state: 'ended', reason, expired: record } (the caller ends it now), and a live one carries
 * `times` and `touch`.
 */
export function assess(config, loaded, now, kind) {
  if (loaded.state !== 'live') return loaded;
  const verdict = judge(limitsOf(config, loaded.record), now, kind);
  if (verdict.ended) return { state: 'ended', reason: verdict.ended, expired: loaded.record };
  return { state: 'live', record: loaded.record, times: verdict.live, touch: verdict.touch };
}

/** Why an ended session ended, as the 401 body says it. */
export function endedReason(assessed) {
  if (assessed.state === 'ended') return assessed.reason ?? assessed.tombstone?.reason ?? 'unknown';
  return 'unknown';
}

/** Whose events these are: { user, publicId } of a live record or a tombstone, or null. */
export function ownerOf(assessed) {
  if (assessed.state === 'live') return assessed.record;
  if (assessed.state === 'ended') return assessed.expired ?? assessed.tombstone ?? null;
  return null;
}

/** FNV-1a 64 of a public id, base 36, least significant digit first: the page's short form. */
export function publicIdHash(id) {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(id)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  let out = '';
  do {
    out += (h % 36n).toString(36);
    h /= 36n;
  } while (h > 0n);
  return out;
}

/** Whether a page's `session` value names this record (its public id, or the page's hash of it). */
export function names(value, record) {
  return value === record.publicId || value === publicIdHash(record.publicId);
}
