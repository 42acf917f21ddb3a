//! The session engine: a deterministic state machine with no clock and no browser.
//!
//! Time is an input. Every `handle_*` method takes `now`, a wall-clock [`Moment`] (what
//! `Date.now()` returns), and the engine never reads a clock itself. What the engine
//! wants done comes out of [`Engine::poll_effect`]; when it next wants to be woken comes out of
//! [`Engine::poll_timeout`]. The browser adapters perform the effects and arm one timer for that
//! deadline. Tests drive the same engine with a fake clock that jumps from deadline to deadline.
//!
//! Rules the engine keeps, whatever order inputs arrive in:
//! - The session never expires before `last activity + timeout`.
//! - Activity only moves a timestamp forward; it never revives an expired session, and while the
//!   warning shows only a deliberate extend (or logout) answers it.
//! - Woken past the deadline (sleep, a throttled or frozen tab), it expires at once without warning.
//! - A wall clock that jumps backwards does not buy the session time.

use alloc::collections::VecDeque;

use crate::time::{Duration, Moment};

/// How long a session may be idle, and how long before expiry the warning shows.
///
/// Build one with [`Policy::new`], which rejects a warning that does not fit before the timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    timeout: Duration,
    warning: Duration,
    absolute: Option<Duration>,
}

/// Why a policy was refused; see [`Policy::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyError {
    /// The timeout was zero.
    ZeroTimeout,
    /// The warning was as long as the timeout or longer, so it would show at once.
    WarningNotShorter,
    /// The warning was as long as the absolute lifetime or longer.
    WarningNotShorterThanAbsolute,
}

impl Policy {
    /// A policy that logs off after `timeout` of inactivity and warns `warning` before.
    ///
    /// `warning` may be zero (no warning) but must be shorter than `timeout`.
    pub fn new(timeout: Duration, warning: Duration) -> Result<Policy, PolicyError> {
        if timeout == Duration::ZERO {
            return Err(PolicyError::ZeroTimeout);
        }
        if warning >= timeout {
            return Err(PolicyError::WarningNotShorter);
        }
        Ok(Policy { timeout, warning, absolute: None })
    }

    /// The same policy with an absolute session lifetime (`None`: none), counted from the
    /// session's start and never extended by activity. It must be longer than the warning.
    pub fn with_absolute(self, absolute: Option<Duration>) -> Result<Policy, PolicyError> {
        if absolute.is_some_and(|a| a <= self.warning) {
            return Err(PolicyError::WarningNotShorterThanAbsolute);
        }
        Ok(Policy { absolute, ..self })
    }

    /// The absolute session lifetime, if any.
    pub fn absolute(&self) -> Option<Duration> {
        self.absolute
    }

    /// How often a tab announces its activity to the others at most (see
    /// [`Engine::handle_inputs`]): a quarter of the time between the last input and the warning,
    /// at most 10 s. Any tab hears of the last input of a burst (the trailing edge) at most
    /// twice this long after it, so before it would warn; fewer announcements cost less per
    /// input event (each writes the shared record and posts a message). No floor: a 1 s floor
    /// once let a tab warn before it heard of input (a 5.4 s timeout warned 4.6 s before).
    pub fn announce_interval(&self) -> Duration {
        // (The warning is shorter than the timeout: nothing saturates.)
        self.timeout.saturating_sub(self.warning).div(4).min(ANNOUNCE_INTERVAL_MAX).max(ANNOUNCE_INTERVAL_MIN)
    }

    /// Inactivity allowed before logoff.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// How long before expiry the warning shows.
    pub fn warning(&self) -> Duration {
        self.warning
    }
}

/// The shortest and the longest [`Policy::announce_interval`].
const ANNOUNCE_INTERVAL_MIN: Duration = Duration::from_ms(1);
const ANNOUNCE_INTERVAL_MAX: Duration = Duration::from_secs(10);

/// Where a session is in its life. Only ever moves forward, except Warning back to Active.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// The user is (or was recently) active.
    Active,
    /// The warning shows; only an extend or a logout answers it.
    Warning,
    /// Logged off. Final.
    Expired,
    /// Detached by the page without a logout. Final.
    Stopped,
}

