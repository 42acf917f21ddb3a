// The demo's test mode: only startServer({ testMode: true }) loads this file, and only the tests
// call that; `npm start` and `npm run demo:cluster` never do. It adds what the end-to-end suites
// need to provoke and observe the portal, without changing what the package decides:
// - query-parameter overrides of the script tag's settings and of the page's markup;
// - fault switches (POST /__faults: the logout endpoint fails, hangs or resets; keepalives are
//   answered 401; the .wasm fails), refused to any browser page (they come from the test process);
// - shorter server limits at sign-in (serverIdle, serverAbsolute form fields);
// - state introspection in the test process (never served): sessions, logouts, keepalives, and the
//   audit events flattened and tagged with the cookie of the request that delivered them, as
//   the tests correlate them with a browser context's cookie jar;
// - POST /__record: the WebKit harness's recorder of page events (WebDriver has no exposed
//   functions), kept apart from the real audit endpoint, which accepts only autologoff's events.
import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveFile } from './server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEEPALIVE = '/autologoff/keepalive';
const LOGOUT = '/autologoff/logout';

// Settings a test may pass through to the script tag as data-* attributes.
const PASSTHROUGH = [
  'timeout', 'warning', 'logout-wait', 'lang', 'dialog-title', 'dialog-message', 'logout-url', 'redirect-url',
  'autostart', 'channel', 'absolute-timeout', 'session-start', 'session-id', 'keepalive-url', 'keepalive-interval',
  'keep-storage-keys', 'unregister-service-workers', 'audit-url', 'csrf-header', 'dialog', 'stay-label',
  'logout-label', 'time-left-label', 'title-prefix', 'signing-out-message', 'signed-out-message', 'sign-in-label',
  'absolute-title', 'absolute-message', 'dismiss-label', 'wasm-url', 'status-url', 'conceal-during-warning',
];

/** Fresh test state; a test cluster passes one to both of its instances. */
export function newState() {
  return {
    logouts: [], // every POST to the logout endpoint: { at, sid, known, reason, fault, csrfOk, via }
    keepalives: [], // every POST to the keepalive endpoint: { at, sid, live }
    audit: [], // audit events as stored, flattened, with the cookie (`sid`) they came with; and /__record's
    records: [], // every stored audit line, as the sink got it
    // logout: ok|error|hang|reset; keepalive: ok|401; wasm: ok|fail (503)|hang, or a number of
    // requests to fail before it serves the module again.
    faults: { logout: 'ok', keepalive: 'ok', wasm: 'ok' },
    hanging: new Set(),
  };
}

