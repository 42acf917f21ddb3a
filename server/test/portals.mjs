// Small portals protected by autologoff-server, for the tests and the conformance runs: a sign-in
// route, a protected page that renders the script tag, a passive poll, and the audit trail shown
// as JSON lines. Short limits, from configuration.
import http from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { autologoff as expressAutologoff, memorySink } from '../src/express.js';
import { autologoff as fastifyAutologoff } from '../src/fastify.js';

export const SECRET = 'conformance-secret-conformance-secret';
export const SHORT = { idle: '5s', absolute: '12s', clientTimeout: '3s', keepaliveInterval: '2s', warning: '1s' };

const page = (api) => `<!doctype html><html><head>${api.csrfMeta()}</head><body>${api.scriptTag('/autologoff.js')}<p>Patient record</p></body></html>`;
const lines = (sink) => sink.records().map((r) => JSON.stringify(r) + '\n').join('');

/** An Express 5 portal. Returns { url, sink, close }. */
export async function expressPortal({ store, sink = memorySink(), secret = SECRET, clock, ...limits } = {}) {
  const app = express();
  app.use(expressAutologoff({ secret, store, audit: sink, passivePaths: ['/api/poll'], publicPaths: ['/audit.jsonl'], log: () => {}, ...SHORT, ...limits }, { now: clock }));
  app.post('/login', express.urlencoded({ extended: false }), async (req, res) => {
    await req.autologoff.signIn({ user: String(req.body?.user ?? 'nobody') });
    res.redirect(303, '/portal');
  });
  app.get('/portal', (req, res) => res.type('html').send(page(req.autologoff)));
  app.get('/api/poll', (req, res) => res.json({ unread: 0 }));
  app.get('/audit.jsonl', (req, res) => res.type('text/plain').send(lines(sink)));
  // A request that writes the session after a while: one in flight during a logout.
  app.post('/slow', async (req, res) => {
    await new Promise((r) => setTimeout(r, Number(req.query.ms) || 0));
    req.session.note = 'written at ' + Date.now();
    res.json({ ok: true });
  });
  return listen(http.createServer(app), sink);
}

/** A Fastify 5 portal, the same routes. */
export async function fastifyPortal({ store, sink = memorySink(), secret = SECRET, clock, ...limits } = {}) {
  const app = Fastify();
  await app.register(fastifyAutologoff, { secret, store, audit: sink, passivePaths: ['/api/poll'], publicPaths: ['/audit.jsonl'], log: () => {}, ...SHORT, ...limits, ...(clock ? { clock } : {}) });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body))));
  app.post('/login', async (request, reply) => {
    await request.autologoff.signIn({ user: String(request.body?.user ?? 'nobody') });
    return reply.redirect('/portal', 303);
  });
  app.get('/portal', async (request, reply) => reply.type('text/html').send(page(request.autologoff)));
  app.get('/api/poll', async () => ({ unread: 0 }));
  app.get('/audit.jsonl', async (request, reply) => reply.type('text/plain').send(lines(sink)));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${app.server.address().port}`, sink, close: () => app.close() };
}

function listen(server, sink) {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        sink,
        close: () => new Promise((r) => (server.closeAllConnections(), server.close(r))),
      }),
    ),
  );
}
