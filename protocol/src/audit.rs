//! The audit trail's schema (docs/protocol.md 3.4 and 6): which events a page may send, the
//! fields each may have and their types, the limits of a batch, and the envelope the server
//! stamps around each event it stores.
//!
//! The schema is data ([`FIELDS`], [`CLIENT_TYPES`], …) so that any server can apply it with its
//! own JSON library; with the `json` feature, [`check_event`] applies it to a `serde_json` value.

/// The most bytes an audit batch may have (413 `too-large` past it).
pub const MAX_BATCH_BYTES: usize = 65_536;
/// The most events in one batch (413 `too-many-events` past it).
pub const MAX_BATCH_EVENTS: usize = 100;
/// The longest string a field may hold, in characters.
pub const MAX_STRING_CHARS: usize = 200;

/// The event types a page sends.
pub const CLIENT_TYPES: [&str; 11] = [
    "session-started",
    "warning-shown",
    "extended",
    "expired",
    "logged-out",
    "logout-request-failed",
    "logout-retried",
    "config-error",
    "clear-incomplete",
    "fallback-engaged",
    "channel-shared",
];

/// The event types a server writes itself (`via: "server"`).
pub const SERVER_TYPES: [&str; 4] = ["session-created", "logged-out", "expired", "refused"];

/// What type a field's value must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// One of [`CLIENT_TYPES`].
    EventType,
    /// A whole number of ms since the epoch (at least 0, at most 2^53 − 1).
    EpochMs,
    /// A string of at most [`MAX_STRING_CHARS`] characters.
    Text,
    /// A string, or `null`.
    TextOrNull,
    /// `{timeout, warning, absolute}`: whole ms, `absolute` may be `null`.
    Policy,
    /// `true` or `false`.
    Boolean,
}

/// The fields a client event may have, and their types. Any other field is dropped.
pub const FIELDS: [(&str, FieldType); 12] = [
    ("type", FieldType::EventType),
    ("at", FieldType::EpochMs),
    ("tab", FieldType::Text),
    ("session", FieldType::TextOrNull),
    ("channel", FieldType::Text),
    ("policy", FieldType::Policy),
    ("reason", FieldType::Text),
    ("how", FieldType::Text),
    ("status", FieldType::Text),
    ("field", FieldType::Text),
    ("what", FieldType::Text),
    ("fallback", FieldType::Boolean),
];

/// Fields every client event must have.
pub const REQUIRED: [&str; 2] = ["type", "at"];

/// The members of the `policy` field.
pub const POLICY_MEMBERS: [&str; 3] = ["timeout", "warning", "absolute"];

/// The type of a client event's field `name`, if it is one.
pub fn field_type(name: &str) -> Option<FieldType> {
    FIELDS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The envelope a server writes around each event, one JSON object a line. `receivedAt`, `user`
/// and `session` are the server's, never from the request body; the client's event sits whole
/// under `event`, so no client field can overwrite them.
pub mod envelope {
    /// When the server received the event: UTC, ISO 8601 with ms (see `Moment::iso8601`).
    pub const RECEIVED_AT: &str = "receivedAt";
    /// The signed-in user of the session the cookie carries, or `null`.
    pub const USER: &str = "user";
    /// The public id of the session the cookie carries, or `null`.
    pub const SESSION: &str = "session";
    /// `client` (sent by a page) or `server` (the server's own event).
    pub const VIA: &str = "via";
    /// The event itself.
    pub const EVENT: &str = "event";
    /// `via` of an event a page sent.
    pub const VIA_CLIENT: &str = "client";
    /// `via` of a server's own event.
    pub const VIA_SERVER: &str = "server";
}

/// Why one event of a batch was rejected (its neighbours are kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventError {
    /// The event is not a JSON object.
    NotObject,
    /// A required field is missing.
    Missing(&'static str),
    /// `type` is not one of the client's event types.
    UnknownType,
    /// A field has a value of the wrong type.
    WrongType(&'static str),
    /// A string is longer than [`MAX_STRING_CHARS`].
    TooLong(&'static str),
}

impl EventError {
    /// The error's word in the `rejected` list of an audit answer.
    pub const fn code(self) -> &'static str {
        match self {
            EventError::NotObject => "not-an-object",
            EventError::Missing(_) => "missing-field",
            EventError::UnknownType => "unknown-type",
            EventError::WrongType(_) => "wrong-type",
            EventError::TooLong(_) => "too-long",
        }
    }

    /// The field concerned, if any.
    pub const fn field(self) -> Option<&'static str> {
        match self {
            EventError::NotObject => None,
            EventError::UnknownType => Some("type"),
            EventError::Missing(f) | EventError::WrongType(f) | EventError::TooLong(f) => Some(f),
        }
    }
}

/// The largest whole number a JSON number holds exactly (2^53 − 1).
pub const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// Whether a string is short enough for any field.
pub fn short_enough(s: &str) -> bool {
    s.chars().count() <= MAX_STRING_CHARS
}

#[cfg(feature = "json")]
mod json {
    use super::*;
    use serde_json::{Map, Value};

    fn whole_ms(v: &Value) -> bool {
        v.as_u64().is_some_and(|n| n <= MAX_SAFE_INTEGER)
    }

    fn check_field(name: &'static str, ty: FieldType, v: &Value) -> Result<(), EventError> {
        let text = |v: &Value| match v.as_str() {
            Some(s) if short_enough(s) => Ok(()),
            Some(_) => Err(EventError::TooLong(name)),
            None => Err(EventError::WrongType(name)),
        };
        match ty {
            FieldType::EventType => match v.as_str() {
                Some(s) if CLIENT_TYPES.contains(&s) => Ok(()),
                Some(_) => Err(EventError::UnknownType),
                None => Err(EventError::WrongType(name)),
            },
            FieldType::EpochMs => whole_ms(v).then_some(()).ok_or(EventError::WrongType(name)),
            FieldType::Text => text(v),
            FieldType::TextOrNull => {
                if v.is_null() {
                    Ok(())
                } else {
                    text(v)
                }
            }
            FieldType::Boolean => v.is_boolean().then_some(()).ok_or(EventError::WrongType(name)),
            FieldType::Policy => {
                let ok = v.as_object().is_some_and(|o| {
                    o.iter().all(|(k, m)| {
                        POLICY_MEMBERS.contains(&k.as_str()) && (whole_ms(m) || (k == "absolute" && m.is_null()))
                    })
                });
                ok.then_some(()).ok_or(EventError::WrongType(name))
            }
        }
    }

    /// Checks one event a page sent and returns what may be stored: only the schema's fields
    /// ([`FIELDS`]), every one of the right type; any other field is dropped.
    pub fn check_event(event: &Value) -> Result<Value, EventError> {
        let object = event.as_object().ok_or(EventError::NotObject)?;
        for name in REQUIRED {
            if !object.contains_key(name) {
                return Err(EventError::Missing(name));
            }
        }
        let mut kept = Map::new();
        for (name, ty) in FIELDS {
            if let Some(v) = object.get(name) {
                check_field(name, ty, v)?;
                kept.insert(name.into(), v.clone());
            }
        }
        Ok(Value::Object(kept))
    }
}

#[cfg(feature = "json")]
pub use json::check_event;
