// Every request that is not one of the endpoints (docs/protocol.md sections 4 and 5): counted as
// activity or not, let through, or answered for a session that is over.
import { isNavigation, wantsRedirect, pathMatcher } from './request.js';
import { assess, endedReason } from './session.js';

/** Matchers for the configured public and passive paths (built once). */
export function routeMatchers(config) {
  return {
    isPublic: pathMatcher([config.signInPath, ...config.publicPaths]),
    isPassive: pathMatcher(config.passivePaths),
  };
}

/** The kind of an application request, for the session's clock. */
export function kindOf(matchers, method, path, headers) {
  if (matchers.isPassive(path)) return 'passive';
  return isNavigation(method, headers) ? 'navigation' : 'background';
}

/**
 * Decides an application request. `loaded`: what the adapter found for the cookie (see
 * session.assess). Returns
 * - { pass: true, session, touch, end, expireCookie, noStore }: let the application answer; `session` is
 *   the live record or null, `touch` the record to write when the request is activity;
 * - { pass: false, status, body, location, end, expireCookie }: answer here.
 */
export function route(config, matchers, { method, path, headers, loaded, now }) {
  const kind = kindOf(matchers, method, path, headers);
  const s = assess(config, loaded, now, kind);
  const end = s.state === 'ended' && s.expired ? [{ record: s.expired, reason: s.reason, by: 'server' }] : [];
  const isPublic = matchers.isPublic(path);
  if (s.state === 'live') {
    return { pass: true, session: s.record, times: s.times, touch: s.touch ? { ...s.record, lastActive: now } : null, end, expireCookie: false, noStore: !isPublic };
  }
  const dead = s.state === 'ended' || s.state === 'unknown';
  if (isPublic) return { pass: true, session: null, touch: null, end, expireCookie: dead, noStore: false };
  if (s.state === 'unavailable') {
    return { pass: false, status: 503, body: { error: 'store-unavailable', detail: 'the session store cannot be reached (' + s.detail + '); nothing is served without a session check' }, end, expireCookie: false };
  }
  const reason = dead ? endedReason(s) : null;
  if (wantsRedirect(method, headers)) {
    const why = reason === 'idle' || reason === 'absolute' ? 'timeout' : 'signed-out';
    return { pass: false, status: 303, location: `${config.signInPath}?reason=${why}`, end, expireCookie: dead };
  }
  const body = dead ? { error: 'session-ended', reason } : { error: 'session-required', detail: 'sign in first' };
  return { pass: false, status: 401, body, end, expireCookie: dead };
}
