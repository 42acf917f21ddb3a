//! The audit trail (HIPAA 164.312(b)): structured events about the session, never PHI.
//!
//! Each event is a small JSON object: `type`, `at` (ms since the epoch), `tab` (this tab's id),
//! `channel`, the `policy` in force, and `reason` or `how` where they apply. Events go to the
//! page as `autologoff:audit` CustomEvents (so a portal can forward them to its own logging)
//! and, with `auditUrl`, to the server with `navigator.sendBeacon`, batched per step: one beacon
//! carries what one moment produced, and sending never blocks the page.

use crate::bug::SureCell;
use crate::prelude::*;
use core::cell::RefCell;
use wasm_bindgen::JsValue;

use super::dom;
use crate::config::push_uint;
use crate::engine::{Millis, Policy};

/// Collects audit events and sends them out. Holds no JS resource.
pub struct Audit {
    url: Option<String>,
    /// The fixed part of every event: tab, channel, policy.
    context: String,
    /// Events not yet dispatched/sent, as JSON objects.
    pending: RefCell<Vec<String>>,
}

impl Audit {
    /// An audit trail for this tab.
    pub fn new(url: Option<String>, tab: &str, channel: &str, policy: &Policy) -> Audit {
        let mut c = String::from(",\"tab\":\"");
        c.push_str(tab); // [0-9a-z]: nothing to escape
        c.push_str("\",\"channel\":\"");
        c.push_str(channel); // validated [A-Za-z0-9._-]
        c.push_str("\",\"policy\":{\"timeout\":");
        push_uint(&mut c, policy.timeout());
        c.push_str(",\"warning\":");
        push_uint(&mut c, policy.warning());
        c.push_str(",\"absolute\":");
        match policy.absolute() {
            Some(a) => push_uint(&mut c, a),
            None => c.push_str("null"),
        }
        c.push('}');
        Audit { url, context: c, pending: RefCell::new(Vec::new()) }
    }

    /// Records an event `kind` at `at`, with an optional detail field (`reason`, `how`, `status`)
    /// whose value is one of autologoff's own fixed words.
    pub fn record(&self, kind: &str, at: Millis, detail: Option<(&str, &str)>) {
        let mut e = String::from("{\"type\":\"");
        e.push_str(kind);
        e.push_str("\",\"at\":");
        push_uint(&mut e, at);
        e.push_str(&self.context);
        if let Some((key, value)) = detail {
            e.push_str(",\"");
            e.push_str(key);
            e.push_str("\":\"");
            e.push_str(value);
            e.push('"');
        }
        e.push('}');
        self.pending.sure_mut().push(e);
    }

    /// Dispatches pending events to the page and sends them in one beacon. Call with no borrow
    /// of the driver held: page listeners may call back into the session.
    pub fn flush(&self) {
        let events = core::mem::take(&mut *self.pending.sure_mut());
        if events.is_empty() {
            return;
        }
        for e in &events {
            if let Ok(detail) = js_sys::JSON::parse(e) {
                dom::dispatch("autologoff:audit", &detail);
            }
        }
        let Some(url) = &self.url else { return };
        let mut body = String::from("[");
        body.push_str(&events.join(","));
        body.push(']');
        let sent = dom::window().navigator().send_beacon_with_opt_str(url, Some(&body)).unwrap_or(false);
        if !sent {
            // The beacon queue is full (or beacons are blocked): a keepalive fetch instead.
            let init = web_sys::RequestInit::new();
            init.set_method("POST");
            init.set_body(&JsValue::from_str(&body));
            let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
            let _ = dom::window().fetch_with_str_and_init(url, &init);
        }
    }
}
