// Express 5 entry: express-session underneath (any store), autologoff's limits, endpoints and
// audit trail on top. The adapter builds a view of the request, hands it to the runtime and sends
// what comes back; every decision is the core's.
import session from 'express-session';
import { createRuntime, publicView, withTarget } from './runtime.js';
import { attributes, scriptTag, csrfMeta } from './render.js';

/**
 * The middleware: `app.use(autologoff({ secret, store, idle, absolute, … }))`. Sign in with
 * `await req.autologoff.signIn({ user })`; render with `req.autologoff.scriptTag(src)`.
 */
export function autologoff(options, { now = Date.now } = {}) {
  // `now` (a second argument, for tests): the clock the adapter reads; the core never reads one.
  const rt = createRuntime(options, { Base: session.Store, now });
  const { config } = rt;
  const sessionMiddleware = session({
    secret: [...config.secrets],
    name: config.cookie.name,
    store: rt.store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: 'keep',
    cookie: { httpOnly: true, path: config.cookie.path, domain: config.cookie.domain, sameSite: config.cookie.sameSite, secure: config.cookie.secure },
  });

  function contextOf(req, res) {
    return withTarget({
      method: req.method,
      headers: req.headers,
      secure: req.secure,
      now: now(),
      session: () => req.session,
      sid: () => req.sessionID,
      readBody: (limit) => readBody(req, limit),
      save: () => new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve()))),
      regenerate: () => new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve()))),
    }, req.originalUrl ?? req.url);
  }

  function send(res, answer) {
    res.status(answer.status);
    for (const [k, v] of Object.entries(answer.headers)) res.append(k, v);
    res.end(answer.body);
  }

  function middleware(req, res, next) {
    let passed = false;
    sessionMiddleware(req, res, (err) => {
      if (err) {
        // express-session's own failures (a store that throws), before the answer: fail closed,
        // say why, no stack; after it (a save at the end of the answer failed): only say why.
        rt.log(`autologoff-server: the session middleware failed: ${err.message}`);
        if (res.headersSent || passed) return;
        return send(res, { status: 503, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify({ error: 'store-unavailable', detail: 'the session store did not answer' }) });
      }
      if (passed) return;
      passed = true;
      const ctx = contextOf(req, res);
      rt.handle(ctx).then((r) => {
        if (r.answer) return send(res, r.answer);
        for (const [k, v] of Object.entries(r.headers)) res.append(k, v);
        req.autologoff = requestApi(req, res, r.session);
        next();
      }, next);
    });
  }

  function requestApi(req, res, record) {
    const api = {
      /** The live session ({ publicId, csrfToken, user, … }) or null. */
      session: record ? publicView(record) : null,
      async signIn(opts) {
        const view = await rt.signIn(contextOf(req, res), opts);
        api.session = view;
        return view;
      },
      async logout(reason) {
        const headers = await rt.logout(contextOf(req, res), reason);
        for (const [k, v] of Object.entries(headers)) res.append(k, v);
        api.session = null;
      },
      attributes: (overrides) => attributes(config, current(req), overrides),
      scriptTag: (src, overrides) => scriptTag(config, current(req), src, overrides),
      csrfMeta: () => csrfMeta(current(req)),
    };
    return api;
  }

  function current(req) {
    const record = req.session?.autologoff;
    if (!record || req.session.autologoffLoad) throw new Error('autologoff-server: no live session on this request: render the script tag only on pages of a signed-in session');
    return record;
  }

  middleware.config = config;
  middleware.store = rt.store;
  return middleware;
}

/** The body, up to `limit` bytes (more is counted, not kept): { text, bytes }. */
function readBody(req, limit) {
  if (req.readableEnded || req.body !== undefined) {
    // A body parser of the portal's ran first: take what it made of the body.
    const b = req.body;
    const text = typeof b === 'string' ? b : Buffer.isBuffer(b) ? b.toString('utf8') : b && typeof b === 'object' ? new URLSearchParams(b).toString() : '';
    return Promise.resolve({ text, bytes: Buffer.byteLength(text) });
  }
  return new Promise((resolve, reject) => {
    const chunks = [];
    let bytes = 0;
    req.on('data', (c) => {
      bytes += c.length;
      if (bytes <= limit) chunks.push(c);
    });
    req.on('end', () => resolve({ text: bytes <= limit ? Buffer.concat(chunks).toString('utf8') : '', bytes }));
    req.on('error', reject);
  });
}

export { MemoryStore } from './memory-store.js';
export { StoreUnavailableError } from './runtime.js';
export { ConfigError } from './core/index.js';
export { jsonLinesFile, jsonLinesStream, memorySink } from './audit-sink.js';
