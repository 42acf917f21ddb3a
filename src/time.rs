//! Time, as three types that cannot be mixed by accident.
//!
//! - [`Moment`]: a point on the wall clock, ms since the Unix epoch (`Date.now()`). Deadlines
//!   are moments, and are judged against the wall clock, so sleep and throttled tabs are measured
//!   in real time; records and messages between tabs carry moments.
//! - [`Monotonic`]: a reading of the monotonic clock (`performance.now()`), which is never set
//!   and only counts, so a wall clock set back is noticed. Only the time between two readings
//!   means anything; it is never compared with a moment.
//! - [`Duration`]: a length of time in ms (the timeout, the warning, a wait, the time left).
//!
//! `Moment` and `Duration` are the protocol's own (`autologoff-protocol`, shared with every
//! server): a moment plus a duration is a moment, [`Moment::since`] and [`Moment::until`] give
//! the duration between two moments (zero, never negative, when they are the other way round),
//! durations compare and add. All arithmetic saturates: no overflow, no panic. Turning them into
//! numbers and back happens at the edges only: the browser host (JS numbers) and the wire format
//! (text).

use core::ops::Add;

pub use autologoff_protocol::time::{Duration, Moment};

/// A reading of the monotonic clock, in whole ms (`performance.now()`, from the document's time
/// origin). See the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Monotonic(u64);

impl Monotonic {
    /// The reading `ms` milliseconds after the clock's origin.
    pub const fn from_ms(ms: u64) -> Monotonic {
        Monotonic(ms)
    }

    /// How long after `earlier` this reading is; zero if it is not after it.
    pub const fn since(self, earlier: Monotonic) -> Duration {
        Duration::from_ms(self.0.saturating_sub(earlier.0))
    }
}

impl Add<Duration> for Monotonic {
    type Output = Monotonic;
    fn add(self, d: Duration) -> Monotonic {
        Monotonic(self.0.saturating_add(d.ms()))
    }
}
