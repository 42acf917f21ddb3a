//! The cross-tab wire format: messages between tabs and the shared session record.
//!
//! Both are short, versioned, `;`-separated ASCII strings, parsed strictly: anything malformed,
//! too long, or of another version is ignored, never an error and never a panic, because any
//! script of the origin can post to the channel or write to localStorage. Timestamps of events
//! from the future are clamped to `now`, so no message can extend a session beyond real
//! activity. The record holds timestamps, a state letter and the session's identity (a short
//! hash of what the server rendered, see [`crate::config::Settings::identity`]): never a token,
//! never PHI.
//!
//! - Message: `3;<kind>;<app>;<id>;<tab>;<at>`. Kinds: `a` activity at `at`, `e` extend at `at`,
//!   `l` logout (at `at`), `c` "this tab sends the logout request", `s` the server's deadline is
//!   `at`. `app` says which application wrote it (a short hash of its logout URL, empty without
//!   one: two applications on one origin that share a channel are told apart, see
//!   [`crate::config::Settings::app`]); `id` is the session identity (0 to 16 of `[0-9a-z]`,
//!   empty without one); `tab` the sender (1 to 16 of `[0-9a-z]`); times are ms since the epoch
//!   (at most 15 digits).
//! - Record: `3;<app>;<id>;<last activity>;<ended or ->;<session start>;<server deadline or ->;<told>`,
//!   `told` being `-` while the session lives, then `p` (the logout request is on its way, or
//!   being decided), `d` (done: delivered, or there was nothing to send) or `u` (it did not
//!   reach the server: the next page of this session sends it again).

use crate::num::{self, parse_uint, push_uint};
use crate::prelude::*;
use crate::time::{Duration, Moment};

/// The format version this build writes and reads.
pub const VERSION: &str = "3";
const MAX_LEN: usize = 140;

/// What a message says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The user was active in the sender at `at`.
    Activity,
    /// The user extended the session in the sender at `at`.
    Extend,
    /// The sender's session ended at `at`.
    Logout,
    /// The sender won the right to send the logout request, and sends it.
    Claimed,
    /// The server said (answering the sender's keepalive) that its session ends at `at`.
    Server,
}

const KINDS: [(Kind, &str); 5] =
    [(Kind::Activity, "a"), (Kind::Extend, "e"), (Kind::Logout, "l"), (Kind::Claimed, "c"), (Kind::Server, "s")];

/// A message between tabs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// What it says.
    pub kind: Kind,
    /// The application that sent it (see the module docs).
    pub app: String,
    /// The session it is about (empty: a session without identity).
    pub id: String,
    /// The sending tab.
    pub tab: String,
    /// Its time (see [`Kind`]).
    pub at: Moment,
}

impl Message {
    /// Encodes the message.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(48);
        out.push_str(VERSION);
        out.push(';');
        out.push_str(KINDS.iter().find(|(k, _)| *k == self.kind).map_or("", |(_, c)| c));
        out.push(';');
        out.push_str(&self.app);
        out.push(';');
        out.push_str(&self.id);
        out.push(';');
        out.push_str(&self.tab);
        out.push(';');
        push_uint(&mut out, self.at.epoch_ms());
        out
    }

    /// Decodes a message, or `None` for anything that is not a valid message of this version.
    /// Times of events are clamped to `now`; a server deadline is a time to come and is not.
    pub fn decode(input: &str, now: Moment) -> Option<Message> {
        let [kind, app, id, tab, at] = fields(input)?;
        let kind = KINDS.iter().find(|(_, c)| *c == kind)?.0;
        if !valid_id(app) || !valid_id(id) || !valid_tab(tab) {
            return None;
        }
        let at = moment(at)?;
        let at = if kind == Kind::Server { at } else { at.min(now) };
        Some(Message { kind, app: app.to_owned(), id: id.to_owned(), tab: tab.to_owned(), at })
    }
}

/// The `N` fields after the version (`VERSION;a;b;…`, at most `MAX_LEN` bytes); `None` for
/// another version, another field count or too long an input.
fn fields<const N: usize>(input: &str) -> Option<[&str; N]> {
    if input.len() > MAX_LEN {
        return None;
    }
    let mut parts = num::split(input, b';');
    if parts.next()? != VERSION {
        return None;
    }
    let mut out = [""; N];
    for slot in out.iter_mut() {
        *slot = parts.next()?;
    }
    parts.next().is_none().then_some(out)
}

/// `autologoff:<channel>:logout:<id>`: the Web Lock that decides which tab sends a session's
/// logout request, and the localStorage key of the claim where there are no Web Locks. The
/// session's own: a lock held by anything else (another session, another application, a page
/// that took it to block us) does not stand in its way.
pub fn claim_key(channel: &str, id: &str) -> String {
    let mut k = String::from("autologoff:");
    k.push_str(channel);
    k.push_str(":logout:");
    k.push_str(id);
    k
}

