// Helpers of the package's HTTP tests: a fake clock, and a signed-in session on a portal.
import { Jar, request } from '../../conformance/lib/http.mjs';

export { Jar, request };

/** A clock the test moves: `clock()` reads it, `clock.advance(ms)` moves it. */
export function fakeClock(start = Date.UTC(2026, 11, 7, 9, 0, 0)) {
  let t = start;
  const clock = () => t;
  clock.advance = (ms) => (t += ms);
  return clock;
}

export const SAME = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' };
export const NAV = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', accept: 'text/html' };
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Signs in on `url` (the portals of portals.mjs) and reads the page: { jar, id, csrf, cookie }. */
export async function signIn(url, jar = new Jar(), user = 'ann') {
  const r = await request(url, 'POST', '/login', { jar, headers: { ...NAV, ...FORM }, body: 'user=' + user });
  if (r.status !== 303) throw new Error('sign-in answered ' + r.status + ' ' + r.body);
  const page = await request(url, 'GET', '/portal', { jar, headers: NAV });
  return {
    jar,
    id: /data-session-id="([^"]+)"/.exec(page.body)?.[1],
    csrf: /name="csrf-token" content="([^"]+)"/.exec(page.body)?.[1],
    cookie: jar.get('sid'),
    page,
  };
}

export const keepalive = (url, s, jar = s.jar) =>
  request(url, 'POST', '/autologoff/keepalive', { jar, headers: { ...SAME, ...FORM, 'x-csrf-token': s.csrf }, body: 'keepalive=1&session=' + s.id });
export const status = (url, s, jar = s.jar) => request(url, 'GET', '/autologoff/status', { jar, headers: SAME });
export const logout = (url, s, jar = s.jar) =>
  request(url, 'POST', '/autologoff/logout', { jar, headers: { ...SAME, ...FORM, 'x-csrf-token': s.csrf }, body: 'reason=user&session=' + s.id });
export const body = (r) => JSON.parse(r.body);
