// What both adapters share: the guarded store, the audit sink, and performing the core's
// decisions for one request. An adapter gives a small view of its request (`ctx`) and sends what
// comes back; it decides nothing itself.
//
// ctx: { method, path, headers, query (URLSearchParams), secure, now,
//        session() (the framework's session object), sid(), readBody(limit) -> { text, bytes },
//        save(), regenerate() }
import crypto from 'node:crypto';
import {
  parseConfig, ENDPOINTS, logoutTarget, assess, route, routeMatchers, serverEvent, newRecord,
  tombstoneFor, originOf, MAX_BATCH_BYTES,
} from './core/index.js';
import { guardStore, loadedState } from './store-guard.js';
import { MemoryStore } from './memory-store.js';
import { jsonLinesStream } from './audit-sink.js';

/**
 * Adds `path` and `query` (a URLSearchParams, parsed only when asked: only the status endpoint
 * reads it) for the request target `url` to an adapter's `ctx`.
 */
export function withTarget(ctx, url) {
  const q = url.indexOf('?');
  ctx.path = q < 0 ? url : url.slice(0, q);
  Object.defineProperty(ctx, 'query', { get: () => new URLSearchParams(q < 0 ? '' : url.slice(q + 1)), enumerable: true });
  return ctx;
}

const KIND_OF_ENDPOINT = { keepalive: 'keepalive', status: 'status', logout: 'status', audit: 'audit' };
const FORM_LIMIT = 8 * 1024;
const randomId = (bytes) => crypto.randomBytes(bytes).toString('base64url');

