// What autologoff shows: the cover at the end of a session, and the warning dialog. It renders
// and reports; the session core decides (what the dialog's controls mean, when to show what).
// Built with createElement, textContent and CSSOM through calls.js (markup cannot shadow them,
// a strict Content-Security-Policy and Trusted Types allow them: no innerHTML, no style
// attributes in markup). Shared by the module and the fallback.
import { call0, call1, call2, each, el, get, listen, set } from './calls.js';

// --- the cover -------------------------------------------------------------------------------

const COVER =
  'position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;' +
  'padding:1rem;background:var(--autologoff-cover-bg,#f4f6f8);color:var(--autologoff-fg,#1b2430);' +
  'font:var(--autologoff-font,1rem/1.5 system-ui,sans-serif);visibility:visible;text-align:center';

/**
 * Covers the page now, saying `message`, and returns the cover's text panel. Also hides `<body>`
 * (and any top-layer element inside it, which a fixed cover alone cannot sit above), makes it
 * inert, closes what the page put in the top layer (modal dialogs, popovers, fullscreen), pauses
 * its media (a call or a recording must not go on behind the cover) and replaces the tab title,
 * which may name a patient.
 */
export function cover(message, lang, dir) {
  set(document, 'title', message);
  const shade = el('div', 'data-autologoff-cover=\nrole=alert', COVER, '');
  call2(shade, 'setAttribute', 'lang', lang);
  call2(shade, 'setAttribute', 'dir', dir);
  const panel = el('p', 'data-autologoff-cover-text=', 'font-size:1.25rem;margin:0', message);
  call1(shade, 'append', panel);
  const body = get(document, 'body');
  if (body) {
    set(get(body, 'style'), 'visibility', 'hidden');
    call2(body, 'setAttribute', 'inert', '');
  }
  each(document, 'dialog[open]', 'close');
  // `:popover-open` is an invalid selector where popovers do not exist: then there are none.
  each(document, ':popover-open', 'hidePopover');
  if (get(document, 'fullscreenElement')) call0(document, 'exitFullscreen');
  each(document, 'audio,video', 'pause');
  call1(get(document, 'documentElement'), 'append', shade);
  return panel;
}

/**
 * The last words when there is no redirect: `message`, and a link to sign in again. The page's
 * content is removed from the document, not only hidden (ASVS 5 V14.3.1).
 */
export function signedOut(panel, message, signIn) {
  const body = get(document, 'body');
  // textContent = null removes every child.
  if (body) set(body, 'textContent', null);
  set(document, 'title', message);
  set(panel, 'textContent', message);
  const link = el('a', 'data-autologoff-sign-in=', 'color:var(--autologoff-accent,#0b5cad);font-weight:600', signIn);
  call2(link, 'setAttribute', 'href', get(get(window, 'location'), 'href') || '/');
  call1(panel, 'append', el('br', '', '', ''));
  call1(panel, 'append', link);
}

// --- the warning dialog ----------------------------------------------------------------------

// The theme's defaults, light and dark: background, text, accent, text on the accent, border.
// The page's own --autologoff-* values win (README, Theming). Each pair has a contrast ratio of
// at least 4.5:1 (WCAG 1.4.3).
const LIGHT = ['#fff', '#1b2430', '#0b5cad', '#fff', '#8a96a3'];
const DARK = ['#1b2430', '#e7ecf1', '#6fb1ff', '#0b1a2a', '#5b6775'];
const BUTTON =
  'min-height:44px;min-width:44px;padding:.5rem 1.25rem;font:inherit;font-weight:600;' +
  'border:2px solid var(--autologoff-accent,var(--autologoff-default-accent));border-radius:var(--autologoff-radius,8px);' +
  'cursor:pointer;background:transparent;color:inherit';
const PRIMARY =
  ';background:var(--autologoff-accent,var(--autologoff-default-accent));color:var(--autologoff-accent-fg,var(--autologoff-default-accent-fg))';

/** `showModal()`: in the top layer, the page behind inert. If that is refused (already open, not
 * connected), a non-modal show, so it is at least visible. */
function showModal(dialog) {
  call0(dialog, 'showModal');
  if (!get(dialog, 'open')) set(dialog, 'open', true);
}

/**
 * Builds and shows the warning: an accessible modal alert dialog with a countdown (the WAI-ARIA
 * APG alert dialog pattern, https://www.w3.org/WAI/ARIA/apg/patterns/alertdialog/):
 * `role="alertdialog"`, `aria-modal`, labelled and described; focus moves to the first button,
 * Tab and Shift+Tab stay inside, focus returns where it was when it closes. `text` has `title`,
 * `message`, `timeLeft`, `first` (the first button's label), `logout`, `lang`, `dir`; `first` is
 * `extend` or (the absolute warning) `dismiss`.
 *
 * It reports, and decides nothing: `report(control, trusted, byKey, repeat)` with `control`
 * `first`, `logout` or `escape`, whether the user (not a script) did it (`isTrusted`), whether
 * with a key, and whether that key was a held key's repeat. Its `cancel` event is always
 * prevented: a script can cause a trusted one (`requestClose()`), and a real Escape arrives as
 * the keydown first (https://html.spec.whatwg.org/multipage/interactive-elements.html#dialog-request-close).
 *
 * Returns `{ element, update(shown, said), close() }`: `update` sets the visible `m:ss`
 * countdown (hidden from assistive technology) and, when not null, what the polite live region
 * says.
 */
