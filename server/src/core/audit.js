// The audit trail's schema (docs/protocol.md 3.4 and 6): which events a page may send, how each is
// judged on its own, and the envelope the server stamps around it. The same schema as the Rust
// crate autologoff-protocol (protocol/vectors.json), so every party keeps the same events.

export const MAX_BATCH_BYTES = 65_536;
export const MAX_BATCH_EVENTS = 100;
export const MAX_STRING_CHARS = 200;

/** The event types a page sends. */
export const CLIENT_TYPES = Object.freeze([
  'session-started', 'warning-shown', 'extended', 'expired', 'logged-out', 'logout-request-failed',
  'logout-retried', 'config-error', 'clear-incomplete', 'fallback-engaged', 'channel-shared',
]);
/** The event types a server writes itself (`via: "server"`). */
export const SERVER_TYPES = Object.freeze(['session-created', 'logged-out', 'expired', 'refused']);

const isWholeMs = (v) => Number.isSafeInteger(v) && v >= 0;
const text = (v) => (typeof v !== 'string' ? 'wrong-type' : [...v].length > MAX_STRING_CHARS ? 'too-long' : null);
const POLICY_MEMBERS = new Set(['timeout', 'warning', 'absolute']);
function policy(v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'wrong-type';
  for (const [k, x] of Object.entries(v)) {
    if (!POLICY_MEMBERS.has(k)) return 'wrong-type';
    if (!(isWholeMs(x) || (k === 'absolute' && x === null))) return 'wrong-type';
  }
  return null;
}

// Each field a client event may have, in the order it is checked and kept. Any other is dropped.
const FIELDS = [
  ['type', (v) => (typeof v !== 'string' ? 'wrong-type' : CLIENT_TYPES.includes(v) ? null : 'unknown-type')],
  ['at', (v) => (isWholeMs(v) ? null : 'wrong-type')],
  ['tab', text],
  ['session', (v) => (v === null ? null : text(v))],
  ['channel', text],
  ['policy', policy],
  ['reason', text],
  ['how', text],
  ['status', text],
  ['field', text],
  ['what', text],
  ['fallback', (v) => (typeof v === 'boolean' ? null : 'wrong-type')],
];
const REQUIRED = ['type', 'at'];

/**
 * Judges one client event: { kept } (only the known fields, in schema order) or
 * { rejected: 'not-an-object' | 'missing-field' | 'unknown-type' | 'wrong-type' | 'too-long', field }.
 */
export function checkEvent(event) {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return { rejected: 'not-an-object' };
  for (const name of REQUIRED) {
    if (!Object.hasOwn(event, name)) return { rejected: 'missing-field', field: name };
  }
  const kept = {};
  for (const [name, check] of FIELDS) {
    if (!Object.hasOwn(event, name)) continue;
    const error = check(event[name]);
    if (error) return { rejected: error, field: name };
    kept[name] = event[name];
  }
  return { kept };
}

/**
 * Judges a batch as the audit endpoint receives it (the body as text, its size in bytes).
 * Returns { status, body, events } where `events` are the kept events (possibly none).
 */
export function judgeBatch(bodyText, bytes) {
  if (bytes > MAX_BATCH_BYTES) return { status: 413, body: { error: 'too-large', limit: MAX_BATCH_BYTES }, events: [] };
  let batch;
  try {
    batch = JSON.parse(bodyText);
  } catch (error) {
    return { status: 400, body: { error: 'bad-json', detail: 'the body is not JSON: ' + error.message }, events: [] };
  }
  if (!Array.isArray(batch)) {
    return { status: 400, body: { error: 'bad-json', detail: 'the body must be a JSON array of events, as autologoff sends it' }, events: [] };
  }
  if (batch.length > MAX_BATCH_EVENTS) {
    return { status: 413, body: { error: 'too-many-events', limit: MAX_BATCH_EVENTS }, events: [] };
  }
  const events = [];
  const rejected = [];
  batch.forEach((event, index) => {
    const r = checkEvent(event);
    if (r.kept) events.push(r.kept);
    else rejected.push({ index, error: r.rejected, ...(r.field ? { field: r.field } : {}) });
  });
  return { status: 200, body: { accepted: events.length, rejected }, events };
}

/**
 * The stored line for `event`: receivedAt (UTC), user and session are the server's, the event sits
 * whole under `event`, so nothing a page sends can stand in for a server field.
 */
export function envelope(now, owner, via, event) {
  return {
    receivedAt: new Date(now).toISOString(),
    user: owner?.user ?? null,
    session: owner?.publicId ?? null,
    via,
    event,
  };
}

/** A server's own event (`via: "server"`), with `at` on the server's clock. */
export function serverEvent(now, owner, type, detail) {
  return envelope(now, owner, 'server', { type, at: now, ...detail });
}
