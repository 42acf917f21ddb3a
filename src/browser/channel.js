// The cross-tab transport and the shared record's storage, for the module and the fallback
// alike (they speak the same format: src/wire.rs, pkg-template/rules.js).
//
// Messages go over a BroadcastChannel named `autologoff:<channel>`; where there is none they go
// through localStorage, whose `storage` event reaches the other tabs of the origin
// (https://html.spec.whatwg.org/multipage/webstorage.html#the-storage-event). The record lives in
// `localStorage["autologoff:<channel>"]`, so a tab that starts late, or wakes from the
// back/forward cache or a freeze, reads the session's real deadline.
import { call1, call2, construct, get, listen, unlisten } from './calls.js';

/** localStorage, or null where it may not be used (a sandboxed frame, storage disabled). */
function local() {
  return get(window, 'localStorage') || null;
}

/** The record's text (`null`: none, or no storage). */
export function readRecord(key) {
  const storage = local();
  const text = storage && call1(storage, 'getItem', key);
  return typeof text === 'string' ? text : null;
}

/** Writes the record's text (nothing where storage is unusable). */
export function writeRecord(key, text) {
  const storage = local();
  if (storage) call2(storage, 'setItem', key, text);
}

/**
 * Opens the channel `key`; `heard(text)` gets each message from another tab, and `changed`, if
 * given, the record's text (or null) each time another tab writes it. Returns
 * `{ post(text), close() }`, or null when neither BroadcastChannel nor localStorage is usable
 * (the tab then runs alone).
 */
export function openChannel(key, heard, changed) {
  const channel = construct('BroadcastChannel', key);
  // The record's own storage event, whatever carries the messages: a BroadcastChannel just
  // opened can miss a message posted while it registers (WebKit), the record's change cannot be.
  const onRecord = (e) => {
    if (get(e, 'key') !== key) return;
    const text = get(e, 'newValue');
    if (changed) changed(typeof text === 'string' ? text : null);
  };
  if (changed && local()) listen(window, 'storage', onRecord, false);
  const stopRecord = () => {
    if (changed) unlisten(window, 'storage', onRecord, false);
  };
  if (channel) {
    const onMessage = (e) => {
      const data = get(e, 'data');
      if (typeof data === 'string') heard(data);
    };
    listen(channel, 'message', onMessage, false);
    return {
      post: (text) => call1(channel, 'postMessage', text),
      close() {
        unlisten(channel, 'message', onMessage, false);
        call1(channel, 'close');
        stopRecord();
      },
    };
  }
  if (!local()) {
    stopRecord();
    return null;
  }
  const messages = key + ':msg';
  const onStorage = (e) => {
    const text = get(e, 'newValue');
    if (get(e, 'key') === messages && typeof text === 'string') heard(text);
  };
  listen(window, 'storage', onStorage, false);
  return {
    post(text) {
      const storage = local();
      if (!storage) return;
      // A storage event fires only when the value changes: cleared first, the same message
      // twice still arrives twice.
      call1(storage, 'removeItem', messages);
      call2(storage, 'setItem', messages, text);
    },
    close() {
      unlisten(window, 'storage', onStorage, false);
      stopRecord();
    },
  };
}
