// The demo patient portal, and the server the end-to-end tests run against.
//
// A real (small) session server: login sets an HttpOnly, SameSite=Strict session cookie; PHI
// pages need a live session and are sent with Cache-Control: no-store under a strict CSP;
// POST /logout ends the session server-side and answers with Clear-Site-Data. Fault switches
// (POST /__faults) make the logout endpoint fail, hang or reset, for tests and demos.
//
// `node www/server.mjs` serves on 127.0.0.1 (PORT, default 8080) and prints the URL.
// Tests import startServer() and read the server's state in-process.
import http from 'node:http';
import https from 'node:https';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

const MIME = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const STATIC = [
  ['/assets/autologoff/', path.join(root, 'dist')],
  ['/pkg/', path.join(root, 'pkg')],
  ['/demo/', path.join(here, 'static')],
];

// Durations the demo offers; tests may pass any value of the documented forms. The server's
// own idle limit is twice the client's (the client logs off first; the server is the backstop),
// and the client pings /keepalive at most every third of its timeout while the user is active.
const PRESETS = {
  standard: { label: '15 min, warning 60 s (default policy)', timeout: '15m', warning: '60s', keepalive: '5m', ms: 900_000 },
  short: { label: '2 min, warning 30 s', timeout: '2m', warning: '30s', keepalive: '40s', ms: 120_000 },
  demo: { label: '30 s, warning 20 s (watch it happen)', timeout: '30s', warning: '20s', keepalive: '10s', ms: 30_000 },
};
const SERVER_ABSOLUTE = 12 * 3_600_000; // NIST SP 800-63B-4 AAL2/AAL3 overall limit

// Settings the portal page passes through to the script tag as data-* attributes.
const PASSTHROUGH = [
  'timeout', 'warning', 'logout-wait', 'lang', 'dialog-title', 'dialog-message', 'logout-url', 'redirect-url',
  'autostart', 'channel', 'absolute-timeout', 'session-start', 'session-id', 'keepalive-url', 'keepalive-interval',
  'keep-storage-keys', 'unregister-service-workers', 'audit-url', 'csrf-header', 'dialog', 'stay-label',
  'logout-label', 'time-left-label', 'title-prefix', 'signing-out-message', 'signed-out-message', 'sign-in-label',
  'absolute-title', 'absolute-message', 'dismiss-label', 'wasm-url',
];

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; " +
  "require-trusted-types-for 'script'";

