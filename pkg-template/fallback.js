// Fail closed: the second line, for when the module cannot run (it could not be fetched after
// retries, its download hangs, or a Content-Security-Policy forbids WebAssembly), and for the
// moments before it runs. It is small, but it is not a second policy: it reads the settings, the
// session's identity and the cross-tab record and messages by the module's rules (rules.js,
// checked against the module's own vectors), counts input through the module's own filter
// (tap.js: trusted input only, in same-origin frames too, no held-key repeats, no pointer moves
// to the same spot), and covers, clears and tells the server through the module's own code
// (render.js, clear.js, request.js). No warning dialog: that needs the module.
//
// From the moment loading starts it watches input and the shared session, and enforces the
// deadline: one that passes while the module is still loading (or retrying) logs off here. Once
// engaged (the module cannot run), it also takes its part among the tabs: its input is
// announced and recorded, so tabs agree on one session whichever of them runs the module.
import { call1, call2, emit, get, listen, unlisten } from './calls.js';
import { openChannel, readRecord as readText, writeRecord as writeText } from './channel.js';
import { Tap } from './tap.js';
import { cover, signedOut } from './render.js';
import { clearAsync, clearCookies, clearStorage, clearTab } from './clear.js';
import { audit as sendAudit, beacon, post } from './request.js';
import { decodeMessage, decodeRecord, encodeMessage, encodeRecord, isCurrent, key, settings as read, undelivered } from './rules.js';

/** How long a page sent to its redirect waits before sending itself again (a navigation can be
 * aborted while a Clear-Site-Data answer is applied, https://crbug.com/40233601), and how often. */
const REDIRECT_AGAIN = 3000;
const REDIRECTS = 3;
/** A deadline already past when the page loads is left to the module this long first (it
 * usually runs within a few hundred ms, and ends the session more completely). */
const GRACE = 1000;

/**
 * Watches input and the shared session from the moment the module starts loading, with
 * `options` (the options object, or the script tag's dataset). Returns
 * `{ engage(error), stop(), ended, session }`: `engage` takes over because the module cannot run
 * (`error` says why); `stop` lets go of everything (the module runs: what the fallback saw is
 * handed over through the record); `session` is the session API while the fallback runs, whose
 * `stop()` calls `halt` (the page's stop(), which also cancels a module still loading).
 */
