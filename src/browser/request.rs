//! Requests to the portal's server: the logout and keepalive POSTs, the beacon fallback, the
//! audit batches.

use crate::prelude::*;
use js_sys::{Object, Promise};
use wasm_bindgen::JsValue;

use super::dom::{self, call1, call2, get, set};
use crate::config::Settings;

/// POSTs a form-encoded `body` to `url` with credentials and the CSRF header (if there is a
/// token). Form encoding is a CORS-safelisted content type: no preflight for cross-origin
/// endpoints unless a CSRF header is added. `None` when `fetch()` itself throws (the page is
/// unloading, the keepalive quota is spent).
pub fn post(url: &str, body: &str, settings: &Settings, keepalive: bool) -> Option<Promise> {
    let headers = Object::new();
    set(&headers, "Content-Type", &"application/x-www-form-urlencoded;charset=UTF-8".into());
    if let Some(token) = csrf_token(settings) {
        set(&headers, &settings.csrf_header, &token.into());
    }
    let init = Object::new();
    set(&init, "method", &"POST".into());
    set(&init, "credentials", &"include".into());
    set(&init, "headers", &headers);
    set(&init, "body", &body.into());
    // keepalive lets the request outlive the page: https://fetch.spec.whatwg.org/#request-keepalive-flag
    set(&init, "keepalive", &keepalive.into());
    dom::promise(call2(&dom::window(), "fetch", &url.into(), &init))
}

/// GETs `url` with credentials (the status request: it changes nothing, so it needs no CSRF
/// token). `None` when `fetch()` itself throws.
pub fn fetch_status(url: &str) -> Option<Promise> {
    let init = Object::new();
    set(&init, "credentials", &"include".into());
    set(&init, "cache", &"no-store".into());
    dom::promise(call2(&dom::window(), "fetch", &url.into(), &init))
}

/// Sends `body` to `url` with `navigator.sendBeacon`, as a form, with the CSRF token as a
/// `_csrf` field (a beacon cannot carry headers). Returns whether the browser queued it;
/// whether it arrives is unknowable.
pub fn beacon(url: &str, body: &str, settings: &Settings) -> bool {
    let form = dom::construct("URLSearchParams", &body.into());
    if let Some(token) = csrf_token(settings) {
        call2(&form, "append", &"_csrf".into(), &token.into());
    }
    call2(&navigator(), "sendBeacon", &url.into(), &form).is_truthy()
}

/// Sends audit events (a JSON array) to `url` with a beacon, or a keepalive fetch when the
/// beacon queue is full (or beacons are blocked). Never blocks the page.
pub fn audit(url: &str, body: &str) {
    let sent = call2(&navigator(), "sendBeacon", &url.into(), &body.into()).is_truthy();
    if !sent {
        let init = Object::new();
        set(&init, "method", &"POST".into());
        set(&init, "body", &body.into());
        set(&init, "keepalive", &JsValue::TRUE);
        call2(&dom::window(), "fetch", &url.into(), &init);
    }
}

fn navigator() -> JsValue {
    get(&dom::window(), "navigator")
}

/// The CSRF token: the `csrfToken` option, else `<meta name="csrf-token" content="…">`.
fn csrf_token(settings: &Settings) -> Option<String> {
    settings.csrf_token.clone().or_else(|| {
        let meta = call1(&dom::document(), "querySelector", &"meta[name=\"csrf-token\"]".into());
        dom::text_of(&meta, "content").filter(|t| !t.is_empty())
    })
}
