// The few rules the fallback needs when the module cannot run, in the module's words: the
// settings it reads (src/config.rs), the session's identity and application (src/num.rs
// short_hash), and the cross-tab record and messages (src/wire.rs, format 3). The Rust code is
// the declaration; tests/vectors/fallback.json is generated from it by `cargo test` (tests/
// fallback_vectors.rs) and tests/js/rules.test.mjs checks this file against it, so the two
// cannot drift. Whatever this file cannot parse becomes its fail-safe, never a weaker setting.

const UNITS = { '': 1, ms: 1, s: 1e3, m: 6e4, h: 36e5 };
const MIN_TIMEOUT = 1e3;
const MAX_TIMEOUT = 864e5;
const MAX_ABSOLUTE = 7 * MAX_TIMEOUT;
export const DEFAULT_TIMEOUT = 9e5;
/** A malformed absolute limit is 12 h, not "none". */
const FAILSAFE_ABSOLUTE = 432e5;

/** A duration in ms (a whole number, or text such as "90s", "1.5h"), or null. */
export function duration(value, min, max) {
  let ms;
  if (typeof value === 'number') {
    if (!(value >= 0) || value % 1) return null;
    ms = value;
  } else if (typeof value === 'string') {
    const m = /^(\d*)(?:\.(\d{0,6}))?\s*(ms|s|m|h|)$/.exec(value.trim());
    if (!m || (!m[1] && !m[2])) return null;
    const scale = UNITS[m[3]];
    const fraction = m[2] || '';
    const part = Number(fraction || 0) * scale;
    const denominator = 10 ** fraction.length;
    if (part % denominator) return null;
    ms = Number(m[1] || 0) * scale + part / denominator;
  } else {
    return null;
  }
  return ms >= min && ms <= max ? ms : null;
}

/** Text: trimmed, not empty, at most 500 characters; else null. */
function text(value) {
  return typeof value === 'string' && value.trim() && [...value].length <= 500 ? value.trim() : null;
}