impl State {
    /// The name used in the JS API and in `data-autologoff-state`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Active => "active",
            State::Warning => "warning",
            State::Expired => "expired",
            State::Stopped => "stopped",
        }
    }
}

/// Why a session ended: the words of the protocol, shared with every server
/// (`autologoff-protocol`).
pub use autologoff_protocol::Reason;

/// How a session was extended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtendHow {
    /// The "Stay signed in" button.
    Button,
    /// The Escape key in the warning.
    Key,
    /// `session.extend()` from page code.
    Api,
    /// Another tab extended.
    Peer,
}

impl ExtendHow {
    /// The name used in `autologoff:extend` events.
    pub fn as_str(self) -> &'static str {
        match self {
            ExtendHow::Button => "button",
            ExtendHow::Key => "key",
            ExtendHow::Api => "api",
            ExtendHow::Peer => "peer",
        }
    }
}

/// A message from another tab of the same session, already decoded and validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerMessage {
    /// The user was active in that tab at `at`.
    Activity {
        /// When the activity happened.
        at: Moment,
    },
    /// The user extended the session in that tab at `at`.
    Extend {
        /// When the extend happened.
        at: Moment,
    },
    /// That tab logged out.
    Logout,
}

/// Something the engine wants the browser side to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Show (or refresh) the warning; the session expires at `deadline`.
    Warn {
        /// When the session will expire unless extended.
        deadline: Moment,
        /// What the deadline is: `Idle` and `Server` can be extended, `Absolute` cannot.
        reason: Reason,
    },
    /// Tell the server the user is active (the keepalive request).
    Keepalive,
    /// The session was extended; hide the warning if it shows.
    Extended {
        /// What extended it.
        how: ExtendHow,
    },
    /// Terminate the session: cover the page, tell the server, clear storage, redirect.
    Terminate {
        /// Why.
        reason: Reason,
    },
}

/// The session state machine. See the module docs.
#[derive(Debug)]
pub struct Engine {
    policy: Policy,
    state: State,
    /// Start of the current idle period. The deadline is `last_activity + timeout`.
    last_activity: Moment,
    /// The latest `now` seen, to notice a wall clock that jumps backwards.
    last_now: Moment,
    effects: VecDeque<Effect>,
    /// Messages for the other tabs, in order.
    transmits: VecDeque<PeerMessage>,
    /// When activity was last announced to other tabs (throttle), if ever.
    last_announce: Option<Moment>,
    /// Local activity not yet announced: the trailing edge of a burst.
    pending_announce: Option<Moment>,
    /// When the session started (for the absolute lifetime).
    started_at: Moment,
    /// When the server said its session ends, if it did.
    server_deadline: Option<Moment>,
    /// Keepalive interval, if keepalive is on.
    keepalive: Option<Duration>,
    /// Last keepalive (or page load, which the server saw too).
    last_ping: Moment,
    /// After an extend, until an answer from the server (or this time) comes, the server's old
    /// deadline still ends the session but is not warned for again: the answer is on its way.
    /// (The epoch: not refreshing.)
    refreshing_until: Moment,
}

/// What the server answered to a keepalive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerAnswer {
    /// The session is alive with this long left on the server's idle timer.
    Remaining(Duration),
    /// The session is over on the server (401, 403, 419).
    Ended,
    /// No usable answer (network failure, another status): the server's deadline is as it was.
    Failed,
}

/// How long an extend waits for the server's answer before its old deadline is warned for again.
const REFRESH_WAIT: Duration = Duration::from_secs(10);

impl Engine {
    /// A session that starts active at `now`.
    pub fn new(policy: Policy, now: Moment) -> Engine {
        Engine::resume(policy, now, now)
    }

