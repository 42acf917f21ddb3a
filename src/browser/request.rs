//! Requests to the portal's server (docs/protocol.md): `request.js`, which the fallback shares.
//! Each reports what happened, as it happened (`{ status, redirected, html, body }`, status 0
//! for no answer); the session core decides what it means.

use crate::prelude::*;
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::dom;
use crate::session::Reply;

#[wasm_bindgen(module = "/src/browser/request.js")]
extern "C" {
    /// POSTs a form body with credentials and the CSRF token in `header` (`token`, else the
    /// page's `<meta name="csrf-token">`); `keepalive` lets it outlive the page.
    pub fn post(url: &str, body: &str, header: &str, token: Option<String>, keepalive: bool) -> Promise;
    /// GETs the status URL.
    pub fn status(url: &str) -> Promise;
    /// `navigator.sendBeacon` with the form body and the token as a `_csrf` field; whether the
    /// browser queued it.
    pub fn beacon(url: &str, body: &str, token: Option<String>) -> bool;
    /// Sends audit events (a JSON array) with a beacon, or a keepalive fetch.
    pub fn audit(url: &str, body: &str);
}

/// The facts a request came to, as the core reads them.
pub fn reply(facts: &JsValue) -> Reply {
    let status = dom::get(facts, "status").as_f64().unwrap_or(0.0) as u16;
    Reply {
        status: (status != 0).then_some(status),
        redirected: dom::get(facts, "redirected").is_truthy(),
        html: dom::get(facts, "html").is_truthy(),
        body: dom::text_of(facts, "body").unwrap_or_default(),
    }
}
