// One portal for the benchmark, in variants (a child process each, so the load generator does
// not share its event loop): `bare` (the same routes, no session at all), `session` and
// `session-redis` (express-session alone, as a portal without autologoff-server has it, in memory
// or on connect-redis), `memory` and `redis` (with autologoff-server). Prints its port.
import http from 'node:http';
import express from 'express';
import { createClient } from 'redis';
import { RedisStore } from 'connect-redis';
import session from 'express-session';
import { autologoff, memorySink } from '../src/express.js';

const variant = process.argv[2];
const app = express();
app.disable('x-powered-by');
// The page every variant renders: the same bytes, give or take the session's values.
const page = (tag, meta) => `<!doctype html><html><head><meta charset="utf-8">${meta}<title>Patient record</title></head><body><h1>Patient record</h1><p>Jane Q. Sample, MRN 00-4417-2291</p>${tag}</body></html>`;

if (variant === 'bare') {
  app.post('/login', (req, res) => res.redirect(303, '/portal'));
  app.get('/portal', (req, res) =>
    res.set('cache-control', 'no-store').type('html').send(page('<script src="/a.js" data-session-id="bench" data-timeout="720000"></script>', '<meta name="csrf-token" content="bench">')),
  );
} else if (variant === 'session' || variant === 'session-redis') {
  // What a portal with sessions has without autologoff-server: express-session, a sign-in check.
  app.use(session({ secret: 'bench-secret-bench-secret-bench-secret', resave: false, saveUninitialized: false, store: variant === 'session-redis' ? await redisStore() : undefined }));
  app.post('/login', (req, res) => req.session.regenerate(() => ((req.session.user = 'bench'), req.session.save(() => res.redirect(303, '/portal')))));
  app.get('/portal', (req, res) => {
    if (!req.session.user) return res.redirect(303, '/login');
    res.set('cache-control', 'no-store').type('html').send(page('<script src="/a.js" data-session-id="bench" data-timeout="720000"></script>', '<meta name="csrf-token" content="bench">'));
  });
} else {
  let store;
  if (variant === 'redis') {
    store = await redisStore();
  }
  const sink = memorySink();
  app.use(autologoff({ secret: 'bench-secret-bench-secret-bench-secret', store, idle: '15m', absolute: '12h', audit: { write: (r) => sink.write(r) }, log: () => {} }));
  app.post('/login', async (req, res) => {
    await req.autologoff.signIn({ user: 'bench' });
    res.redirect(303, '/portal');
  });
  app.get('/portal', (req, res) => res.type('html').send(page(req.autologoff.scriptTag('/a.js'), req.autologoff.csrfMeta())));
}

async function redisStore() {
  const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
  client.on('error', (e) => console.error(e.message));
  await client.connect();
  return new RedisStore({ client, prefix: 'bench-' + variant + ':' });
}

const server = http.createServer(app);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
