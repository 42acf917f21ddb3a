//! Requests to the portal's server: the logout and keepalive POSTs, the beacon fallback, the
//! audit batches.

use crate::prelude::*;
use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{RequestCredentials, RequestInit};

use super::dom;
use crate::config::Settings;

/// POSTs a form-encoded `body` to `url` with credentials and the CSRF header (if there is a
/// token). Form encoding is a CORS-safelisted content type: no preflight for cross-origin
/// endpoints unless a CSRF header is added. `Err` when `fetch()` itself throws (the page is
/// unloading, the keepalive quota is spent).
pub fn post(url: &str, body: &str, settings: &Settings, keepalive: bool) -> Result<Promise, JsValue> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_credentials(RequestCredentials::Include);
    let headers = web_sys::Headers::new()?;
    headers.set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")?;
    if let Some(token) = csrf_token(settings) {
        headers.set(&settings.csrf_header, &token)?;
    }
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    if keepalive {
        // keepalive lets the request outlive the page: https://fetch.spec.whatwg.org/#request-keepalive-flag
        Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE)?;
    }
    let fetch = Reflect::get(&dom::window(), &"fetch".into())?.unchecked_into::<js_sys::Function>();
    fetch.call2(&dom::window(), &url.into(), &init)?.dyn_into::<Promise>()
}

/// Sends `body` to `url` with `navigator.sendBeacon`, as a form, with the CSRF token as a
/// `_csrf` field (a beacon cannot carry headers). Returns whether the browser queued it;
/// whether it arrives is unknowable.
pub fn beacon(url: &str, body: &str, settings: &Settings) -> bool {
    let mut body = String::from(body);
    if let Some(token) = csrf_token(settings) {
        body.push_str("&_csrf=");
        body.push_str(&js_sys::encode_uri_component(&token).as_string().unwrap_or_default());
    }
    let Ok(form) = web_sys::UrlSearchParams::new_with_str(&body) else { return false };
    dom::window().navigator().send_beacon_with_opt_url_search_params(url, Some(&form)).unwrap_or(false)
}

/// Sends audit events (a JSON array) to `url` with a beacon, or a keepalive fetch when the
/// beacon queue is full (or beacons are blocked). Never blocks the page.
pub fn audit(url: &str, body: &str) {
    let sent = dom::window().navigator().send_beacon_with_opt_str(url, Some(body)).unwrap_or(false);
    if !sent {
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&JsValue::from_str(body));
        let _ = Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
        let _ = dom::window().fetch_with_str_and_init(url, &init);
    }
}

/// The CSRF token: the `csrfToken` option, else `<meta name="csrf-token" content="…">`.
fn csrf_token(settings: &Settings) -> Option<String> {
    settings.csrf_token.clone().or_else(|| {
        let meta = dom::document().query_selector("meta[name=\"csrf-token\"]").ok().flatten()?;
        meta.get_attribute("content").filter(|t| !t.is_empty())
    })
}
