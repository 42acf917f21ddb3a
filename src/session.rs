//! The session core: every rule that decides what a page does about its session, with no
//! browser and no clock.
//!
//! The browser side hands every input to [`Core::handle`] as an [`Input`] with the [`Clocks`] as
//! read when it happened, and performs the [`Command`]s that come out of [`Core::poll_command`], in order;
//! [`Core::poll_timeout`] says when to wake it next. Inputs go through one queue (see the
//! `runner` module, which drives this one), so a page listener that calls back while a command is performed (an
//! `extend()` from a warning listener) is handled right after, never refused or lost.
//!
//! What it owns, around the timing [`Engine`]:
//! - **Identity.** A session is the one the server rendered the page for ([`Settings::identity`]).
//!   Records and messages carry it; a message of another session is ignored, and a page that
//!   finds another session in the shared record was replaced by a new sign-in: it covers itself
//!   and leaves without touching that session's record, storage or server session.
//! - **Joining.** A page joins the live session the record describes (its deadline, start and
//!   server deadline). A tombstone of its own session ends it at once (and sends the logout the
//!   server never got, if the tombstone says so); so does a record of its own session whose
//!   deadline passed while no tab kept it (a discarded tab, a reopened one). Without an
//!   identity a page cannot tell an earlier session from its own: it then starts afresh on a
//!   record or tombstone older than itself.
//! - **The dialog, the concealment and the title**: when each is shown, refreshed, dismissed and
//!   closed. The page is concealed while the warning shows (the screen is likely unattended
//!   then), before the warning event, so a page's own warning opened from it sits above; it is
//!   revealed before anything else when the session is extended, and at the end only after the
//!   cover is up.
//! - **Keepalive**: sent only after the record confirms the session is still this page's, and its
//!   answer is shared with every tab (the server's deadline is the session's, not the tab's).
//! - **Termination**, in order: cover, tell the tabs, the tombstone, decide which tab sends the
//!   logout request (a tombstone or a `claimed` message from another tab means: not us), send
//!   it (a beacon if `fetch` fails), clear storage, wait for both at most `logoutWait`, record
//!   in the tombstone whether the server was told, clear again, expire cookies, leave.
//! - **Trusted input only**: the dialog's controls act only on events the user made.

use alloc::collections::VecDeque;

use crate::audit::Audit;
use crate::config::{ConfigError, Settings};
use crate::engine::{Effect, Engine, ExtendHow, PeerMessage, Reason, ServerAnswer, State};
use crate::prelude::*;
use crate::time::{Duration, Moment, Monotonic};
use crate::wire::{Kind, Message, Record, Told};

/// When an input happened: the wall clock (`Date.now()`, by which deadlines are judged), the
/// monotonic clock (`performance.now()`, never set, so a wall clock set back is noticed), and
/// the time of the latest input the listeners recorded (see [`Input::Activity`]; the epoch
/// before any, as the listeners write it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clocks {
    /// The wall clock.
    pub wall: Moment,
    /// The monotonic clock.
    pub mono: Monotonic,
    /// When the latest counted user input happened, as the listeners recorded it.
    pub input: Moment,
}

/// A control of the warning dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// "Stay signed in" (or, for the absolute warning, "Continue"), by button or Escape.
    Stay(ExtendHow),
    /// "Log out now".
    Logout,
}

/// What a logout request came to.
pub type Status = Option<u16>;

/// Everything that can happen to a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// User input the core must see at once (see [`Core::input_quiet_until`]); its time is
    /// [`Clocks::input`], and `before` is the input recorded before it (the epoch if none), which
    /// may not have been handed over yet.
    Activity {
        /// The input recorded before this one.
        before: Moment,
    },
    /// The timer armed for [`Core::poll_timeout`] fired (perhaps early or late).
    Timer,
    /// The page may have slept (visible again, focused, shown from the back/forward cache,
    /// resumed); the shared record as read now.
    Wake(Option<Record>),
    /// The shared record, as read for a [`Command::ReadRecord`].
    Record(Option<Record>),
    /// Another tab wrote the shared record (localStorage's `storage` event), as it is now.
    RecordChanged(Option<Record>),
    /// A message from another tab, as received.
    Message(String),
    /// The server answered a keepalive or a status request, as it came (the core reads it).
    Keepalive(Reply),
    /// `session.extend()`.
    Extend,
    /// `session.logout()`.
    Logout,
    /// `session.stop()`.
    Stop,
    /// A control of the warning dialog was used; `trusted` is the event's `isTrusted`.
    Dialog {
        /// Which control.
        action: Action,
        /// Whether the user (not a script) did it.
        trusted: bool,
        /// Whether it was done with a key (Escape, or Enter or Space on a button) rather than a
        /// pointer.
        by_key: bool,
        /// Whether that key was a held key's auto-repeat (something resting on the keyboard).
        repeat: bool,
    },
    /// Whether this tab got the right to send the logout request.
    Claim(bool),
    /// The logout request was answered with a status, or failed (`None`: rejected or refused).
    LogoutSent(Status),
    /// Whether `navigator.sendBeacon` queued the logout request ([`Command::Beacon`]).
    BeaconQueued(bool),
    /// The page is being hidden for good, perhaps closed (`pagehide`).
    PageHide,
    /// Browser calls failed while performing commands (their names, comma-separated, as the
    /// host-call layer reports them): the session goes on, and the audit trail says so.
    HostFailed(String),
    /// Clearing what is cleared asynchronously (IndexedDB, Cache Storage, service workers)
    /// settled; `databases_listed` is false where `indexedDB.databases()` is missing, so the
    /// databases could not be found to delete.
    Cleared {
        /// Whether the IndexedDB databases could be listed (and so deleted).
        databases_listed: bool,
    },
}

/// A keepalive's or a status request's answer, as the browser got it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Reply {
    /// The HTTP status (`None`: no answer, a network error, a refused request).
    pub status: Option<u16>,
    /// The request was redirected on its way (`fetch` follows redirects).
    pub redirected: bool,
    /// The answer is an HTML page (`Content-Type: text/html`): a sign-in page, not the protocol.
    pub html: bool,
    /// The body (only what is needed of it: the JSON of a 2xx answer).
    pub body: String,
}

impl Reply {
    /// What the answer says of the server's session (docs/protocol.md, 3.1 and 3.2): 401 (and
    /// 419, Laravel's expired session) or a sign-in page (a redirect to HTML, or HTML in place)
    /// mean it is gone; a 2xx JSON answer says how long it has left; anything else (403: a
    /// request refused for its CSRF token or origin, 5xx, no answer) says nothing.
    pub fn answer(&self) -> ServerAnswer {
        match self.status {
            None => ServerAnswer::Failed,
            Some(_) if self.html && (self.redirected || self.status.is_some_and(|s| (200..300).contains(&s))) => {
                ServerAnswer::Ended
            }
            Some(401 | 419) => ServerAnswer::Ended,
            Some(200..=299) => crate::num::json_uint(&self.body, "remainingMs")
                .map_or(ServerAnswer::Failed, |ms| ServerAnswer::Remaining(Duration::from_ms(ms))),
            Some(_) => ServerAnswer::Failed,
        }
    }
}