/** A path or an http(s) URL, as the module accepts them; else null (not used at all). */
export function url(value) {
  const t = text(value);
  if (t === null || /[\s\0-\x1f\x7f-\x9f]/.test(t)) return null;
  const scheme = /^([^/?#]*?):/.exec(t);
  return !scheme || /^https?$/i.test(scheme[1]) ? t : null;
}

/** FNV-1a (64 bits) of the UTF-8 bytes of `text`, in base 36: src/num.rs short_hash. */
export function shortHash(value) {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(value)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  let out = '';
  do {
    const d = Number(h % 36n);
    out += String.fromCharCode(d < 10 ? 48 + d : 87 + d);
    h /= 36n;
  } while (h > 0n);
  return out;
}

/** The session id as the module reads it: text, or a whole number written as its digits. */
function sessionId(value) {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
  return text(value);
}

/** What the fallback uses of the options object (or the script tag's dataset). */
export function settings(s) {
  s = s || {};
  const timeout = duration(s.timeout, MIN_TIMEOUT, MAX_TIMEOUT) ?? DEFAULT_TIMEOUT;
  const absolute = s.absoluteTimeout == null ? null : (duration(s.absoluteTimeout, MIN_TIMEOUT, MAX_ABSOLUTE) ?? FAILSAFE_ABSOLUTE);
  const channelText = text(s.channel);
  // A malformed channel is one of its own, from what was written (never `default`).
  const channel =
    s.channel == null ? 'default' : channelText && channelText.length <= 64 && /^[A-Za-z0-9._-]+$/.test(channelText) ? channelText : 'x-' + shortHash(String(s.channel));
  const id = sessionId(s.sessionId);
  const given = typeof s.sessionStart === 'number' ? s.sessionStart : /^\d+$/.test(s.sessionStart ?? '') ? Number(s.sessionStart) : null;
  // ms since the epoch, after 2000-01-01.
  const start = given !== null && given >= 946684800000 && given <= 9999999999999 && given % 1 === 0 ? given : null;
  const logoutUrl = url(s.logoutUrl);
  const keep = Array.isArray(s.keepStorageKeys) ? s.keepStorageKeys.filter((k) => typeof k === 'string') : typeof s.keepStorageKeys === 'string' ? s.keepStorageKeys.split(',').map((k) => k.trim()).filter((k) => k) : [];
  return {
    timeout,
    absolute,
    channel,
    sessionId: id,
    sessionStart: start,
    identity: id !== null ? shortHash(id) : start !== null ? shortHash(String(start)) : '',
    app: logoutUrl ? shortHash(logoutUrl) : '',
    logoutUrl,
    redirectUrl: url(s.redirectUrl),
    auditUrl: url(s.auditUrl),
    csrfHeader: text(s.csrfHeader) || 'X-CSRF-Token',
    csrfToken: text(s.csrfToken),
    keep,
    workers: s.unregisterServiceWorkers != null && s.unregisterServiceWorkers !== false && s.unregisterServiceWorkers !== 'false',
  };
}

// --- the cross-tab record and messages (src/wire.rs) -----------------------------------------

const VERSION = '3';
const MAX_LEN = 140;
const ID = /^[0-9a-z]{0,16}$/;
const TAB = /^[0-9a-z]{1,16}$/;
const UINT = /^\d{1,15}$/;

/** `autologoff:<channel>`: the record's key and the BroadcastChannel's name. */
export const key = (channel) => 'autologoff:' + channel;

/** The fields after the version, if `input` is of this version with `n` of them. */
function fields(input, n) {
  if (typeof input !== 'string' || input.length > MAX_LEN) return null;
  const parts = input.split(';');
  return parts.length === n + 1 && parts[0] === VERSION ? parts.slice(1) : null;
}

const optional = (t) => (t === '-' ? null : UINT.test(t) ? Number(t) : undefined);

/** The record `input` as of `now`, or null if it is not a valid record (times clamped to now). */
export function decodeRecord(input, now) {
  const f = fields(input, 7);
  if (!f) return null;
  const [app, id, last, ended, started, server, told] = f;
  if (!ID.test(app) || !ID.test(id) || !UINT.test(last) || !UINT.test(started) || !'-pdu'.includes(told) || told.length !== 1) return null;
  const end = optional(ended);
  const srv = optional(server);
  if (end === undefined || srv === undefined || (end !== null) === (told === '-')) return null;
  return { app, id, last: Math.min(Number(last), now), ended: end === null ? null : Math.min(end, now), started: Math.min(Number(started), now), server: srv, told };
}

export function encodeRecord(r) {
  const t = (v) => (v === null ? '-' : String(v));
  return [VERSION, r.app, r.id, r.last, t(r.ended), r.started, t(r.server), r.told].join(';');
}

/** The message `input` as of `now`, or null (event times clamped to now, a server deadline not). */
export function decodeMessage(input, now) {
  const f = fields(input, 5);
  if (!f) return null;
  const [kind, app, id, tab, at] = f;
  if (!'aelcs'.includes(kind) || kind.length !== 1 || !ID.test(app) || !ID.test(id) || !TAB.test(tab) || !UINT.test(at)) return null;
  return { kind, app, id, tab, at: kind === 's' ? Number(at) : Math.min(Number(at), now) };
}

/**
 * Whether `r`, a record of the page's own application and identity, is the page's session, for a
 * page whose document began loading at `timeOrigin` and that starts at `now`, with `timeout` its
 * idle timeout (src/wire.rs, Record::is_current). Without an identity, one that ended before the
 * page began loading, or whose deadline had passed, is an earlier sign-in's.
 */
export const isCurrent = (r, hasId, timeout, timeOrigin, now) => hasId || (r.ended !== null ? r.ended >= timeOrigin : r.last + timeout > now);

/** Whether the logout `r` records never reached the server, as of `now`: marked so, or pending
 * for over 65 s, abandoned (src/wire.rs, Record::told_as_of). */
export const undelivered = (r, now) => r.told === 'u' || (r.told === 'p' && now - r.ended > 65000);

export const encodeMessage = (m) => [VERSION, m.kind, m.app, m.id, m.tab, m.at].join(';');