export function createRuntime(options, { Base, now = Date.now } = {}) {
  const config = parseConfig(options);
  const inner = config.store ?? new MemoryStore();
  const store = guardStore(inner, config, { Base, now });
  const sink = config.audit ?? jsonLinesStream(process.stdout);
  const log = config.log ?? ((message) => console.error(message));
  const matchers = routeMatchers(config);
  const endpointByPath = new Map(Object.entries(config.endpoints).map(([name, path]) => [path, name]));

  function write(record) {
    try {
      sink.write(record);
    } catch (error) {
      // The trail must not lose events silently: say so where operators look.
      log(`autologoff-server: the audit sink failed (${error.message}); event not written: ${JSON.stringify(record)}`);
    }
  }

  /** Ends the sessions an outcome names: tombstone, record deleted, the server's own event. */
  async function perform(ctx, ends, audits, sidOf) {
    const at = ctx.now;
    for (const { record, reason, by } of ends) {
      const sid = sidOf.get(record.publicId);
      const expired = by === 'server' && (reason === 'idle' || reason === 'absolute');
      // What a later request hears (401 reason): the deadline that passed, a sign-in that
      // replaced the session, or a logout (whatever the page said of it).
      const ended = expired ? reason : by === 'server' && reason === 'replaced' ? 'replaced' : 'logout';
      if (sid) await store.end(sid, record, tombstoneFor(record, ended, at));
      write(serverEvent(at, record, expired ? 'expired' : 'logged-out', expired ? { reason } : { reason, by }));
    }
    for (const a of audits) write(a);
    // The framework's session object is left as it was loaded: unmodified, it is not saved and
    // its cookie not set again; should the portal write to it, the guard refuses a record past its
    // deadline and deletes whatever lands beside a tombstone.
  }

  function clearingHeaders(ctx, { expireCookie, clearSiteData }) {
    const h = {};
    if (clearSiteData) h['clear-site-data'] = '"cache", "cookies", "storage"';
    if (expireCookie) h['set-cookie'] = expiredCookie(ctx);
    return h;
  }

  function expiredCookie(ctx) {
    const c = config.cookie;
    const secure = c.secure === 'auto' ? ctx.secure : c.secure;
    return `${c.name}=; Path=${c.path}${c.domain ? '; Domain=' + c.domain : ''}; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly${secure ? '; Secure' : ''}; SameSite=${c.sameSite === 'strict' ? 'Strict' : 'Lax'}`;
  }

  function serverOrigin(ctx) {
    const own = originOf(ctx.headers, ctx.secure);
    if (!config.origins) return own;
    const claimed = ctx.headers.origin;
    return config.origins.includes(claimed) ? claimed : config.origins[0];
  }

  const json = (status, body, headers = {}) => ({
    status,
    headers: { 'cache-control': 'no-store', ...(body === null ? {} : { 'content-type': 'application/json; charset=utf-8' }), ...headers },
    body: body === null ? '' : JSON.stringify(body),
  });

  async function endpoint(ctx, name) {
    const loaded = loadedState(ctx.session());
    const cookieState = assess(config, loaded, ctx.now, KIND_OF_ENDPOINT[name]);
    const sidOf = new Map();
    const owner = cookieState.record ?? cookieState.expired;
    if (owner) sidOf.set(owner.publicId, ctx.sid());
    let body = null;
    let bodyBytes = 0;
    if (ctx.method === 'POST') {
      const limit = name === 'audit' ? MAX_BATCH_BYTES : FORM_LIMIT;
      const read = await ctx.readBody(limit);
      if (read.bytes > limit && name !== 'audit') {
        return json(413, { error: 'too-large', limit });
      }
      body = read.text;
      bodyBytes = read.bytes;
    }
    const input = { method: ctx.method, headers: ctx.headers, query: ctx.query, body, bodyBytes, cookieState, origin: serverOrigin(ctx), now: ctx.now };
    if (name === 'logout') {
      const target = logoutTarget(input);
      if (target && target.status) return json(target.status, target.body);
      if (target) {
        const sid = await store.lookup(target.publicId).catch((error) => ({ error }));
        if (sid && sid.error) input.namedState = { state: 'unavailable', detail: String(sid.error.message) };
        else if (!sid) input.namedState = { state: 'unknown' };
        else {
          input.namedState = assess(config, await store.load(sid), ctx.now, 'status');
          const named = input.namedState.record ?? input.namedState.expired;
          if (named) sidOf.set(named.publicId, sid);
        }
      }
    }
    const out = ENDPOINTS[name](config, input);
    try {
      await perform(ctx, out.end, out.audit, sidOf);
      if (out.touch) {
        ctx.session().autologoff = out.touch;
        await ctx.save();
      }
    } catch (error) {
      log(`autologoff-server: the session store failed during ${name}: ${error.message}`);
      return json(503, { error: 'store-unavailable', detail: 'the session store did not answer; try again' });
    }
    if (out.status >= 500) log(`autologoff-server: ${name} answered ${out.status}: ${out.body?.detail ?? ''}`);
    return json(out.status, out.body, { ...out.headers, ...clearingHeaders(ctx, out) });
  }

  async function application(ctx) {
    const loaded = loadedState(ctx.session());
    const d = route(config, matchers, { method: ctx.method, path: ctx.path, headers: ctx.headers, loaded, now: ctx.now });
    const sidOf = new Map();
    for (const e of d.end) sidOf.set(e.record.publicId, ctx.sid());
    try {
      await perform(ctx, d.end, [], sidOf);
    } catch (error) {
      log(`autologoff-server: the session store failed while ending a session: ${error.message}`);
      return { answer: json(503, { error: 'store-unavailable', detail: 'the session store did not answer' }) };
    }
    if (loaded.state === 'unavailable') log(`autologoff-server: session store unavailable (${loaded.detail}); ${d.pass ? 'public path served without a session' : 'answered 503'}: ${ctx.method} ${ctx.path}`);
    const headers = clearingHeaders(ctx, { expireCookie: d.expireCookie, clearSiteData: false });
    if (!d.pass) {
      if (d.status === 303) return { answer: { status: 303, headers: { location: d.location, 'cache-control': 'no-store', ...headers }, body: '' } };
      return { answer: json(d.status, d.body, headers) };
    }
    if (d.touch) ctx.session().autologoff = d.touch; // saved by the framework with the answer
    if (d.noStore) headers['cache-control'] = 'no-store';
    return { pass: true, headers, session: d.session };
  }

  return {
    config,
    store,
    inner,
    sink,
    log,

    /** Handles one request: { answer } to send, or { pass, headers, session } for the portal. */
    handle(ctx) {
      const name = endpointByPath.get(ctx.path);
      return name ? endpoint(ctx, name).then((answer) => ({ answer })) : application(ctx);
    },

    /**
     * Signs in: the old session (if any) ends, a new session id and public id are issued. A store
     * that fails rejects with a StoreUnavailableError (status 503) that says why.
     */
    signIn(ctx, opts) {
      return signIn(ctx, opts).catch((error) => {
        throw error instanceof TypeError ? error : new StoreUnavailableError('sign-in', error);
      });
    },

    /** Ends the cookie's session from the portal's own code (its "Log out" button). */
    logout(ctx, reason) {
      return logout(ctx, reason).catch((error) => {
        throw new StoreUnavailableError('logout', error);
      });
    },
  };

  async function signIn(ctx, { user = null, idle, absolute } = {}) {
    const loaded = assess(config, loadedState(ctx.session()), ctx.now, 'status');
    const old = loaded.record ?? loaded.expired;
    if (old) await perform(ctx, [{ record: old, reason: loaded.record ? 'replaced' : loaded.reason, by: 'server' }], [], new Map([[old.publicId, ctx.sid()]]));
    await ctx.regenerate();
    const record = newRecord(config, ctx.now, { publicId: randomId(12), csrf: randomId(24) }, { user, idle: ms(idle, 'idle'), absolute: ms(absolute, 'absolute') });
    ctx.session().autologoff = record;
    await ctx.save();
    await store.index(record, ctx.sid());
    write(serverEvent(ctx.now, record, 'session-created', {}));
    return publicView(record);
  }

  async function logout(ctx, reason = 'user') {
    const loaded = assess(config, loadedState(ctx.session()), ctx.now, 'status');
    const rec = loaded.record ?? loaded.expired;
    if (rec) await perform(ctx, [{ record: rec, reason: loaded.record ? reason : loaded.reason, by: loaded.record ? 'portal' : 'server' }], [], new Map([[rec.publicId, ctx.sid()]]));
    return clearingHeaders(ctx, { expireCookie: true, clearSiteData: true });
  }
}

/** The session store failed: the portal's error handler answers 503 (error.status) and logs why. */
export class StoreUnavailableError extends Error {
  constructor(during, cause) {
    super(`autologoff-server: the session store did not answer during ${during} (${cause?.message ?? cause}); nothing was changed that could let a session through`);
    this.name = 'StoreUnavailableError';
    this.status = 503;
    this.statusCode = 503;
    this.expose = false;
    this.cause = cause;
  }
}

function ms(value, field) {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value <= 0) throw new TypeError(`autologoff-server: signIn's \`${field}\` must be a whole number of ms above 0`);
  return value;
}

/** What a portal may know of its session: never the cookie. */
export function publicView(record) {
  return Object.freeze({ publicId: record.publicId, csrfToken: record.csrf, user: record.user, created: record.created, idle: record.idle, absolute: record.absolute });
}