/// A DOM event for the page (`autologoff:*` on `document`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// `autologoff:warning`.
    Warning {
        /// When the session expires unless extended.
        deadline: Moment,
        /// The time left.
        remaining: Duration,
    },
    /// `autologoff:extend`.
    Extend {
        /// What extended it.
        how: ExtendHow,
    },
    /// `autologoff:logout`.
    Logout {
        /// Why.
        reason: Reason,
    },
}

/// Something for the browser side to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Mirror the state on `<html data-autologoff-state>`.
    State(State),
    /// Dispatch a DOM event (after sending out the audit events before it).
    Event(Event),
    /// An audit event (JSON), sent out with the others of this moment.
    Audit(String),
    /// Build and show the warning dialog; `absolute`: the one that cannot extend.
    ShowDialog {
        /// Whether the absolute lifetime is ending.
        absolute: bool,
        /// The time left.
        remaining: Duration,
    },
    /// Show the time left in the dialog (and announce it at coarse steps).
    UpdateDialog {
        /// The time left.
        remaining: Duration,
    },
    /// Close and remove the dialog, returning focus.
    CloseDialog,
    /// `true`: conceal the page behind the warning (an opaque layer under the dialog, and under
    /// a page's own warning opened after it); `false`: reveal it.
    Conceal(bool),
    /// `Some(remaining)`: the tab title counts down (the page's own title is kept, once);
    /// `None`: the page's own title is restored.
    Title(Option<Duration>),
    /// Post a message to the other tabs.
    Post(String),
    /// Write the shared record.
    WriteRecord(String),
    /// Read the shared record and hand it back as [`Input::Record`].
    ReadRecord,
    /// POST a keepalive request with this form body; its answer comes back as
    /// [`Input::Keepalive`].
    Keepalive(String),
    /// Ask the status URL (GET, never extends); its answer comes back as [`Input::Keepalive`].
    Status,
    /// Say this on the console (a problem the portal's developers must fix).
    Report(String),
    /// Cover the page at once (and replace the tab title, which may name a patient; pause its
    /// media).
    Cover,
    /// Remove the input and lifecycle listeners (the session ended).
    StopInput,
    /// Try to become the tab that sends the logout request, with the Web Lock (or storage claim)
    /// of this name, which is the session's own; the answer comes back as [`Input::Claim`].
    /// Held until [`Command::ReleaseClaim`].
    Claim(String),
    /// Let go of the claim.
    ReleaseClaim,
    /// POST the logout request with this body (credentials, CSRF header, and `keepalive` so it
    /// outlives the page, unless told not to); the outcome comes back as [`Input::LogoutSent`].
    SendLogout {
        /// The form body.
        body: String,
        /// Send it with `keepalive`.
        keepalive: bool,
    },
    /// Send the logout request with `navigator.sendBeacon` instead (the CSRF token as a field);
    /// whether it was queued comes back as [`Input::BeaconQueued`].
    Beacon(String),
    /// Clear localStorage (but the kept keys and autologoff's own), sessionStorage, and start
    /// clearing IndexedDB, Cache Storage (and service workers, if asked), reporting back with
    /// [`Input::Cleared`].
    Clear,
    /// Clear localStorage and sessionStorage again (page scripts may have written meanwhile).
    ClearAgain,
    /// Clear this tab's sessionStorage only (a replaced page: the rest is the new session's).
    ClearTab,
    /// Expire the cookies script can see.
    ClearCookies,
    /// `location.replace(url)`.
    Redirect(String),
    /// No redirect: the cover says the user was signed out, and the page's content goes.
    SignedOut,
    /// Release every JS resource still held (listeners, channel, timer, dialog).
    Detach,
}

/// A session that ended, on its way out. Two things move at once: the steps, in order
/// ([`Step`]), and this tab's logout request ([`Request`]), whose answer may come in any step
/// after it was sent (a late answer still says, in the tombstone, whether the server was told).
#[derive(Debug)]
struct Ending {
    reason: Reason,
    /// When it ended: a page that hides while the claim is undecided sends the request as it
    /// goes, and waits for it no longer than that (see [`Core::on_pagehide`]).
    at: Moment,
    /// Another session replaced this page's: nothing of the new one is touched (its record, its
    /// storage), and this one's end is told to the server naming it (see [`Core::replaced`]).
    replaced: bool,
    /// The tombstone as this tab knows it (`None`: not decided yet, or the session was replaced
    /// before one was read or written).
    tombstone: Option<Tombstone>,
    /// This tab's logout request.
    request: Request,
    step: Step,
}

/// The steps of an ending, in order, each with what it alone needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Waiting for the record, to decide the tombstone and whether this tab sends the request.
    Deciding {
        /// A tab of this session said it sends the request (`claimed`).
        peer_claimed: bool,
    },
    /// Waiting for the claim (the right to send the request).
    Claiming {
        /// A tab of this session said it sends the request (`claimed`).
        peer_claimed: bool,
    },
    /// The claim won, and is held: waiting for the record, to confirm the session is still this
    /// page's before sending the request (the claim may take a while).
    Confirming,
    /// Waiting for the request (if this tab sent it) and the clearing, at most until `bound`.
    Waiting {
        /// The longest wait for the request and the clearing.
        bound: Moment,
        /// Clearing settled (or there was nothing of this session's to clear).
        cleared: bool,
        /// Where the claim stands.
        claim: Claim,
    },
    /// Waiting for the record, to confirm the session is still this page's before clearing
    /// again, rewriting the tombstone and expiring cookies.
    Finishing,
    /// Finished: the page leaves.
    Done {
        /// Redirects sent so far.
        redirects: u8,
        /// The page is still here at this time after being sent to `redirectUrl`: send it again.
        again: Option<Moment>,
    },
}

/// The claim, while an ending waits for the request and the clearing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Claim {
    /// Not held: not asked for, let go, or lost to a tab of this session that said it sends the
    /// request.
    NotHeld,
    /// Won, and held until the wait is over.
    Held,
    /// Lost, and no tab of this session has said it sends the request: unless one does by
    /// `evidence_by`, this one sends it. A lock or a claim the session does not own cannot keep
    /// the server from being told.
    Lost {
        /// Until when a `claimed` from another tab is waited for.
        evidence_by: Moment,
    },
}

/// The tombstone as this tab knows it, and who keeps it up to date.
#[derive(Debug)]
struct Tombstone {
    record: Record,
    keeper: Keeper,
}

/// Who keeps a tombstone up to date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Keeper {
    /// Another tab (or an earlier page): this tab adopts it only if it sends the request itself.
    Other,
    /// This tab (it ended the session, or sends the request).
    This {
        /// It is to be written again once the record confirms the session is still this page's.
        rewrite: bool,
    },
}

impl Tombstone {
    /// This tab sends the request now: the tombstone says it is pending, and from now on this tab
    /// keeps it (`keep`) or not.
    fn pending(&mut self, keep: bool) {
        self.record.told = Told::Pending;
        self.keeper = match self.keeper {
            _ if !keep => Keeper::Other,
            Keeper::Other => Keeper::This { rewrite: false },
            this => this,
        };
    }
}