export function watch(options, halt) {
  const s = read(options);
  const root = get(document, 'documentElement');
  const recordKey = key(s.channel);
  const claimKey = recordKey + ':logout:' + s.identity;
  const tab = Math.random().toString(36).slice(2, 12);
  const policy = { timeout: s.timeout, warning: 0, absolute: s.absolute };
  const texts = {
    signingOut: typeof options?.signingOutMessage === 'string' ? options.signingOutMessage : 'Signing you out…',
    signedOut: typeof options?.signedOutMessage === 'string' ? options.signedOutMessage : 'You have been signed out for your security.',
    signIn: typeof options?.signInLabel === 'string' ? options.signInLabel : 'Sign in again',
  };
  const loaded = Date.now();
  let started = s.sessionStart ?? loaded;
  // Joining a session under way, its last activity is the record's (a page load is not input).
  let last = loaded;
  let server = null;
  let state = 'active';
  let engaged = false;
  let stopped = false;
  let announced = 0;
  let timer = 0;
  const stops = [];

  const readRecord = () => decodeRecord(readText(recordKey), Date.now());
  const ours = (r) => r && r.app === s.app && r.id === s.identity;
  // Whether a record of ours is this session's: with no identity, an earlier sign-in's says
  // nothing of this one (the module's rule; this page "starts" when the fallback does).
  const current = (r) => ours(r) && isCurrent(r, !!s.identity, s.timeout, performance.timeOrigin, loaded);
  const writeRecord = (r) => writeText(recordKey, encodeRecord({ app: s.app, id: s.identity, ...r }));
  let channel = null;
  const postMessage = (kind, at) => channel && channel.post(encodeMessage({ kind, app: s.app, id: s.identity, tab, at }));

  const audit = (type, extra) => {
    const event = { type, at: Date.now(), tab, session: s.identity || null, channel: s.channel, policy, fallback: true, ...extra };
    emit('autologoff:audit', event);
    if (s.auditUrl) sendAudit(s.auditUrl, JSON.stringify([event]));
  };

  // An earlier sign-in's record (or another application's) when this page loaded: this page's
  // session is a new one, and its first write replaces it, as the module's start does. After
  // that, another session's record means this one was replaced.
  let earlier = false;

  /** The live record, kept current (never over another session's, but an earlier one's). */
  const keepRecord = () => {
    const r = readRecord();
    if (r && !ours(r) && !earlier) return replacedOrForeign(r);
    if (current(r) && r.ended !== null) return;
    earlier = false;
    writeRecord({ last: Math.max(last, current(r) ? r.last : 0), ended: null, started, server, told: '-' });
  };

  /** What the shared record says of this session now (joining, a peer's activity, its end). An
   * earlier sign-in's record, still there before this page first wrote its own, says nothing. */
  const join = (r) => {
    if (!r) return;
    if (!ours(r)) return earlier ? undefined : replacedOrForeign(r);
    if (!current(r)) return;
    if (r.ended !== null) return end('peer', undelivered(r, Date.now()));
    if (r.last < deadline()) last = Math.max(last, r.last);
    started = Math.min(started, r.started);
    if (r.server !== null) server = r.server;
  };

  /** Another session of this application: this one was replaced by a new sign-in. Another
   * application's record says nothing of ours. */
  const replacedOrForeign = (r) => {
    if (r.app === s.app) end('replaced', false);
  };

  const deadline = () => Math.min(last + s.timeout, s.absolute === null ? Infinity : started + s.absolute, server ?? Infinity);

  function check() {
    clearTimeout(timer);
    if (state !== 'active') return;
    const now = Date.now();
    const left = deadline() - now;
    if (left > 0) timer = setTimeout(check, Math.min(left, 2147483647));
    else end(s.absolute !== null && now >= started + s.absolute ? 'absolute' : 'idle', false);
  }

  // Input, through the module's own filter.
  const tap = new Tap(() => {
    // Input at or after the deadline (a timer running late: a hidden or frozen page) does not
    // bring the session back; the late check ends it (src/engine.rs: activity counts only
    // before expiry). So for the other tabs' news below, and for extend().
    if (state === 'active' && tap.last >= deadline()) return check();
    last = tap.last;
    if (!engaged || state !== 'active') return;
    // Announced to the other tabs (and recorded) at most every quarter timeout, 10 s at most.
    if (last - announced >= Math.min(s.timeout / 4, 10000)) {
      announced = last;
      postMessage('a', last);
      keepRecord();
    }
  });
  tap.quiet = 0;
  stops.push(tap.watchTree(window));

  // The other tabs, whichever of them runs the module.
  channel = openChannel(recordKey, (text) => {
    const m = decodeMessage(text, Date.now());
    if (!m || m.tab === tab || m.app !== s.app || state !== 'active') return;
    if (m.id !== s.identity) return join(readRecord());
    if ((m.kind === 'a' || m.kind === 'e') && m.at < deadline()) last = Math.max(last, m.at);
    else if (m.kind === 's') server = m.at;
    else if (m.kind === 'l') return end('peer', false);
    check();
  }, () => {
    // The record changed in another tab. A message can be missed (a BroadcastChannel just
    // opened, in WebKit) while the record's storage event cannot, so this session's end is
    // taken from here too; as in the module (src/session.rs, Input::RecordChanged), nothing
    // else is: another identity's record (an earlier sign-in's tombstone rewritten as its
    // logout is answered) says nothing of this session, nor, with no identity, an end from
    // before this page loaded.
    const r = readRecord();
    if (state === 'active' && current(r) && r.ended !== null) end('peer', undelivered(r, Date.now()));
  });
  if (channel) stops.push(() => channel.close());
  // A page that may have slept (hidden, frozen, shown from the back/forward cache) looks again.
  const wake = () => {
    join(readRecord());
    check();
  };
  for (const [target, type] of [[document, 'visibilitychange'], [window, 'focus'], [window, 'pageshow']]) {
    listen(target, type, wake, false);
    stops.push(() => unlisten(target, type, wake, false));
  }

  /** Says on the console, and in the audit trail, that the fallback enforces the session and
   * why (`error`). */
  const say = (error) => {
    console.error((error && error.message) || String(error), 'Until it can, a fallback enforces the timeout (' + s.timeout / 1000 + ' s), without a warning.');
    audit('fallback-engaged', { reason: 'module-unavailable' });
  };

  const release = () => {
    clearTimeout(timer);
    for (const stop of stops.splice(0)) stop();
  };

  /** Ends the session here: cover, tell the tabs and the server, clear, leave. `retry`: a
   * tombstone said the logout never reached the server. */
  function end(reason, retry) {
    if (state !== 'active' || stopped) return;
    const mine = reason !== 'peer' && reason !== 'replaced';
    // Ending on its own (a deadline, the user): a newer sign-in's page may have written its record
    // meanwhile, with no message (a start posts none). Then this session was replaced: its end is
    // not written over the new one's, nor the new one's storage and cookies cleared, and its
    // logout is sent only naming it; the reason, the tabs' message and the audit trail stay
    // (src/session.rs: `decide` reads the record after the Logout is posted, then `replaced`).
    const r0 = mine ? readRecord() : null;
    const gone = reason === 'replaced' || (!!r0 && !ours(r0) && !earlier && r0.app === s.app);
    state = 'expired';
    clearTimeout(timer);
    // The cover first: no PHI stays visible.
    const panel = cover(texts.signingOut, get(root, 'lang') || 'en', get(root, 'dir') || 'ltr');
    // A deadline came while the module was still loading (or retrying): the portal must hear
    // that it did not run in time. (A session that had ended already, or that the page or the
    // user ended, says nothing of the module.)
    if (!engaged && (reason === 'idle' || reason === 'absolute')) {
      engaged = true;
      say(new Error('autologoff: its WebAssembly module was not running yet when the session ended (' + reason + ').'));
    }
    call2(root, 'setAttribute', 'data-autologoff-state', 'expired');
    if (reason === 'idle' || reason === 'absolute') audit('expired', { reason });
    audit('logged-out', { reason });
    emit('autologoff:logout', { reason });
    const now = Date.now();
    const send = !!s.logoutUrl && (gone ? s.sessionId !== null : mine || retry);
    if (mine) postMessage('l', now);
    if (mine && !gone) writeRecord({ last: Math.min(last, now), ended: now, started, server, told: send ? 'p' : 'd' });
    // Input, the channel and the lifecycle listeners go after the other tabs were told.
    release();
    let body = 'reason=' + reason;
    if (s.sessionId !== null) body += '&session=' + encodeURIComponent(s.sessionId).replace(/%20/g, '+');
    // Told: 2xx, 3xx, 401, 410 (docs/protocol.md 3.3); else a beacon, and the next page of the
    // session sends it again.
    // A logout that never reached the server, sent again: in the audit trail as the module says it.
    if (send && retry) audit('logout-retried');
    const sent = send
      ? post(s.logoutUrl, body, s.csrfHeader, s.csrfToken, true).then((a) => {
          const told = (a.status >= 200 && a.status < 400) || a.status === 401 || a.status === 410;
          if (!told) beacon(s.logoutUrl, body, s.csrfToken);
          return told;
        })
      : Promise.resolve(true);
    let cleared = Promise.resolve(true);
    if (gone) clearTab();
    else {
      clearStorage([...s.keep, recordKey, claimKey]);
      cleared = clearAsync(s.workers);
    }
    const wait = new Promise((r) => setTimeout(r, 3000));
    Promise.race([Promise.all([sent, cleared]), wait]).then((results) => {
      const told = Array.isArray(results) && results[0] === true;
      if (!gone) {
        // Page scripts kept running during the wait and may have written drafts back.
        clearStorage([...s.keep, recordKey, claimKey]);
        const r = readRecord();
        if (ours(r) && r.ended !== null && (mine || retry)) writeRecord({ ...r, told: told ? 'd' : 'u' });
        clearCookies();
      }
      if (s.redirectUrl) {
        const go = (n) => {
          call1(get(window, 'location'), 'replace', s.redirectUrl);
          if (n < REDIRECTS) setTimeout(() => go(n + 1), REDIRECT_AGAIN);
        };
        go(1);
      } else {
        signedOut(panel, texts.signedOut, texts.signIn);
      }
    });
  }

  // The page is protected from now on, whether the module ever runs or not.
  call2(root, 'setAttribute', 'data-autologoff-state', 'active');

  // What the page is joining: the session under way, or its end (another application's record,
  // or an earlier sign-in's, says this page's session is new). A deadline already past, or an
  // end already recorded (a page reopened afterwards), waits for the module a moment; any other
  // deadline is enforced when it comes, whether the module is running by then or not.
  const record = readRecord();
  if (current(record) && record.ended !== null) {
    timer = setTimeout(() => end('peer', undelivered(record, Date.now())), GRACE);
  } else {
    // (A record of ours that is not this session's, with no identity, is replaced by this
    // page's first write, as the module's start does.)
    const live = current(record);
    if (live) {
      last = record.last;
      join(record);
    } else {
      earlier = !!record && !ours(record);
    }
    timer = setTimeout(check, Math.max(deadline() - Date.now(), live ? GRACE : 0));
  }

  const session = {
    get state() {
      return stopped ? 'stopped' : state;
    },
    get remainingMs() {
      return state === 'active' && !stopped ? Math.max(0, deadline() - Date.now()) : 0;
    },
    /** Restarts the idle period (the page's deliberate way; there is no dialog here). */
    extend() {
      if (state !== 'active' || stopped) return false;
      if (Date.now() >= deadline()) {
        check();
        return false;
      }
      last = Date.now();
      if (engaged) {
        postMessage('e', last);
        keepRecord();
      }
      check();
      return true;
    },
    logout() {
      end('user', false);
    },
    stop() {
      halt();
    },
  };

  const guard = {
    session,
    get ended() {
      return state === 'expired';
    },
    /** The module cannot run: said on the console and in the audit trail, and from now on this
     * page takes its part among the tabs. */
    engage(error) {
      if (engaged || stopped || state !== 'active') return;
      engaged = true;
      say(error);
      join(readRecord());
      if (state === 'active') {
        keepRecord();
        check();
      }
    },
    /** The module runs: what was seen here goes to it through the record (input while loading
     * counts), and everything is let go. */
    stop() {
      if (stopped) return;
      // Input seen while loading goes into the session's own record; an earlier sign-in's the
      // module's start replaces.
      if (state === 'active' && (ours(readRecord()) || !readRecord())) keepRecord();
      stopped = true;
      release();
    },
  };
  return guard;
}