    /// A session that joins one already running in other tabs, whose last activity was at
    /// `last_activity` (clamped to `now`): the deadline is inherited, not restarted. If that
    /// deadline has passed, the first [`Engine::handle_timeout`] expires it.
    pub fn resume(policy: Policy, last_activity: Moment, now: Moment) -> Engine {
        Engine {
            policy,
            state: State::Active,
            last_activity: last_activity.min(now),
            last_now: now,
            effects: VecDeque::new(),
            transmits: VecDeque::new(),
            last_announce: None,
            pending_announce: None,
            started_at: now,
            server_deadline: None,
            keepalive: None,
            last_ping: now,
            refreshing_until: Moment::EPOCH,
        }
    }

    /// Sets when the session started, for the absolute lifetime: exactly as given (the server's
    /// clock may be ahead of this one; its own limit is the server's to enforce).
    pub fn set_started_at(&mut self, at: Moment) {
        self.started_at = at;
    }

    /// When the session started.
    pub fn started_at(&self) -> Moment {
        self.started_at
    }

    /// Turns on keepalive: while (and only while) the user is active, at most one
    /// [`Effect::Keepalive`] per `interval`.
    pub fn set_keepalive(&mut self, interval: Duration) {
        self.keepalive = Some(interval);
    }

    /// The start of the current idle period (the last activity this tab knows of, in any tab).
    pub fn last_activity(&self) -> Moment {
        self.last_activity
    }

    /// The latest wall-clock time the engine was given.
    pub fn last_now(&self) -> Moment {
        self.last_now
    }

    /// The policy in force.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// When the session expires unless extended; `None` once it has ended.
    pub fn deadline(&self) -> Option<Moment> {
        match self.state {
            State::Active | State::Warning => Some(self.expires_at()),
            State::Expired | State::Stopped => None,
        }
    }

    /// The time left at `now` (zero once ended or past the deadline).
    pub fn remaining(&self, now: Moment) -> Duration {
        self.deadline().map_or(Duration::ZERO, |d| now.until(d))
    }

    /// When the engine next needs [`Engine::handle_timeout`]; `None` once the session has ended.
    ///
    /// Waking earlier is harmless (a spurious timeout does nothing); waking later is judged
    /// against the real deadline.
    pub fn poll_timeout(&self) -> Option<Moment> {
        let own = match self.state {
            State::Active => self.warn_at().min(self.expires_at()),
            State::Warning => self.expires_at(),
            State::Expired | State::Stopped => return None,
        };
        Some(match self.announce_due() {
            Some(due) => own.min(due),
            None => own,
        })
    }

    /// The next effect to perform, in order.
    pub fn poll_effect(&mut self) -> Option<Effect> {
        self.effects.pop_front()
    }

    /// The next message to send to the other tabs, in order.
    pub fn poll_transmit(&mut self) -> Option<PeerMessage> {
        self.transmits.pop_front()
    }

    /// The wall clock reads `now`, and a monotonic clock says `elapsed` passed since the
    /// engine last saw the wall clock. A wall clock that went back shows as `now` earlier than
    /// that last reading plus `elapsed`; every timestamp is shifted back by the difference, so
    /// a session gains none of the jump even when the clock was set back long after the last
    /// call (an idle tab) and has since made part of it up. A wall clock that went forward (or a
    /// monotonic clock that stood still while the device slept) shifts nothing: deadlines are
    /// judged by the wall clock. Call it first, with the `now` of the `handle_*` call that follows.
    pub fn handle_clock(&mut self, now: Moment, elapsed: Duration) {
        let expected = self.last_now + elapsed;
        if now < expected {
            self.shift_back(now.until(expected));
        }
        self.last_now = now;
    }

    /// Real user input happened at `now`.
    pub fn handle_activity(&mut self, now: Moment) {
        self.handle_inputs(&[now], now);
    }

