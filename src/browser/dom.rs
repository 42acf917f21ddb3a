//! Small DOM helpers shared by the adapters. Everything is built with `createElement`,
//! `textContent` and CSSOM properties, never `innerHTML` or style strings, so it runs under a
//! strict Content-Security-Policy (`style-src 'self'`) and Trusted Types.

use crate::bug::Sure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlElement, Window};

/// The page's window. Only called from code that runs in a page, where it always exists.
pub fn window() -> Window {
    web_sys::window().sure("autologoff's browser adapters run only in a window")
}

/// The page's document.
pub fn document() -> Document {
    window().document().sure("a window always has a document")
}

/// Wall-clock now, in ms since the epoch: deadlines are judged against it, not against a
/// monotonic clock, so sleep and throttled tabs are measured in real time.
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// `performance.now()`: milliseconds on a clock that is never set, only counts (0 without one).
pub fn monotonic() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

/// `document.createElement(tag)` with attributes. Tags here are constants, so creation cannot fail.
pub fn element(tag: &str, attributes: &[(&str, &str)]) -> HtmlElement {
    let el: HtmlElement = document()
        .create_element(tag)
        .sure("creating an element with a constant, valid tag name does not fail")
        .unchecked_into();
    for (name, value) in attributes {
        set_attribute(&el, name, value);
    }
    el
}

/// `setAttribute` for constant, valid attribute names (which cannot fail).
pub fn set_attribute(el: &Element, name: &str, value: &str) {
    let _ = el.set_attribute(name, value);
}

/// Sets CSS properties through CSSOM. CSP's `style-src` governs style sheets and `style=""`
/// strings, not CSSOM property writes, so these work under a strict policy.
pub fn style(el: &HtmlElement, properties: &[(&str, &str)]) {
    let s = el.style();
    for (name, value) in properties {
        let _ = s.set_property(name, value);
    }
}

/// An element with text content.
pub fn text_element(tag: &str, attributes: &[(&str, &str)], text: &str) -> HtmlElement {
    let el = element(tag, attributes);
    el.set_text_content(Some(text));
    el
}

/// Dispatches `name` as a CustomEvent on `document` with `detail`.
pub fn dispatch(name: &str, detail: &JsValue) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = document().dispatch_event(&event);
    }
}

/// A plain JS object from key/value pairs.
pub fn object(pairs: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}
