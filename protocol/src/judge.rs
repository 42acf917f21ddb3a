//! The decision every enforcer makes for a request that carries a session (docs/protocol.md,
//! sections 1 and 4): is the session still live, how long is left, and does this request count
//! as activity.
//!
//! Pure: `now` is an input. The same function runs in the gateway, is mirrored by the Node
//! package, and both are checked against `vectors.json`.

use crate::reason::Ended;
use crate::time::{Duration, Moment};

/// The limits of a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    idle: Duration,
    absolute: Duration,
}

/// Why a policy cannot protect anyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyError {
    /// `idle` was zero.
    ZeroIdle,
    /// `idle` was longer than `absolute`: the absolute limit would always end the session first,
    /// which means the configuration is not what its author thought.
    IdleLongerThanAbsolute,
}

impl PolicyError {
    /// What is wrong and how to fix it.
    pub const fn message(self) -> &'static str {
        match self {
            PolicyError::ZeroIdle => "idle is zero: give the inactivity limit, e.g. \"15m\"",
            PolicyError::IdleLongerThanAbsolute => {
                "idle is longer than absolute: make idle at most absolute (e.g. idle \"15m\", absolute \"12h\")"
            }
        }
    }
}

impl Policy {
    /// A policy with an inactivity limit `idle` and a lifetime `absolute` (`idle` ≤ `absolute`).
    pub const fn new(idle: Duration, absolute: Duration) -> Result<Policy, PolicyError> {
        if idle.ms() == 0 {
            return Err(PolicyError::ZeroIdle);
        }
        if idle.ms() > absolute.ms() {
            return Err(PolicyError::IdleLongerThanAbsolute);
        }
        Ok(Policy { idle, absolute })
    }

    /// The inactivity limit.
    pub const fn idle(&self) -> Duration {
        self.idle
    }

    /// The maximum lifetime.
    pub const fn absolute(&self) -> Duration {
        self.absolute
    }

    /// How long a navigation's activity may go unwritten (protocol 4.4): min(idle / 10, 60 s).
    /// Skipping a write only ever makes the stored deadline earlier, never later.
    pub const fn touch_throttle(&self) -> Duration {
        self.idle.div(10).min(Duration::from_secs(60))
    }
}

/// What a request is, as far as the session is concerned (protocol 4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// A top-level navigation to an application route that is not passive.
    Navigation,
    /// The keepalive endpoint: the page says the user is active.
    Keepalive,
    /// The status endpoint: never extends.
    Status,
    /// The audit endpoint: never extends.
    Audit,
    /// A route the portal declares passive (polls, notifications, badges): never extends.
    Passive,
    /// A background request (`Sec-Fetch-Mode` `cors`, `no-cors`, `same-origin`): never extends.
    Background,
}

impl RequestKind {
    /// Every kind, in documentation order.
    pub const ALL: [RequestKind; 6] = [
        RequestKind::Navigation,
        RequestKind::Keepalive,
        RequestKind::Status,
        RequestKind::Audit,
        RequestKind::Passive,
        RequestKind::Background,
    ];

    /// Whether the request counts as the user's activity.
    pub const fn is_activity(self) -> bool {
        matches!(self, RequestKind::Navigation | RequestKind::Keepalive)
    }

    /// The name used in `vectors.json`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RequestKind::Navigation => "navigation",
            RequestKind::Keepalive => "keepalive",
            RequestKind::Status => "status",
            RequestKind::Audit => "audit",
            RequestKind::Passive => "passive",
            RequestKind::Background => "background",
        }
    }

    /// The kind a name in `vectors.json` names.
    pub fn parse(name: &str) -> Option<RequestKind> {
        RequestKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// The times left, measured on the judging party's clock: the body of a keepalive or status
/// answer (`remainingMs`, `idleRemainingMs`, `absoluteRemainingMs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Times {
    /// min(`idle`, `absolute`).
    pub remaining: Duration,
    /// Until the idle deadline.
    pub idle: Duration,
    /// Until the absolute deadline.
    pub absolute: Duration,
}

/// The decision for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The session lives.
    Live {
        /// The times left after this request.
        remaining: Times,
        /// Whether to write `lastActivity = now` to the store now (activity, not throttled).
        touch: bool,
    },
    /// The session is over: at or past its deadline.
    Ended(Ended),
}

/// Judges a request of kind `kind` at `now` for a session created at `created` whose last
/// counted activity was `last_active`.
///
/// Rules (docs/protocol.md 1 and 4):
/// - deadline = min(`last_active` + idle, `created` + absolute); at or after it: ended, `Absolute`
///   when the absolute deadline is the one reached (it wins a tie), else `Idle`;
/// - activity (a navigation, the keepalive) moves the idle deadline to `now` + idle, never past
///   the absolute deadline; nothing else moves it;
/// - a keepalive is always written; a navigation only once per [`Policy::touch_throttle`];
/// - a `last_active` or `created` in the future (another instance's clock runs ahead) counts as
///   `now`: clock skew never buys time.
pub fn judge(now: Moment, created: Moment, last_active: Moment, policy: Policy, kind: RequestKind) -> Verdict {
    let created = created.min(now);
    let last_active = last_active.min(now).max(created);
    let absolute_deadline = created + policy.absolute;
    let idle_deadline = last_active + policy.idle;
    if now >= absolute_deadline {
        return Verdict::Ended(Ended::Absolute);
    }
    if now >= idle_deadline {
        return Verdict::Ended(Ended::Idle);
    }
    let touch = match kind {
        RequestKind::Keepalive => true,
        RequestKind::Navigation => now.since(last_active) >= policy.touch_throttle(),
        _ => false,
    };
    // The page is told the deadline the store will hold: a throttled navigation's activity is not
    // written, so it is not counted either (the page never hears of more time than it has).
    let idle_from = if touch { now } else { last_active };
    let idle = now.until(idle_from + policy.idle);
    let absolute = now.until(absolute_deadline);
    Verdict::Live { remaining: Times { remaining: idle.min(absolute), idle, absolute }, touch }
}
