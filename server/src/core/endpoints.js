// The four endpoints (docs/protocol.md section 3) as decisions: the adapter loads what a request
// needs, hands it over with the moment, and performs the outcome. Nothing here does I/O.
//
// An outcome: { status, body, headers, touch, end, audit, expireCookie, clearSiteData }
// - touch: the record to write before answering (a keepalive); the answer waits for the write;
// - end: [{ record, reason, by }] sessions to end (tombstone, delete, server audit event);
// - audit: envelopes to append to the audit trail;
// - expireCookie / clearSiteData: headers that end the browser's copy of the session.
import { crossOrigin, sameSecret } from './request.js';
import { judgeBatch, envelope, serverEvent } from './audit.js';
import { PUBLIC_ID, names, endedReason, ownerOf } from './session.js';

const LOGOUT_REASONS = new Set(['idle', 'absolute', 'user', 'peer', 'server', 'replaced']);

function outcome(status, body, extra = {}) {
  return { status, body, headers: {}, touch: null, end: [], audit: [], expireCookie: false, clearSiteData: false, ...extra };
}

const ended = (reason, extra) => outcome(401, { error: 'session-ended', reason }, extra);
const unavailable = (assessed) =>
  outcome(503, { error: 'store-unavailable', detail: 'the session store cannot be reached (' + assessed.detail + '); nothing is served without a session check' });
const methodNotAllowed = (allow) => outcome(405, { error: 'method-not-allowed', detail: `this endpoint answers ${allow} only` }, { headers: { allow } });

/** A session that reached its deadline on this request is ended by it (with the server's event). */
function endings(assessed, now) {
  return assessed.state === 'ended' && assessed.expired
    ? { end: [{ record: assessed.expired, reason: assessed.reason, by: 'server' }], audit: [] }
    : { end: [], audit: [] };
}

function refused(now, assessed, endpoint, why) {
  return serverEvent(now, ownerOf(assessed), 'refused', { endpoint, reason: why });
}

/** Parses a form body. Returns a URLSearchParams, or { error } naming what is wrong. */
export function readForm(body, contentType) {
  if (body === null || body === '') return new URLSearchParams();
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type && type !== 'application/x-www-form-urlencoded' && type !== 'text/plain') {
    return { error: `the body must be a form (application/x-www-form-urlencoded), not ${type}` };
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(body)) return { error: 'the form body has a malformed %-escape' };
  return new URLSearchParams(body);
}

function badField(field, detail) {
  return outcome(400, { error: 'bad-field', field, detail });
}

/** The `session` field, checked: undefined (absent), a string, or an outcome (400). */
function sessionField(value) {
  if (value === null || value === undefined || value === '') return undefined;
  if (value.length > 64 || !/^[0-9A-Za-z_-]+$/.test(value)) {
    return badField('session', 'session must be the public id the page was rendered with (data-session-id)');
  }
  return value;
}

function origin(input) {
  const carries = input.cookieState.state !== 'none';
  return crossOrigin(input.headers, input.origin, carries);
}

function csrfOf(config, input, form) {
  const h = input.headers[config.csrfHeader];
  return (Array.isArray(h) ? h[0] : h) ?? form?.get('_csrf') ?? null;
}

/**
 * What keepalive and logout check first: the method, the same-origin rule, a form body and its
 * `session` field. Returns { answer } (an outcome to send) or { form, named }.
 */
function postedForm(input, endpoint) {
  if (input.method !== 'POST') return { answer: methodNotAllowed('POST') };
  const cross = origin(input);
  if (cross) return { answer: outcome(403, cross, { audit: [refused(input.now, input.cookieState, endpoint, 'cross-origin')] }) };
  const form = readForm(input.body, input.headers['content-type']);
  if (form.error) return { answer: outcome(400, { error: 'bad-body', detail: form.error }) };
  const named = sessionField(form.get('session'));
  if (named && typeof named === 'object') return { answer: named };
  return { form, named };
}

