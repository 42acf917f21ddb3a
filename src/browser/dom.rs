//! Small DOM helpers shared by the adapters, and the generic host calls of the cold paths
//! (`calls.js`): a property or method by name instead of one wasm-bindgen shim per distinct
//! browser call, which keeps the module and its glue small. The names are looked up the way the
//! browser defines them, never as page markup shadows them (DOM clobbering: see calls.js), and
//! a call that throws gives `undefined` and is reported. Everything is built with
//! `createElement`, `textContent` and CSSOM, never `innerHTML`, so it runs under a strict
//! Content-Security-Policy (`style-src 'self'`) and Trusted Types.

use crate::bug::Sure;
use crate::prelude::*;
use crate::time::{Moment, Monotonic};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, HtmlElement, Window};

#[wasm_bindgen(module = "/src/browser/calls.js")]
extern "C" {
    /// `o[k]` (`undefined` if reading it throws).
    pub fn get(o: &JsValue, k: &str) -> JsValue;
    /// `o[k] = v` (nothing if refused).
    pub fn set(o: &JsValue, k: &str, v: &JsValue);
    /// `o[m]()` (`undefined` if it is missing or throws).
    pub fn call0(o: &JsValue, m: &str) -> JsValue;
    /// `o[m](a)`.
    pub fn call1(o: &JsValue, m: &str, a: &JsValue) -> JsValue;
    /// `o[m](a, b)`.
    pub fn call2(o: &JsValue, m: &str, a: &JsValue, b: &JsValue) -> JsValue;
    /// `new globalThis[c](a)` (`undefined` where it is missing or throws).
    pub fn construct(c: &str, a: &JsValue) -> JsValue;
    /// An element with attributes (`name=value` lines: constants of the module only, never
    /// a value from a page or the settings; those go through [`attr`]), CSS declarations
    /// (CSSOM) and text.
    pub fn el(tag: &str, attrs: &str, css: &str, text: &str) -> HtmlElement;
    /// Calls method `m` of every element `selector` matches in `root`.
    pub fn each(root: &JsValue, selector: &str, m: &str);
    /// Dispatches `name` as a CustomEvent on `document` with `detail`.
    pub fn emit(name: &str, detail: &JsValue);
    /// `target.addEventListener(kind, f, capture)`, with the browser's own method.
    pub fn listen(target: &JsValue, kind: &str, f: &JsValue, capture: bool);
    /// `target.removeEventListener(kind, f, capture)`.
    pub fn unlisten(target: &JsValue, kind: &str, f: &JsValue, capture: bool);
    /// The browser calls that failed since the last time, comma-separated (empty: none).
    pub fn failures() -> String;
}

/// `target.setAttribute(name, value)`.
pub fn attr(target: &JsValue, name: &str, value: &str) {
    call2(target, "setAttribute", &name.into(), &value.into());
}

/// `value` as a promise, if it is a thenable (no `instanceof` check: one import fewer, and a
/// promise of another realm counts).
pub fn promise(value: JsValue) -> Option<js_sys::Promise> {
    get(&value, "then").is_function().then(|| value.unchecked_into())
}

/// `o[k]` as a string, if it is one.
pub fn text_of(o: &JsValue, k: &str) -> Option<String> {
    get(o, k).as_string()
}

/// `window[name]` (`localStorage`, `sessionStorage`, `indexedDB`, `caches`, ...), if it exists
/// and may be read (storage throws in a sandboxed frame).
pub fn global(name: &str) -> Option<JsValue> {
    let v = get(&window(), name);
    (!v.is_undefined() && !v.is_null()).then_some(v)
}

/// `localStorage`, if it may be used.
pub fn local_storage() -> Option<JsValue> {
    global("localStorage")
}

/// `storage.getItem(key)`.
pub fn item(storage: &JsValue, key: &str) -> Option<String> {
    call1(storage, "getItem", &key.into()).as_string()
}

/// `storage.setItem(key, value)` (nothing if refused: storage full or disabled).
pub fn set_item(storage: &JsValue, key: &str, value: &str) {
    call2(storage, "setItem", &key.into(), &value.into());
}

/// `storage.removeItem(key)`.
pub fn remove_item(storage: &JsValue, key: &str) {
    call1(storage, "removeItem", &key.into());
}

/// The page's window. Only called from code that runs in a page.
pub fn window() -> Window {
    // The global object of a page is its window; no `instanceof` check (one more import) needed.
    js_sys::global().unchecked_into()
}

/// The page's document.
pub fn document() -> Document {
    let document = get(&window(), "document");
    (!document.is_undefined()).then_some(document).sure("a window always has a document").unchecked_into()
}

/// Wall-clock now, in ms since the epoch: deadlines are judged against it, not against a
/// monotonic clock, so sleep and throttled tabs are measured in real time.
pub fn now() -> Moment {
    moment(js_sys::Date::now())
}

/// `performance.now()`: a clock that is never set, only counts (0 without one).
pub fn monotonic() -> Monotonic {
    Monotonic::from_ms(call0(&get(&window(), "performance"), "now").as_f64().unwrap_or(0.0) as u64)
}

/// A time as JavaScript holds it: ms since the epoch (whole ms; 0, the epoch, where tap.js has
/// recorded no input yet).
pub fn moment(ms: f64) -> Moment {
    Moment::from_epoch_ms(ms as u64)
}

/// A moment as a JavaScript number (ms since the epoch: an `f64` holds every one a clock gives
/// exactly; [`Moment::MAX`], "never", becomes a time as remote).
pub fn js_time(at: Moment) -> f64 {
    at.epoch_ms() as f64
}

/// `document.createElement(tag)` with attributes (values from anywhere: set one by one).
pub fn element(tag: &str, attributes: &[(&str, &str)]) -> HtmlElement {
    let el = el(tag, "", "", "");
    for (name, value) in attributes {
        attr(&el, name, value);
    }
    el
}

/// A plain JS object from key/value pairs.
pub fn object(pairs: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        set(&o, k, v);
    }
    o
}

/// `console[level](message)`.
pub fn console(level: &str, message: &str) {
    call1(&get(&window(), "console"), level, &message.into());
}
