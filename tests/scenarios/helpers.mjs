// What several scenario files use, written against the driver interface (README.md) only, so
// that it runs the same in every engine. The WebKit suites import the storage and polling helpers
// from here too (tests/webkit/helpers.mjs).
import assert from 'node:assert/strict';

/** Where a timed-out session lands. */
export const LOGIN = /\/login\?reason=timeout$/;
/** A portal page URL with these script-tag settings. */
export const portal = (query) => '/portal?' + new URLSearchParams(query);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; errors while a page navigates count as "not yet". */
export async function until(fn, { timeout = 10_000, interval = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}` + (last ? ': ' + last.message : ''));
    await sleep(interval);
  }
}

/** Trusted pointer moves in `tab`, one every `every` ms, while `more()`; with `tolerant`, a move
 * that fails (the page is navigating away) is skipped instead of ending the loop. */
async function moves(tab, more, every, tolerant) {
  for (let i = 0; more(); i++) {
    const move = tab.move(100 + (i % 40) * 7, 150 + (i % 2) * 5);
    await (tolerant ? move.catch(() => {}) : move);
    await sleep(every);
  }
}

/** A person working in `tab` for `ms`: a pointer move every `every` ms. */
export function wiggle(tab, ms, every = 150) {
  const end = Date.now() + ms;
  return moves(tab, () => Date.now() < end, every, false);
}

/** A person working in `tab` until the returned `stop()` (which resolves once the last move is
 * done), through whatever the page does meanwhile (a warning, the end of the session). */
export function keepMoving(tab, every = 150) {
  let on = true;
  const done = moves(tab, () => on, every, true);
  return () => {
    on = false;
    return done;
  };
}

/** Runs `fn` with the server's `endpoint` (logout, keepalive) answering `fault`, then heals it. */
export async function withFault(driver, endpoint, fault, fn) {
  driver.server.state.faults[endpoint] = fault;
  try {
    return await fn();
  } finally {
    driver.server.state.faults[endpoint] = 'ok';
  }
}

/** How many warning dialogs the tab's page holds. */
export const dialogs = (tab) => tab.eval('return document.querySelectorAll(\'[role="alertdialog"]\').length');

/** Ends the session from the page, as its "Log out now" would (without waiting for it). */
export const logOut = (tab) => tab.eval('window.autologoff.ready.then((s) => s.logout())');

/** The session's time left, as the tab's autologoff reports it. */
export const remaining = (tab) => tab.evalAsync('window.autologoff.ready.then((s) => done(s.remainingMs))');

/**
 * The logout requests the server got with `sid`, once at least one has arrived and `settle` ms
 * passed with no more. A page sends its logout with `keepalive`, so it can still be on its way
 * when the page has left (under load, seconds later): counting right after the page left finds
 * none.
 */
export async function logoutsArrived(server, sid, { timeout = 10_000, settle = 500 } = {}) {
  const of = () => server.state.logouts.filter((l) => l.sid === sid);
  const end = Date.now() + timeout;
  while (of().length === 0 && Date.now() < end) await sleep(50);
  await sleep(settle);
  return of();
}

/** Seeds every kind of client storage the page's origin has, plus script-readable cookies. */
export function seedStorage(tab) {
  return tab.evalAsync(`(async () => {
    localStorage.setItem('draft-note', 'PHI: follow-up for Jane Q. Sample');
    sessionStorage.setItem('last-patient', '00-4417-2291');
    document.cookie = 'ui_prefs=compact; path=/';
    document.cookie = 'portal_hint=1; path=/portal';
    await new Promise((resolve, reject) => {
      const req = indexedDB.open('patient-cache', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('records');
      req.onsuccess = () => {
        const tx = req.result.transaction('records', 'readwrite');
        tx.objectStore('records').put({ mrn: '00-4417-2291' }, 'current');
        tx.oncomplete = () => (req.result.close(), resolve());
      };
      req.onerror = () => reject(req.error);
    });
    const cache = await caches.open('portal-api');
    await cache.put('/api/record', new Response('{"mrn":"00-4417-2291"}'));
  })().then(() => done('ok'), (e) => done('seed failed: ' + e));`).then((r) => {
    if (r !== 'ok') throw new Error(r);
  });
}

/** What client storage the page's origin still holds. */
export function storageLeft(tab) {
  return tab.evalAsync(`(async () => ({
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage),
    cookies: document.cookie,
    idb: (await indexedDB.databases()).map((d) => d.name),
    caches: await caches.keys(),
  }))().then(done, (e) => done({ error: String(e) }));`);
}

/** Is PHI on screen: the record is there, not covered, and the body not hidden. */
const PHI_SHOWN = `const phi = document.querySelector('[data-phi]');
  if (!phi) return false;
  return !document.querySelector('[data-autologoff-cover]') && getComputedStyle(document.body).visibility !== 'hidden';`;

/** Polls, right after a Back, that PHI never shows, until the tab lands on the sign-in page.
 * Whatever Back brings (a page restored from the back/forward cache, a reload, or the sign-in
 * page), PHI must not show at any check. */
export async function neverShowsPhi(tab) {
  const end = Date.now() + 15_000;
  for (let i = 0; ; i++) {
    // A check that fails because the page is navigating saw nothing shown.
    const shown = await tab.eval(PHI_SHOWN).catch(() => false);
    assert.equal(shown, false, 'PHI visible after Back at check ' + i);
    if (/\/login/.test(await tab.url().catch(() => '')) || Date.now() > end) break;
    await sleep(100);
  }
  await tab.waitForUrl(/\/login/);
}
