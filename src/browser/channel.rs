//! The cross-tab transport and the shared session record: `channel.js` (a BroadcastChannel, or
//! localStorage's storage event where there is none; the record in localStorage), which the
//! fallback shares. This adapter owns the channel and closes it on `Drop`.

use crate::prelude::*;
use alloc::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::time::Moment;
use crate::wire::Record;

#[wasm_bindgen(module = "/src/browser/channel.js")]
extern "C" {
    /// An open channel as `channel.js` returns it.
    type Open;

    #[wasm_bindgen(js_name = openChannel)]
    fn open_channel(key: &str, heard: &Closure<dyn Fn(String)>, changed: &Closure<dyn Fn(String)>) -> Option<Open>;

    #[wasm_bindgen(method)]
    fn post(this: &Open, text: &str);

    #[wasm_bindgen(method)]
    fn close(this: &Open);

    #[wasm_bindgen(js_name = readRecord)]
    fn read_text(key: &str) -> Option<String>;

    #[wasm_bindgen(js_name = writeRecord)]
    fn write_text(key: &str, text: &str);
}

/// An open channel to the other tabs. Closing it (and removing its listener) happens on `Drop`.
#[must_use = "the channel closes as soon as it is dropped"]
pub struct Channel {
    open: Open,
    _heard: Closure<dyn Fn(String)>,
    _changed: Closure<dyn Fn(String)>,
}

impl Channel {
    /// Opens the channel `name`; `on_message` gets each message text from another tab, and
    /// `on_record` the record each time another tab writes it. `None` when neither
    /// BroadcastChannel nor localStorage is usable (the tab then runs alone).
    pub fn open(name: &str, on_message: Rc<dyn Fn(String)>, on_record: Rc<dyn Fn(Option<String>)>) -> Option<Channel> {
        let heard = Closure::<dyn Fn(String)>::new(move |text: String| on_message(text));
        // The same closure type as `heard` (one wasm-bindgen shim for both): "" is no record.
        let changed = Closure::<dyn Fn(String)>::new(move |text: String| on_record((!text.is_empty()).then_some(text)));
        let open = open_channel(&key(name), &heard, &changed)?;
        Some(Channel { open, _heard: heard, _changed: changed })
    }

    /// Posts `text` to every other tab on the channel.
    pub fn post(&self, text: &str) {
        self.open.post(text);
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.open.close();
    }
}

/// `autologoff:<name>`: the BroadcastChannel name and the record's localStorage key.
pub fn key(name: &str) -> String {
    let mut k = String::from("autologoff:");
    k.push_str(name);
    k
}

/// Reads the shared record of channel `name`, if there is a valid one.
pub fn read_record(name: &str, now: Moment) -> Option<Record> {
    Record::decode(&read_text(&key(name))?, now)
}

/// Writes the shared record of channel `name`, already encoded (silently nothing where storage
/// is unusable).
pub fn write_record(name: &str, record: &str) {
    write_text(&key(name), record);
}
