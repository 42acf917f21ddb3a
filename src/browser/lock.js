// The claim that lets one tab send the logout request when several end at the same moment.
//
// With Web Locks (https://w3c.github.io/web-locks/; Chrome 69, Firefox 96, Safari 15.4) the tab
// that gets the lock with `ifAvailable` has it, and holds it until released; the browser releases
// a lock whose tab closes or crashes. Without Web Locks, a claim in localStorage, read again after
// a short wait, decides. The lock is the session's own (src/wire.rs claim_key), and a lost claim
// is not the end of it: the session core waits for the winner to say `claimed`, and sends the
// request itself when nobody does (a lock held by something else cannot keep the server from
// being told).
import { call1, call2, get } from './calls.js';

/** Claims stored without Web Locks are stale (their tab died) after this long. */
const STALE = 10000;

/**
 * Tries to become the tab that logs out, with the lock (or storage claim) `name`. Resolves,
 * always and within about 1.3 s, with whether this tab is the one; the claim is then held
 * until `hold` settles (the host settles it when it lets go).
 */
export function claim(name, tab, hold) {
  const request = get(get(get(window, 'navigator'), 'locks'), 'request');
  if (typeof request !== 'function') return inStorage(name, tab, hold);
  let called = false;
  let granted = false;
  let decide;
  const decided = new Promise((resolve) => (decide = resolve));
  let requested;
  try {
    requested = request.call(get(get(window, 'navigator'), 'locks'), name, { ifAvailable: true }, (lock) => {
      called = true;
      granted = !!lock;
      decide();
      return granted ? hold : undefined;
    });
  } catch {
    return inStorage(name, tab, new Promise((r) => setTimeout(r, 5000)));
  }
  // The request can reject without ever calling back (an opaque origin, a document that is no
  // longer fully active): whichever comes first, and never long.
  const settled = Promise.allSettled([requested]);
  return Promise.race([decided, settled, new Promise((r) => setTimeout(r, 1000))]).then(() =>
    called ? granted : inStorage(name, tab, new Promise((r) => setTimeout(r, 5000))),
  );
}

/** Without Web Locks: write a claim unless a fresh one of another tab is there, wait, and see
 * whose claim survived. The winner removes it once `hold` settles.
 *
 * Best effort: a tab sees another's write only when the browser passes it on, and under load
 * that took longer than the 60 ms waited here before (three tabs of four each read back their
 * own claim and sent the request, 3 and 42 ms apart). A longer wait makes that rarer but cannot
 * rule it out; a second request is harmless (the logout is idempotent, and names its session),
 * and only the request waits: the tab is covered already. A tab that lost waits CLAIM_EVIDENCE
 * (src/session.rs, 1.5 s) for the winner's `claimed`, which comes after this wait: keep this
 * well below that. */
function inStorage(name, tab, hold) {
  const storage = get(window, 'localStorage');
  if (!storage) return Promise.resolve(true);
  const now = Date.now();
  const [who, at] = String(call1(storage, 'getItem', name) || '').split(';');
  if (who && who !== tab && now - Number(at) < STALE) return Promise.resolve(false);
  const mine = tab + ';' + now;
  call2(storage, 'setItem', name, mine);
  return new Promise((r) => setTimeout(r, 250)).then(() => {
    const won = call1(storage, 'getItem', name) === mine;
    if (won) hold.then(() => call1(storage, 'getItem', name) === mine && call1(storage, 'removeItem', name));
    return won;
  });
}
