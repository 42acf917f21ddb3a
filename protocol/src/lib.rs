//! The vocabulary of autologoff: what the page, the Node server and the gateway must agree on,
//! in one `no_std` crate with no dependencies (docs/protocol.md is the prose; this is the code).
//!
//! - [`time`]: a [`Moment`] (ms since the epoch, on one party's clock) and a [`Duration`] (ms),
//!   distinct types, so a deadline cannot be sent where a time left is meant.
//! - [`reason`]: why a page ends a session ([`Reason`]) and why a server says one is over
//!   ([`Ended`]), as the words on the wire.
//! - [`judge`]: the decision for one request (protocol sections 1 and 4): live with the times
//!   left and whether it counts as activity, or ended and why.
//! - [`identity`]: the public-id hash that names a session in the page's cross-tab records.
//! - [`audit`]: the audit event schema (fields, types, limits) and the server's envelope.
//!
//! `vectors.json` beside this crate holds fixed cases of each; this crate's tests, the Node
//! package's tests and the gateway's are checked against the same file, so they cannot drift.
#![no_std]
#![deny(missing_docs)]

#[cfg(feature = "json")]
extern crate alloc;

pub mod audit;
pub mod identity;
pub mod judge;
pub mod reason;
pub mod time;

pub use judge::{judge, Policy, PolicyError, RequestKind, Times, Verdict};
pub use reason::{Ended, Reason};
pub use time::{Duration, Moment};