    /// Real user input happened at `times` (oldest first) and is handed over at `now`: input
    /// that a cheap listener recorded while [`Engine::input_quiet_until`] said it could wait.
    /// Each is judged as of its own time (a later one counts as `now`): input before the warning
    /// time still moves the deadline when it is handed over after it; input after a deadline
    /// never undoes what time decided. Only the latest that counted is announced to the other
    /// tabs (at once, or as the trailing edge), as if each had been handled when it happened.
    /// Whatever `now` itself decides is left to the call that follows (see `handle_timeout`).
    pub fn handle_inputs(&mut self, times: &[Moment], now: Moment) {
        self.observe(now);
        let mut counted = None;
        for &at in times {
            let at = at.min(now);
            // Judge the deadline first, as of the input: input that came after expiry (or inside
            // the warning window, before a late timer fired) must not undo what time decided.
            self.check(at);
            if self.state == State::Active && at > self.last_activity {
                self.last_activity = at;
                counted = Some(at);
                // Judged as of the input too, so input handed over late pings exactly when
                // input handled at once would have.
                if let Some(interval) = self.keepalive {
                    if at >= self.last_ping + interval {
                        self.ping(at);
                    }
                }
            }
        }
        // Whether it is announced at once or waits for the trailing edge depends on when it
        // happened, as it would have when handled at once: input handed over late that would
        // have waited still waits (its timer is due now, and comes at once).
        if let Some(at) = counted {
            match self.last_announce {
                Some(sent) if at < sent + self.policy.announce_interval() => self.pending_announce = Some(at),
                _ => self.announce(PeerMessage::Activity { at }, now),
            }
        }
        // No check at `now` here: a call at `now` follows the hand-over (a timeout, a peer's
        // message, an extend), and it must judge `now` itself, in its own order (news from a
        // peer of activity before our deadline is weighed before the deadline is).
    }

    /// Until when new local input may wait to be handed over (with its own time, through
    /// [`Engine::handle_inputs`]) instead of being handled at once. Input before this time changes
    /// nothing that has to happen before [`Engine::poll_timeout`] (the driver hands it over
    /// first thing whenever it calls the engine); the first input at or after it must be handled
    /// at once. This is what lets a browser listener stay out of the engine for most events:
    /// - active, with activity waiting for its announcement: until that announcement (whose
    ///   timer will hand the rest over), the warning time, or the next keepalive, which is first;
    /// - active, with nothing pending: not at all (returns the epoch), so the first input of a burst is
    ///   announced at once and the rest wait for the trailing edge;
    /// - in the warning: until the deadline (only a deliberate extend answers a warning);
    /// - ended: forever.
    pub fn input_quiet_until(&self) -> Moment {
        match self.state {
            State::Active => match self.announce_due() {
                Some(due) => {
                    let ping = self.keepalive.map_or(Moment::MAX, |i| self.last_ping + i);
                    due.min(self.warn_at()).min(self.expires_at()).min(ping)
                }
                None => Moment::EPOCH,
            },
            State::Warning => self.expires_at(),
            State::Expired | State::Stopped => Moment::MAX,
        }
    }

    /// The server answered a keepalive at `now`.
    pub fn handle_server(&mut self, now: Moment, answer: ServerAnswer) {
        self.observe(now);
        if !matches!(self.state, State::Active | State::Warning) {
            return;
        }
        self.refreshing_until = Moment::EPOCH;
        match answer {
            ServerAnswer::Ended => self.expire(Reason::Server),
            ServerAnswer::Failed => self.check(now),
            ServerAnswer::Remaining(left) => {
                // Our own answer is the newest news of the server: it replaces what we knew.
                self.server_deadline = Some(now + left);
                if self.state == State::Warning && now < self.warn_at() {
                    self.state = State::Active;
                    self.effects.push_back(Effect::Extended { how: ExtendHow::Api });
                }
                self.check(now);
            }
        }
    }

    /// Another tab's keepalive was answered: the server's session ends at `deadline`. The server's
    /// deadline is shared by all tabs; the latest news of it is the latest deadline.
    pub fn handle_server_deadline(&mut self, now: Moment, deadline: Moment) {
        self.observe(now);
        if !matches!(self.state, State::Active | State::Warning) {
            return;
        }
        self.refreshing_until = Moment::EPOCH;
        let newer = self.server_deadline.is_none_or(|d| deadline > d);
        if newer {
            self.server_deadline = Some(deadline);
            if self.state == State::Warning && now < self.warn_at() {
                self.state = State::Active;
                self.effects.push_back(Effect::Extended { how: ExtendHow::Peer });
            }
        }
        self.check(now);
    }

