// The demo patient portal, built on autologoff-server (the package in server/): Express 5, its
// session on express-session with the package's in-memory store (or Redis, see cluster.mjs), the
// limits, endpoints and audit trail all the package's. What is left here is the portal: sign-in,
// the patient page, the audit-log page and static files.
//
// The policy is the server's: the sign-in form offers three presets, each a client timeout and a
// server idle limit twice as long; nothing in a URL changes it. Test mode (startServer({ testMode:
// true }), only ever from the tests) adds query-parameter overrides, fault switches and state
// introspection: see test-mode.mjs. `npm start` never runs it.
//
// `node www/server.mjs` serves on 127.0.0.1 (PORT, default 8080) and prints the URL.
import http from 'node:http';
import https from 'node:https';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express from 'express';
import { autologoff, MemoryStore, memorySink } from 'autologoff-server/express';

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

export const STATIC = [
  ['/assets/autologoff/', path.join(root, 'dist')],
  ['/pkg/', path.join(root, 'pkg')],
  ['/demo/', path.join(here, 'static')],
];

// The policies the demo offers at sign-in. The server's idle limit is twice the client's timeout
// (the client logs off first; the server is the backstop), and the client sends a keepalive at
// most every third of its timeout while the user is active.
export const PRESETS = {
  standard: { label: '15 min, warning 60 s (default policy)', timeout: 900_000, warning: 60_000, keepalive: 300_000 },
  short: { label: '2 min, warning 30 s', timeout: 120_000, warning: 30_000, keepalive: 40_000 },
  demo: { label: '30 s, warning 20 s (watch it happen)', timeout: 30_000, warning: 20_000, keepalive: 10_000 },
};
const SERVER_IDLE = 2 * PRESETS.standard.timeout;
const SERVER_ABSOLUTE = 12 * 3_600_000; // NIST SP 800-63B-4 AAL2/AAL3 overall limit

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; " +
  "require-trusted-types-for 'script'";

/**
 * Starts the portal. `store`: an express-session store (default: the package's MemoryStore);
 * `secret`: the session secret (default: random, so sessions end with the process);
 * `tls`: `{ key, cert }` to serve https; `extraStatic`: more [prefix, folder] pairs;
 * `testMode`: the tests' switches (test-mode.mjs); `shared`: state shared between instances of
 * one test cluster. Returns { url, state, app, close }.
 */