/// This tab's logout request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Request {
    /// Not sent by this tab.
    Unsent {
        /// If it is sent, it is sent again: the tombstone said an earlier one never reached the
        /// server (audited as `logout-retried`).
        retry: bool,
    },
    /// On its way, its outcome not known yet.
    Sent {
        /// How it is being sent now (see [`Core::on_logout_sent`]).
        attempt: Attempt,
        /// How the first attempt failed, for the audit trail (`http`, `network`).
        failure: Option<&'static str>,
    },
    /// Its outcome is known.
    Settled {
        /// `None`: the server was told; else how it failed, for the audit trail.
        failure: Option<&'static str>,
    },
}

/// The ways a logout request is sent, in order: each only if the one before failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attempt {
    /// `fetch` with `keepalive`, so it outlives the page.
    Keepalive,
    /// `navigator.sendBeacon`.
    Beacon,
    /// `fetch` without `keepalive` (the page waits for it anyway): the keepalive quota, which
    /// beacons share, may be spent by the page's own beacons.
    Plain,
}

/// How long after the dialog opens a key does not answer it (see [`Core::handle`]'s dialog
/// input): about the time a typist takes to notice that the dialog appeared.
const KEY_GRACE: Duration = Duration::from_ms(500);

/// How long a page sent to `redirectUrl` waits before sending itself again, and how many times
/// in all it is sent.
const REDIRECT_AGAIN: Duration = Duration::from_secs(3);
const REDIRECTS: u8 = 4;

/// How long a tab that lost the claim waits for the winner's `claimed` before it sends the
/// logout request itself (the winner says so as soon as it holds the claim; a duplicate request
/// is harmless, the protocol's logout is idempotent).
const CLAIM_EVIDENCE: Duration = Duration::from_ms(1_500);

/// The session core. See the module docs.
#[derive(Debug)]
pub struct Core {
    engine: Engine,
    settings: Settings,
    id: String,
    /// Which application this is (see [`Settings::app`]).
    app: String,
    /// Another application's records or messages were seen (reported once).
    foreign_seen: bool,
    tab: String,
    /// When this document started loading: a tombstone after it ended this page's session.
    time_origin: Moment,
    audit: Audit,
    commands: VecDeque<Command>,
    /// The monotonic reading of the last input (see [`Engine::handle_clock`]).
    mono: Monotonic,
    /// The latest recorded input the engine has seen.
    synced_input: Moment,
    /// The dialog showing: `Some(absolute)`.
    dialog: Option<bool>,
    /// The absolute warning was closed by the user: not shown again.
    dismissed: bool,
    /// The page is concealed (see [`Command::Conceal`]).
    concealed: bool,
    /// The tab title counts down.
    title: bool,
    /// The countdown second last shown (a count of seconds; 0: none).
    shown_second: u64,
    /// When the dialog was last shown (the epoch: never).
    dialog_shown_at: Moment,
    /// The state last mirrored.
    shown_state: State,
    /// A keepalive waits for the record to confirm the session is still ours.
    keepalive_wanted: bool,
    /// The record is to be written once read: a page never writes over another session's.
    record_wanted: bool,
    /// The last `extend()` extended the session.
    extended: bool,
    /// Host failures audited so far (each name once, a few in all: auditing may itself fail).
    host_failures: Vec<String>,
    ending: Option<Ending>,
}

/// At most this many distinct failed browser calls are audited.
const HOST_FAILURES: usize = 8;

impl Core {
    /// Starts the page's session at `at`: `record` is the shared record as read now, `tab` this
    /// tab's id, `time_origin` when the document started loading, `errors` what was wrong with
    /// the settings (audited: a portal must learn it runs on fail-safes).
    pub fn new(
        settings: Settings,
        tab: String,
        time_origin: Moment,
        record: Option<Record>,
        errors: &[ConfigError],
        at: Clocks,
    ) -> Core {
        let now = at.wall;
        let id = settings.identity();
        let app = settings.app();
        let policy = settings.policy;
        let audit = Audit::new(&tab, &id, &settings.channel, &policy);
        // Another session's record is an earlier sign-in's: a page always comes from the server
        // for the session it names (PHI pages are sent `no-store`), so its own session wins.
        let foreign = record.as_ref().is_some_and(|r| r.app != app);
        let has_id = !id.is_empty();
        // Without an identity, an earlier sign-in's record is told apart by time only (see
        // `Record::is_current`): this page then starts afresh over it.
        let mine =
            record.filter(|r| r.app == app && r.id == id && r.is_current(has_id, policy.timeout(), time_origin, now));
        let mut engine = Engine::new(policy, now);
        let mut ended = None;
        let mut overdue = false;
        if let Some(r) = &mine {
            if r.ended.is_some() {
                ended = Some(r.clone());
            } else {
                engine = Engine::resume(policy, r.last_activity, now);
                engine.set_started_at(r.started);
                // Its deadline passed with no tab to keep it (every tab closed, a tab discarded
                // and reloaded): with an identity, it is this page's session, overdue.
                overdue = r.last_activity + policy.timeout() <= now;
                if !overdue {
                    if let Some(server) = r.server {
                        engine.handle_server_deadline(now, server);
                    }
                }
            }
        }
        if let Some(start) = settings.session_start {
            engine.set_started_at(start);
        }
        if settings.keepalive_url.is_some() {
            engine.set_keepalive(settings.keepalive_interval);
        }
        let mut core = Core {
            engine,
            settings,
            id,
            app,
            foreign_seen: false,
            tab,
            time_origin,
            audit,
            commands: VecDeque::new(),
            mono: at.mono,
            synced_input: at.input,
            dialog: None,
            dismissed: false,
            concealed: false,
            title: false,
            shown_second: 0,
            dialog_shown_at: Moment::EPOCH,
            shown_state: State::Active,
            keepalive_wanted: false,
            record_wanted: false,
            extended: false,
            host_failures: Vec::new(),
            ending: None,
        };
        core.commands.push_back(Command::State(State::Active));
        core.audit("session-started", now, None);
        for error in errors {
            if let Some(field) = error.field() {
                core.audit("config-error", now, Some(("field", field.option_name())));
            }
        }
        if foreign {
            core.foreign(now);
        }
        match ended {
            Some(tombstone) => {
                // This page's session already ended in another page.
                let retry = core.settings.logout_url.is_some() && tombstone.told_as_of(now) == Told::Undelivered;
                core.engine.handle_peer(now, PeerMessage::Logout);
                core.step(now);
                core.set_retry(retry);
                core.decide(now, Some(tombstone));
            }
            None => {
                if !overdue {
                    // The start's write is the one that may replace another session's record.
                    core.put_record();
                    if core.engine.server_deadline().is_some() {
                        // The server's deadline was recorded before this page loaded, and the
                        // load may have moved it: ask the server, rather than warn on a stale one
                        // (the status never extends; without one, a keepalive, which the page
                        // load itself, a navigation, already counted as activity).
                        let ask = match core.settings.status_url {
                            Some(_) => Command::Status,
                            None => Command::Keepalive(core.keepalive_body()),
                        };
                        core.commands.push_back(ask);
                    }
                }
                core.engine.handle_timeout(now);
                core.step(now);
            }
        }
        core
    }