    /// The server's deadline as this tab knows it, if it said one.
    pub fn server_deadline(&self) -> Option<Moment> {
        self.server_deadline
    }

    /// The timer fired, or the page woke up (visibility, focus, pageshow, resume).
    pub fn handle_timeout(&mut self, now: Moment) {
        self.observe(now);
        self.check(now);
        if let (Some(due), Some(at)) = (self.announce_due(), self.pending_announce) {
            if now >= due {
                self.announce(PeerMessage::Activity { at }, now);
            }
        }
    }

    /// The page is being hidden or put away (`pagehide`, hidden, frozen): input still waiting
    /// for its announcement goes out now, or the other tabs (and a page reopened later) would
    /// count from an earlier input and expire early.
    pub fn flush_announce(&mut self, now: Moment) {
        self.observe(now);
        if let Some(at) = self.pending_announce {
            if matches!(self.state, State::Active) {
                self.announce(PeerMessage::Activity { at }, now);
            }
        }
    }

    /// The user or the page asked to stay signed in. Returns whether the session was extended.
    ///
    /// Works from Active (restarts the idle period) and Warning (closes it). A request that
    /// arrives after the deadline expires the session instead: extending never revives.
    pub fn handle_extend(&mut self, now: Moment, how: ExtendHow) -> bool {
        self.observe(now);
        self.check(now);
        if !matches!(self.state, State::Active | State::Warning) {
            return false;
        }
        // An extend restarts the idle period and asks the server for a fresh deadline; it
        // cannot move the absolute lifetime.
        let absolute = self.absolute_deadline().unwrap_or(Moment::MAX);
        if now >= absolute - self.policy.warning {
            // The idle period still restarts, but the absolute limit is now the deadline: the
            // warning becomes the absolute one (if it was not already), never silently dropped.
            self.last_activity = self.last_activity.max(now);
            if self.state == State::Warning {
                let (deadline, reason) = self.deadline_and_reason();
                self.effects.push_back(Effect::Warn { deadline, reason });
            }
            return false;
        }
        self.last_activity = self.last_activity.max(now);
        if self.keepalive.is_some() && self.server_deadline.is_some() {
            // The server's deadline stays until it answers: a keepalive that fails must not
            // make us forget it. Meanwhile it ends the session but is not warned for again.
            self.refreshing_until = now + REFRESH_WAIT;
        }
        if self.keepalive.is_some() && how != ExtendHow::Peer {
            self.ping(now);
        }
        self.state = State::Active;
        self.effects.push_back(Effect::Extended { how });
        if how != ExtendHow::Peer {
            self.announce(PeerMessage::Extend { at: now }, now);
        }
        true
    }

    /// Log out now for `reason`. Does nothing once the session has ended.
    pub fn handle_logout(&mut self, now: Moment, reason: Reason) {
        self.observe(now);
        if matches!(self.state, State::Active | State::Warning) {
            self.expire(reason);
        }
    }

    /// A validated message from another tab of the same session.
    ///
    /// Timestamps from the future are clamped to `now`, so no peer can extend the session beyond
    /// what real activity allows.
    pub fn handle_peer(&mut self, now: Moment, message: PeerMessage) {
        self.observe(now);
        let live = matches!(self.state, State::Active | State::Warning);
        let (at, extend) = match message {
            PeerMessage::Logout => {
                if live {
                    self.expire(Reason::Peer);
                }
                return;
            }
            PeerMessage::Activity { at } => (at.min(now), false),
            PeerMessage::Extend { at } => (at.min(now), true),
        };
        // Only what happened while the session was still alive counts: news of activity before
        // our deadline keeps us alive even if it reaches us late (this tab slept), news from
        // after it never revives.
        if live && at > self.last_activity && at < self.expires_at() {
            let counts = match self.state {
                // In the warning, plain activity counts only if it came before the warning
                // began (we warned on stale news); activity during it does not count here
                // either. An extend always counts.
                State::Warning => extend || at <= self.warn_at(),
                _ => true,
            };
            if counts {
                self.last_activity = at;
                if self.state == State::Warning && now < self.warn_at() {
                    self.state = State::Active;
                    self.effects.push_back(Effect::Extended { how: ExtendHow::Peer });
                }
            }
        }
        self.check(now);
    }

