//! The driver: feeds browser input to the engine, performs the engine's effects, mirrors the
//! state on `<html data-autologoff-state>`, and keeps exactly one timer armed for the engine's
//! next deadline.
//!
//! Activity only records a timestamp; it does not touch the timer. Most input does not even reach
//! the module: the listeners (tap.js) record its time, and the driver hands that over to the
//! engine first thing whenever it runs. Only input the engine must see at once (the first of a
//! burst, to announce it to the other tabs; input after a deadline a late timer has not judged
//! yet) calls in, which [`Engine::input_quiet_until`] decides after every step. When the timer
//! fires early (because activity moved the deadline), the engine finds nothing due and the timer
//! is re-armed for the new deadline: one wakeup per timeout period while the user is idle, at
//! most two calls a second while they are busy, none per input event.

use crate::bug::SureCell;
use crate::prelude::*;
use core::cell::{Cell, RefCell};
use alloc::rc::{Rc, Weak};
use wasm_bindgen::JsValue;

use super::activity::ActivityWatcher;
use super::audit::Audit;
use super::channel::{self, Channel};
use super::dialog::WarningDialog;
use super::dom;
use super::promise::{self, Pending};
use super::timer::Timeout;
use super::PageCell;
use super::terminate::{self, Cover};
use crate::config::Settings;
use crate::engine::{Effect, Engine, ExtendHow, Millis, PeerMessage, Reason, ServerAnswer, State};
use crate::text::Text;
use crate::wire::{self, Record};

/// A running session's browser side, shared by the JS handle, the listeners and the timer.
pub type Shared = Rc<RefCell<Driver>>;

/// The session's state and deadline, readable while the driver is busy (a page listener fired
/// by our own DOM work may ask for `session.state`).
#[derive(Debug)]
pub struct Mirror {
    state: Cell<State>,
    deadline: Cell<Option<Millis>>,
}

impl Mirror {
    /// The current state.
    pub fn state(&self) -> State {
        self.state.get()
    }

    /// Milliseconds left now.
    pub fn remaining(&self) -> Millis {
        self.deadline.get().map_or(0, |d| d.saturating_sub(dom::now()))
    }
}

/// Something to do on the engine at wall-clock `now`.
pub type EngineCall = Box<dyn FnOnce(&mut Engine, Millis)>;

/// Calls that arrived while the driver was busy, run as soon as it is free.
enum Deferred {
    Run(Weak<RefCell<Driver>>, EngineCall),
    /// Input that was due at once, with the input recorded before it (see `ActivityWatcher::new`).
    Input(Weak<RefCell<Driver>>, Millis),
    Stop(Weak<RefCell<Driver>>),
}

impl Deferred {
    fn driver(&self) -> &Weak<RefCell<Driver>> {
        match self {
            Deferred::Run(me, _) | Deferred::Input(me, _) | Deferred::Stop(me) => me,
        }
    }
}

static DEFERRED: PageCell<Vec<Deferred>> = PageCell::new(Vec::new());

/// See the module docs.
pub struct Driver {
    engine: Engine,
    settings: Settings,
    text: Rc<Text>,
    me: Weak<RefCell<Driver>>,
    /// This tab's id on the channel (random, `[0-9a-z]`).
    tab: String,
    watcher: Option<ActivityWatcher>,
    /// The latest input time the watcher recorded that the engine has seen.
    synced_input: Millis,
    /// `performance.now()` when the engine last saw the wall clock (see [`Engine::handle_clock`]).
    seen_at: f64,
    channel: Option<Channel>,
    timer: Option<Timeout>,
    dialog: Option<WarningDialog>,
    /// A warning dialog to show once the warning event is out (`Some(absolute)`): building it
    /// forces style and layout (several ms), which must not delay the event. It is shown in the
    /// same task, so before the next paint.
    pending_dialog: Option<bool>,
    /// The dialog and input listeners of a session that just ended, released after the logout
    /// event is dispatched (removing them takes time the event should not wait for).
    retired: Option<(Option<WarningDialog>, Option<ActivityWatcher>)>,
    /// Whether the dialog showing is the absolute-lifetime one (which can only be closed).
    dialog_absolute: bool,
    mirror: Rc<Mirror>,
    /// The absolute-lifetime warning was closed by the user: do not show it again.
    dismissed: bool,
    /// The page's title before the warning changed it, while it shows.
    saved_title: Option<String>,
    audit: Rc<Audit>,
    /// The keepalive requests in flight: a server may never answer, so their callbacks belong
    /// to the driver (each freed once answered, the rest with the driver).
    requests: Rc<Pending>,
}

