// The server's policy, checked once at start: a configuration that cannot protect is refused with
// a message naming the field and the fix, before a single request is served.
import { parseDuration, formatDuration } from './duration.js';

export class ConfigError extends Error {
  constructor(field, message) {
    super(`autologoff-server: option \`${field}\` ${message}`);
    this.name = 'ConfigError';
    this.field = field;
  }
}

// Every option, with its default (undefined: none). Options the adapters take for the framework
// (store, audit, log) are objects the core only passes on.
const DEFAULTS = {
  secret: undefined,
  store: undefined,
  idle: '15m',
  absolute: '12h',
  clientTimeout: undefined,
  warning: undefined,
  keepaliveInterval: undefined,
  signInPath: '/login',
  publicPaths: [],
  passivePaths: [],
  basePath: '/autologoff',
  csrfHeader: 'X-CSRF-Token',
  origin: undefined,
  cookie: {},
  audit: undefined,
  log: undefined,
};
const COOKIE_FIELDS = ['name', 'secure', 'sameSite', 'domain', 'path'];

function duration(options, field, fallback) {
  const value = options[field] ?? fallback;
  const ms = parseDuration(value);
  if (ms === null || ms === 0) {
    throw new ConfigError(field, `must be a duration: a whole number of ms or a string such as "15m" or "90s" (got ${JSON.stringify(value)})`);
  }
  return ms;
}

function paths(options, field) {
  const list = options[field];
  if (!Array.isArray(list) || !list.every((p) => p instanceof RegExp || (typeof p === 'string' && p.startsWith('/')))) {
    throw new ConfigError(field, 'must be an array of paths starting with "/" (a path ending in "/" is a prefix, "/" alone the root page) or RegExps');
  }
  return Object.freeze([...list]);
}

function path(options, field) {
  const p = options[field];
  if (typeof p !== 'string' || !p.startsWith('/')) throw new ConfigError(field, `must be a path starting with "/" (got ${JSON.stringify(p)})`);
  return p;
}

/** Checks `options` and returns the frozen configuration; throws ConfigError when it cannot protect. */
export function parseConfig(input = {}) {
  if (input === null || typeof input !== 'object') throw new ConfigError('options', 'must be an object');
  for (const key of Object.keys(input)) {
    if (!(key in DEFAULTS)) {
      throw new ConfigError(key, `is not an option of autologoff-server (a typo?); known options are ${Object.keys(DEFAULTS).join(', ')}`);
    }
  }
  const options = { ...DEFAULTS, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };

  const secrets = Array.isArray(options.secret) ? options.secret : [options.secret];
  if (secrets.length === 0 || !secrets.every((s) => typeof s === 'string' && s.length >= 32)) {
    throw new ConfigError('secret', 'is required: a random string of at least 32 characters (or an array of them, newest first, to rotate), kept out of the code, e.g. from an environment variable');
  }

  const idle = duration(options, 'idle');
  const absolute = duration(options, 'absolute');
  if (idle > absolute) {
    throw new ConfigError('idle', `(${formatDuration(idle)}) is longer than \`absolute\` (${formatDuration(absolute)}): shorten idle or lengthen absolute; a session can never be idle longer than it may live`);
  }
  const keepaliveInterval = duration(options, 'keepaliveInterval', Math.min(Math.floor(idle / 5), 300_000) || 1);
  const clientTimeout = duration(options, 'clientTimeout', Math.max(idle - keepaliveInterval, 1));
  if (clientTimeout + keepaliveInterval > idle) {
    throw new ConfigError(
      'clientTimeout',
      `(${formatDuration(clientTimeout)}) plus \`keepaliveInterval\` (${formatDuration(keepaliveInterval)}) is longer than the server's \`idle\` (${formatDuration(idle)}): ` +
        'the page must warn and log off before the server does, and a keepalive comes at most once an interval. Shorten clientTimeout or keepaliveInterval, or lengthen idle',
    );
  }
  const warning = duration(options, 'warning', Math.min(60_000, Math.floor(clientTimeout / 2)) || 1);
  if (warning >= clientTimeout) {
    throw new ConfigError('warning', `(${formatDuration(warning)}) must be shorter than \`clientTimeout\` (${formatDuration(clientTimeout)})`);
  }

  for (const field of ['signInPath', 'basePath']) path(options, field);
  if (typeof options.csrfHeader !== 'string' || !/^[A-Za-z0-9-]+$/.test(options.csrfHeader)) {
    throw new ConfigError('csrfHeader', 'must be a header name such as "X-CSRF-Token"');
  }
  const origins = options.origin === undefined ? null : [].concat(options.origin);
  if (origins && !origins.every((o) => typeof o === 'string' && /^https?:\/\/[^/]+$/.test(o))) {
    throw new ConfigError('origin', 'must be the portal\'s origin, "https://portal.example" (scheme, host and port; no path), or an array of them');
  }
  const cookie = options.cookie;
  if (cookie === null || typeof cookie !== 'object') throw new ConfigError('cookie', 'must be an object: { name, secure, sameSite, domain, path }');
  for (const key of Object.keys(cookie)) {
    if (!COOKIE_FIELDS.includes(key)) throw new ConfigError(`cookie.${key}`, `is not a cookie setting here; known are ${COOKIE_FIELDS.join(', ')}`);
  }
  const sameSite = (cookie.sameSite ?? 'lax').toString().toLowerCase();
  if (sameSite !== 'lax' && sameSite !== 'strict') {
    throw new ConfigError('cookie.sameSite', 'must be "lax" or "strict": with "none" any site could send the session cookie to the endpoints');
  }
  if (cookie.secure !== undefined && cookie.secure !== 'auto' && typeof cookie.secure !== 'boolean') {
    throw new ConfigError('cookie.secure', 'must be true, false or "auto" (Secure when the request came over https)');
  }
  for (const field of ['store', 'audit']) {
    const v = options[field];
    if (v !== undefined && (v === null || typeof v !== 'object')) throw new ConfigError(field, 'must be an object (see the README)');
  }
  if (options.store && !['get', 'set', 'destroy'].every((m) => typeof options.store[m] === 'function')) {
    throw new ConfigError('store', 'must be an express-session store: an object with get, set and destroy (connect-redis, the MemoryStore of this package, …)');
  }
  if (options.audit && typeof options.audit.write !== 'function') {
    throw new ConfigError('audit', 'must be a sink with a write(record) method, e.g. jsonLinesFile("audit.jsonl")');
  }
  if (options.log !== undefined && typeof options.log !== 'function') throw new ConfigError('log', 'must be a function (message) => void');

  const base = options.basePath.replace(/\/$/, '');
  return Object.freeze({
    secrets: Object.freeze(secrets),
    idle,
    absolute,
    clientTimeout,
    warning,
    keepaliveInterval,
    signInPath: options.signInPath,
    publicPaths: paths(options, 'publicPaths'),
    passivePaths: paths(options, 'passivePaths'),
    endpoints: Object.freeze({
      keepalive: base + '/keepalive',
      status: base + '/status',
      logout: base + '/logout',
      audit: base + '/audit',
    }),
    csrfHeader: options.csrfHeader.toLowerCase(),
    csrfHeaderName: options.csrfHeader,
    origins: origins && Object.freeze(origins),
    cookie: Object.freeze({
      name: cookie.name ?? 'sid',
      secure: cookie.secure ?? 'auto',
      sameSite,
      domain: cookie.domain,
      path: cookie.path ?? '/',
    }),
    store: options.store,
    audit: options.audit,
    log: options.log,
  });
}
