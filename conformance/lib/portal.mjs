// What the checks do with a portal: sign in as told, read a protected page as autologoff reads
// it, and call the endpoints the way a page of that session would (same-origin headers, the CSRF
// token), or the way a hostile page would.
import fs from 'node:fs';
import assert from 'node:assert/strict';
import { Jar, request } from './http.mjs';
import { loadOptions } from './options.mjs';

export const options = loadOptions();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const base = options.baseUrl;
const ORIGIN = new URL(base).origin;

/** Headers of a request the portal's own page makes with fetch(). */
export const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', origin: ORIGIN };
/** Headers of a navigation the user makes. */
export const NAVIGATION = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', accept: 'text/html,application/xhtml+xml' };
/** Headers of a request another site's page makes (a form post, a beacon). */
export const CROSS_SITE = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', origin: 'https://evil.example' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export const send = (method, path, init) => request(base, method, path, init);

/** The session cookie's name: --cookie, else the HttpOnly cookie the sign-in set. */
function sessionCookie(jar, set) {
  if (options.cookie) return options.cookie;
  const httpOnly = jar.entries().filter(([name, c]) => c.httpOnly && set.includes(name));
  assert.equal(httpOnly.length, 1, `the sign-in (${options.signIn}) must set exactly one HttpOnly cookie (the session's), or pass --cookie; it set: ${set.join(', ') || 'none'}`);
  return httpOnly[0][0];
}

/**
 * Signs in (in `jar`, a new one by default) and reads the protected page. Returns the session as
 * a page sees it: { jar, cookieName, cookie, id, csrf, urls, page, setCookie }.
 */
export async function signIn(jar = new Jar()) {
  const { method, path } = options.signInRequest;
  let { form } = options.signInRequest;
  if (options.signInToken) {
    // A sign-in form with a login CSRF token: read it from the form first, as a browser would.
    const page = await send('GET', path, { jar, headers: NAVIGATION });
    const name = options.signInToken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const input = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(page.body)?.[0];
    const value = input && /value="([^"]*)"/.exec(input)?.[1];
    assert.ok(value !== undefined && value !== null, `the sign-in page ${path} has no <input name="${options.signInToken}" value="…">`);
    form = (form ? form + '&' : '') + encodeURIComponent(options.signInToken) + '=' + encodeURIComponent(value.replace(/&amp;/g, '&'));
  }
  const r = await send(method, path, { jar, headers: { ...NAVIGATION, ...(method === 'POST' ? FORM : {}) }, body: method === 'POST' ? form : null });
  assert.ok(r.status < 400, `sign-in answered ${r.status}: ${r.body.slice(0, 200)}`);
  const cookieName = sessionCookie(jar, r.setCookies.map((l) => l.split('=')[0]));
  const cookie = jar.get(cookieName);
  assert.ok(cookie, 'the sign-in set the session cookie');
  const setCookie = r.setCookies.find((l) => l.startsWith(cookieName + '='));
  return { ...(await readPage(jar)), jar, cookieName, cookie, setCookie };
}

const attr = (html, name) => {
  const m = new RegExp(`\\bdata-${name}="([^"]*)"`).exec(html);
  return m ? m[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'") : null;
};

/** Reads the protected page: the public id, the CSRF token and the endpoint URLs. */
export async function readPage(jar) {
  const r = await send('GET', options.page, { jar, headers: NAVIGATION });
  assert.equal(r.status, 200, `${options.page} answered ${r.status} right after sign-in (is --page a protected page of the signed-in session?)`);
  const html = r.body;
  const csrf = /<meta\s+name="csrf-token"\s+content="([^"]*)"/.exec(html)?.[1] ?? null;
  const urls = {
    keepalive: attr(html, 'keepalive-url'),
    status: attr(html, 'status-url'),
    logout: attr(html, 'logout-url'),
    audit: attr(html, 'audit-url'),
  };
  return { id: attr(html, 'session-id'), csrf, urls, page: r, html };
}