/** POST keepalive: slides the idle deadline (never past the absolute one) and says what is left. */
export function keepalive(config, input) {
  const { answer, form, named } = postedForm(input, 'keepalive');
  if (answer) return answer;
  const { now } = input;
  const s = input.cookieState;
  if (s.state === 'unavailable') return unavailable(s);
  if (s.state !== 'live') return ended(endedReason(s), { ...endings(s, now), expireCookie: s.state !== 'none' });
  if (named !== undefined && !names(named, s.record)) return ended('replaced');
  if (!sameSecret(csrfOf(config, input, form), s.record.csrf)) {
    return outcome(403, { error: 'bad-csrf-token', detail: `send the session's CSRF token (<meta name="csrf-token">) in ${config.csrfHeaderName}` }, {
      audit: [refused(now, s, 'keepalive', 'bad-csrf-token')],
    });
  }
  return outcome(200, s.times, { touch: { ...s.record, lastActive: now } });
}

/** GET status: what is left, and nothing else: it never extends. */
export function status(config, input) {
  if (input.method !== 'GET' && input.method !== 'HEAD') return methodNotAllowed('GET');
  const s = input.cookieState;
  const named = sessionField(input.query.get('session'));
  if (named && typeof named === 'object') return named;
  if (s.state === 'unavailable') return unavailable(s);
  if (s.state !== 'live') return ended(endedReason(s), { ...endings(s, input.now), expireCookie: s.state !== 'none' });
  if (named !== undefined && !names(named, s.record)) return ended('replaced');
  return outcome(200, s.times);
}

/**
 * Which session a logout names, before it is loaded: { publicId } of another session than the
 * cookie's, or null (the cookie's own), or an outcome (400) for a malformed form.
 */
export function logoutTarget(input) {
  const form = readForm(input.body, input.headers['content-type']);
  if (form.error) return outcome(400, { error: 'bad-body', detail: form.error });
  const named = sessionField(form.get('session'));
  if (named && typeof named === 'object') return named;
  const s = input.cookieState;
  if (named === undefined) return null;
  if (s.state === 'live' && names(named, s.record)) return null;
  if (s.state === 'ended' && ownerOf(s) && names(named, ownerOf(s))) return null;
  return PUBLIC_ID.test(named) ? { publicId: named } : null;
}

/**
 * POST logout: ends the named session (else the cookie's), idempotently. `input.namedState` is the
 * assessed session `logoutTarget` named (undefined when it named none).
 */
export function logout(config, input) {
  const { answer, form } = postedForm(input, 'logout');
  if (answer) return answer;
  const { now } = input;
  const s = input.cookieState;
  const reasonField = form.get('reason');
  // A logout is never refused for its wording: an unknown reason still ends the session.
  const reason = reasonField === null ? 'unspecified' : LOGOUT_REASONS.has(reasonField) ? reasonField : 'other';

  const other = input.namedState !== undefined;
  const target = other ? input.namedState : s;
  if (target.state === 'unavailable') return unavailable(target);
  if (s.state === 'unavailable') return unavailable(s);
  const { end, audit } = endings(s, now);
  if (other) {
    const e = endings(target, now);
    end.push(...e.end);
    audit.push(...e.audit);
  }
  // The browser's copy goes only when the cookie carries no other live session: ending an
  // earlier sign-in from an old page must not sign the browser out of the newer one.
  const cookieIsAnother = other && s.state === 'live';
  const clear = { expireCookie: !cookieIsAnother && s.state !== 'none', clearSiteData: !cookieIsAnother };
  if (target.state === 'live') {
    if (!sameSecret(csrfOf(config, input, form), target.record.csrf)) {
      return outcome(403, { error: 'bad-csrf-token', detail: `send the ending session's CSRF token in ${config.csrfHeaderName} or as a _csrf field` }, {
        audit: [refused(now, target, 'logout', 'bad-csrf-token')],
        end,
      });
    }
    end.push({ record: target.record, reason, by: 'client' });
  }
  return outcome(204, null, { end, audit, ...clear });
}

/** POST audit: each event judged on its own, stamped with the server's fields. */
export function audit(config, input) {
  if (input.method !== 'POST') return methodNotAllowed('POST');
  const { now } = input;
  const s = input.cookieState;
  const cross = origin(input);
  if (cross) return outcome(403, cross, { audit: [refused(now, s, 'audit', 'cross-origin')] });
  const verdict = judgeBatch(input.body ?? '', input.bodyBytes ?? 0);
  // Events still belong to their session after it ended (a beacon sent as it ended).
  const owner = ownerOf(s);
  const { end } = endings(s, now);
  return outcome(verdict.status, verdict.body, { end, audit: verdict.events.map((e) => envelope(now, owner, 'client', e)) });
}

export const ENDPOINTS = { keepalive, status, logout, audit };