    /// Handles one input at `at`.
    pub fn handle(&mut self, at: Clocks, input: Input) {
        let now = at.wall;
        // How much real time passed since the last input: a wall clock set back meanwhile
        // gives the session nothing.
        self.engine.handle_clock(now, at.mono.since(self.mono));
        self.mono = at.mono;
        let before = match input {
            Input::Activity { before } => before,
            _ => Moment::EPOCH,
        };
        if self.ending.is_none() {
            self.sync_input(before, at.input, now);
        }
        match input {
            Input::Activity { .. } => {}
            Input::Timer => self.on_timer(now),
            Input::Wake(record) => {
                if self.ending.is_none() {
                    self.on_record(now, record, true);
                    self.engine.handle_timeout(now);
                    // Waking includes being hidden or frozen: the last input goes out first.
                    self.engine.flush_announce(now);
                }
            }
            Input::Record(record) => match self.ending.as_ref().map(|e| e.step) {
                Some(Step::Deciding { .. }) => self.decide(now, record),
                Some(Step::Confirming) => self.confirm_claim(now, record),
                Some(Step::Finishing) => self.finish(now, record),
                Some(_) => self.on_record_ending(now, record),
                None => {
                    self.on_record(now, record, false);
                    let live = self.ending.is_none() && matches!(self.engine.state(), State::Active | State::Warning);
                    if core::mem::take(&mut self.record_wanted) && live {
                        self.put_record();
                    }
                }
            },
            Input::RecordChanged(Some(r)) if self.ending.is_none() && r.ended.is_some() && r.id == self.id => {
                // Another tab ended this session and wrote so: this tab ends too, even if the
                // channel's message never came. A BroadcastChannel just opened can miss a message
                // posted while it registers (seen in WebKit: a tab started as another logged out
                // stayed signed in until its own deadline).
                self.on_record(now, Some(r), false);
            }
            // Anything else written is told by the channel's messages.
            Input::RecordChanged(_) => {}
            Input::Message(text) => self.on_message(now, &text),
            Input::Keepalive(reply) => {
                let answer = reply.answer();
                self.engine.handle_server(now, answer);
                let live = matches!(self.engine.state(), State::Active | State::Warning);
                if let (true, ServerAnswer::Remaining(_), Some(deadline)) =
                    (live, answer, self.engine.server_deadline())
                {
                    // The server's deadline is the session's: every tab hears of it.
                    self.post(Kind::Server, deadline);
                    self.write_record();
                }
            }
            Input::Extend => self.extended = self.engine.handle_extend(now, ExtendHow::Api),
            Input::Logout => self.engine.handle_logout(now, Reason::User),
            Input::Stop => self.stop(),
            Input::Dialog { action, trusted, by_key, repeat } => {
                // A held key answers nothing: only a deliberate press does.
                if !repeat {
                    self.on_dialog(now, action, trusted, by_key);
                }
            }
            Input::Claim(won) => self.on_claim(now, won),
            Input::LogoutSent(status) => self.on_logout_sent(now, status),
            Input::BeaconQueued(queued) => self.on_beacon(now, queued),
            Input::PageHide => {
                if self.ending.is_none() {
                    self.engine.flush_announce(now);
                }
                self.on_pagehide();
            }
            Input::HostFailed(names) => self.on_host_failed(now, &names),
            Input::Cleared { databases_listed } => {
                if !databases_listed {
                    // Say so: "every database" would not be true here.
                    self.audit("clear-incomplete", now, Some(("what", "indexeddb")));
                }
                if let Some(Ending { step: Step::Waiting { cleared, .. }, .. }) = &mut self.ending {
                    *cleared = true;
                }
                self.maybe_complete(now);
            }
        }
        self.step(now);
    }

    /// The next command to perform, in order.
    pub fn poll_command(&mut self) -> Option<Command> {
        self.commands.pop_front()
    }

    /// When to call [`Core::handle`] with [`Input::Timer`] next; `None`: nothing to wait for.
    /// Waking earlier is harmless; waking later is judged against the real deadlines.
    pub fn poll_timeout(&self) -> Option<Moment> {
        if let Some(e) = &self.ending {
            return match e.step {
                Step::Waiting { claim: Claim::Lost { evidence_by }, .. } => Some(evidence_by),
                Step::Waiting { bound, .. } => Some(bound),
                Step::Done { again, .. } => again,
                _ => None,
            };
        }
        let next = self.engine.poll_timeout()?;
        // During the warning, also when the visible countdown changes (once a second).
        match (self.engine.state(), self.engine.deadline()) {
            (State::Warning, Some(deadline)) => {
                let left = self.engine_now().until(deadline);
                let tick = deadline - Duration::from_ms(left.ms().saturating_sub(1) / 1000 * 1000);
                Some(next.min(tick))
            }
            _ => Some(next),
        }
    }

    /// Until when new input may only be recorded (see [`Engine::input_quiet_until`]).
    pub fn input_quiet_until(&self) -> Moment {
        if self.ending.is_some() {
            return Moment::MAX;
        }
        self.engine.input_quiet_until()
    }

    /// The session's state.
    pub fn state(&self) -> State {
        self.engine.state()
    }

    /// When the session expires unless extended; `None` once it has ended.
    pub fn deadline(&self) -> Option<Moment> {
        self.engine.deadline()
    }

    /// Whether the last [`Input::Extend`] extended the session.
    pub fn extended(&self) -> bool {
        self.extended
    }

    /// The timing engine, for tests.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The session's identity on the wire (empty: none).
    pub fn id(&self) -> &str {
        &self.id
    }

    fn engine_now(&self) -> Moment {
        self.engine.last_now()
    }

    fn audit(&mut self, kind: &str, at: Moment, detail: Option<(&str, &str)>) {
        let event = self.audit.event(kind, at, detail);
        self.commands.push_back(Command::Audit(event));
    }

    /// Hands the input the listeners only recorded over to the engine, with its own time:
    /// `before` (the input recorded before the one that called in, or the epoch), then the latest.
    /// Each only if it was not handed over already; `!=`, not `>`: after the wall clock is set
    /// back, new input is older than what was handed over before.
    fn sync_input(&mut self, before: Moment, last: Moment, now: Moment) {
        let fresh = |at: Moment| at != Moment::EPOCH && at != self.synced_input;
        let both = [before, last];
        let times = match (fresh(before) && before != last, fresh(last)) {
            (true, true) => &both[..],
            (true, false) => &both[..1],
            (false, true) => &both[1..],
            (false, false) => return,
        };
        self.synced_input = last;
        self.engine.handle_inputs(times, now);
    }

    fn on_timer(&mut self, now: Moment) {
        let Some(e) = &self.ending else {
            self.engine.handle_timeout(now);
            return;
        };
        match e.step {
            Step::Waiting { claim: Claim::Lost { evidence_by }, .. } if now >= evidence_by => {
                // Nobody of this session said it sends the request: this tab does.
                self.send_logout(now);
                if let Some(e) = &mut self.ending {
                    let keep = !e.replaced;
                    if let Some(t) = &mut e.tombstone {
                        t.pending(keep);
                    }
                }
            }
            Step::Waiting { claim: Claim::NotHeld | Claim::Held, bound, .. } if now >= bound => self.complete(now),
            Step::Done { again: Some(at), .. } if now >= at => self.redirect(now),
            _ => {}
        }
    }