export function showDialog(text, first, report) {
  const dark = get(call1(window, 'matchMedia', '(prefers-color-scheme: dark)'), 'matches');
  const [bg, fg, accent, accentFg, border] = dark ? DARK : LIGHT;
  const css =
    'box-sizing:border-box;width:min(28rem,calc(100vw - 2rem));max-height:calc(100vh - 2rem);overflow:auto;' +
    'padding:1.5rem;border-radius:var(--autologoff-radius,8px);font:var(--autologoff-font,1rem/1.5 system-ui,sans-serif);' +
    'box-shadow:0 8px 32px rgba(0,0,0,.3)' +
    `;--autologoff-default-accent:${accent};--autologoff-default-accent-fg:${accentFg}` +
    `;border:1px solid var(--autologoff-border,${border});background:var(--autologoff-bg,${bg});color:var(--autologoff-fg,${fg})`;
  const dialog = el(
    'dialog',
    'role=alertdialog\naria-modal=true\naria-labelledby=autologoff-title\naria-describedby=autologoff-message\ndata-autologoff-dialog=',
    css,
    '',
  );
  call2(dialog, 'setAttribute', 'lang', text.lang);
  call2(dialog, 'setAttribute', 'dir', text.dir);
  const title = el('h2', 'id=autologoff-title', 'margin:0 0 .75rem;font-size:1.25rem;line-height:1.3', text.title);
  const message = el('p', 'id=autologoff-message', 'margin:0 0 .75rem', text.message);
  // The visible countdown, hidden from screen readers (the live region speaks instead).
  const time = el('p', 'aria-hidden=true', 'margin:0 0 1.25rem;font-weight:600', '');
  const countdown = el('span', 'data-autologoff-countdown=', 'font-variant-numeric:tabular-nums;font-size:1.5rem;margin-inline-start:.5rem', '');
  call2(time, 'append', el('span', '', '', text.timeLeft), countdown);
  // Visually hidden, still read: the usual clip pattern.
  const live = el('div', 'role=status\naria-live=polite\ndata-autologoff-live=', 'position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap', '');
  const actions = el('div', '', 'display:flex;flex-wrap:wrap;gap:.75rem', '');
  const button = (label, action, primary) => el('button', 'type=button\ndata-autologoff-action=' + action, BUTTON + (primary ? PRIMARY : ''), label);
  const one = button(text.first, first, true);
  const two = button(text.logout, 'logout', false);
  call2(actions, 'append', one, two);
  for (const part of [title, message, time, live, actions]) call1(dialog, 'append', part);

  const previous = get(document, 'activeElement');
  call1(get(document, 'body') || get(document, 'documentElement'), 'append', dialog);
  showModal(dialog);
  call0(one, 'focus');

  const trusted = (e) => !!get(e, 'isTrusted');
  // A click made with Enter or Space has `detail` 0; a pointer's counts its clicks from 1
  // (https://w3c.github.io/uievents/#event-type-click).
  listen(one, 'click', (e) => report('first', trusted(e), get(e, 'detail') === 0, false), false);
  listen(two, 'click', (e) => report('logout', trusted(e), get(e, 'detail') === 0, false), false);
  listen(
    dialog,
    'keydown',
    (e) => {
      const key = get(e, 'key');
      const repeat = !!get(e, 'repeat');
      // WebKitGTK reports Shift+Tab as key "Unidentified" with code "Tab" (docs/browsers.md).
      const tab = key === 'Tab' || (key === 'Unidentified' && get(e, 'code') === 'Tab');
      if (key === 'Escape') {
        call0(e, 'preventDefault');
        report('escape', trusted(e), true, repeat);
      } else if (repeat && (key === 'Enter' || key === ' ')) {
        // A held key (something resting on the keyboard) presses nothing.
        call0(e, 'preventDefault');
      } else if (tab) {
        // Keep focus inside, moving it ourselves: with two buttons, Tab and Shift+Tab both go
        // to the other one. Not left to the browser, because Safari on macOS skips buttons on
        // Tab unless the user asked otherwise (docs/browsers.md).
        call0(e, 'preventDefault');
        call0(get(document, 'activeElement') === one ? two : one, 'focus');
      }
    },
    false,
  );
  listen(dialog, 'cancel', (e) => call0(e, 'preventDefault'), false);
  // A `cancel` the browser does not let us prevent (a close request without user activation)
  // closes it anyway: open it again, the warning stands until decided.
  listen(dialog, 'close', () => get(dialog, 'isConnected') && showModal(dialog), false);

  let open = true;
  return {
    element: dialog,
    update(shown, said) {
      set(countdown, 'textContent', shown);
      if (said != null) set(live, 'textContent', said);
    },
    close() {
      if (!open) return;
      open = false;
      call0(dialog, 'close');
      call0(dialog, 'remove');
      if (get(previous, 'isConnected')) call0(previous, 'focus');
    },
  };
}
