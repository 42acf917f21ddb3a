// An in-memory session store with the express-session store interface (get, set, destroy), for
// one instance and for tests. Entries expire at their cookie's `expires`, as connect-redis's do,
// so tombstones and records leave by themselves. Values are kept as JSON, as a real store keeps
// them: a request never holds a live reference into the store.
import { EventEmitter } from 'node:events';

export class MemoryStore extends EventEmitter {
  #entries = new Map(); // key -> { json, expiresAt }
  #now;

  /** `now`: the clock used for expiry (tests give a fake one). */
  constructor({ now = Date.now } = {}) {
    super();
    this.#now = now;
  }

  /** The stored value of `key`, parsed, or null (synchronous: for tests and introspection). */
  peek(key) {
    const e = this.#entries.get(key);
    if (!e) return null;
    if (e.expiresAt !== null && e.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return null;
    }
    return JSON.parse(e.json);
  }

  /** Every live key. */
  keys() {
    return [...this.#entries.keys()].filter((k) => this.peek(k) !== null);
  }

  get(key, callback) {
    let value;
    try {
      value = this.peek(key);
    } catch (error) {
      return queueMicrotask(() => callback(error));
    }
    queueMicrotask(() => callback(null, value));
  }

  set(key, value, callback = () => {}) {
    const expires = value?.cookie?.expires;
    const expiresAt = expires ? new Date(expires).getTime() : null;
    this.#entries.set(key, { json: JSON.stringify(value), expiresAt: Number.isFinite(expiresAt) ? expiresAt : null });
    queueMicrotask(() => callback(null));
  }

  destroy(key, callback = () => {}) {
    this.#entries.delete(key);
    queueMicrotask(() => callback(null));
  }

  /** Sliding a TTL on a read is what a poll must never do: a no-op. */
  touch(key, value, callback = () => {}) {
    queueMicrotask(() => callback(null));
  }
}