    /// The shared record, read on waking (`wake`) or to check whose session it is.
    fn on_record(&mut self, now: Moment, record: Option<Record>, wake: bool) {
        let record = self.not_foreign(now, record);
        let Some(r) = record else {
            // No record (storage unusable, or just cleared): nothing says it is not ours.
            self.send_wanted_keepalive();
            return;
        };
        if r.id != self.id {
            // Someone signed in anew: this page's session is over, and the rest is theirs.
            self.keepalive_wanted = false;
            self.engine.handle_logout(now, Reason::Replaced);
            return;
        }
        match r.ended {
            // Its end, unless an earlier sign-in's (see `Record::is_current`).
            Some(_) if r.is_current(!self.id.is_empty(), self.settings.policy.timeout(), self.time_origin, now) => {
                self.keepalive_wanted = false;
                let retry = self.settings.logout_url.is_some() && r.told_as_of(now) == Told::Undelivered;
                self.engine.handle_peer(now, PeerMessage::Logout);
                self.step(now);
                self.set_retry(retry);
            }
            Some(_) => self.send_wanted_keepalive(),
            None => {
                if wake {
                    // The other tabs' activity and the server's deadline, as recorded.
                    self.engine.handle_peer(now, PeerMessage::Activity { at: r.last_activity });
                    if let Some(server) = r.server {
                        self.engine.handle_server_deadline(now, server);
                    }
                }
                self.send_wanted_keepalive();
            }
        }
    }

    fn send_wanted_keepalive(&mut self) {
        if core::mem::take(&mut self.keepalive_wanted) && matches!(self.engine.state(), State::Active | State::Warning)
        {
            let body = self.keepalive_body();
            self.commands.push_back(Command::Keepalive(body));
        }
    }

    fn on_message(&mut self, now: Moment, text: &str) {
        let Some(m) = Message::decode(text, now) else {
            return;
        };
        if m.tab == self.tab {
            return;
        }
        if m.app != self.app {
            // Another application sharing the channel: nothing of ours.
            self.foreign(now);
            return;
        }
        if m.id != self.id {
            // Not this session's: ignored. But it may mean this page's session was replaced:
            // the record says.
            if self.ending.is_none() {
                self.commands.push_back(Command::ReadRecord);
            }
            return;
        }
        match m.kind {
            Kind::Activity => self.engine.handle_peer(now, PeerMessage::Activity { at: m.at }),
            Kind::Extend => self.engine.handle_peer(now, PeerMessage::Extend { at: m.at }),
            Kind::Logout => self.engine.handle_peer(now, PeerMessage::Logout),
            Kind::Server => self.engine.handle_server_deadline(now, m.at),
            Kind::Claimed => {
                if let Some(e) = &mut self.ending {
                    match &mut e.step {
                        Step::Deciding { peer_claimed } | Step::Claiming { peer_claimed } => *peer_claimed = true,
                        // No need to wait for evidence any more: another tab sends it.
                        Step::Waiting { claim: claim @ Claim::Lost { .. }, .. } => *claim = Claim::NotHeld,
                        _ => {}
                    }
                }
                self.maybe_complete(now);
            }
        }
    }

    fn on_dialog(&mut self, now: Moment, action: Action, trusted: bool, by_key: bool) {
        // Only the user may answer the warning: a script (or an auto-clicker) that clicks
        // "Stay signed in" or sends Escape must not keep a PHI session alive. Page code that
        // means to extend calls `session.extend()`, deliberately.
        if !trusted || self.engine.state() != State::Warning {
            return;
        }
        // Focus moves to "Stay signed in" as the dialog opens: an Enter or a Space typed into
        // the page at that moment (or a barcode scanner's Enter) would press it. A key answers
        // only once the dialog has been up long enough to have been seen.
        if by_key && now < self.dialog_shown_at + KEY_GRACE {
            return;
        }
        match action {
            Action::Stay(_) if self.dialog == Some(true) => {
                // The absolute warning cannot extend: its button only closes it.
                self.dialog = None;
                self.dismissed = true;
                self.conceal(false);
                self.commands.push_back(Command::CloseDialog);
            }
            Action::Stay(how) => {
                self.engine.handle_extend(now, how);
            }
            Action::Logout => self.engine.handle_logout(now, Reason::User),
        }
    }

    /// Audits each failed browser call once (a handful in all), by its name: a name is a
    /// property or method autologoff itself asked for, but only letters are let through, so
    /// nothing else can reach the audit trail this way.
    fn on_host_failed(&mut self, now: Moment, names: &str) {
        for name in crate::num::split(names, b',') {
            let valid = !name.is_empty() && name.len() <= 32 && name.bytes().all(|b| b.is_ascii_alphabetic());
            if !valid || self.host_failures.len() >= HOST_FAILURES || self.host_failures.iter().any(|n| n == name) {
                continue;
            }
            self.host_failures.push(name.to_owned());
            self.audit("host-error", now, Some(("what", name)));
        }
    }

    fn stop(&mut self) {
        // A logout in progress cannot be undone.
        if self.ending.is_some() {
            return;
        }
        self.engine.handle_stop();
        self.conceal(false);
        if self.dialog.take().is_some() {
            self.commands.push_back(Command::CloseDialog);
        }
        if core::mem::take(&mut self.title) {
            self.commands.push_back(Command::Title(None));
        }
        self.commands.push_back(Command::Detach);
    }

    /// Turns what the engine decided into commands, mirrors the state and the countdown.
    fn step(&mut self, now: Moment) {
        while let Some(effect) = self.engine.poll_effect() {
            match effect {
                Effect::Warn { deadline, reason } => self.warn(now, deadline, reason),
                Effect::Extended { how } => {
                    // The page first: the user is back.
                    self.conceal(false);
                    if self.dialog.take().is_some() {
                        self.commands.push_back(Command::CloseDialog);
                    }
                    self.dismissed = false;
                    if core::mem::take(&mut self.title) {
                        self.commands.push_back(Command::Title(None));
                    }
                    self.audit("extended", now, Some(("how", how.as_str())));
                    self.commands.push_back(Command::Event(Event::Extend { how }));
                }
                Effect::Keepalive => {
                    // Only for this page's own session: the record says whose it is now.
                    self.read_record_once();
                    self.keepalive_wanted = true;
                }
                Effect::Terminate { reason } => self.begin_ending(now, reason),
            }
        }
        self.transmit(now);
        let state = self.engine.state();
        if state != self.shown_state {
            self.shown_state = state;
            self.commands.push_back(Command::State(state));
        }
        if let (State::Warning, Some(deadline)) = (state, self.engine.deadline()) {
            let remaining = now.until(deadline);
            let second = remaining.ms().div_ceil(1000);
            if second != self.shown_second {
                self.shown_second = second;
                if self.dialog.is_some() {
                    self.commands.push_back(Command::UpdateDialog { remaining });
                }
                self.title = true;
                self.commands.push_back(Command::Title(Some(remaining)));
            }
        } else {
            self.shown_second = 0;
        }
    }

