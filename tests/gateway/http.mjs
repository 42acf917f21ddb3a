// Plain HTTP requests for the gateway's tests: node:http, so the test chooses every header
// (fetch adds its own Sec-Fetch-Mode) and redirects are never followed.
import http from 'node:http';

/** `request(url, { method, headers, body })` → { status, headers, body, cookie(name) }. */
export function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, ...(body != null ? { 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: text,
          json: () => JSON.parse(text),
          setCookie: (name) => (res.headers['set-cookie'] || []).find((c) => c.startsWith(name + '=')),
        });
      });
    });
    req.on('error', reject);
    if (body != null) req.write(body);
    req.end();
  });
}

export const form = { 'content-type': 'application/x-www-form-urlencoded' };
export const navigate = { 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'same-origin', accept: 'text/html' };
export const background = { 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'same-origin', accept: '*/*' };
export const sameOrigin = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' };

/** Signs in through `base`; returns { cookie: 'NAME=value', page, sessionId, csrf } read from a protected page. */
export async function signIn(base, cookieName, user = 'test.nurse') {
  const r = await request(base + '/login', { method: 'POST', headers: { ...form, ...navigate }, body: `user=${user}&password=x` });
  if (r.status !== 303) throw new Error('sign-in answered ' + r.status);
  const cookie = r.setCookie(cookieName).split(';')[0];
  const page = await request(base + '/portal', { headers: { ...navigate, cookie } });
  const attr = (name) => (page.body.match(new RegExp(`data-${name}="([^"]*)"`)) || [])[1];
  return { cookie, page, sessionId: attr('session-id'), csrf: attr('csrf-token') };
}