/// Two tabs of one session can start apart by this much (both finding no record); a record whose
/// session started later than that after ours belongs to a new sign-in.
const NEW_SESSION_GAP: Millis = 10_000;

/// A DOM event to dispatch once the driver is no longer borrowed, so page listeners may call
/// back into the session.
enum Outbound {
    Warning { deadline: Millis, remaining: Millis },
    Extend { how: ExtendHow },
    Logout { reason: Reason },
}

impl Outbound {
    fn dispatch(self) {
        match self {
            Outbound::Warning { deadline, remaining } => dom::dispatch(
                "autologoff:warning",
                &dom::object(&[
                    ("deadline", JsValue::from_f64(deadline as f64)),
                    ("remainingMs", JsValue::from_f64(remaining as f64)),
                ]),
            ),
            Outbound::Extend { how } => {
                dom::dispatch("autologoff:extend", &dom::object(&[("how", how.as_str().into())]))
            }
            Outbound::Logout { reason } => {
                dom::dispatch("autologoff:logout", &dom::object(&[("reason", reason.as_str().into())]))
            }
        }
    }
}

impl Driver {
    /// Starts a session now with `settings`: listeners attached, state mirrored, timer armed.
    pub fn start(settings: Settings) -> Shared {
        let lang = settings.lang.clone().or_else(|| dom::document().document_element().and_then(|e| e.get_attribute("lang")));
        let page_dir = dom::document().document_element().and_then(|e| e.get_attribute("dir"));
        let text = Rc::new(Text::new(lang.as_deref().unwrap_or(""), &settings.text, page_dir.as_deref()));
        let (now, seen_at) = (dom::now(), dom::monotonic());
        // When this document started loading: a logout recorded after it ended this page's session.
        let time_origin = dom::window().performance().map_or(now, |p| p.time_origin() as Millis);
        // Join the session the other tabs keep, if there is a live one; a record whose deadline
        // passed with no tab to keep it is from an earlier session.
        let record = channel::read_record(&settings.channel, now);
        let ended = record.and_then(|r| r.ended).is_some_and(|at| at >= time_origin);
        let mut engine = match record {
            Some(Record { last_activity, ended: None, started })
                if last_activity.saturating_add(settings.policy.timeout()) > now =>
            {
                let mut e = Engine::resume(settings.policy, last_activity, now);
                e.set_started_at(started);
                e
            }
            _ => Engine::new(settings.policy, now),
        };
        // The server knows best when the session started.
        if let Some(start) = settings.session_start {
            engine.set_started_at(start);
        }
        if settings.keepalive_url.is_some() {
            engine.set_keepalive(settings.keepalive_interval);
        }
        if !ended {
            let record = Record { last_activity: engine.last_activity(), ended: None, started: engine.started_at() };
            channel::write_record(&settings.channel, record);
        }
        let tab = tab_id();
        let audit = Rc::new(Audit::new(settings.audit_url.clone(), &tab, &settings.channel, &settings.policy));
        audit.record("session-started", now, None);
        let channel_name = settings.channel.clone();
        let shared = Rc::new_cyclic(|me: &Weak<RefCell<Driver>>| {
            RefCell::new(Driver {
                engine,
                settings,
                text,
                me: me.clone(),
                tab,
                watcher: None,
                synced_input: 0,
                seen_at,
                channel: None,
                timer: None,
                dialog: None,
                pending_dialog: None,
                retired: None,
                dismissed: false,
                dialog_absolute: false,
                mirror: Rc::new(Mirror { state: Cell::new(State::Active), deadline: Cell::new(None) }),
                saved_title: None,
                audit,
                requests: Rc::default(),
            })
        });
        let me = Rc::downgrade(&shared);
        let activity: Rc<dyn Fn(Millis)> = Rc::new({
            let me = me.clone();
            // The input's time is the watcher's last one, which `run` hands over first. Input
            // is never dispatched inside our own DOM work, but if the driver is busy all the
            // same, the hand-over waits until it is free rather than until the next timer.
            move |before| {
                if let Some(shared) = me.upgrade() {
                    if !run_after_input(&shared, before, |_, _| {}) {
                        DEFERRED.with(|d| d.sure_mut().push(Deferred::Input(Rc::downgrade(&shared), before)));
                    }
                }
            }
        });
        let wake: Rc<dyn Fn()> = Rc::new({
            let me = me.clone();
            let channel_name = channel_name.clone();
            move || {
                let Some(shared) = me.upgrade() else { return };
                // Timers may have slept: re-read what the other tabs recorded, then re-check.
                run(&shared, |e, now| {
                    if let Some(record) = channel::read_record(&channel_name, now) {
                        match record.ended {
                            Some(at) if at >= time_origin => e.handle_peer(now, PeerMessage::Logout),
                            Some(_) => {}
                            // A session that started well after ours is someone's new sign-in
                            // (this page slept, or came back from the back/forward cache):
                            // its activity is not ours, and our session is over.
                            None if record.started > e.started_at().saturating_add(NEW_SESSION_GAP) => {
                                e.handle_peer(now, PeerMessage::Logout)
                            }
                            None => e.handle_peer(now, PeerMessage::Activity { at: record.last_activity }),
                        }
                    }
                    e.handle_timeout(now);
                });
            }
        });
        let message: Rc<dyn Fn(String)> = Rc::new({
            let own = shared.sure_ref().tab.clone();
            move |text| {
                let Some(shared) = me.upgrade() else { return };
                let Some(envelope) = wire::decode(&text, dom::now()) else { return };
                if envelope.tab != own {
                    run(&shared, |e, now| e.handle_peer(now, envelope.message));
                }
            }
        });
        {
            let mut driver = shared.sure_mut();
            driver.watcher = Some(ActivityWatcher::new(activity, wake));
            driver.channel = Channel::open(&channel_name, message);
        }
        run(&shared, |e, now| {
            if ended {
                e.handle_peer(now, PeerMessage::Logout);
            }
        });
        shared
    }