// `extraStatic`: more [url prefix, folder] pairs to serve (tests serve a bundler's output).
// `tls`: `{ key, cert }` (PEM) to serve over https, where cookies can be `Secure`, `__Secure-`
// and `__Host-`.
export function startServer({ port = 0, host = '127.0.0.1', quiet = true, extraStatic = [], tls = null } = {}) {
  const state = {
    sessions: new Map(), // sid -> { user, created, lastSeen, idleMs, absoluteMs, csrf }
    logouts: [], // every POST /logout: { at, sid, known, reason, csrfOk }
    keepalives: [], // every POST /keepalive: { at, sid, live }
    audit: [], // append-only: every event POSTed to /audit, with the sid it came with
    // logout: ok|error|hang|reset; keepalive: ok|401; wasm: ok|fail (503)|hang, or a number of
    // requests to fail before it serves the module again.
    faults: { logout: 'ok', keepalive: 'ok', wasm: 'ok' },
    hanging: new Set(),
  };

  const listener = async (req, res) => {
    try {
      await handle(req, res, state, extraStatic, !!tls);
    } catch (error) {
      if (!quiet) console.error(error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    }
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  server.on('connection', (socket) => socket.setNoDelay(true));

  return new Promise((resolve) => {
    server.listen(port, host, () => {
      const url = `${tls ? 'https' : 'http'}://${host}:${server.address().port}`;
      resolve({
        url,
        state,
        close: () =>
          new Promise((done) => {
            for (const r of state.hanging) r.destroy();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function cookies(req) {
  const out = {};
  for (const part of (req.headers.cookie || '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

// A live session, or null. The server enforces its own idle and absolute limits: a session
// past either is deleted here, whatever the page thinks.
function session(req, state) {
  const sid = cookies(req).sid;
  const s = sid && state.sessions.get(sid);
  if (!s) return null;
  const now = Date.now();
  if (now - s.lastSeen >= s.idleMs || now - s.created >= s.absoluteMs) {
    state.sessions.delete(sid);
    return null;
  }
  return { sid, ...s };
}

function touch(state, sid) {
  const s = state.sessions.get(sid);
  if (s) s.lastSeen = Date.now();
}

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

const esc = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function send(res, status, type, text, headers = {}) {
  res.writeHead(status, { 'content-type': type, ...headers });
  res.end(text);
}

function redirect(res, to, headers = {}) {
  res.writeHead(303, { location: to, 'cache-control': 'no-store', ...headers });
  res.end();
}

async function handle(req, res, state, extraStatic, secure) {
  const url = new URL(req.url, 'http://localhost');
  const p = url.pathname;

  // frame=slow on the portal: its frame arrives late, after autologoff has started.
  if (p === '/demo/frame.html' && url.searchParams.has('delay')) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(Number(url.searchParams.get('delay')) || 0, 5_000)));
  }
  // The module can be made to fail (a network blip, a deploy in progress), for tests.
  if (p.endsWith('/autologoff_bg.wasm') && state.faults.wasm !== 'ok') {
    const left = Number(state.faults.wasm);
    // hang: the request is accepted and never answered (a stalled proxy, a deploy).
    if (state.faults.wasm === 'hang') return void state.hanging.add(req.socket);
    if (state.faults.wasm === 'fail' || left > 0) {
      if (left > 0) state.faults.wasm = left === 1 ? 'ok' : String(left - 1);
      return send(res, 503, 'text/plain', 'service unavailable', { 'cache-control': 'no-store' });
    }
  }
  for (const [prefix, dir] of [...STATIC, ...extraStatic]) {
    if (p.startsWith(prefix) && req.method === 'GET') return serveFile(res, dir, p.slice(prefix.length));
  }
  // The bundle again, with the .wasm under a wrong Content-Type, as misconfigured servers do.
  if (p.startsWith('/assets-octet/autologoff/') && req.method === 'GET') {
    return serveFile(res, path.join(root, 'dist'), p.slice('/assets-octet/autologoff/'.length), 'application/octet-stream');
  }

  if (p === '/' && req.method === 'GET') return redirect(res, session(req, state) ? '/portal' : '/login');
  if (p === '/favicon.ico') return send(res, 204, 'image/x-icon', '');

  if (p === '/login' && req.method === 'GET') {
    return send(res, 200, 'text/html; charset=utf-8', loginPage(url), { 'cache-control': 'no-store', 'content-security-policy': CSP });
  }

  if (p === '/login' && req.method === 'POST') {
    const form = new URLSearchParams(await body(req));
    const user = (form.get('user') || '').trim() || 'demo.clinician';
    const sid = crypto.randomBytes(24).toString('base64url');
    const preset = PRESETS[form.get('preset')] || PRESETS.demo;
    const now = Date.now();
    // serverIdle / serverAbsolute (ms) let tests shorten the server's own limits.
    const limit = (name, fallback) => (/^\d{3,9}$/.test(form.get(name) || '') ? Number(form.get(name)) : fallback);
    state.sessions.set(sid, {
      user,
      created: now,
      lastSeen: now,
      idleMs: limit('serverIdle', preset.ms * 2),
      absoluteMs: limit('serverAbsolute', SERVER_ABSOLUTE),
      csrf: crypto.randomBytes(18).toString('base64url'),
      // The session's identity for autologoff: public, random, not the cookie.
      publicId: crypto.randomBytes(9).toString('base64url'),
    });
    const next = '/portal?' + new URLSearchParams({ timeout: preset.timeout, warning: preset.warning, 'keepalive-interval': preset.keepalive });
    return redirect(res, next, { 'set-cookie': `sid=${sid}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}` });
  }

  if ((p === '/portal' || p === '/portal/npm') && req.method === 'GET') {
    const s = session(req, state);
    if (!s) return redirect(res, '/login?reason=signed-out');
    touch(state, s.sid); // a page the user asked for is activity the server sees
    // csp=nowasm: a policy without 'wasm-unsafe-eval', to show the error a portal would get.
    const csp = url.searchParams.get('csp') === 'nowasm' ? CSP.replace(" 'wasm-unsafe-eval'", '') : CSP;
    return send(res, 200, 'text/html; charset=utf-8', portalPage(url, s, p === '/portal/npm'), {
      // PHI: never stored, never reused from a cache on Back.
      'cache-control': 'no-store',
      'content-security-policy': csp,
    });
  }

  if (p === '/api/me' && req.method === 'GET') {
    const s = session(req, state);
    return s
      ? send(res, 200, 'application/json', JSON.stringify({ user: s.user }), { 'cache-control': 'no-store' })
      : send(res, 401, 'application/json', '{"error":"no session"}', { 'cache-control': 'no-store' });
  }

  if (p === '/keepalive' && req.method === 'POST') {
    await body(req);
    const s = session(req, state);
    state.keepalives.push({ at: Date.now(), sid: cookies(req).sid || null, live: !!s });
    if (!s || state.faults.keepalive === '401') {
      return send(res, 401, 'application/json', '{"error":"session expired"}', { 'cache-control': 'no-store' });
    }
    touch(state, s.sid);
    const remainingMs = Math.min(s.idleMs, s.absoluteMs - (Date.now() - s.created));
    return send(res, 200, 'application/json', JSON.stringify({ remainingMs }), { 'cache-control': 'no-store' });
  }

  if (p === '/audit' && req.method === 'POST') {
    const sid = cookies(req).sid || null;
    let events = [];
    try {
      events = JSON.parse(await body(req));
    } catch {
      return send(res, 400, 'text/plain', 'expected a JSON array of events');
    }
    if (!Array.isArray(events)) return send(res, 400, 'text/plain', 'expected a JSON array of events');
    const user = state.sessions.get(sid)?.user ?? null;
    for (const e of events.slice(0, 100)) {
      if (e && typeof e === 'object' && typeof e.type === 'string') {
        state.audit.push(Object.freeze({ receivedAt: Date.now(), sid, user, ...e }));
      }
    }
    res.writeHead(204);
    return res.end();
  }

  if (p === '/audit.json' && req.method === 'GET') {
    return send(res, 200, 'application/json', JSON.stringify(state.audit), { 'cache-control': 'no-store' });
  }

  if (p === '/audit-log' && req.method === 'GET') {
    return send(res, 200, 'text/html; charset=utf-8', auditPage(state), { 'cache-control': 'no-store', 'content-security-policy': CSP });
  }

  if (p === '/logout' && req.method === 'POST') {
    const sid = cookies(req).sid || null;
    const form = new URLSearchParams(await body(req));
    const reason = form.get('reason');
    const fault = state.faults.logout;
    // The session to end: the one the page names by its public id (docs/protocol.md 3.3), else
    // the cookie's. A page of an earlier sign-in names its own, and the newer sign-in that now
    // holds the cookie is left alone.
    const named = form.get('session');
    const cookieSession = state.sessions.get(sid);
    const [target, known] = named
      ? [...state.sessions].find(([, v]) => v.publicId === named) || [null, undefined]
      : [sid, cookieSession];
    const token = req.headers['x-csrf-token'] || form.get('_csrf');
    const csrfOk = !!known && token === known.csrf;
    // `via`: the token came as a header (fetch) or as a form field (sendBeacon, which cannot set
    // headers).
    const via = req.headers['x-csrf-token'] ? 'header' : form.has('_csrf') ? 'form' : 'none';
    state.logouts.push({ at: Date.now(), sid, known: !!known, reason, fault, csrfOk, via, named, target });
    if (fault === 'reset') return req.socket.destroy();
    if (fault === 'hang') return void state.hanging.add(req.socket);
    if (fault === 'error') return send(res, 500, 'text/plain', 'logout service unavailable');
    // Without the session's CSRF token a cross-site page could log users out: refuse.
    if (known && !csrfOk) return send(res, 403, 'text/plain', 'bad CSRF token');
    if (target) state.sessions.delete(target);
    // Clear the browser only when its cookie is not another live session's.
    const otherLive = !!cookieSession && sid !== target;
    res.writeHead(204, {
      'cache-control': 'no-store',
      ...(otherLive
        ? {}
        : {
            'clear-site-data': '"cache", "cookies", "storage"',
            'set-cookie': `sid=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure ? '; Secure' : ''}`,
          }),
    });
    return res.end();
  }

  if (p === '/__faults' && req.method === 'POST') {
    const form = new URLSearchParams(await body(req));
    const logout = form.get('logout') ?? state.faults.logout;
    const keepalive = form.get('keepalive') ?? state.faults.keepalive;
    const wasm = form.get('wasm') ?? state.faults.wasm;
    if (!['ok', 'error', 'hang', 'reset'].includes(logout) || !['ok', '401'].includes(keepalive) || !/^(ok|fail|hang|\d+)$/.test(wasm)) {
      return send(res, 400, 'text/plain', 'logout must be one of ok, error, hang, reset; keepalive one of ok, 401; wasm ok, fail or a number');
    }
    state.faults.logout = logout;
    state.faults.keepalive = keepalive;
    state.faults.wasm = wasm;
    return send(res, 200, 'application/json', JSON.stringify(state.faults));
  }

  send(res, 404, 'text/plain', 'not found');
}

function serveFile(res, dir, rest, wasmType = 'application/wasm') {
  const file = path.resolve(dir, decodeURIComponent(rest));
  if (!file.startsWith(dir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    return send(res, 404, 'text/plain', 'not found');
  }
  res.writeHead(200, {
    'content-type': path.extname(file) === '.wasm' ? wasmType : MIME[path.extname(file)] || 'application/octet-stream',
    'cache-control': 'no-cache',
  });
  fs.createReadStream(file).pipe(res);
}

function auditPage(state) {
  const rows = state.audit
    .map((e) => `<tr><td>${esc(new Date(e.at).toISOString())}</td><td>${esc(e.user ?? '—')}</td><td>${esc(e.type)}</td><td>${esc(e.reason ?? e.how ?? e.status ?? '')}</td><td>${esc(e.tab)}</td><td>${esc(JSON.stringify(e.policy))}</td></tr>`)
    .reverse()
    .join('');
  return page(
    'Audit trail — Riverside Health',
    `<h1>Automatic logoff audit trail</h1>
<p class="hint">Append-only: every event the portal's pages sent to <code>/audit</code>, newest first. No PHI: times, user, event, reason, tab, policy.</p>
<table><thead><tr><th>Time (UTC)</th><th>User</th><th>Event</th><th>Reason / how</th><th>Tab</th><th>Policy (ms)</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

function page(title, main, scripts = '', head = '') {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
${head}<link rel="stylesheet" href="/demo/portal.css">
${scripts}
</head>
<body>
<header class="bar"><span class="brand">Riverside Health</span><span class="tag">autologoff demo</span><a class="tag" href="/audit-log">Audit trail</a></header>
<main>${main}</main>
</body>
</html>`;
}

function loginPage(url) {
  const reason = url.searchParams.get('reason');
  const notice =
    reason === 'timeout'
      ? '<p class="notice" role="status">You were signed out because of inactivity. Sign in again to continue.</p>'
      : reason === 'signed-out'
        ? '<p class="notice" role="status">Your session has ended. Please sign in.</p>'
        : '';
  const options = Object.entries(PRESETS)
    .map(([k, v]) => `<option value="${k}"${k === 'demo' ? ' selected' : ''}>${esc(v.label)}</option>`)
    .join('');
  return page(
    'Sign in — Riverside Health',
    `<h1>Sign in</h1>${notice}
<form method="post" action="/login" class="card">
  <label>User name <input name="user" value="demo.clinician" autocomplete="username"></label>
  <label>Password <input name="password" type="password" value="demo" autocomplete="current-password"></label>
  <label>Automatic logoff <select name="preset">${options}</select></label>
  <button type="submit">Sign in</button>
</form>
<p class="hint">Demo only: any name and password sign in.</p>`,
  );
}

function portalPage(url, s, npm) {
  const attrs = {
    'logout-url': '/logout',
    'redirect-url': '/login?reason=timeout',
    'keepalive-url': '/keepalive',
    'audit-url': '/audit',
    'session-start': String(s.created),
    'session-id': s.publicId,
  };
  for (const key of PASSTHROUGH) {
    const v = url.searchParams.get(key);
    if (v !== null) attrs[key] = v;
  }
  const data = Object.entries(attrs).map(([k, v]) => ` data-${k}="${esc(v)}"`).join('');
  // The npm page imports the ES module package and passes the same settings as options.
  const assets = '/' + (url.searchParams.get('asset') === 'octet' ? 'assets-octet' : 'assets') + '/autologoff/';
  const scripts = npm
    ? `<script type="module" src="/demo/npm-entry.js"${data}></script>`
    : `<script src="${assets}autologoff.js"${data}${url.searchParams.get('tag') === 'module' ? ' type="module"' : ''}></script>\n<script src="/demo/portal.js" defer></script>`;
  // The script tag's optional companion (README): the .wasm downloads while the script does,
  // instead of after it has run. preload=0 leaves it out, as a portal that skips it would.
  const preload = !npm && url.searchParams.get('preload') !== '0'
    ? `<link rel="preload" href="${assets}autologoff_bg.wasm" as="fetch" crossorigin>\n`
    : '';
  // note=<markup>: a clinical note as a portal would show it after sanitizing (scripts and event
  // handlers removed, `id` and `name` kept), raw, for the tests of markup that tries to switch
  // autologoff off (DOM clobbering). tag-position=end puts the script tag after the content, so
  // that markup is parsed before the tag runs.
  const note = url.searchParams.get('note') ?? '';
  const tagAtEnd = url.searchParams.get('tag-position') === 'end';
  const frameSrc = url.searchParams.get('frame') === 'slow' ? '/demo/frame.html?delay=1500' : '/demo/frame.html';
  const frame = url.searchParams.get('frame') ? `<iframe src="${frameSrc}" title="Lab viewer" class="frame"></iframe>` : '';
  const presets = Object.entries(PRESETS)
    .map(([, v]) => `<a href="?timeout=${encodeURIComponent(v.timeout)}&amp;warning=${encodeURIComponent(v.warning)}">${esc(v.label)}</a>`)
    .join(' · ');
  return page(
    'Patient record — Riverside Health',
    `<div class="row"><h1>Patient record</h1>
<div class="session">Signed in as <strong>${esc(s.user)}</strong> · session <strong id="state">starting</strong> · <span id="left"></span>
<button type="button" id="logout">Log out</button></div></div>
<p class="policy">Automatic logoff after <strong>${esc(attrs.timeout || '15m')}</strong> of inactivity, warning <strong>${esc(attrs.warning || '60s')}</strong> before. Change: ${presets}.
<a href="${esc(url.pathname + url.search)}" target="_blank" rel="noopener" id="second-tab">Open this page in a second tab</a>.</p>
<section class="card phi" data-phi>
  <h2>Jane Q. Sample</h2>
  <dl>
    <dt>MRN</dt><dd>00-4417-2291</dd>
    <dt>Date of birth</dt><dd>1968-03-14</dd>
    <dt>Allergies</dt><dd>Penicillin (hives)</dd>
    <dt>Active medications</dt><dd>Metformin 500 mg twice daily; Lisinopril 10 mg daily</dd>
  </dl>
  <h3>Recent results</h3>
  <table><thead><tr><th>Test</th><th>Result</th><th>Date</th></tr></thead>
  <tbody><tr><td>HbA1c</td><td>7.2 %</td><td>2026-10-02</td></tr>
  <tr><td>LDL cholesterol</td><td>118 mg/dL</td><td>2026-10-02</td></tr>
  <tr><td>eGFR</td><td>74 mL/min/1.73m²</td><td>2026-10-02</td></tr></tbody></table>
  <label class="note">Visit note <textarea rows="3">Sample data. Not a real patient.</textarea></label>
  <div class="note-shown">${note}</div>
</section>${frame}
<p class="hint">Leave the page alone: a warning appears before the timeout, then the page is covered, the server session ends, this browser's storage for the site is cleared, and you land on the sign-in page. Every step is in the <a href="/audit-log">audit trail</a>.</p>${tagAtEnd ? '\n' + scripts : ''}`,
    tagAtEnd ? '' : scripts,
    `<meta name="csrf-token" content="${esc(s.csrf)}">\n${preload}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const port = Number(process.env.PORT || 8080);
  const { url } = await startServer({ port, quiet: false });
  console.log(`\nautologoff demo portal: ${url}/login\n(sign in with any name; Ctrl+C stops the server)`);
}