    /// Detach: the session ends without a logout and the engine does nothing more.
    pub fn handle_stop(&mut self) {
        if self.state != State::Expired {
            self.state = State::Stopped;
        }
        self.effects.clear();
        self.transmits.clear();
        self.pending_announce = None;
    }

    /// When the pending trailing-edge announcement is due, if there is one.
    fn announce_due(&self) -> Option<Moment> {
        if !matches!(self.state, State::Active | State::Warning) {
            return None;
        }
        self.pending_announce?;
        Some(self.last_announce.map_or(Moment::EPOCH, |sent| sent + self.policy.announce_interval()))
    }

    fn announce(&mut self, message: PeerMessage, now: Moment) {
        self.transmits.push_back(message);
        self.last_announce = Some(now);
        self.pending_announce = None;
    }

    fn expires_at(&self) -> Moment {
        self.deadline_and_reason().0
    }

    fn absolute_deadline(&self) -> Option<Moment> {
        self.policy.absolute.map(|a| self.started_at + a)
    }

    /// The earliest of the idle, absolute and server deadlines, and which it is.
    fn deadline_and_reason(&self) -> (Moment, Reason) {
        let mut d = (self.last_activity + self.policy.timeout, Reason::Idle);
        if let Some(a) = self.absolute_deadline() {
            if a < d.0 {
                d = (a, Reason::Absolute);
            }
        }
        if let Some(s) = self.server_deadline {
            if s < d.0 {
                d = (s, Reason::Server);
            }
        }
        d
    }

    fn ping(&mut self, now: Moment) {
        self.last_ping = now;
        self.effects.push_back(Effect::Keepalive);
    }

    /// When the warning is due: before the earliest deadline, except that a server deadline
    /// an extend is refreshing is not warned for (see `refreshing_until`).
    fn warn_at(&self) -> Moment {
        let deadline = if self.last_now < self.refreshing_until {
            let idle = self.last_activity + self.policy.timeout;
            self.absolute_deadline().map_or(idle, |a| a.min(idle))
        } else {
            self.expires_at()
        };
        deadline - self.policy.warning
    }

    /// Notice a wall clock that went backwards and shift our timestamps with it, so the time
    /// left stays what it was: the session must not gain the jump. Without [`Engine::handle_clock`]
    /// only the part of a jump the clock had not yet made up again is seen (`last_now - now`).
    fn observe(&mut self, now: Moment) {
        self.handle_clock(now, Duration::ZERO);
    }

    fn shift_back(&mut self, back: Duration) {
        self.last_activity = self.last_activity - back;
        self.started_at = self.started_at - back;
        self.last_ping = self.last_ping - back;
        self.server_deadline = self.server_deadline.map(|t| t - back);
        self.refreshing_until = self.refreshing_until - back;
        self.last_announce = self.last_announce.map(|t| t - back);
        self.pending_announce = self.pending_announce.map(|t| t - back);
    }

    fn check(&mut self, now: Moment) {
        let (deadline, reason) = self.deadline_and_reason();
        match self.state {
            State::Active | State::Warning if now >= deadline => self.expire(reason),
            State::Active if now >= self.warn_at() => {
                self.state = State::Warning;
                self.effects.push_back(Effect::Warn { deadline, reason });
            }
            _ => {}
        }
    }

    fn expire(&mut self, reason: Reason) {
        self.state = State::Expired;
        self.effects.push_back(Effect::Terminate { reason });
        self.pending_announce = None;
        // Tell the other tabs, unless a peer told us (they already know) or the session is not
        // ours any more.
        if !matches!(reason, Reason::Peer | Reason::Replaced) {
            self.transmits.push_back(PeerMessage::Logout);
        }
    }
}
