//! The cross-tab wire format: messages between tabs and the shared session record.
//!
//! Both are short, versioned, `;`-separated ASCII strings, parsed strictly: anything malformed,
//! too long, or of another version is ignored, never an error and never a panic, because any
//! script of the origin can post to the channel or write to localStorage. Timestamps from the
//! future are clamped to `now`, so no message can extend a session beyond real activity.
//! The record holds timestamps and a version only: never a token, never PHI.
//!
//! - Message: `1;<kind>;<tab>;<at>`, kind `a` (activity), `e` (extend), `l` (logout); `tab` is
//!   the sender's id (1 to 16 of `[0-9a-z]`); `at` ms since the epoch (at most 15 digits).
//! - Record: `1;<last activity>;<ended or ->;<session start>`.

use crate::prelude::*;
use crate::config::push_uint;
use crate::engine::{Millis, PeerMessage};

/// The format version this build writes and reads.
pub const VERSION: &str = "1";
const MAX_LEN: usize = 64;

/// A decoded message: who sent it and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// The sending tab's id.
    pub tab: String,
    /// The message, timestamps clamped.
    pub message: PeerMessage,
}

/// Encodes `message` from `tab`. Logout carries `now` as its time.
pub fn encode(tab: &str, message: PeerMessage, now: Millis) -> String {
    let (kind, at) = match message {
        PeerMessage::Activity { at } => ('a', at),
        PeerMessage::Extend { at } => ('e', at),
        PeerMessage::Logout => ('l', now),
    };
    let mut out = String::with_capacity(40);
    out.push_str(VERSION);
    out.push(';');
    out.push(kind);
    out.push(';');
    out.push_str(tab);
    out.push(';');
    push_uint(&mut out, at);
    out
}

/// Decodes a message, or `None` for anything that is not a valid message of this version.
pub fn decode(input: &str, now: Millis) -> Option<Envelope> {
    let [kind, tab, at] = fields(input)?;
    if !valid_tab(tab) {
        return None;
    }
    let at = timestamp(at)?.min(now);
    let message = match kind {
        "a" => PeerMessage::Activity { at },
        "e" => PeerMessage::Extend { at },
        "l" => PeerMessage::Logout,
        _ => return None,
    };
    Some(Envelope { tab: tab.to_owned(), message })
}

/// The three fields after the version of a message or record (`VERSION;a;b;c`, at most
/// `MAX_LEN` bytes); `None` for another version, another field count or too long an input.
fn fields(input: &str) -> Option<[&str; 3]> {
    if input.len() > MAX_LEN {
        return None;
    }
    let mut parts = input.split(';');
    let (version, a, b, c) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    (parts.next().is_none() && version == VERSION).then_some([a, b, c])
}

/// Whether `tab` is a valid tab id: 1 to 16 of `[0-9a-z]`.
pub fn valid_tab(tab: &str) -> bool {
    (1..=16).contains(&tab.len()) && tab.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

fn timestamp(s: &str) -> Option<Millis> {
    if s.is_empty() || s.len() > 15 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.bytes().try_fold(0, |acc: Millis, d| acc.checked_mul(10)?.checked_add(Millis::from(d - b'0')))
}

/// The shared session record, in localStorage: what a tab that starts or wakes up reads to
/// learn the session's deadline instead of starting a fresh one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    /// The last activity in any tab.
    pub last_activity: Millis,
    /// When the session was logged out, if it was.
    pub ended: Option<Millis>,
    /// When the session started (for the absolute lifetime).
    pub started: Millis,
}

impl Record {
    /// Encodes the record.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(36);
        out.push_str(VERSION);
        out.push(';');
        push_uint(&mut out, self.last_activity);
        out.push(';');
        match self.ended {
            Some(at) => push_uint(&mut out, at),
            None => out.push('-'),
        }
        out.push(';');
        push_uint(&mut out, self.started);
        out
    }

    /// Decodes a record, clamping its times to `now`; `None` if it is not a valid record.
    pub fn decode(input: &str, now: Millis) -> Option<Record> {
        let [last, ended, started] = fields(input)?;
        let last_activity = timestamp(last)?.min(now);
        let ended = match ended {
            "-" => None,
            t => Some(timestamp(t)?.min(now)),
        };
        let started = timestamp(started)?.min(now);
        Some(Record { last_activity, ended, started })
    }
}
