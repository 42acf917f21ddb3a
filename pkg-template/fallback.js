// Fail closed: when the module cannot run at all (it could not be fetched after retries, its
// download hangs, or a Content-Security-Policy forbids it), these few lines still enforce the
// idle timeout: trusted input counts, and after `timeout` without any the page is covered, the
// logout request is sent, storage is cleared and the page goes to `redirectUrl`. No warning, no
// cross-tab: the module does those; this only keeps a portal from staying signed in for as long
// as the tab lives. It is said on the console and in the audit trail.

import { call0, call1, call2, el, emit, get, listen, set, unlisten } from './calls.js';

const UNITS = { ms: 1, s: 1e3, m: 6e4, h: 36e5 };

/** ms for a duration option (a number, or "90s"-style text); the default 15 minutes otherwise. */
function duration(value) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(String(value));
  const ms = m ? Number(m[1]) * UNITS[m[2] || 'ms'] : NaN;
  return ms >= 1000 && ms <= 864e5 ? ms : 9e5;
}

/** A path or an http(s) URL, as the module accepts them; anything else is not used. */
function url(value) {
  return typeof value === 'string' && /^(https?:|\/|[^:]*$)/i.test(value) && !/\s/.test(value) ? value : null;
}

/**
 * Watches trusted input from the moment the module starts loading (so the fallback, if it has
 * to take over, counts from the real last input), with `settings` (the options object, or the
 * script tag's dataset). Returns `{ engage(error), stop(), ended }`: `engage` starts enforcing
 * the idle timeout because of `error`; `stop` lets go of everything (the module runs).
 */
export function watch(settings) {
  const s = settings || {};
  const timeout = duration(s.timeout);
  const logoutUrl = url(s.logoutUrl);
  const auditUrl = url(s.auditUrl);
  const root = get(document, 'documentElement');
  let last = Date.now();
  let timer = 0;
  let engaged = false;
  let stopped = false;
  let ended = false;
  const input = (e) => {
    if (e.isTrusted) last = Date.now();
  };
  const types = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'];
  const release = () => {
    for (const t of types) unlisten(window, t, input, true);
    unlisten(document, 'visibilitychange', check, false);
  };
  // The same shape as the module's events (its tab id is random too), marked `fallback`.
  const tab = Math.random().toString(36).slice(2, 12);
  const policy = { timeout, warning: 0, absolute: null };
  const audit = (type, extra) => {
    const event = { type, at: Date.now(), tab, session: null, channel: s.channel || 'default', policy, fallback: true, ...extra };
    emit('autologoff:audit', event);
    if (auditUrl) call2(navigator, 'sendBeacon', auditUrl, JSON.stringify([event]));
  };

  function engage(error) {
    if (engaged || stopped) return;
    engaged = true;
    console.error(
      (error && error.message ? error.message : String(error)) +
        ' Until it can, a fallback of a few lines enforces the idle timeout (' + timeout / 1000 +
        ' s): the page is covered, the logout request sent, storage cleared.',
    );
    audit('fallback-engaged', { reason: 'module-unavailable' });
    call2(root, 'setAttribute', 'data-autologoff-state', 'active');
    listen(document, 'visibilitychange', check, false);
    check();
  }

  function check() {
    clearTimeout(timer);
    const left = last + timeout - Date.now();
    if (left > 0) timer = setTimeout(check, left);
    else end();
  }

  function end() {
    ended = true;
    release();
    call2(root, 'setAttribute', 'data-autologoff-state', 'expired');
    // Cover first: no PHI stays visible.
    const message = typeof s.signingOutMessage === 'string' ? s.signingOutMessage : 'Signing you out…';
    const cover = el(
      'div',
      'role=alert\ndata-autologoff-cover=',
      'position:fixed;inset:0;z-index:2147483647;background:#f4f6f8;color:#1b2430;display:flex;align-items:center;justify-content:center;font:1.25rem system-ui,sans-serif',
      message,
    );
    const page = get(document, 'body');
    if (page) set(get(page, 'style'), 'visibility', 'hidden');
    call1(root, 'append', cover);
    set(document, 'title', message);
    audit('logged-out', { reason: 'idle' });
    emit('autologoff:logout', { reason: 'idle' });
    const token = s.csrfToken || get(call1(document, 'querySelector', 'meta[name="csrf-token"]'), 'content');
    const body = new URLSearchParams({ reason: 'idle' });
    const sent = logoutUrl
      ? fetch(logoutUrl, {
          method: 'POST',
          credentials: 'include',
          keepalive: true,
          headers: token ? { [s.csrfHeader || 'X-CSRF-Token']: token } : {},
          body,
        }).catch(() => {
          if (token) body.set('_csrf', token);
          call2(navigator, 'sendBeacon', logoutUrl, body);
        })
      : null;
    const leave = () => {
      try {
        call0(localStorage, 'clear');
        call0(sessionStorage, 'clear');
      } catch {
        // Storage disabled: nothing to clear.
      }
      if (url(s.redirectUrl)) call1(location, 'replace', s.redirectUrl);
    };
    Promise.race([sent, new Promise((r) => setTimeout(r, 3000))]).then(leave, leave);
  }

  for (const t of types) listen(window, t, input, true);
  return {
    engage,
    stop() {
      stopped = true;
      clearTimeout(timer);
      release();
    },
    get ended() {
      return ended;
    },
  };
}
