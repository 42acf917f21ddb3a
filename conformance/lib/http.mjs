// A small HTTP client with a cookie jar, on node:http(s): every header is the caller's, as a
// browser's would be (fetch() in Node adds its own Sec-Fetch-Mode, which a navigation must not
// carry), and nothing is followed or retried behind the kit's back.
import http from 'node:http';
import https from 'node:https';

export class Jar {
  #cookies = new Map(); // name -> { value, httpOnly, sameSite }

  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v.value}`).join('; ');
  }

  get(name) {
    return this.#cookies.get(name)?.value ?? null;
  }

  entries() {
    return [...this.#cookies];
  }

  set(name, value, attrs = {}) {
    this.#cookies.set(name, { value, ...attrs });
  }

  delete(name) {
    this.#cookies.delete(name);
  }

  /** Takes an answer's Set-Cookie lines; returns the names set or removed. */
  take(setCookies) {
    const changed = [];
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const i = pair.indexOf('=');
      if (i <= 0) continue;
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      const lower = attrs.map((a) => a.toLowerCase());
      const expired = lower.some((a) => a === 'max-age=0' || /^max-age=-/.test(a)) ||
        lower.some((a) => a.startsWith('expires=') && Date.parse(a.slice(8)) <= Date.now());
      if (expired) this.#cookies.delete(name);
      else {
        this.#cookies.set(name, {
          value,
          httpOnly: lower.includes('httponly'),
          sameSite: (lower.find((a) => a.startsWith('samesite=')) ?? '').slice(9),
        });
      }
      changed.push(name);
    }
    return changed;
  }
}

/**
 * Sends one request. `headers` are sent exactly (plus Cookie from `jar`, Host, Content-Length).
 * Returns { status, headers, setCookies, body }.
 */
export function request(baseUrl, method, path, { headers = {}, body = null, jar = null, timeout = 10_000 } = {}) {
  const url = new URL(path, baseUrl);
  const lib = url.protocol === 'https:' ? https : http;
  // A header given as undefined is left out (a check that removes one of a set).
  const h = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined));
  const cookie = jar?.header();
  if (cookie && h.cookie === undefined) h.cookie = cookie;
  if (body !== null) h['content-length'] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method, headers: h, rejectUnauthorized: false, timeout }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const setCookies = [].concat(res.headers['set-cookie'] ?? []);
        if (jar) jar.take(setCookies);
        resolve({ status: res.statusCode, headers: res.headers, setCookies, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeout} ms`)));
    req.on('error', reject);
    if (body !== null) req.write(body);
    req.end();
  });
}
