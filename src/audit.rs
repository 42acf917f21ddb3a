//! The audit trail's events (HIPAA 164.312(b)): small JSON objects about the session, never PHI.
//!
//! Each event has `type`, `at` (ms since the epoch), `tab` (the tab's id), `session` (the
//! session's identity on the wire, or `null`: see [`crate::config::Settings::identity`]),
//! `channel`, the `policy` in force, and `reason`, `how`, `status`, `field` or `what` where
//! they apply. The session core writes them; the browser side dispatches them to the page as
//! `autologoff:audit` and sends them to `auditUrl`, one batch per moment.

use crate::engine::Policy;
use crate::num::push_uint;
use crate::prelude::*;
use crate::time::Moment;

/// Writes audit events for one tab.
#[derive(Debug)]
pub struct Audit {
    /// The fixed part of every event: tab, session, channel, policy.
    context: String,
}

impl Audit {
    /// Events for tab `tab` of session `id` (empty: none) on `channel`, under `policy`.
    pub fn new(tab: &str, id: &str, channel: &str, policy: &Policy) -> Audit {
        // Tab ids and identities are [0-9a-z], channels [A-Za-z0-9._-]: nothing to escape.
        let mut c = String::from(",\"tab\":\"");
        c.push_str(tab);
        c.push_str("\",\"session\":");
        if id.is_empty() {
            c.push_str("null");
        } else {
            c.push('"');
            c.push_str(id);
            c.push('"');
        }
        c.push_str(",\"channel\":\"");
        c.push_str(channel);
        c.push_str("\",\"policy\":{\"timeout\":");
        push_uint(&mut c, policy.timeout().ms());
        c.push_str(",\"warning\":");
        push_uint(&mut c, policy.warning().ms());
        c.push_str(",\"absolute\":");
        match policy.absolute() {
            Some(a) => push_uint(&mut c, a.ms()),
            None => c.push_str("null"),
        }
        c.push('}');
        Audit { context: c }
    }

    /// The event `kind` at `at`, with an optional detail (`reason`, `how`, `status`, `field`,
    /// `what`) whose value is one of autologoff's own words or an option name.
    pub fn event(&self, kind: &str, at: Moment, detail: Option<(&str, &str)>) -> String {
        let mut e = String::from("{\"type\":\"");
        e.push_str(kind);
        e.push_str("\",\"at\":");
        push_uint(&mut e, at.epoch_ms());
        e.push_str(&self.context);
        if let Some((key, value)) = detail {
            e.push_str(",\"");
            e.push_str(key);
            e.push_str("\":\"");
            e.push_str(value);
            e.push('"');
        }
        e.push('}');
        e
    }
}