export async function startServer({
  port = 0, host = '127.0.0.1', quiet = true, extraStatic = [], tls = null, testMode = false,
  store = new MemoryStore(), secret = crypto.randomBytes(32).toString('base64url'), sink = memorySink(), shared = null,
} = {}) {
  const app = express();
  app.disable('x-powered-by');
  const test = testMode ? await import('./test-mode.mjs') : null;
  const harness = test?.harness({ store, sink, shared, secret });
  const al = autologoff({
    secret,
    store,
    idle: SERVER_IDLE,
    absolute: SERVER_ABSOLUTE,
    clientTimeout: PRESETS.standard.timeout,
    warning: PRESETS.standard.warning,
    keepaliveInterval: PRESETS.standard.keepalive,
    signInPath: '/login',
    publicPaths: ['/', '/favicon.ico', '/audit-log', '/audit.json'],
    passivePaths: ['/api/me'],
    cookie: { name: 'sid', sameSite: 'strict' },
    audit: harness ? harness.sink : sink,
    log: quiet ? () => {} : (m) => console.error(m),
  });

  if (harness) {
    harness.attach(al.store);
    app.use(harness.before);
  }
  app.use(staticFiles([...STATIC, ...extraStatic]));
  app.use(al);

  app.get('/', (req, res) => res.redirect(303, req.autologoff.session ? '/portal' : '/login'));
  app.get('/favicon.ico', (req, res) => res.status(204).end());
  app.get('/login', (req, res) => html(res, loginPage(req.query.reason)));
  app.post('/login', express.urlencoded({ extended: false, limit: '8kb' }), async (req, res) => {
    const user = String(req.body?.user ?? '').trim().slice(0, 64) || 'demo.clinician';
    const preset = Object.hasOwn(PRESETS, req.body?.preset) ? req.body.preset : 'demo';
    // Demo only: any name and password sign in. A portal checks them here.
    const limits = harness ? harness.limits(req.body) : {};
    await req.autologoff.signIn({ user, idle: 2 * PRESETS[preset].timeout, ...limits });
    req.session.preset = preset;
    res.redirect(303, '/portal');
  });
  for (const p of ['/portal', '/portal/npm']) {
    app.get(p, (req, res) => {
      const preset = PRESETS[req.session.preset] ?? PRESETS.demo;
      const policy = { timeout: preset.timeout, warning: preset.warning, keepaliveInterval: preset.keepalive };
      const options = harness ? harness.pageOptions(req, policy) : { attrs: req.autologoff.attributes(policy), csp: CSP };
      html(res, portalPage(req, options, p === '/portal/npm'), options.csp);
    });
  }
  app.get('/api/me', (req, res) => res.json({ user: req.autologoff.session.user }));
  // The compliance officer's view. Demo only: a portal shows it to auditors alone. It shows the
  // stored lines, which hold no cookie, no token and no URL.
  app.get('/audit.json', (req, res) => res.set('cache-control', 'no-store').json(sink.records()));
  app.get('/audit-log', (req, res) => html(res, auditPage(sink.records())));
  if (harness) harness.routes(app);
  app.use((req, res) => res.status(404).type('text/plain').send('not found'));
  // Whatever a route throws: a short answer, never a stack trace.
  app.use((error, req, res, next) => {
    if (!quiet) console.error(error);
    if (res.headersSent) return next(error);
    res.status(error.status && error.status < 500 ? error.status : 500).type('text/plain').send(error.status === 413 ? 'too large' : 'error');
  });

  const server = tls ? https.createServer(tls, app) : http.createServer(app);
  server.on('connection', (socket) => socket.setNoDelay(true));
  await new Promise((resolve) => server.listen(port, host, resolve));
  const url = `${tls ? 'https' : 'http'}://${host}:${server.address().port}`;
  return {
    url,
    app,
    state: harness?.state,
    close: () =>
      new Promise((done) => {
        harness?.release();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function html(res, text, csp = CSP) {
  res.set({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': csp }).send(text);
}

/** Static files under fixed prefixes, before the session is loaded (they hold no PHI). */
export function staticFiles(mounts) {
  return (req, res, next) => {
    if (req.method !== 'GET') return next();
    for (const [prefix, dir] of mounts) {
      if (req.path.startsWith(prefix)) return serveFile(res, dir, req.path.slice(prefix.length));
    }
    next();
  };
}

export function serveFile(res, dir, rest, wasmType = 'application/wasm') {
  let file;
  try {
    file = path.resolve(dir, decodeURIComponent(rest));
  } catch {
    return res.status(400).type('text/plain').send('bad path');
  }
  if (!file.startsWith(dir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    return res.status(404).type('text/plain').send('not found');
  }
  res.writeHead(200, {
    'content-type': path.extname(file) === '.wasm' ? wasmType : MIME[path.extname(file)] || 'application/octet-stream',
    'cache-control': 'no-cache',
  });
  fs.createReadStream(file).pipe(res);
}

const esc = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function auditPage(records) {
  const rows = records
    .map((r) => {
      const e = r.event;
      return `<tr><td>${esc(r.receivedAt)}</td><td>${esc(r.user ?? '—')}</td><td>${esc(r.session ?? '—')}</td><td>${esc(r.via)}</td><td>${esc(e.type)}</td><td>${esc(e.reason ?? e.how ?? e.status ?? e.by ?? '')}</td><td>${esc(e.tab ?? '')}</td><td>${esc(e.policy ? JSON.stringify(e.policy) : '')}</td></tr>`;
    })
    .reverse()
    .join('');
  return page(
    'Audit trail — Riverside Health',
    `<h1>Automatic logoff audit trail</h1>
<p class="hint">Append-only, newest first: what the portal's pages sent to its audit endpoint and what the server did itself. The server stamps the time, the user and the session's public id; no PHI, no cookie, no token.</p>
<table><thead><tr><th>Received (UTC)</th><th>User</th><th>Session</th><th>Via</th><th>Event</th><th>Reason / how</th><th>Tab</th><th>Policy (ms)</th></tr></thead><tbody>${rows}</tbody></table>`,
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

function loginPage(reason) {
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
<p class="hint">Demo only: any name and password sign in. The policy is the server's: sign in again to pick another.</p>`,
  );
}

const seconds = (ms) => (ms % 60_000 === 0 ? ms / 60_000 + ' min' : ms / 1000 + ' s');

/**
 * The patient page. `options`: { attrs (the script tag's data-*), csp, note, tagAtEnd, frame,
 * preload, module, assets } — outside test mode only attrs and csp, from the server.
 */
function portalPage(req, options, npm) {
  const { attrs } = options;
  const data = Object.entries(attrs).map(([k, v]) => ` data-${k}="${esc(v)}"`).join('');
  // The npm page imports the ES module package and passes the same settings as options.
  const assets = options.assets ?? '/assets/autologoff/';
  const scripts = npm
    ? `<script type="module" src="/demo/npm-entry.js"${data}></script>`
    : `<script src="${assets}autologoff.js"${data}${options.module ? ' type="module"' : ''}></script>\n<script src="/demo/portal.js" defer></script>`;
  // The script tag's optional companion (README): the .wasm downloads while the script does,
  // instead of after it has run.
  const preload = !npm && options.preload !== false ? `<link rel="preload" href="${assets}autologoff_bg.wasm" as="fetch" crossorigin>\n` : '';
  const tagAtEnd = !!options.tagAtEnd;
  const frame = options.frame ? `<iframe src="${options.frame}" title="Lab viewer" class="frame"></iframe>` : '';
  const timeout = Number(attrs.timeout);
  const policy = Number.isFinite(timeout) ? seconds(timeout) : String(attrs.timeout);
  const warning = Number.isFinite(Number(attrs.warning)) ? seconds(Number(attrs.warning)) : String(attrs.warning);
  return page(
    'Patient record — Riverside Health',
    `<div class="row"><h1>Patient record</h1>
<div class="session">Signed in as <strong>${esc(req.autologoff.session.user)}</strong> · session <strong id="state">starting</strong> · <span id="left"></span>
<button type="button" id="logout">Log out</button></div></div>
<p class="policy">Automatic logoff after <strong>${esc(policy)}</strong> of inactivity, warning <strong>${esc(warning)}</strong> before (the server's policy, chosen at sign-in).
<a href="${esc(req.originalUrl)}" target="_blank" rel="noopener" id="second-tab">Open this page in a second tab</a>.</p>
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
  <div class="note-shown">${options.note ?? ''}</div>
</section>${frame}
<p class="hint">Leave the page alone: a warning appears before the timeout, then the page is covered, the server session ends, this browser's storage for the site is cleared, and you land on the sign-in page. Every step is in the <a href="/audit-log">audit trail</a>.</p>${tagAtEnd ? '\n' + scripts : ''}`,
    tagAtEnd ? '' : scripts,
    `${req.autologoff.csrfMeta()}\n${preload}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const port = Number(process.env.PORT || 8080);
  const { url } = await startServer({ port, quiet: false, secret: process.env.SESSION_SECRET || undefined });
  console.log(`\nautologoff demo portal: ${url}/login\n(sign in with any name; Ctrl+C stops the server)`);
}
