//! What the store holds for a session, keyed by a hash of the portal's cookie (the cookie itself
//! is never stored: a copy of the store signs no one in).

use autologoff_protocol::{Ended, Moment};
use sha2::{Digest, Sha256};

/// The store key of a session: SHA-256 of the portal's session cookie value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionKey(pub [u8; 32]);

impl SessionKey {
    /// The key of the session a cookie value names.
    pub fn of_cookie(value: &str) -> SessionKey {
        SessionKey(Sha256::digest(value.as_bytes()).into())
    }

    /// Lowercase hex, for stores that key by text.
    pub fn hex(&self) -> String {
        let mut out = String::with_capacity(64);
        for b in self.0 {
            out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        }
        out
    }

    /// The key written by [`SessionKey::hex`].
    pub fn from_hex(text: &str) -> Option<SessionKey> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        let mut out = [0u8; 32];
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = nibble(bytes[2 * i])? << 4 | nibble(bytes[2 * i + 1])?;
        }
        Some(SessionKey(out))
    }
}

/// A live session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The public id: random, not secret, rendered into its pages.
    pub public_id: String,
    /// The CSRF token of its pages.
    pub csrf: String,
    /// Who signed in, when the sign-in form named them (`portal.user_field`).
    pub user: Option<String>,
    /// When the sign-in happened. Never changes.
    pub created: Moment,
    /// The last activity counted (written at most once per throttle for navigations).
    pub last_active: Moment,
}

/// What is left of an ended session until at least its original absolute deadline: enough to
/// refuse its cookie on every instance and to answer a repeated logout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tombstone {
    /// Why it ended.
    pub reason: Ended,
    /// Its public id.
    pub public_id: String,
    /// Who it was.
    pub user: Option<String>,
}

/// A session as the store has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// Live (as far as the store knows: the deadline is judged by the core).
    Live(Record),
    /// Ended.
    Ended(Tombstone),
}

impl Entry {
    /// The public id of the session, live or ended.
    pub fn public_id(&self) -> &str {
        match self {
            Entry::Live(r) => &r.public_id,
            Entry::Ended(t) => &t.public_id,
        }
    }

    /// Who the session was.
    pub fn user(&self) -> Option<&str> {
        match self {
            Entry::Live(r) => r.user.as_deref(),
            Entry::Ended(t) => t.user.as_deref(),
        }
    }
}

/// A session found in the store with its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Its key.
    pub key: SessionKey,
    /// What the store holds.
    pub entry: Entry,
}