/** The raw value of the `sid` cookie as the browser sent it (what a test's cookie jar holds). */
function rawSid(req) {
  for (const part of (req.headers.cookie || '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === 'sid') return part.slice(i + 1).trim();
  }
  return null;
}

/** The store's session id in a signed express-session cookie value. */
function storeSid(raw) {
  if (!raw) return null;
  let v;
  try {
    v = decodeURIComponent(raw);
  } catch {
    return null;
  }
  return v.startsWith('s:') && v.includes('.') ? v.slice(2, v.lastIndexOf('.')) : null;
}

async function readText(req, limit = 65_536) {
  let bytes = 0;
  const chunks = [];
  for await (const c of req) {
    bytes += c.length;
    if (bytes <= limit) chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A browser page (any origin) never reaches the switches: only the test process does. */
const fromTestProcess = (req) => !req.headers.origin && (req.headers['sec-fetch-site'] ?? 'none') === 'none';

export function harness({ sink, shared, store: inner }) {
  const state = shared?.state ?? newState();
  const cookieOfRequest = new AsyncLocalStorage();
  let guard = null; // the package's guarded store, once the middleware exists

  const testSink = {
    write(record) {
      sink.write(record);
      state.records.push(record);
      if (record.via === 'client') {
        state.audit.push({ ...record.event, receivedAt: Date.parse(record.receivedAt), user: record.user, owner: record.session, sid: cookieOfRequest.getStore() ?? null });
      }
    },
  };

  async function loaded(raw) {
    const sid = storeSid(raw);
    if (!sid || !guard) return { state: 'none' };
    return guard.load(sid);
  }

  async function namedState(publicId) {
    const sid = guard && /^[0-9A-Za-z_-]{1,64}$/.test(publicId) ? await guard.lookup(publicId) : null;
    if (sid) return guard.load(sid);
    // The page's short form of the public id names the cookie's session only (docs/protocol.md 3.1).
    return { state: 'none' };
  }

  async function before(req, res, next) {
    try {
      const raw = rawSid(req);
      const p = req.path;
      // The module can be made to fail (a network blip, a deploy in progress).
      if (p.endsWith('/autologoff_bg.wasm') && state.faults.wasm !== 'ok') {
        const left = Number(state.faults.wasm);
        if (state.faults.wasm === 'hang') return void state.hanging.add(req.socket);
        if (state.faults.wasm === 'fail' || left > 0) {
          if (left > 0) state.faults.wasm = left === 1 ? 'ok' : String(left - 1);
          return res.status(503).set('cache-control', 'no-store').type('text/plain').send('service unavailable');
        }
      }
      // The bundle again, with the .wasm under a wrong Content-Type, as misconfigured servers do.
      if (p.startsWith('/assets-octet/autologoff/') && req.method === 'GET') {
        return serveFile(res, path.join(root, 'dist'), p.slice('/assets-octet/autologoff/'.length), 'application/octet-stream');
      }
      // frame=slow: the frame arrives late, after autologoff has started.
      if (p === '/demo/frame.html' && req.query.delay) await new Promise((r) => setTimeout(r, Math.min(Number(req.query.delay) || 0, 5_000)));
      if (p === '/__faults' && req.method === 'POST') return faults(req, res);
      if (p === '/__record' && req.method === 'POST') return record(req, res, raw);
      if (p === LOGOUT && req.method === 'POST') {
        const body = await readText(req);
        req.body = body; // the package takes a body a parser already read
        const form = new URLSearchParams(body);
        // The session to end: the one the page names by its public id, else the cookie's
        // (docs/protocol.md 3.3); `known` and `csrfOk` are of that one.
        const named = form.get('session');
        const s = named ? await namedState(named) : await loaded(raw);
        const token = req.headers['x-csrf-token'] || form.get('_csrf');
        const csrfOk = s.state === 'live' && token === s.record.csrf;
        const via = req.headers['x-csrf-token'] ? 'header' : form.has('_csrf') ? 'form' : 'none';
        const fault = state.faults.logout;
        state.logouts.push({ at: Date.now(), sid: raw, known: s.state === 'live', reason: form.get('reason'), fault, csrfOk, via, named });
        if (fault === 'reset') return req.socket.destroy();
        if (fault === 'hang') return void state.hanging.add(req.socket);
        if (fault === 'error') return res.status(500).type('text/plain').send('logout service unavailable');
      }
      if (p === KEEPALIVE && req.method === 'POST') {
        const entry = { at: Date.now(), sid: raw, live: false };
        state.keepalives.push(entry);
        if (state.faults.keepalive === '401') return res.status(401).json({ error: 'session-ended', reason: 'unknown' });
        res.on('finish', () => (entry.live = res.statusCode === 200));
      }
      cookieOfRequest.run(raw, next);
    } catch (error) {
      next(error);
    }
  }

  async function faults(req, res) {
    if (!fromTestProcess(req)) return res.status(403).type('text/plain').send('the fault switches answer the test process only');
    const form = new URLSearchParams(await readText(req, 1024));
    const logout = form.get('logout') ?? state.faults.logout;
    const keepalive = form.get('keepalive') ?? state.faults.keepalive;
    const wasm = form.get('wasm') ?? state.faults.wasm;
    if (!['ok', 'error', 'hang', 'reset'].includes(logout) || !['ok', '401'].includes(keepalive) || !/^(ok|fail|hang|\d+)$/.test(wasm)) {
      return res.status(400).type('text/plain').send('logout must be one of ok, error, hang, reset; keepalive one of ok, 401; wasm ok, fail or a number');
    }
    Object.assign(state.faults, { logout, keepalive, wasm });
    res.json(state.faults);
  }

  async function record(req, res, raw) {
    const site = req.headers['sec-fetch-site'];
    if (site && site !== 'same-origin') return res.status(403).end();
    let events;
    try {
      events = JSON.parse(await readText(req, 16_384));
    } catch {
      return res.status(400).end();
    }
    for (const e of Array.isArray(events) ? events.slice(0, 20) : []) {
      if (e && typeof e === 'object' && typeof e.type === 'string' && e.type.startsWith('e2e:')) {
        state.audit.push(Object.freeze({ ...e, receivedAt: Date.now(), sid: raw }));
      }
    }
    res.status(204).end();
  }

  /** The server limits a test asks for at sign-in: shorter ones only (the package clamps). */
  function limits(body) {
    const ms = (name) => (/^\d{3,9}$/.test(body?.[name] ?? '') ? Number(body[name]) : undefined);
    return { ...(ms('serverIdle') ? { idle: ms('serverIdle') } : {}), ...(ms('serverAbsolute') ? { absolute: ms('serverAbsolute') } : {}) };
  }

  function pageOptions(req, policy) {
    const q = new URL(req.originalUrl, 'http://localhost').searchParams;
    // A session a test shortened at sign-in (serverIdle) is shorter than the preset's client
    // policy: render one that fits it, then the test's overrides.
    const idle = req.autologoff.session.idle;
    const fits = policy.timeout + policy.keepaliveInterval <= idle;
    const attrs = req.autologoff.attributes(fits ? policy : { timeout: Math.floor(idle / 2), warning: Math.floor(idle / 4), keepaliveInterval: Math.floor(idle / 4) });
    const merged = { ...attrs };
    for (const key of PASSTHROUGH) if (q.has(key)) merged[key] = q.get(key);
    const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
      "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; " +
      "require-trusted-types-for 'script'";
    return {
      attrs: merged,
      // csp=nowasm: a policy without 'wasm-unsafe-eval', to show the error a portal would get.
      csp: q.get('csp') === 'nowasm' ? CSP.replace(" 'wasm-unsafe-eval'", '') : CSP,
      // note=<markup>: a clinical note as a portal would show it after sanitizing, raw, for the
      // DOM-clobbering tests; tag-position=end puts the script tag after it.
      note: q.get('note') ?? '',
      tagAtEnd: q.get('tag-position') === 'end',
      frame: q.get('frame') ? (q.get('frame') === 'slow' ? '/demo/frame.html?delay=1500' : '/demo/frame.html') : null,
      preload: q.get('preload') !== '0',
      module: q.get('tag') === 'module',
      assets: '/' + (q.get('asset') === 'octet' ? 'assets-octet' : 'assets') + '/autologoff/',
    };
  }

  // Live sessions by the cookie value a test's jar holds: read from the store (in-memory only).
  state.sessions ??= {
    get(raw) {
      const sid = storeSid(raw);
      const s = sid && guard ? guard.inspect(sid) : { state: 'none' };
      return s.state === 'live' ? { user: s.record.user, publicId: s.record.publicId, created: s.record.created, lastActive: s.record.lastActive, csrf: s.record.csrf } : undefined;
    },
    get size() {
      return guard ? guard.liveSids().length : 0;
    },
  };

  return {
    state,
    sink: testSink,
    before,
    limits,
    pageOptions,
    routes() {},
    attach(store) {
      guard = store;
    },
    release() {
      for (const s of state.hanging) s.destroy();
    },
  };
}
