// Clearing what the page's origin keeps in the browser: web storage, IndexedDB, Cache Storage,
// service workers, and the cookies script can see. Shared by the module and the fallback; every
// browser member through calls.js (markup cannot shadow them, a failure never throws).
import { call0, call1, call2, get, set } from './calls.js';

/** A global (`localStorage`, `indexedDB`, `caches`, …), or null where it is missing or may not
 * be read (storage throws in a sandboxed frame). */
function global(name) {
  const v = get(window, name);
  return v == null ? null : v;
}

/**
 * Clears both web storages; the `keep` keys of localStorage survive (the page's own choice, and
 * autologoff's record and logout claim). Keys are removed one by one rather than with `clear()`:
 * another tab's view of localStorage can lag, and a `clear()` from that view would also wipe
 * what this one wrote meanwhile.
 */
export function clearStorage(keep) {
  const local = global('localStorage');
  if (local) {
    const keys = [];
    for (let i = 0, n = get(local, 'length') || 0; i < n; i++) keys.push(call1(local, 'key', i));
    for (const key of keys) if (typeof key === 'string' && !keep.includes(key)) call1(local, 'removeItem', key);
  }
  clearTab();
}

/** Clears this tab's sessionStorage; whether it could be used. */
export function clearTab() {
  const tab = global('sessionStorage');
  if (tab) call0(tab, 'clear');
  return !!tab;
}

/**
 * Starts clearing IndexedDB, Cache Storage and (with `workers`) service workers. Resolves, once
 * each has settled, with whether the IndexedDB databases could be listed (where
 * `indexedDB.databases()` is missing they cannot be found to delete). Never rejects.
 */
export function clearAsync(workers) {
  const waits = [];
  if (workers) {
    const list = call0(get(get(window, 'navigator'), 'serviceWorker'), 'getRegistrations');
    if (list) waits.push(list.then((rs) => Promise.allSettled([...(rs || [])].map((r) => call0(r, 'unregister')))));
  }
  const factory = global('indexedDB');
  const databases = factory && call0(factory, 'databases');
  if (databases) {
    // Each delete settles on success, error or `blocked` (an open connection: it completes when
    // the page leaves). Firefox's databases() rejects in some profiles: nothing to delete then.
    const gone = (info) =>
      new Promise((resolve) => {
        const request = call1(factory, 'deleteDatabase', get(info, 'name'));
        if (!request) return resolve();
        for (const event of ['onsuccess', 'onerror', 'onblocked']) set(request, event, resolve);
      });
    waits.push(databases.then((list) => Promise.allSettled([...(list || [])].map(gone))));
  }
  const caches = global('caches');
  const keys = caches && call0(caches, 'keys');
  if (keys) waits.push(keys.then((names) => Promise.allSettled([...(names || [])].map((k) => call1(caches, 'delete', k)))));
  return Promise.allSettled(waits).then(() => !!databases);
}

/** Expires every cookie `document.cookie` shows (see `expiringWrites`); how many writes that
 * took. */
export function clearCookies() {
  const all = get(document, 'cookie');
  if (typeof all !== 'string') return 0;
  const location = get(window, 'location');
  const writes = expiringWrites(all, get(location, 'pathname') || '/', get(location, 'hostname') || '', get(location, 'protocol') === 'https:');
  for (const write of writes) set(document, 'cookie', write);
  return writes.length;
}

/**
 * The `document.cookie` writes that expire every cookie in `cookies` for a page at `path` on
 * `host` (`secure`: on https). A cookie is replaced only by a write with its own name, domain and
 * path, which script cannot read back; so each name is expired for every path and domain it
 * could have been set with:
 * - every path that path-matches the page (RFC 6265 5.1.4): `/`, each directory of the page's
 *   path without and with its trailing slash (`/app`, `/app/`), and the path itself;
 * - host-only (no `Domain`), and each parent domain of the host (not for IP addresses or
 *   single-label hosts such as `localhost`);
 * - on https, with `Secure`, which `__Secure-` and `__Host-` cookies need
 *   (https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-4.1.3).
 * HttpOnly cookies (where a session cookie belongs) are invisible to script: the server's logout
 * answer must expire them.
 */
export function expiringWrites(cookies, path, host, secure) {
  const names = cookies
    .split(';')
    .map((pair) => pair.split('=')[0].trim())
    .filter((n) => n);
  if (!names.length) return [];
  const paths = ['/'];
  for (let i = 1; i < path.length; i++) if (path[i] === '/') paths.push(path.slice(0, i), path.slice(0, i + 1));
  if (path) paths.push(path);
  const labels = host.split('.');
  const ip = labels.every((l) => /^\d*$/.test(l)) || host.includes(':');
  const domains = [''];
  if (labels.length > 1 && !ip) for (let i = 0; i < labels.length - 1; i++) domains.push(labels.slice(i).join('.'));
  const writes = [];
  for (const name of names) {
    for (const p of new Set(paths)) {
      for (const d of domains) {
        writes.push(name + '=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=' + p + (d ? '; Domain=' + d : '') + (secure ? '; Secure' : ''));
      }
    }
  }
  return writes;
}