    /// Detaches listeners, timer and dialog without logging out. Termination in progress is not
    /// undone: once a session expired, stopping cannot bring the page back.
    fn shutdown(&mut self) {
        self.engine.handle_stop();
        self.restore_title();
        self.watcher = None;
        self.channel = None;
        self.timer = None;
        self.dialog = None;
        self.pending_dialog = None;
        self.retired = None;
        self.mirror_state();
    }

    /// Performs queued effects, mirrors the state, re-arms the timer. Returns the DOM events to
    /// dispatch after the borrow ends.
    fn step(&mut self, now: Millis) -> Vec<Outbound> {
        let mut out = Vec::new();
        while let Some(effect) = self.engine.poll_effect() {
            match effect {
                Effect::Warn { deadline, reason } => {
                    let remaining = deadline.saturating_sub(now);
                    if self.saved_title.is_none() {
                        self.saved_title = Some(dom::document().title());
                    }
                    let absolute = reason == Reason::Absolute;
                    if self.dialog.is_some() && self.dialog_absolute != absolute {
                        // An idle warning that extending can no longer help became the absolute one.
                        self.dialog = None;
                        self.dismissed = false;
                    }
                    if self.dialog.is_none() && !self.dismissed && self.settings.dialog {
                        // Shown by `present`, after the event (see `pending_dialog`).
                        self.dialog_absolute = absolute;
                        self.pending_dialog = Some(absolute);
                    }
                    self.audit.record("warning-shown", now, Some(("reason", reason.as_str())));
                    out.push(Outbound::Warning { deadline, remaining });
                }
                Effect::Extended { how } => {
                    self.dialog = None;
                    self.pending_dialog = None;
                    self.dismissed = false;
                    self.restore_title();
                    self.audit.record("extended", now, Some(("how", how.as_str())));
                    out.push(Outbound::Extend { how });
                }
                Effect::Keepalive => {
                    if let Some(url) = &self.settings.keepalive_url {
                        // Sent once this step and its events are out, with the driver free.
                        let (url, settings) = (url.clone(), self.settings.clone());
                        let (requests, me) = (self.requests.clone(), self.me.clone());
                        promise::soon(move || keepalive(&url, &settings, &requests, me));
                    }
                }
                Effect::Terminate { reason } => {
                    // The cover closes the top layer (our dialog too); removing the dialog and
                    // the listeners waits until the logout event is out.
                    self.pending_dialog = None;
                    self.retired = Some((self.dialog.take(), self.watcher.take()));
                    if matches!(reason, Reason::Idle | Reason::Absolute | Reason::Server) {
                        self.audit.record("expired", now, Some(("reason", reason.as_str())));
                    }
                    self.audit.record("logged-out", now, Some(("reason", reason.as_str())));
                    self.saved_title = None;
                    let cover = Cover::new(&self.text);
                    // Tell the other tabs before anything else happens here.
                    self.transmit(now);
                    // The rest once this step and its events (the logout event) are out.
                    let (settings, text, tab, audit) =
                        (self.settings.clone(), self.text.clone(), self.tab.clone(), self.audit.clone());
                    promise::soon(move || {
                        let _ = terminate::finish(settings, text, reason, tab, cover, audit);
                    });
                    out.push(Outbound::Logout { reason });
                }
            }
        }
        self.transmit(now);
        self.mirror_state();
        self.arm(now);
        if let Some(watcher) = &self.watcher {
            watcher.set_quiet(self.engine.input_quiet_until());
        }
        out
    }

