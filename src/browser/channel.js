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
 * given, the record's text ('' once removed) each time another tab writes it. Returns
 * `{ post(text), close() }`, or null when neither BroadcastChannel nor localStorage is usable
 * (the tab then runs alone).
 */
export function openChannel(key, heard, changed) {
  const channel = construct('BroadcastChannel', key);
  const storage = local();
  if (!channel && !storage) return null;
  const messages = key + ':msg';
  // One storage listener: the record's changes whatever carries the messages (a BroadcastChannel
  // just opened can miss a message posted while it registers, as in WebKit; the record's change
  // cannot be missed), and the messages themselves where there is no BroadcastChannel.
  const onStorage = (e) => {
    const name = get(e, 'key');
    const text = get(e, 'newValue');
    if (name === key) {
      if (changed) changed(typeof text === 'string' ? text : '');
    } else if (!channel && name === messages && typeof text === 'string') heard(text);
  };
  const onMessage = (e) => {
    const data = get(e, 'data');
    if (typeof data === 'string') heard(data);
  };
  if (storage) listen(window, 'storage', onStorage, false);
  if (channel) listen(channel, 'message', onMessage, false);
  return {
    post(text) {
      if (channel) return call1(channel, 'postMessage', text);
      const now = local();
      if (!now) return;
      // A storage event fires only when the value changes: cleared first, the same message
      // twice still arrives twice.
      call1(now, 'removeItem', messages);
      call2(now, 'setItem', messages, text);
    },
    close() {
      if (storage) unlisten(window, 'storage', onStorage, false);
      if (channel) {
        unlisten(channel, 'message', onMessage, false);
        call1(channel, 'close');
      }
    },
  };
}
