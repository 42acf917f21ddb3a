// Wraps any express-session store (connect-redis, a memory store, …) so that:
// - reading a session also reads its tombstone, and an ended session is never handed out again;
// - a write can never bring an ended session back (a request in flight during a logout): readers
//   check the tombstone, which outlives any record it ends, and a write that finds one deletes
//   what it wrote;
// - the store's own expiry (TTL) is the time left to the session's deadline at each write;
// - reading is never activity: touch() does nothing;
// - a store that fails is reported, not thrown: the session middleware gets a marker and the
//   adapter fails closed (503) instead of the framework's 500 page.
// What the framework's session middleware receives for a cookie is the portal's session object,
// or one carrying `autologoffLoad` ({ state: 'ended' | 'unknown' | 'unavailable' }).
import { EventEmitter } from 'node:events';
import { isRecord, limitsOf, deadlineOf } from './core/index.js';

const TOMB = 'autologoff-end-';
const INDEX = 'autologoff-pid-';
// Tombstones and the public-id index outlive the absolute deadline by this much, for instances
// whose clocks are a little behind.
const GRACE_MS = 5 * 60_000;

const call = (fn) => new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value ?? null))));
const describe = (error) => (error && error.message ? error.message : String(error)).slice(0, 200);

/** A guarded store over `inner`; `Base` is the framework's Store class (express-session's). */
export function guardStore(inner, config, { Base = EventEmitter, now = Date.now } = {}) {
  const get = (key) => call((cb) => inner.get(key, cb));
  const put = (key, value) => call((cb) => inner.set(key, value, cb));
  const del = (key) => call((cb) => inner.destroy(key, cb));
  const until = (record) => new Date(record.created + record.absolute + GRACE_MS);

  class GuardedStore extends Base {
    /** The loaded state of `sid`: the framework's session object, or a marked one. */
    get(sid, callback) {
      // Both reads at once (one round trip on a pipelining client), joined by a counter: this
      // runs on every request that carries a cookie.
      let session;
      let tomb;
      let failure = null;
      let left = 2;
      const done = () => {
        if (--left > 0) return;
        if (failure) return callback(null, { cookie: {}, autologoffLoad: { state: 'unavailable', detail: describe(failure) } });
        if (tomb) return callback(null, { cookie: {}, autologoffLoad: { state: 'ended', tombstone: tomb.autologoffTombstone } });
        if (!session) return callback(null, { cookie: {}, autologoffLoad: { state: 'unknown' } });
        // The expiry written for the store's TTL is not the browser's: the cookie stays a
        // browser-session cookie, and the deadline is decided from the record alone.
        callback(null, { ...session, cookie: { ...session.cookie, expires: null, originalMaxAge: null } });
      };
      const read = (key, keep) => {
        try {
          inner.get(key, (err, value) => {
            if (err) failure ??= err;
            else keep(value ?? null);
            done();
          });
        } catch (error) {
          failure ??= error;
          done();
        }
      };
      read(sid, (v) => (session = v));
      read(TOMB + sid, (v) => (tomb = v));
    }

    set(sid, session, callback = () => {}) {
      if (session?.autologoffLoad) return void callback(null); // a marker is never written back
      const value = { ...session, cookie: { ...(session?.cookie?.toJSON?.() ?? session?.cookie) } };
      if (isRecord(session?.autologoff)) {
        const deadline = deadlineOf(limitsOf(config, session.autologoff));
        if (deadline <= now()) return void callback(null); // over: the next read ends it
        value.cookie.expires = new Date(deadline);
      }
      put(sid, value)
        .then(() => get(TOMB + sid))
        .then((tomb) => (tomb ? del(sid) : null))
        .then(() => callback(null), (error) => callback(error));
    }

    destroy(sid, callback = () => {}) {
      del(sid).then(() => callback(null), (error) => callback(error));
    }

    touch(sid, session, callback = () => {}) {
      callback(null);
    }

    /** Ends `sid`: the tombstone first, then the record, so no reader ever finds it live again. */
    async end(sid, record, tombstone) {
      await put(TOMB + sid, { cookie: { expires: until(record) }, autologoffTombstone: tombstone });
      await del(sid);
    }

    /** Remembers which session a public id names, for a logout that names it. */
    async index(record, sid) {
      await put(INDEX + record.publicId, { cookie: { expires: until(record) }, autologoffSid: sid });
    }

    /** The sid a public id names, or null. */
    async lookup(publicId) {
      return (await get(INDEX + publicId))?.autologoffSid ?? null;
    }

    /**
     * The state of `sid` right now, synchronously, for stores that can peek (the MemoryStore):
     * for tests and introspection only; requests always go through get().
     */
    inspect(sid) {
      if (typeof inner.peek !== 'function') throw new Error('autologoff-server: inspect() needs a store with peek() (the MemoryStore)');
      const tomb = inner.peek(TOMB + sid);
      if (tomb) return { state: 'ended', tombstone: tomb.autologoffTombstone };
      return loadedState(inner.peek(sid));
    }

    /** Every session id the store holds a live record for (peeking stores only, as inspect()). */
    liveSids() {
      return inner.keys().filter((k) => !k.startsWith(TOMB) && !k.startsWith(INDEX) && this.inspect(k).state === 'live');
    }

    /** The loaded state of `sid` as the core takes it (for a logout that names another session). */
    async load(sid) {
      const session = await new Promise((resolve) => this.get(sid, (err, s) => resolve(s)));
      return loadedState(session);
    }
  }
  return new GuardedStore();
}

/** What the core takes from a framework session object (see session.assess). */
export function loadedState(session) {
  if (!session) return { state: 'none' };
  if (session.autologoffLoad) return session.autologoffLoad;
  if (isRecord(session.autologoff)) return { state: 'live', record: session.autologoff };
  return { state: 'none' }; // a session the portal keeps before sign-in: nobody's
}
