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
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Event;

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
    Broadcast(JsValue),
    /// The storage-event fallback, posting through this localStorage key.
    Storage(String),
}

impl Channel {
    /// Opens the channel `name`; `on_message` gets each message text from another tab.
    /// `None` when neither BroadcastChannel nor localStorage is usable (the tab then runs alone).
    pub fn open(name: &str, on_message: Rc<dyn Fn(String)>) -> Option<Channel> {
        let full = key(name);
        let channel = dom::construct("BroadcastChannel", &full.into());
        if !channel.is_undefined() {
            let listener = Listener::new(channel.unchecked_ref(), "message", move |e: &Event| {
                if let Some(text) = dom::text_of(e, "data") {
                    on_message(text);
                }
            });
            return Some(Channel { transport: Transport::Broadcast(channel), _listener: listener });
        }
        dom::local_storage()?;
        let message_key = message_key(name);
        let listen_key = message_key.clone();
        let listener = Listener::new(&dom::window(), "storage", move |e: &Event| {
            if dom::text_of(e, "key").as_deref() == Some(listen_key.as_str()) {
                if let Some(text) = dom::text_of(e, "newValue") {
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
                dom::call1(channel, "postMessage", &text.into());
            }
            Transport::Storage(key) => {
                if let Some(storage) = dom::local_storage() {
                    // A storage event fires only when the value changes: clear it first so
                    // the same message twice still arrives twice.
                    dom::remove_item(&storage, key);
                    dom::set_item(&storage, key, text);
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
            dom::call0(channel, "close");
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
    let text = dom::item(&dom::local_storage()?, &key(name))?;
    Record::decode(&text, now)
}

/// Writes the shared record of channel `name`, already encoded (silently nothing where storage
/// is unusable).
pub fn write_record(name: &str, record: &str) {
    if let Some(storage) = dom::local_storage() {
        dom::set_item(&storage, &key(name), record);
    }
}
