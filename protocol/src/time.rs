//! Moments and durations, in whole milliseconds.
//!
//! A [`Moment`] is a point on one party's clock (ms since the Unix epoch, what `Date.now()`
//! gives); a [`Duration`] is a length of time. They are distinct types because the protocol
//! sends only durations across the wire (clocks of a page and of server instances differ), and
//! a moment where a duration is meant is the classic way to give a session a day instead of a
//! minute. All arithmetic saturates: no overflow, no panic.

use core::ops::{Add, Sub};

/// A point in time: ms since the Unix epoch on the clock of whoever holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Moment(u64);

/// A length of time in ms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(u64);

impl Moment {
    /// The Unix epoch itself: no clock that runs reads it, so it stands for "at once".
    pub const EPOCH: Moment = Moment(0);

    /// The last moment there is: it stands for "never".
    pub const MAX: Moment = Moment(u64::MAX);

    /// The moment `ms` milliseconds after the Unix epoch.
    pub const fn from_epoch_ms(ms: u64) -> Moment {
        Moment(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn epoch_ms(self) -> u64 {
        self.0
    }

    /// How long after `earlier` this is; zero if it is not after it.
    pub const fn since(self, earlier: Moment) -> Duration {
        Duration(self.0.saturating_sub(earlier.0))
    }

    /// How long from this moment until `later`; zero if `later` has passed.
    pub const fn until(self, later: Moment) -> Duration {
        Duration(later.0.saturating_sub(self.0))
    }

    /// The moment as ISO 8601 in UTC with milliseconds, `2026-12-07T14:03:11.482Z` (the audit
    /// trail's `receivedAt`, ASVS 16.2.2). Years past 9999 are written as 9999.
    pub fn iso8601(self) -> Iso8601 {
        let ms = self.0 % 1000;
        let secs = self.0 / 1000;
        let (h, mi, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
        let (y, mo, d) = civil_from_days(secs / 86_400);
        let mut out = [0u8; 24];
        let mut at = 0;
        let mut put = |n: u64, width: u32, sep: u8| {
            let mut unit = 10u64.pow(width - 1);
            for _ in 0..width {
                out[at] = b'0' + ((n / unit) % 10) as u8;
                at += 1;
                unit /= 10;
            }
            if sep != 0 {
                out[at] = sep;
                at += 1;
            }
        };
        put(y.min(9999), 4, b'-');
        put(mo, 2, b'-');
        put(d, 2, b'T');
        put(h, 2, b':');
        put(mi, 2, b':');
        put(s, 2, b'.');
        put(ms, 3, b'Z');
        Iso8601(out)
    }
}

/// A moment written as ISO 8601 (see [`Moment::iso8601`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Iso8601([u8; 24]);

impl Iso8601 {
    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever written.
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

/// Year, month and day of a count of days since 1970-01-01 (Howard Hinnant's `civil_from_days`,
/// for days on or after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

impl Duration {
    /// No time.
    pub const ZERO: Duration = Duration(0);

    /// `ms` milliseconds.
    pub const fn from_ms(ms: u64) -> Duration {
        Duration(ms)
    }

    /// `s` seconds.
    pub const fn from_secs(s: u64) -> Duration {
        Duration(s.saturating_mul(1000))
    }

    /// The length in ms.
    pub const fn ms(self) -> u64 {
        self.0
    }

    /// The shorter of the two.
    pub const fn min(self, other: Duration) -> Duration {
        if self.0 <= other.0 {
            self
        } else {
            other
        }
    }

    /// This length less `other`, or zero.
    pub const fn saturating_sub(self, other: Duration) -> Duration {
        Duration(self.0.saturating_sub(other.0))
    }

    /// This length divided by `n` (`n` = 0 gives zero).
    pub const fn div(self, n: u64) -> Duration {
        match self.0.checked_div(n) {
            Some(d) => Duration(d),
            None => Duration(0),
        }
    }
}

impl Add<Duration> for Moment {
    type Output = Moment;
    fn add(self, d: Duration) -> Moment {
        Moment(self.0.saturating_add(d.0))
    }
}

impl Sub<Duration> for Moment {
    type Output = Moment;
    fn sub(self, d: Duration) -> Moment {
        Moment(self.0.saturating_sub(d.0))
    }
}

impl Add for Duration {
    type Output = Duration;
    fn add(self, d: Duration) -> Duration {
        Duration(self.0.saturating_add(d.0))
    }
}

/// Parses a duration as configuration writes it: whole ms (`"900000"`), or a number with a unit
/// `ms`, `s`, `m`, `h`, `d` (`"15m"`, `"90s"`, `"1.5h"`, at most three decimals). `None` for
/// anything else, including negative, empty or overflowing values.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.bytes().position(|b| !(b.is_ascii_digit() || b == b'.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale: u64 = match unit.trim() {
        "" | "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    let (whole, frac) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    if whole.is_empty() || frac.len() > 3 || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    if number.ends_with('.') {
        return None;
    }
    let mut thousandths: u64 = 0;
    for b in frac.bytes().chain(core::iter::repeat(b'0')).take(3) {
        thousandths = thousandths * 10 + u64::from(b - b'0');
    }
    let whole: u64 = whole.parse().ok()?;
    let ms = whole.checked_mul(scale)?.checked_add(thousandths.checked_mul(scale)? / 1000)?;
    Some(Duration(ms))
}
