// Requests to the portal's server (docs/protocol.md): the logout and keepalive POSTs, the status
// GET, the beacon fallback, the audit batches. They report what happened, as it happened (the
// status, whether it was redirected, whether it is an HTML page, the body of a 2xx): the session
// core decides what that means. Shared by the module and the fallback.
import { call1, call2, get, construct } from './calls.js';

const FORM = 'application/x-www-form-urlencoded;charset=UTF-8';

/** The CSRF token: `token` if given, else `<meta name="csrf-token" content="…">`. */
function csrf(token) {
  if (token) return token;
  const meta = call1(document, 'querySelector', 'meta[name="csrf-token"]');
  return get(meta, 'content') || '';
}

/**
 * What a `fetch` came to, never rejecting: `{ status, redirected, html, body }`, `status` 0 for no
 * answer (a network error, a refused request, the page unloading). `body` is read for a 2xx that
 * is not HTML only (the protocol's JSON), else ''.
 */
function answer(sent) {
  if (!sent) return Promise.resolve({ status: 0, redirected: false, html: false, body: '' });
  return sent.then(
    (r) => {
      const status = get(r, 'status') || 0;
      const html = /text\/html/i.test(call1(get(r, 'headers'), 'get', 'content-type') || '');
      const facts = { status, redirected: !!get(r, 'redirected'), html, body: '' };
      if (status < 200 || status > 299 || html) return facts;
      return call1(r, 'text').then(
        (body) => ({ ...facts, body: String(body) }),
        () => facts,
      );
    },
    () => ({ status: 0, redirected: false, html: false, body: '' }),
  );
}

/**
 * POSTs the form `body` to `url` with credentials and the CSRF token in `header` (form encoding
 * is CORS-safelisted: no preflight for cross-origin endpoints unless a CSRF header is added).
 * `keepalive` lets the request outlive the page (https://fetch.spec.whatwg.org/#request-keepalive-flag).
 */
export function post(url, body, header, token, keepalive) {
  const headers = { 'Content-Type': FORM };
  const t = csrf(token);
  if (t) headers[header] = t;
  return answer(call2(window, 'fetch', url, { method: 'POST', credentials: 'include', headers, body, keepalive }));
}

/** GETs the status `url` (it changes nothing, so it needs no token). */
export function status(url) {
  return answer(call2(window, 'fetch', url, { credentials: 'include', cache: 'no-store' }));
}

/**
 * Sends the form `body` to `url` with `navigator.sendBeacon`, with the CSRF token as a `_csrf`
 * field (a beacon cannot carry headers). Returns whether the browser queued it; whether it
 * arrives is unknowable.
 */
export function beacon(url, body, token) {
  const form = construct('URLSearchParams', body);
  const t = csrf(token);
  if (t) call2(form, 'append', '_csrf', t);
  return !!call2(get(window, 'navigator'), 'sendBeacon', url, form);
}

/**
 * Sends audit events (`body`, a JSON array) to `url` with a beacon, or a keepalive fetch when the
 * beacon queue is full or beacons are blocked. Never blocks the page.
 */
export function audit(url, body) {
  if (!call2(get(window, 'navigator'), 'sendBeacon', url, body)) {
    call2(window, 'fetch', url, { method: 'POST', body, keepalive: true });
  }
}
