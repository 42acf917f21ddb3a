// Compiled by tsc in the tests: the README's uses type-check against index.d.ts.
import { autologoff, MemoryStore, jsonLinesFile, memorySink, ConfigError, StoreUnavailableError } from 'autologoff-server/express';
import { autologoff as fastifyAutologoff } from 'autologoff-server/fastify';
import { autologoff as expressAgain } from 'autologoff-server/express';
import { judge, checkEvent, parseDuration, type AuditRecord, type RequestAutologoff, type AutologoffOptions } from 'autologoff-server';

const options: AutologoffOptions = {
  secret: 'a-secret-of-at-least-32-characters!!',
  store: new MemoryStore(),
  idle: '15m',
  absolute: '12h',
  passivePaths: ['/api/notifications', /^\/api\/badges\//],
  audit: jsonLinesFile('/tmp/audit.jsonl'),
  cookie: { secure: 'auto', sameSite: 'lax' },
};
const middleware = autologoff(options);
middleware({}, {}, (err?: unknown) => void err);

async function signInRoute(api: RequestAutologoff): Promise<string> {
  const view = await api.signIn({ user: 'j.doe' });
  const tag: string = api.scriptTag('/assets/autologoff/autologoff.js', { timeout: 600_000 });
  return view.publicId + tag + api.csrfMeta();
}
void signInRoute;
void fastifyAutologoff;

const sink = memorySink();
const lines: AuditRecord[] = sink.records();
const first: string | null = lines[0]?.user ?? null;
void first;

const v = judge({ created: 0, lastActive: 0, idle: 1000, absolute: 5000 }, 10, 'keepalive');
if ('live' in v) {
  const left: number = v.live.remainingMs;
  void left;
}
const ms: number | null = parseDuration('15m');
void ms;
const checked = checkEvent({ type: 'expired', at: 1 });
void checked;
const errors: Array<typeof ConfigError | typeof StoreUnavailableError> = [ConfigError, StoreUnavailableError];
void errors;
// The Fastify plugin has its own signature (a plugin, not a middleware).
const registered: Promise<void> = fastifyAutologoff({}, { secret: 'x'.repeat(32), clock: () => 0 });
void registered;
void expressAgain;