/** Checks the page gave what every check needs, naming what is missing. */
export function requireEndpoints(s, ...names) {
  for (const n of names) assert.ok(s.urls[n], `the page has no data-${n}-url (docs/protocol.md section 2)`);
  assert.ok(s.id, 'the page has no data-session-id (docs/protocol.md section 2)');
}

export const keepalive = (s, { headers = {}, body } = {}) =>
  send('POST', s.urls.keepalive, { jar: s.jar, headers: { ...SAME_ORIGIN, ...FORM, 'x-csrf-token': s.csrf, ...headers }, body: body ?? `keepalive=1&session=${encodeURIComponent(s.id)}` });

export const status = (s, { jar = s.jar, query = '' } = {}) => send('GET', s.urls.status + query, { jar, headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', accept: 'application/json' } });

export const logout = (s, { headers = {}, body, jar = s.jar } = {}) =>
  send('POST', s.urls.logout, { jar, headers: { ...SAME_ORIGIN, ...FORM, 'x-csrf-token': s.csrf, ...headers }, body: body ?? `reason=user&session=${encodeURIComponent(s.id)}` });

export const audit = (s, events, { headers = {}, raw } = {}) =>
  send('POST', s.urls.audit, { jar: s.jar, headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'no-cors', origin: ORIGIN, 'content-type': 'text/plain;charset=UTF-8', ...headers }, body: raw ?? JSON.stringify(events) });

/** A navigation to the protected page. */
export const navigate = (s) => send('GET', options.page, { jar: s.jar, headers: NAVIGATION });
/** A script's request for the protected page (a poll, a background fetch). */
export const background = (s, path = options.page) => send('GET', path, { jar: s.jar, headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', accept: 'application/json' } });

export const json = (r) => {
  try {
    return JSON.parse(r.body);
  } catch {
    return null;
  }
};

/**
 * The server's own limits, from a keepalive's answer (which resets the idle time, so it is the
 * idle limit itself): { idle, absolute (left at `at`), at }.
 */
export async function limits(s) {
  const r = await keepalive(s);
  assert.equal(r.status, 200, `the keepalive endpoint answered ${r.status} for a live session: ${r.body.slice(0, 200)}`);
  const b = json(r);
  for (const k of ['remainingMs', 'idleRemainingMs', 'absoluteRemainingMs']) assert.equal(typeof b?.[k], 'number', `the status answer has ${k} (ms): ${r.body}`);
  assert.ok(b.idleRemainingMs <= 30_000 && b.absoluteRemainingMs <= 60_000, `run the server with short limits (idle at most 30 s, absolute at most 60 s) for the kit; this one has ${b.idleRemainingMs} ms idle, ${b.absoluteRemainingMs} ms absolute left`);
  return { idle: b.idleRemainingMs, absolute: b.absoluteRemainingMs, at: Date.now() };
}

/** Whether the stored audit trail can be read (--audit-url or --audit-file). */
export const canReadAudit = () => !!(options.auditUrl || options.auditFile);

/** The stored audit trail as text and as records (JSON lines, or a JSON array). */
export async function auditTrail() {
  let text;
  if (options.auditFile) text = fs.readFileSync(options.auditFile, 'utf8');
  else {
    const r = await send('GET', options.auditUrl, { headers: { accept: 'application/json' } });
    assert.equal(r.status, 200, `${options.auditUrl} answered ${r.status}`);
    text = r.body;
  }
  const t = text.trim();
  const records = t.startsWith('[') ? JSON.parse(t) : t.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { text, records };
}

/** Polls `fn` until it returns a truthy value (a server that writes its trail a little later). */
export async function eventually(fn, what, timeout = 3_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** No 5xx, no stack trace: the answer to a malformed request. */
export function assertClientError(r, what) {
  assert.ok(r.status >= 400 && r.status < 500, `${what}: expected a 4xx naming what is wrong, got ${r.status}: ${r.body.slice(0, 200)}`);
  assert.doesNotMatch(r.body, /\bat .+\.(m?js|ts|rs|py|java|go):\d+/, `${what}: the answer shows a stack trace`);
}