    /// Hands the input the listeners only recorded over to the engine, with its own time:
    /// `before` (the input recorded before the one that called in, or 0), then the latest.
    /// Each only if it was not handed over already; `!=`, not `>`: after the wall clock is set
    /// back, new input is older than what was handed over before.
    fn sync_input(&mut self, before: Millis, now: Millis) {
        let Some(watcher) = &self.watcher else { return };
        let last = watcher.last_input();
        let fresh = |at: Millis| at != 0 && at != self.synced_input;
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

    /// The DOM side of a step, done after its events were dispatched: shows a pending warning
    /// dialog, updates the countdown and the tab title, releases what an ended phase owned.
    fn present(&mut self) {
        self.retired = None;
        let now = dom::now();
        let remaining = self.engine.remaining(now);
        // A pending dialog stays pending if this call was skipped (the driver was busy): the next
        // step's present shows it, at the latest on the countdown's next tick.
        match self.pending_dialog.take() {
            Some(absolute) if self.engine.state() == State::Warning && self.dialog.is_none() && !self.dismissed => {
                // `show` writes the countdown itself.
                self.dialog = Some(WarningDialog::show(&self.text, remaining, absolute, self.on_extend(), self.on_logout()));
            }
            _ => {
                if let Some(dialog) = &self.dialog {
                    dialog.update(remaining);
                }
            }
        }
        // The tab title counts down too, for a user working in another window.
        if let (State::Warning, Some(original)) = (self.engine.state(), &self.saved_title) {
            dom::document().set_title(&self.text.warning_title(remaining, original));
        }
    }

    fn restore_title(&mut self) {
        if let Some(original) = self.saved_title.take() {
            dom::document().set_title(&original);
        }
    }

    /// The state readable while the driver is busy.
    pub fn mirror(&self) -> Rc<Mirror> {
        self.mirror.clone()
    }

    fn mirror_state(&self) {
        self.mirror.state.set(self.engine.state());
        self.mirror.deadline.set(self.engine.deadline());
        if let Some(root) = dom::document().document_element() {
            dom::set_attribute(&root, "data-autologoff-state", self.engine.state().as_str());
        }
    }

    /// Sends the engine's messages to the other tabs, and keeps the shared record current.
    fn transmit(&mut self, now: Millis) {
        while let Some(message) = self.engine.poll_transmit() {
            if let Some(channel) = &self.channel {
                channel.post(&wire::encode(&self.tab, message, now));
            }
            if let PeerMessage::Activity { at } | PeerMessage::Extend { at } = message {
                let record = Record { last_activity: at, ended: None, started: self.engine.started_at() };
                channel::write_record(&self.settings.channel, record);
            }
        }
    }

    /// Arms the one timer for the engine's next deadline; during the warning, also for the next
    /// change of the visible countdown (at most one wakeup a second).
    fn arm(&mut self, now: Millis) {
        self.timer = None;
        let Some(at) = self.engine.poll_timeout() else { return };
        // The effects before this took time: count the delay from the clock as the timer is set,
        // not from when the step began, or that time is added to the deadline.
        let now = dom::now().max(now);
        let mut delay = at.saturating_sub(now);
        if self.engine.state() == State::Warning {
            let tick = self.engine.remaining(now) % 1000;
            delay = delay.min(if tick == 0 { 1000 } else { tick });
        }
        let me = self.me.clone();
        // setTimeout takes a signed 32-bit delay; a longer wait simply wakes early and re-arms.
        let delay = delay.min(i32::MAX as Millis) as u32;
        self.timer = Some(Timeout::new(
            delay,
            Box::new(move || {
                if let Some(shared) = me.upgrade() {
                    run(&shared, |e, now| e.handle_timeout(now));
                }
            }),
        ));
    }

    fn on_extend(&self) -> Rc<dyn Fn(ExtendHow)> {
        let me = self.me.clone();
        Rc::new(move |how| {
            if let Some(shared) = me.upgrade() {
                // Only a warning that is still showing can be answered from the dialog. When it
                // is the absolute one (which cannot be extended), the button closes it.
                let was_absolute = shared.try_borrow().map(|d| d.dialog_absolute).unwrap_or(false);
                let mut refused = false;
                run(&shared, |e, now| {
                    if e.state() == State::Warning {
                        refused = !e.handle_extend(now, how);
                    }
                });
                if refused && was_absolute {
                    if let Ok(mut driver) = shared.try_borrow_mut() {
                        driver.dialog = None;
                        driver.dismissed = true;
                    }
                }
            }
        })
    }

    fn on_logout(&self) -> Rc<dyn Fn()> {
        let me = self.me.clone();
        Rc::new(move || {
            if let Some(shared) = me.upgrade() {
                run(&shared, |e, now| e.handle_logout(now, Reason::User));
            }
        })
    }
}

/// Runs `f` on the engine at wall-clock now, then performs what followed and dispatches events.
/// Returns false when the driver was busy (a listener fired synchronously by our own DOM work);
/// callers that must not lose the call use [`defer`].
pub fn run(shared: &Shared, f: impl FnOnce(&mut Engine, Millis)) -> bool {
    run_after_input(shared, 0, f)
}

/// [`run`], handing over `before` (an input recorded before the one that called in) first.
fn run_after_input(shared: &Shared, before: Millis, f: impl FnOnce(&mut Engine, Millis)) -> bool {
    let (out, audit) = {
        let Ok(mut driver) = shared.try_borrow_mut() else { return false };
        let now = dom::now();
        // Tell the engine how much real time passed, so a wall clock set back since its last
        // call gives the session nothing.
        let seen_at = dom::monotonic();
        let elapsed = (seen_at - driver.seen_at).max(0.0) as Millis;
        driver.seen_at = seen_at;
        driver.engine.handle_clock(now, elapsed);
        driver.sync_input(before, now);
        f(&mut driver.engine, now);
        (driver.step(now), driver.audit.clone())
    };
    finish_run(out, &audit, shared);
    true
}

fn finish_run(out: Vec<Outbound>, audit: &Audit, shared: &Shared) {
    audit.flush();
    for event in out {
        event.dispatch();
    }
    if let Ok(mut driver) = shared.try_borrow_mut() {
        driver.present();
    }
    drain_deferred();
}

/// Queues `f` to run on the engine as soon as the driver is free.
pub fn defer(shared: &Shared, f: EngineCall) {
    DEFERRED.with(|d| d.sure_mut().push(Deferred::Run(Rc::downgrade(shared), f)));
}

fn drain_deferred() {
    loop {
        // A call whose driver is still busy stays first in the queue: whoever holds the driver
        // drains the queue when it lets go.
        let next = DEFERRED.with(|d| {
            let mut d = d.sure_mut();
            let busy = d.first().and_then(|call| call.driver().upgrade()).is_some_and(|s| s.try_borrow_mut().is_err());
            (!busy && !d.is_empty()).then(|| d.remove(0))
        });
        // The driver is free (checked just above), so these runs cannot be refused.
        match next {
            None => return,
            Some(Deferred::Run(me, f)) => {
                if let Some(shared) = me.upgrade() {
                    run(&shared, f);
                }
            }
            Some(Deferred::Input(me, before)) => {
                if let Some(shared) = me.upgrade() {
                    run_after_input(&shared, before, |_, _| {});
                }
            }
            Some(Deferred::Stop(me)) => {
                if let Some(shared) = me.upgrade() {
                    stop(&shared);
                }
            }
        }
    }
}

/// One keepalive request; the answer goes to the engine. 401, 403 and 419 (the session expired
/// on the server) end the session; a 2xx may carry `{"remainingMs": n}`; anything else, or a
/// network failure, changes nothing.
fn keepalive(url: &str, settings: &Settings, requests: &Pending, me: Weak<RefCell<Driver>>) {
    let Ok(sent) = terminate::request(url, "keepalive=1", settings, false) else { return };
    // The status first: a 2xx goes on with its JSON body, anything else with nothing.
    let ended = me.clone();
    let body = requests.then(&sent, move |response| {
        let Ok(response) = response else { return JsValue::UNDEFINED };
        let response: web_sys::Response = wasm_bindgen::JsCast::unchecked_into(response);
        match response.status() {
            401 | 403 | 419 => server_answered(&ended, ServerAnswer::Ended),
            200..=299 => return response.json().map_or(JsValue::UNDEFINED, JsValue::from),
            _ => {}
        }
        JsValue::UNDEFINED
    });
    let _ = requests.then(&body, move |body| {
        let remaining = body
            .ok()
            .and_then(|j| js_sys::Reflect::get(&j, &"remainingMs".into()).ok())
            .and_then(|v| v.as_f64())
            .filter(|v| v.is_finite() && *v >= 0.0);
        if let Some(ms) = remaining {
            server_answered(&me, ServerAnswer::Remaining(ms as Millis));
        }
        JsValue::UNDEFINED
    });
}

/// Gives the engine the server's answer, if the driver still exists.
fn server_answered(me: &Weak<RefCell<Driver>>, answer: ServerAnswer) {
    if let Some(shared) = me.upgrade() {
        run(&shared, |e, now| e.handle_server(now, answer));
    }
}

/// Stops the session (see [`Driver`]), then dispatches nothing: stopping is silent. If the
/// driver is busy, it stops as soon as it is free.
pub fn stop(shared: &Shared) {
    match shared.try_borrow_mut() {
        Ok(mut driver) => driver.shutdown(),
        Err(_) => DEFERRED.with(|d| d.sure_mut().push(Deferred::Stop(Rc::downgrade(shared)))),
    }
}

/// A random tab id: 10 base-36 digits from `Math.random()` (not a secret, only distinct).
fn tab_id() -> String {
    let mut n = (js_sys::Math::random() * 3_656_158_440_062_976.0) as u64; // 36^10
    let mut id = String::with_capacity(10);
    for _ in 0..10 {
        let d = (n % 36) as u8;
        id.push(char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 }));
        n /= 36;
    }
    id
}
