// A portal that knows nothing about autologoff, for the gateway's tests and bench: sign-in sets
// a session cookie, sign-out clears it, a page of (made-up) PHI, a poll route. No idle or
// absolute limit of its own, no CSRF token, no Cache-Control: everything the gateway must add.
//
// `node tests/gateway/portal.mjs [port]` serves it on 127.0.0.1; tests import startPortal().
import http from 'node:http';
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

export const COOKIE = 'PORTALSESSID';

const page = (title, body) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

export function startPortal({ port = 0, host = '127.0.0.1' } = {}) {
  // sid -> { user }. Sessions live until signed out: the portal has no timeout at all.
  const state = { sessions: new Map(), signOuts: [], requests: 0 };
  const sid = (req) => {
    for (const part of (req.headers.cookie || '').split(';')) {
      const [k, v] = part.trim().split('=');
      if (k === COOKIE && state.sessions.has(v)) return v;
    }
    return null;
  };
  const server = http.createServer(async (req, res) => {
    state.requests++;
    const url = new URL(req.url, 'http://portal');
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString();
    const s = sid(req);
    if (url.pathname === '/login' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      const id = crypto.randomBytes(18).toString('base64url');
      state.sessions.set(id, { user: form.get('user') || 'anonymous' });
      res.writeHead(303, { location: '/portal', 'set-cookie': `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax` });
      return res.end();
    }
    if (url.pathname === '/login') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page('Sign in', `<h1>Sign in</h1><p id="reason">${url.searchParams.get('reason') || ''}</p>
<form method="post" action="/login"><input name="user" value="test.nurse"><input name="password" type="password" value="x"><button>Sign in</button></form>`));
    }
    if (url.pathname === '/logout') {
      state.signOuts.push({ at: Date.now(), known: !!s, method: req.method });
      if (s) state.sessions.delete(s);
      res.writeHead(303, { location: '/login?reason=signed-out', 'set-cookie': `${COOKIE}=; Path=/; Max-Age=0` });
      return res.end();
    }
    if (url.pathname === '/portal' || url.pathname.startsWith('/portal/')) {
      if (!s) {
        res.writeHead(303, { location: '/login' });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page('Patient record', `<h1>Patient record</h1><p>Signed in as ${state.sessions.get(s).user}</p>
<section data-phi><h2>Jane Q. Sample</h2><p>MRN 00-4417-2291 · Allergies: penicillin</p></section>
<a href="/portal/labs" id="labs">Labs</a>`));
    }
    if (url.pathname === '/api/poll') {
      if (!s) {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end('{"error":"signed-out"}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"unread":3}');
    }
    if (url.pathname === '/hello') {
      // The bench's route: small, static, no session needed.
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('hello');
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(port, host, () => {
      const url = `http://${host}:${server.address().port}`;
      resolve({ url, port: server.address().port, state, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) });
    }),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { url } = await startPortal({ port: Number(process.argv[2] || 0) });
  console.log(`portal: ${url}`);
}