    fn warn(&mut self, now: Moment, deadline: Moment, reason: Reason) {
        let remaining = now.until(deadline);
        let absolute = reason == Reason::Absolute;
        if self.settings.conceal_during_warning && !self.dismissed {
            // Before the event: a page's own warning, opened from its listener, goes above.
            self.conceal(true);
        }
        self.audit("warning-shown", now, Some(("reason", reason.as_str())));
        self.commands.push_back(Command::Event(Event::Warning { deadline, remaining }));
        if self.dialog.is_some_and(|a| a != absolute) {
            // An idle warning that extending can no longer help became the absolute one.
            self.dialog = None;
            self.dismissed = false;
            self.commands.push_back(Command::CloseDialog);
        }
        // The dialog after the event: building it takes a few ms the event should not wait for.
        if self.dialog.is_none() && !self.dismissed && self.settings.dialog {
            self.dialog = Some(absolute);
            self.shown_second = remaining.ms().div_ceil(1000);
            self.dialog_shown_at = now;
            self.commands.push_back(Command::ShowDialog { absolute, remaining });
            self.title = true;
            self.commands.push_back(Command::Title(Some(remaining)));
        }
    }

    /// Conceals (`on`) or reveals the page, if it is not so already.
    fn conceal(&mut self, on: bool) {
        if core::mem::replace(&mut self.concealed, on) != on {
            self.commands.push_back(Command::Conceal(on));
        }
    }

    /// Sends the engine's messages to the other tabs, and keeps the shared record current.
    fn transmit(&mut self, now: Moment) {
        while let Some(message) = self.engine.poll_transmit() {
            match message {
                PeerMessage::Activity { at } => {
                    self.post(Kind::Activity, at);
                    self.write_record();
                }
                PeerMessage::Extend { at } => {
                    self.post(Kind::Extend, at);
                    self.write_record();
                }
                PeerMessage::Logout => self.post(Kind::Logout, now),
            }
        }
    }

    fn post(&mut self, kind: Kind, at: Moment) {
        let m = Message { kind, app: self.app.clone(), id: self.id.clone(), tab: self.tab.clone(), at };
        self.commands.push_back(Command::Post(m.encode()));
    }

    /// Keeps the shared record current: read first, and written (by [`Core::put_record`]) only
    /// if it is still this session's. A page of an earlier sign-in that gets input (a window
    /// beside the new one) must not write over the new session's record: the new session's
    /// pages would read it as their own replacement, and leave without telling the server.
    fn write_record(&mut self) {
        self.read_record_once();
        self.record_wanted = true;
    }

    /// Asks for the record, unless a read for a keepalive or a write is already on its way (its
    /// answer serves both).
    fn read_record_once(&mut self) {
        if !self.keepalive_wanted && !self.record_wanted {
            self.commands.push_back(Command::ReadRecord);
        }
    }

    /// Writes the live record: the last activity this tab knows of, the start, the server's
    /// deadline.
    fn put_record(&mut self) {
        let r = Record {
            app: self.app.clone(),
            id: self.id.clone(),
            last_activity: self.engine.last_activity(),
            ended: None,
            started: self.engine.started_at(),
            server: self.engine.server_deadline(),
            told: Told::Live,
        };
        self.commands.push_back(Command::WriteRecord(r.encode()));
    }

    fn begin_ending(&mut self, now: Moment, reason: Reason) {
        // The cover first, synchronously: no PHI stays visible while the rest completes.
        self.commands.push_back(Command::Cover);
        self.title = false;
        if matches!(reason, Reason::Idle | Reason::Absolute | Reason::Server) {
            self.audit("expired", now, Some(("reason", reason.as_str())));
        }
        self.audit("logged-out", now, Some(("reason", reason.as_str())));
        // Tell the other tabs before anything else happens here.
        self.transmit(now);
        self.shown_state = State::Expired;
        self.commands.push_back(Command::State(State::Expired));
        self.commands.push_back(Command::Event(Event::Logout { reason }));
        // Released after the event: removing them takes time the event should not wait for.
        // The concealment comes down only now, under the cover: no flash of the page between.
        self.conceal(false);
        if self.dialog.take().is_some() {
            self.commands.push_back(Command::CloseDialog);
        }
        self.commands.push_back(Command::StopInput);
        self.ending = Some(Ending {
            reason,
            at: now,
            replaced: false,
            tombstone: None,
            request: Request::Unsent { retry: false },
            step: Step::Deciding { peer_claimed: false },
        });
        if reason == Reason::Replaced {
            self.replaced(now);
        } else {
            // Whose session the record holds now, and whether another tab ended it first,
            // decide what this tab does (a timer and a frozen tab ask too: never two requests).
            self.commands.push_back(Command::ReadRecord);
        }
    }

    /// The tombstone this page found says the logout request never reached the server: if this
    /// tab sends it, it sends it again.
    fn set_retry(&mut self, retry: bool) {
        if let Some(Ending { request: Request::Unsent { retry: r }, .. }) = &mut self.ending {
            *r = retry;
        }
    }

    /// The record, read when the session ended: decides the tombstone and the request.
    fn decide(&mut self, now: Moment, record: Option<Record>) {
        let record = self.not_foreign(now, record);
        let logout_url = self.settings.logout_url.is_some();
        let engine_last_activity = self.engine.last_activity();
        let Some(e) = &mut self.ending else { return };
        let (Step::Deciding { peer_claimed }, Request::Unsent { retry }) = (e.step, e.request) else {
            return;
        };
        let send = match record {
            Some(r) if r.id != self.id => {
                // A new sign-in replaced this session meanwhile: its cookie is the browser's
                // now. Nothing of the new session is touched; this one's end is still told to
                // the server, naming it (see `replaced`).
                self.replaced(now);
                return;
            }
            Some(r) if r.ended.is_some() => {
                // Another tab (or an earlier page) ended it: only a request that never reached
                // the server is sent again.
                let send = logout_url && (retry || r.told_as_of(now) == Told::Undelivered);
                e.request = Request::Unsent { retry: send };
                e.tombstone = Some(Tombstone { record: r, keeper: Keeper::Other });
                send
            }
            record => {
                let (last_activity, started, server) =
                    record.map_or((now, now, None), |r| (r.last_activity, r.started, r.server));
                let peer = e.reason == Reason::Peer;
                let mine = !peer && logout_url;
                let tombstone = Record {
                    app: self.app.clone(),
                    id: self.id.clone(),
                    last_activity: last_activity.max(engine_last_activity).min(now),
                    ended: Some(now),
                    started,
                    server,
                    told: if mine { Told::Pending } else { Told::Done },
                };
                // A tab told by another writes nothing: the record is the ender's to write. The
                // message can arrive here before the ender has read the record, and a mark
                // written now would tell the ender the server was told before it sent anything
                // (seen in Firefox under load: no logout request at all).
                let keeper = if peer {
                    Keeper::Other
                } else {
                    self.commands.push_back(Command::WriteRecord(tombstone.encode()));
                    Keeper::This { rewrite: false }
                };
                e.tombstone = Some(Tombstone { record: tombstone, keeper });
                mine
            }
        };
        if send {
            e.step = Step::Claiming { peer_claimed };
            self.claim();
        } else {
            self.start_clearing(now, Claim::NotHeld);
        }
    }

