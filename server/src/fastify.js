// Fastify 5 entry: @fastify/session underneath (any express-session-compatible store),
// autologoff's limits, endpoints and audit trail on top. Like the Express entry, it builds a view of
// the request, hands it to the runtime and sends what comes back.
import { EventEmitter } from 'node:events';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { createRuntime, publicView, withTarget } from './runtime.js';
import { attributes, scriptTag, csrfMeta } from './render.js';
import { MAX_BATCH_BYTES } from './core/index.js';

/**
 * The plugin: `await app.register(autologoff, { secret, store, idle, absolute, … })`. Sign in with
 * `await request.autologoff.signIn({ user })`; render with `request.autologoff.scriptTag(src)`.
 */
export async function autologoff(fastify, pluginOptions) {
  // `clock` (for tests): the clock the adapter reads; the core never reads one. The rest are the
  // options of autologoff-server (Fastify's own plugin options are left out).
  const { clock: now = Date.now, prefix, logLevel, ...options } = pluginOptions;
  const rt = createRuntime(options, { Base: EventEmitter, now });
  const { config } = rt;
  if (!fastify.hasDecorator('parseCookie')) await fastify.register(fastifyCookie);
  await fastify.register(fastifySession, {
    secret: config.secrets.length === 1 ? config.secrets[0] : [...config.secrets],
    cookieName: config.cookie.name,
    store: rt.store,
    saveUninitialized: false,
    rolling: false,
    cookie: { httpOnly: true, path: config.cookie.path, domain: config.cookie.domain, sameSite: config.cookie.sameSite, secure: config.cookie.secure },
  });
  fastify.decorateRequest('autologoff', null);

  const endpointPaths = new Set(Object.values(config.endpoints));

  function contextOf(request) {
    return withTarget({
      method: request.method,
      headers: request.headers,
      secure: request.protocol === 'https',
      now: now(),
      session: () => request.session,
      sid: () => request.session?.sessionId ?? null,
      readBody: async () => {
        const text = typeof request.body === 'string' ? request.body : '';
        return { text, bytes: Buffer.byteLength(text) };
      },
      save: () => request.session.save(),
      regenerate: () => request.session.regenerate(),
    }, request.raw.url);
  }

  const send = (reply, answer) => reply.code(answer.status).headers(answer.headers).send(answer.body);

  // The endpoints, in a context of their own: every body arrives as text (a beacon's
  // text/plain JSON, a form) and the core reads it; bodies past the limit get the protocol's 413.
  await fastify.register(async (endpoints) => {
    endpoints.removeAllContentTypeParsers();
    endpoints.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (req, body, done) => done(null, body));
    endpoints.setErrorHandler((error, request, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).header('cache-control', 'no-store').send({ error: 'too-large', limit: MAX_BATCH_BYTES });
      rt.log(`autologoff-server: ${request.method} ${request.url}: ${error.message}`);
      const status = error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 503;
      return reply.code(status).header('cache-control', 'no-store').send({ error: status === 503 ? 'store-unavailable' : 'bad-request', detail: status === 503 ? 'the session store did not answer' : error.message });
    });
    for (const url of endpointPaths) {
      endpoints.route({
        method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'],
        url,
        handler: async (request, reply) => {
          const { answer } = await rt.handle(contextOf(request));
          return send(reply, answer);
        },
      });
    }
  });

  // Every other route: the session's limits, before the portal's handlers (and body parsing).
  fastify.addHook('onRequest', async (request, reply) => {
    const ctx = contextOf(request);
    if (endpointPaths.has(ctx.path)) return;
    const r = await rt.handle(ctx);
    if (r.answer) return send(reply, r.answer);
    reply.headers(r.headers);
    request.autologoff = requestApi(request, reply, r.session);
  });

  function requestApi(request, reply, record) {
    const current = () => {
      const rec = request.session?.autologoff;
      if (!rec || request.session.autologoffLoad) throw new Error('autologoff-server: no live session on this request: render the script tag only on pages of a signed-in session');
      return rec;
    };
    const api = {
      session: record ? publicView(record) : null,
      async signIn(opts) {
        api.session = await rt.signIn(contextOf(request), opts);
        return api.session;
      },
      async logout(reason) {
        reply.headers(await rt.logout(contextOf(request), reason));
        api.session = null;
      },
      attributes: (overrides) => attributes(config, current(), overrides),
      scriptTag: (src, overrides) => scriptTag(config, current(), src, overrides),
      csrfMeta: () => csrfMeta(current()),
    };
    return api;
  }

  fastify.decorate('autologoff', { config, store: rt.store });
}
// Hooks and decorators reach the whole application (what fastify-plugin marks).
autologoff[Symbol.for('skip-override')] = true;
autologoff[Symbol.for('fastify.display-name')] = 'autologoff-server';

export { MemoryStore } from './memory-store.js';
export { StoreUnavailableError } from './runtime.js';
export { ConfigError } from './core/index.js';
export { jsonLinesFile, jsonLinesStream, memorySink } from './audit-sink.js';
