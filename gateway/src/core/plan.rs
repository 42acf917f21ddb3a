//! What the core decides, for the adapters to perform.

use super::answer::Answer;
use super::session::{Record, SessionKey, Tombstone};
use autologoff_protocol::{Duration, Moment};

/// One thing to do besides answering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Store a new session, only if nothing (live or ended) is stored under `key`; index its
    /// public id. The store's expiry is `ttl`.
    Create {
        /// Its key.
        key: SessionKey,
        /// The session.
        record: Record,
        /// The store's expiry: the time to its deadline.
        ttl: Duration,
    },
    /// Count activity: `last_active` = max(stored, `at`), only if the session is still live in
    /// the store (a request in flight during a logout can never bring it back).
    Touch {
        /// Its key.
        key: SessionKey,
        /// The activity's time.
        at: Moment,
        /// The store's expiry: the time to the new deadline.
        ttl: Duration,
    },
    /// End a session: a tombstone replaces it (a tombstone already there is kept, with its
    /// reason), kept for `ttl`, at least to the original absolute deadline.
    End {
        /// Its key.
        key: SessionKey,
        /// What is left of it.
        tombstone: Tombstone,
        /// How long to keep the tombstone.
        ttl: Duration,
    },
    /// End the session at the portal too: call its sign-out with this request's cookies.
    SignOutAtPortal,
    /// Write an event to the audit trail.
    Audit(AuditEvent),
}

/// An event for the audit trail: a page's (checked against the schema) or the gateway's own.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEvent {
    /// Sent by a page (`via: "client"`), else the gateway's own (`via: "server"`).
    pub client: bool,
    /// The signed-in user, if known.
    pub user: Option<String>,
    /// The public id of the session.
    pub session: Option<String>,
    /// The event: `{"type":…, …}`.
    pub event: serde_json::Value,
}

impl Eq for AuditEvent {}

/// The session a request belongs to, live when it was judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveSession {
    /// Its key.
    pub key: SessionKey,
    /// Its record.
    pub record: Record,
}

/// Forward the request to the portal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Forward {
    /// Remove the portal's session cookie from the request (an ended or unknown session must not
    /// reach the portal, even on its sign-in page).
    pub strip_cookie: bool,
    /// Expire the cookie in the browser (added to the portal's answer unless it sets the cookie).
    pub expire_cookie: bool,
    /// The live session the request belongs to.
    pub session: Option<LiveSession>,
}

/// Forward, or answer here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// To the portal.
    Forward(Forward),
    /// The gateway's own answer.
    Answer(Answer),
}

/// The decision for a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// To perform first, in order.
    pub effects: Vec<Effect>,
    /// Then this.
    pub outcome: Outcome,
}

impl Plan {
    /// An answer with no effects.
    pub fn answer(answer: Answer) -> Plan {
        Plan { effects: Vec::new(), outcome: Outcome::Answer(answer) }
    }
}

/// The decision for the portal's answer to a forwarded request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResponsePlan {
    /// To perform before the answer goes to the browser.
    pub effects: Vec<Effect>,
    /// The script tag and its settings to put into the page, if it is HTML of a live session.
    pub inject: Option<String>,
    /// Send `Cache-Control: no-store` (HTML: never PHI from a cache).
    pub no_store: bool,
}