/// Whether `tab` is a valid tab id: 1 to 16 of `[0-9a-z]`.
pub fn valid_tab(tab: &str) -> bool {
    !tab.is_empty() && valid_id(tab) && tab.len() <= 16
}

/// Whether `id` is a valid session identity: 0 to 16 of `[0-9a-z]`.
fn valid_id(id: &str) -> bool {
    id.len() <= 16 && id.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// Whether the server was told that an ended session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Told {
    /// The session has not ended.
    Live,
    /// The logout request is on its way, or a tab is deciding whether it sends it.
    Pending,
    /// Delivered, or there was nothing to send (no `logoutUrl`).
    Done,
    /// It did not reach the server: the next page of this session sends it again.
    Undelivered,
}

const TOLD: [(Told, &str); 4] = [(Told::Live, "-"), (Told::Pending, "p"), (Told::Done, "d"), (Told::Undelivered, "u")];

/// The shared session record, in localStorage: what a tab that starts or wakes up reads to
/// learn the session's deadline (instead of starting a fresh one), whether it ended, and
/// whether the server was told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The application that wrote it (see the module docs).
    pub app: String,
    /// The session it belongs to (empty: a session without identity).
    pub id: String,
    /// The last activity in any tab.
    pub last_activity: Moment,
    /// When the session ended, if it did: the record is then a tombstone.
    pub ended: Option<Moment>,
    /// When the session started (for the absolute lifetime).
    pub started: Moment,
    /// The server's deadline, from the latest keepalive answer any tab had.
    pub server: Option<Moment>,
    /// Whether the server was told of the end.
    pub told: Told,
}

/// A `Pending` logout request older than this was abandoned (its tab closed before it could
/// send): another page may send it. (The longest `logoutWait` is 60 s.)
pub const PENDING_STALE: Duration = Duration::from_secs(65);

impl Record {
    /// Whether the server was told of the end this tombstone records, as of `now`: a request
    /// pending for longer than any tab waits was abandoned (its tab closed first). The fallback
    /// reads it the same way (pkg-template/rules.js `undelivered`, checked against vectors).
    pub fn told_as_of(&self, now: Moment) -> Told {
        match (self.told, self.ended) {
            (Told::Pending, Some(at)) if now.since(at) > PENDING_STALE => Told::Undelivered,
            (t, _) => t,
        }
    }

    /// Whether this record, of a page's own application and identity, is that page's session
    /// for a page whose document began loading at `time_origin` and that starts at `now`, with
    /// `timeout` its idle timeout. With an identity it always is. Without one, sign-ins cannot be
    /// told apart by the record: one that ended before the page began loading, or whose deadline
    /// had passed when it starts, is an earlier sign-in's, and the page starts afresh over it.
    /// The fallback uses the same rule (pkg-template/rules.js `isCurrent`, checked against
    /// vectors).
    pub fn is_current(&self, has_id: bool, timeout: Duration, time_origin: Moment, now: Moment) -> bool {
        has_id
            || match self.ended {
                Some(at) => at >= time_origin,
                None => self.last_activity + timeout > now,
            }
    }

    /// Encodes the record.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(72);
        out.push_str(VERSION);
        out.push(';');
        out.push_str(&self.app);
        out.push(';');
        out.push_str(&self.id);
        for t in [Some(self.last_activity), self.ended, Some(self.started), self.server] {
            out.push(';');
            match t {
                Some(at) => push_uint(&mut out, at.epoch_ms()),
                None => out.push('-'),
            }
        }
        out.push(';');
        out.push_str(TOLD.iter().find(|(t, _)| *t == self.told).map_or("-", |(_, c)| c));
        out
    }

    /// Decodes a record, clamping its past times to `now`; `None` if it is not a valid record.
    pub fn decode(input: &str, now: Moment) -> Option<Record> {
        let [app, id, last, ended, started, server, told] = fields(input)?;
        if !valid_id(app) || !valid_id(id) {
            return None;
        }
        let optional = |t: &str| {
            if t == "-" {
                Some(None)
            } else {
                moment(t).map(Some)
            }
        };
        let told = TOLD.iter().find(|(_, c)| *c == told)?.0;
        let ended = optional(ended)?.map(|t| t.min(now));
        // A tombstone says how the logout went; a live record says nothing of it.
        if ended.is_some() == (told == Told::Live) {
            return None;
        }
        Some(Record {
            app: app.to_owned(),
            id: id.to_owned(),
            last_activity: moment(last)?.min(now),
            ended,
            started: moment(started)?.min(now),
            server: optional(server)?,
            told,
        })
    }
}

/// A time as written on the wire: ms since the epoch. (Inlined: as a function of its own it
/// was 86 bytes of .wasm, more than the conversion costs at its callers.)
#[inline(always)]
fn moment(text: &str) -> Option<Moment> {
    parse_uint(text).map(Moment::from_epoch_ms)
}
