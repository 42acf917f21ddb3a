// What a request is (docs/protocol.md sections 3 and 4), from its method, path and headers only.
// Headers are given as a plain object with lower-case names, as Node's IncomingMessage has them.

/**
 * A path matcher from a list of strings and RegExps: a string is a path, or a prefix when it ends
 * with '/' ('/assets/'); '/' alone is the root page only (a prefix of every path would make every
 * route public or passive).
 */
export function pathMatcher(list) {
  const exact = new Set();
  const prefixes = [];
  const patterns = [];
  for (const p of list) {
    if (p instanceof RegExp) patterns.push(p);
    else if (p.endsWith('/') && p !== '/') prefixes.push(p);
    else exact.add(p);
  }
  return (path) => exact.has(path) || prefixes.some((p) => path.startsWith(p)) || patterns.some((r) => r.test(path));
}

const header = (headers, name) => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Whether a request is a navigation the user made: `Sec-Fetch-Mode: navigate`, or (a browser too
 * old to send it, a plain client) a GET or HEAD that asks for HTML by name. `Accept: *\/*` alone
 * is not enough: it is what fetch() and XMLHttpRequest send, and a poll must never count.
 */
export function isNavigation(method, headers) {
  const mode = header(headers, 'sec-fetch-mode');
  if (mode) return mode === 'navigate';
  return (method === 'GET' || method === 'HEAD') && /\btext\/html\b/.test(header(headers, 'accept') ?? '');
}

/**
 * How to answer a request whose session has ended: a redirect to the sign-in page unless the
 * request is known to come from script (a Sec-Fetch-Mode other than navigate, a method other
 * than GET or HEAD, or an Accept that names JSON and not HTML), which gets a 401 it can read.
 */
export function wantsRedirect(method, headers) {
  const mode = header(headers, 'sec-fetch-mode');
  if (mode) return mode === 'navigate';
  if (method !== 'GET' && method !== 'HEAD') return false;
  const accept = header(headers, 'accept') ?? '';
  return !(/\bjson\b/.test(accept) && !/\btext\/html\b/.test(accept));
}

/**
 * The same-origin rule for state-changing endpoints. `origin` is the server's own origin
 * ("https://portal.example"). `carriesSession`: the request has a session cookie it would act on.
 * Returns null when the request may proceed, else { error: 'cross-origin', detail }.
 */
export function crossOrigin(headers, origin, carriesSession) {
  const site = header(headers, 'sec-fetch-site');
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return null;
    return refusal(`Sec-Fetch-Site is ${site}; this endpoint accepts same-origin requests only`);
  }
  const from = header(headers, 'origin');
  if (from !== undefined) {
    if (from === origin) return null;
    return refusal(`Origin ${from} is not this server's origin (${origin}); this endpoint accepts same-origin requests only`);
  }
  if (carriesSession) {
    return refusal('neither Sec-Fetch-Site nor Origin says where this request comes from, and it carries a session cookie; send it from the portal\'s own pages');
  }
  return null;
}

const refusal = (detail) => ({ error: 'cross-origin', detail });

/** The origin a request was sent to, from its Host header and scheme (when none is configured). */
export function originOf(headers, secure) {
  const host = header(headers, 'host');
  return host ? `${secure ? 'https' : 'http'}://${host}` : null;
}

/** Compares two strings in time that does not depend on where they differ (CSRF tokens). */
export function sameSecret(a, b) {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length || a.length === 0) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
