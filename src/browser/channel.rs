//! The cross-tab transport and the shared session record.
//!
//! Messages go over a `BroadcastChannel` named `autologoff:<channel>`; where BroadcastChannel is
//! missing they go through localStorage, whose `storage` event reaches the other tabs of the
//! origin (<https://html.spec.whatwg.org/multipage/webstorage.html#the-storage-event>). The
//! record (`localStorage["autologoff:<channel>"]`) holds the last activity and the logout time,
//! so a tab that starts late, or wakes from the back/forward cache or a freeze, reads the
//! session's real deadline instead of starting a fresh one.

use crate::prelude::*;
use alloc::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, Event, MessageEvent, StorageEvent};

use super::dom;
use super::listener::Listener;
use crate::engine::Millis;
use crate::wire::Record;

/// An open channel to the other tabs. Closing it (and removing its listener) happens on `Drop`.
#[must_use = "the channel closes as soon as it is dropped"]
pub struct Channel {
    transport: Transport,
    _listener: Listener,
}

enum Transport {
    Broadcast(BroadcastChannel),
    /// The storage-event fallback, posting through this localStorage key.
    Storage(String),
}

impl Channel {
    /// Opens the channel `name`; `on_message` gets each message text from another tab.
    /// `None` when neither BroadcastChannel nor localStorage is usable (the tab then runs alone).
    pub fn open(name: &str, on_message: Rc<dyn Fn(String)>) -> Option<Channel> {
        let full = key(name);
        if let Ok(channel) = BroadcastChannel::new(&full) {
            let listener = Listener::new(&channel, "message", move |e: &Event| {
                let data = e.unchecked_ref::<MessageEvent>().data();
                if let Some(text) = data.as_string() {
                    on_message(text);
                }
            });
            return Some(Channel { transport: Transport::Broadcast(channel), _listener: listener });
        }
        dom::window().local_storage().ok().flatten()?;
        let message_key = message_key(name);
        let listen_key = message_key.clone();
        let listener = Listener::new(&dom::window(), "storage", move |e: &Event| {
            let e = e.unchecked_ref::<StorageEvent>();
            if e.key().as_deref() == Some(listen_key.as_str()) {
                if let Some(text) = e.new_value() {
                    on_message(text);
                }
            }
        });
        Some(Channel { transport: Transport::Storage(message_key), _listener: listener })
    }

    /// Posts `text` to every other tab on the channel.
    pub fn post(&self, text: &str) {
        match &self.transport {
            Transport::Broadcast(channel) => {
                let _ = channel.post_message(&text.into());
            }
            Transport::Storage(key) => {
                if let Ok(Some(storage)) = dom::window().local_storage() {
                    // A storage event fires only when the value changes: clear it first so
                    // the same message twice still arrives twice.
                    let _ = storage.remove_item(key);
                    let _ = storage.set_item(key, text);
                }
            }
        }
    }
}

impl Channel {
    /// Whether this channel uses the storage-event fallback.
    pub fn is_fallback(&self) -> bool {
        matches!(self.transport, Transport::Storage(_))
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        if let Transport::Broadcast(channel) = &self.transport {
            channel.close();
        }
    }
}

/// `autologoff:<name>`: the BroadcastChannel name and the record's localStorage key.
pub fn key(name: &str) -> String {
    let mut k = String::from("autologoff:");
    k.push_str(name);
    k
}

fn message_key(name: &str) -> String {
    let mut k = key(name);
    k.push_str(":msg");
    k
}

/// Reads the shared record of channel `name`, if there is a valid one.
pub fn read_record(name: &str, now: Millis) -> Option<Record> {
    let storage = dom::window().local_storage().ok().flatten()?;
    let text = storage.get_item(&key(name)).ok().flatten()?;
    Record::decode(&text, now)
}

/// Writes the shared record of channel `name`, already encoded (silently nothing where storage
/// is unusable).
pub fn write_record(name: &str, record: &str) {
    if let Ok(Some(storage)) = dom::window().local_storage() {
        let _ = storage.set_item(&key(name), record);
    }
}