    fn on_claim(&mut self, now: Moment, won: bool) {
        let Some(e) = &mut self.ending else { return };
        let Step::Claiming { peer_claimed } = e.step else { return };
        let claim = if won && peer_claimed {
            // Another tab sends it: its lock may have been released early (a Clear-Site-Data
            // response frees Web Locks in Chromium), which is how this tab got it.
            self.commands.push_back(Command::ReleaseClaim);
            Claim::NotHeld
        } else if won {
            e.step = Step::Confirming;
            self.commands.push_back(Command::ReadRecord);
            return;
        } else if !peer_claimed {
            // Lost, and no tab of this session has said it sends the request: perhaps one is
            // about to, perhaps the lock is held by something that is not ours at all.
            Claim::Lost { evidence_by: now + CLAIM_EVIDENCE }
        } else {
            Claim::NotHeld
        };
        self.start_clearing(now, claim);
    }

    /// The claim was won and the record read again: unless a new sign-in replaced the session
    /// meanwhile (the browser's cookie is then the new session's), send the request.
    fn confirm_claim(&mut self, now: Moment, record: Option<Record>) {
        let record = self.not_foreign(now, record);
        let can_name = self.can_name();
        let Some(e) = &mut self.ending else { return };
        if of_another_session(record.as_ref(), &self.id) {
            e.replaced = true;
            if !can_name {
                // Without a public id to name, the request would end the new session.
                self.commands.push_back(Command::ReleaseClaim);
                self.leave(now);
                return;
            }
        } else if !e.replaced {
            if let Some(t) = &mut e.tombstone {
                t.pending(true);
                self.commands.push_back(Command::WriteRecord(t.record.encode()));
            }
        }
        self.send_logout(now);
        self.start_clearing(now, Claim::Held);
    }

    /// This tab sends the logout request: it says so to the others first.
    fn send_logout(&mut self, now: Moment) {
        let body = self.logout_body();
        let Some(e) = &mut self.ending else { return };
        let retry = matches!(e.request, Request::Unsent { retry: true });
        e.request = Request::Sent { attempt: Attempt::Keepalive, failure: None };
        if let Step::Waiting { claim: claim @ Claim::Lost { .. }, .. } = &mut e.step {
            *claim = Claim::NotHeld;
        }
        self.post(Kind::Claimed, now);
        self.commands.push_back(Command::SendLogout { body, keepalive: true });
        if retry {
            self.audit("logout-retried", now, None);
        }
    }

    /// This page's session was replaced by a new sign-in (another identity of this application
    /// in the record). Nothing of the new session is touched, but the server is told that this
    /// one ended, naming it by its public id, so the request cannot end the new session
    /// (docs/protocol.md, 3.3). One tab of the old session sends it (the claim is the session's
    /// own). Without a public id to name (no `sessionId`), or without a `logoutUrl`, nothing can
    /// be sent safely: the page leaves, and the server's own limits end the old session.
    fn replaced(&mut self, now: Moment) {
        let can_name = self.can_name();
        let Some(e) = &mut self.ending else { return };
        e.replaced = true;
        if !can_name {
            self.leave(now);
            return;
        }
        if let Step::Deciding { peer_claimed } = e.step {
            e.step = Step::Claiming { peer_claimed };
        }
        self.claim();
    }

    /// Whether this page can name its session to the server: a public id and a logout URL.
    fn can_name(&self) -> bool {
        self.settings.session_id.is_some() && self.settings.logout_url.is_some()
    }

    /// Claims the right to send the logout request: the session's own lock.
    fn claim(&mut self) {
        let name = crate::wire::claim_key(&self.settings.channel, &self.id);
        self.commands.push_back(Command::Claim(name));
    }

    /// `record`, unless another application wrote it (then it says nothing of this session).
    fn not_foreign(&mut self, now: Moment, record: Option<Record>) -> Option<Record> {
        match record {
            Some(r) if r.app != self.app => {
                self.foreign(now);
                None
            }
            r => r,
        }
    }

    /// Another application on the origin shares this channel (another logout URL): said once,
    /// on the console and in the audit trail. Its records and messages are ignored.
    fn foreign(&mut self, now: Moment) {
        if core::mem::replace(&mut self.foreign_seen, true) {
            return;
        }
        self.audit("channel-shared", now, None);
        let mut text = String::from("autologoff: another application on this origin uses the channel `");
        text.push_str(&self.settings.channel);
        text.push_str("` (another logoutUrl). Give each its own `channel`: until then their tabs ignore each other.");
        self.commands.push_back(Command::Report(text));
    }

    /// The record, read while waiting for the request: a new sign-in meanwhile means nothing
    /// more of this session is written or cleared; else the tombstone is rewritten if wanted.
    fn on_record_ending(&mut self, now: Moment, record: Option<Record>) {
        let record = self.not_foreign(now, record);
        let Some(e) = &mut self.ending else { return };
        if !matches!(e.step, Step::Waiting { .. }) {
            return;
        }
        let another = of_another_session(record.as_ref(), &self.id);
        if another {
            e.replaced = true;
        }
        if let Some(Tombstone { record, keeper: Keeper::This { rewrite } }) = &mut e.tombstone {
            if core::mem::take(rewrite) && !e.replaced {
                self.commands.push_back(Command::WriteRecord(record.encode()));
            }
        }
    }

    /// The page is going away (perhaps closed right after the session ended) while the claim is
    /// still undecided: the logout request goes now, as a beacon, which outlives the page. Other
    /// tabs would not send it: the tombstone says a tab is on it.
    fn on_pagehide(&mut self) {
        let body = self.logout_body();
        let Some(e) = &mut self.ending else { return };
        if !matches!(e.request, Request::Unsent { .. }) {
            return;
        }
        e.step = match e.step {
            Step::Claiming { peer_claimed: false } => {
                Step::Waiting { bound: e.at, cleared: false, claim: Claim::NotHeld }
            }
            Step::Waiting { bound, cleared, claim: Claim::Lost { .. } } => {
                Step::Waiting { bound, cleared, claim: Claim::NotHeld }
            }
            _ => return,
        };
        e.request = Request::Sent { attempt: Attempt::Beacon, failure: None };
        self.commands.push_back(Command::Beacon(body));
    }

    /// The logout request's answer. A `fetch` that failed (offline, CORS, the keepalive quota
    /// spent, the page unloading) is followed by a beacon, and a beacon the browser would not
    /// queue by a plain `fetch`; whether a queued beacon arrived is unknowable, so the tombstone
    /// then still asks the next page of the session to send it again.
    fn on_logout_sent(&mut self, now: Moment, status: Status) {
        let body = self.logout_body();
        let Some(e) = &mut self.ending else { return };
        let Request::Sent { attempt, failure } = &mut e.request else { return };
        if !delivered(status) && failure.is_none() {
            *failure = Some(if status.is_some() { "http" } else { "network" });
        }
        // Not delivered (no answer, or a 403 for a CSRF header the server did not take): a
        // beacon, which carries the token as a form field.
        if !delivered(status) && *attempt == Attempt::Keepalive {
            *attempt = Attempt::Beacon;
            self.commands.push_back(Command::Beacon(body));
            return;
        }
        self.settle_logout(now, status);
    }

