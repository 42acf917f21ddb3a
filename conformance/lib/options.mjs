// The kit's options: from the command line (bin/autologoff-conformance.mjs) to the checks, which
// run in node --test's child processes and read them from the environment.
export const HELP = `autologoff-conformance: checks a running server against docs/protocol.md.

  npx autologoff-conformance --base-url http://127.0.0.1:3000 [options]

Run the server with short limits (idle 2-5 s, absolute 6-15 s): the kit waits them out. It signs
in as told, then reads everything else from a protected page, as autologoff does: data-session-id,
the CSRF meta tag, data-keepalive-url, data-status-url, data-logout-url, data-audit-url; the
limits come from the status endpoint's first answer.

Options (each also as an environment variable AUTOLOGOFF_CONFORMANCE_<NAME>, e.g. _BASE_URL):
  --base-url URL        the server (required)
  --sign-in "METHOD /path form"
                        how to sign in (default: "POST /login user=conformance&password=conformance");
                        the form is sent as application/x-www-form-urlencoded, a new session's
                        cookie is expected in the answer (redirects are not followed)
  --sign-in-token NAME  the sign-in form has a hidden field NAME (a login CSRF token): the kit
                        first GETs the sign-in path, reads <input name="NAME" value="…"> and
                        adds it to the form
  --page PATH           a protected page that renders the script tag (default: /portal)
  --passive PATH        a route the portal declares passive (a poll), checked never to extend
                        (default: none; the check is skipped)
  --audit-url PATH      a URL that shows the stored audit trail (JSON lines, or a JSON array of
                        records), read without a cookie (default: none)
  --audit-file FILE     the audit trail's file on this machine (JSON lines) instead of --audit-url
  --cookie NAME         the session cookie's name (default: the HttpOnly cookie set at sign-in)
  --sign-in-page PATH   where an ended navigation is sent (default: the --sign-in path)
  --only PATTERN        run only the checks whose name matches (a regular expression)
  --help                this text

Without --audit-url or --audit-file the checks that read the stored trail are skipped (and say so).
The exit code is 0 when every check passed.`;

const FLAGS = {
  'base-url': 'baseUrl',
  'sign-in': 'signIn',
  'sign-in-token': 'signInToken',
  page: 'page',
  passive: 'passive',
  'audit-url': 'auditUrl',
  'audit-file': 'auditFile',
  cookie: 'cookie',
  'sign-in-page': 'signInPage',
  only: 'only',
};

const DEFAULTS = { signIn: 'POST /login user=conformance&password=conformance', page: '/portal' };

/** Parses argv (and the environment). Returns { options } or { help } or { error }. */
export function parseArgs(argv, env = process.env) {
  const options = { ...DEFAULTS };
  for (const [flag, key] of Object.entries(FLAGS)) {
    const v = env['AUTOLOGOFF_CONFORMANCE_' + flag.toUpperCase().replace(/-/g, '_')];
    if (v) options[key] = v;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: HELP };
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !(m[1] in FLAGS)) return { error: `unknown argument ${arg}; see --help` };
    const value = m[2] ?? argv[++i];
    if (value === undefined) return { error: `--${m[1]} needs a value` };
    options[FLAGS[m[1]]] = value;
  }
  if (!options.baseUrl) return { error: '--base-url is required, e.g. --base-url http://127.0.0.1:3000' };
  try {
    const u = new URL(options.baseUrl);
    if (!/^https?:$/.test(u.protocol)) throw new Error();
    options.baseUrl = u.origin;
  } catch {
    return { error: `--base-url must be an http(s) URL, not ${options.baseUrl}` };
  }
  const s = /^(GET|POST)\s+(\/\S*)(?:\s+(\S+))?$/.exec(options.signIn.trim());
  if (!s) return { error: `--sign-in must be "METHOD /path form", e.g. "POST /login user=a&password=b", not ${options.signIn}` };
  options.signInRequest = { method: s[1], path: s[2], form: s[3] ?? '' };
  options.signInPage ??= s[2];
  return { options };
}

/** The options a check runs with (set by the bin for its node --test children). */
export function loadOptions() {
  const raw = process.env.AUTOLOGOFF_CONFORMANCE_OPTIONS;
  if (!raw) throw new Error('run the checks through autologoff-conformance (bin/autologoff-conformance.mjs), which sets their options');
  return JSON.parse(raw);
}