    fn on_beacon(&mut self, now: Moment, queued: bool) {
        let Some(Ending { request: Request::Sent { attempt: Attempt::Beacon, .. }, .. }) = self.ending else { return };
        if queued {
            self.settle_logout(now, None);
            return;
        }
        if let Some(Ending { request: Request::Sent { attempt, .. }, .. }) = &mut self.ending {
            *attempt = Attempt::Plain;
        }
        let body = self.logout_body();
        self.commands.push_back(Command::SendLogout { body, keepalive: false });
    }

    /// The logout request's outcome is known: the tombstone says whether the server was told.
    fn settle_logout(&mut self, now: Moment, status: Status) {
        let Some(e) = &mut self.ending else { return };
        let first = match e.request {
            Request::Sent { failure, .. } => failure,
            _ => None,
        };
        let told = if delivered(status) {
            e.request = Request::Settled { failure: None };
            Told::Done
        } else {
            e.request = Request::Settled { failure: Some(first.unwrap_or("network")) };
            Told::Undelivered
        };
        if let Some(Tombstone { record, keeper: Keeper::This { rewrite } }) = &mut e.tombstone {
            // Written now, too (a Clear-Site-Data response may have just removed it), once the
            // record confirms the session is still this page's.
            record.told = told;
            if !core::mem::replace(rewrite, true) {
                self.commands.push_back(Command::ReadRecord);
            }
        }
        self.maybe_complete(now);
    }

    /// Waits for the request and the clearing: clears, unless the storage is another session's.
    fn start_clearing(&mut self, now: Moment, claim: Claim) {
        let wait = self.settings.logout_wait;
        let Some(e) = &mut self.ending else { return };
        // A replaced page clears nothing: the storage is the new session's now.
        e.step = Step::Waiting { bound: now + wait, cleared: e.replaced, claim };
        if e.replaced {
            self.maybe_complete(now);
        } else {
            self.commands.push_back(Command::Clear);
        }
    }

    fn maybe_complete(&mut self, now: Moment) {
        let ready = self.ending.as_ref().is_some_and(|e| {
            let waited = matches!(e.step, Step::Waiting { cleared: true, claim: Claim::NotHeld | Claim::Held, .. });
            waited && !matches!(e.request, Request::Sent { .. })
        });
        if ready {
            self.complete(now);
        }
    }

    /// After the wait: let go of the claim, audit a failed request, clear again, the tombstone
    /// again, cookies, leave.
    fn complete(&mut self, now: Moment) {
        let Some(e) = &mut self.ending else { return };
        if let Step::Waiting { claim: Claim::Held, .. } = e.step {
            self.commands.push_back(Command::ReleaseClaim);
        }
        let failed = match e.request {
            Request::Unsent { .. } => None,
            Request::Settled { failure } => failure,
            Request::Sent { failure, .. } => {
                // Not answered in time: it may still arrive (it is sent with keepalive), but
                // nothing says it did.
                if let Some(t) = &mut e.tombstone {
                    t.record.told = Told::Undelivered;
                }
                Some(failure.unwrap_or("timeout"))
            }
        };
        let replaced = e.replaced;
        e.step = if replaced { Step::Done { redirects: 0, again: None } } else { Step::Finishing };
        if let Some(why) = failed {
            self.audit("logout-request-failed", now, Some(("status", why)));
        }
        if replaced {
            self.leave(now);
        } else {
            self.commands.push_back(Command::ReadRecord);
        }
    }

    /// The record, read last: unless a new sign-in replaced the session during the wait, clear
    /// again, rewrite the tombstone and expire cookies; then leave.
    fn finish(&mut self, now: Moment, record: Option<Record>) {
        let record = self.not_foreign(now, record);
        let Some(e) = &mut self.ending else { return };
        e.step = Step::Done { redirects: 0, again: None };
        if of_another_session(record.as_ref(), &self.id) {
            e.replaced = true;
        }
        // Written below in any case, if it is to be written at all.
        if let Some(Tombstone { keeper: Keeper::This { rewrite }, .. }) = &mut e.tombstone {
            *rewrite = false;
        }
        if !e.replaced {
            let tombstone = match &e.tombstone {
                Some(Tombstone { record, keeper: Keeper::This { .. } }) => Some(record.encode()),
                _ => None,
            };
            // Page scripts kept running during the wait and may have written drafts back.
            self.commands.push_back(Command::ClearAgain);
            // The tombstone again (a Clear-Site-Data response may have removed it).
            if let Some(t) = tombstone {
                self.commands.push_back(Command::WriteRecord(t));
            }
            self.commands.push_back(Command::ClearCookies);
        }
        self.leave(now);
    }

    /// The last commands: the redirect (or the signed-out cover), and letting go of everything.
    fn leave(&mut self, now: Moment) {
        let Some(e) = &mut self.ending else { return };
        e.step = Step::Done { redirects: 0, again: None };
        if e.replaced {
            // This tab's own session storage is the old session's; everything else belongs to
            // the session that replaced it.
            self.commands.push_back(Command::ClearTab);
        }
        match &self.settings.redirect_url {
            Some(_) => self.redirect(now),
            None => self.commands.push_back(Command::SignedOut),
        }
        self.commands.push_back(Command::Detach);
    }

    /// Sends the page to `redirectUrl`, and again a little later while it is still here: a
    /// navigation can be aborted (in Chromium, one that starts while a `Clear-Site-Data: "cache"`
    /// answer is still being applied, https://crbug.com/40233601), which would leave the user on
    /// the cover.
    fn redirect(&mut self, now: Moment) {
        let Some(url) = self.settings.redirect_url.clone() else { return };
        let Some(e) = &mut self.ending else { return };
        let Step::Done { redirects, .. } = e.step else { return };
        let redirects = redirects.saturating_add(1);
        e.step = Step::Done { redirects, again: (redirects < REDIRECTS).then(|| now + REDIRECT_AGAIN) };
        self.commands.push_back(Command::Redirect(url));
    }
}

/// Whether `record` is another session's (someone signed in anew): this page's session is over,
/// and nothing of the new one may be touched.
fn of_another_session(record: Option<&Record>, id: &str) -> bool {
    record.is_some_and(|r| r.id != id)
}

/// Whether a logout request's outcome means the server was told (docs/protocol.md, 3.3): any
/// 2xx or 3xx (the framework's own logout redirecting), or 401/410 (the session was gone
/// already). A 403 (a CSRF token or an origin refused), 404, 419, 429, 5xx, or no answer: not.
fn delivered(status: Status) -> bool {
    matches!(status, Some(200..=399 | 401 | 410))
}

impl Core {
    /// The logout request's form body: the reason, and the session's public id, so the server
    /// ends this session and no other (docs/protocol.md, 3.3).
    fn logout_body(&self) -> String {
        let reason = self.ending.as_ref().map_or(Reason::User, |e| e.reason);
        let mut body = String::from("reason=");
        body.push_str(reason.as_str());
        self.push_session(&mut body);
        body
    }

    /// The keepalive's form body, naming the session too (a page of an earlier sign-in must not
    /// extend the new one).
    fn keepalive_body(&self) -> String {
        let mut body = String::from("keepalive=1");
        self.push_session(&mut body);
        body
    }

    fn push_session(&self, body: &mut String) {
        if let Some(id) = &self.settings.session_id {
            body.push_str("&session=");
            crate::num::push_form_encoded(body, id);
        }
    }
}
