//! The driver: feeds browser input to the engine, performs the engine's effects, mirrors the
//! state on `<html data-autologoff-state>`, and keeps exactly one timer armed for the engine's
//! next deadline.
//!
//! Activity only records a timestamp in the engine; it does not touch the timer. When the timer
//! fires early (because activity moved the deadline), the engine finds nothing due and the timer
//! is re-armed for the new deadline: one wakeup per timeout period while the user is active,
//! none per input event.

use gloo_timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsValue;

use super::activity::ActivityWatcher;
use super::dialog::{DialogText, WarningDialog};
use super::dom;
use super::terminate::{self, Cover};
use crate::config::Settings;
use crate::engine::{Effect, Engine, ExtendHow, Millis, Reason, State};
use crate::text;

/// A running session's browser side, shared by the JS handle, the listeners and the timer.
pub type Shared = Rc<RefCell<Driver>>;

/// See the module docs.
pub struct Driver {
    engine: Engine,
    settings: Settings,
    text: DialogText,
    me: Weak<RefCell<Driver>>,
    watcher: Option<ActivityWatcher>,
    timer: Option<Timeout>,
    dialog: Option<WarningDialog>,
}

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
        let text = DialogText {
            strings: text::for_lang(lang.as_deref().unwrap_or("")),
            title: settings.dialog_title.clone(),
            message: settings.dialog_message.clone(),
        };
        let shared = Rc::new_cyclic(|me: &Weak<RefCell<Driver>>| {
            RefCell::new(Driver {
                engine: Engine::new(settings.policy, dom::now()),
                settings,
                text,
                me: me.clone(),
                watcher: None,
                timer: None,
                dialog: None,
            })
        });
        let me = Rc::downgrade(&shared);
        let activity: Rc<dyn Fn()> = Rc::new({
            let me = me.clone();
            move || on_activity(&me)
        });
        let wake: Rc<dyn Fn()> = Rc::new(move || {
            if let Some(shared) = me.upgrade() {
                run(&shared, |e, now| e.handle_timeout(now));
            }
        });
        shared.borrow_mut().watcher = Some(ActivityWatcher::new(activity, wake));
        run(&shared, |_, _| {});
        shared
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.engine.state()
    }

    /// Milliseconds left now.
    pub fn remaining(&self) -> Millis {
        self.engine.remaining(dom::now())
    }

    /// Detaches listeners, timer and dialog without logging out. Termination in progress is not
    /// undone: once a session expired, stopping cannot bring the page back.
    fn shutdown(&mut self) {
        self.engine.handle_stop();
        self.watcher = None;
        self.timer = None;
        self.dialog = None;
        self.mirror_state();
    }

    /// Performs queued effects, mirrors the state, re-arms the timer. Returns the DOM events to
    /// dispatch after the borrow ends.
    fn step(&mut self, now: Millis) -> Vec<Outbound> {
        let mut out = Vec::new();
        while let Some(effect) = self.engine.poll_effect() {
            match effect {
                Effect::Warn { deadline } => {
                    let remaining = deadline.saturating_sub(now);
                    if self.dialog.is_none() {
                        self.dialog = Some(WarningDialog::show(
                            &self.text,
                            remaining,
                            self.on_extend(),
                            self.on_logout(),
                        ));
                    }
                    out.push(Outbound::Warning { deadline, remaining });
                }
                Effect::Extended { how } => {
                    self.dialog = None;
                    out.push(Outbound::Extend { how });
                }
                Effect::Terminate { reason } => {
                    self.dialog = None;
                    self.watcher = None;
                    let cover = Cover::new(self.text.strings);
                    js_sys::futures::spawn_local(terminate::finish(
                        self.settings.clone(),
                        self.text.strings,
                        reason,
                        cover,
                    ));
                    out.push(Outbound::Logout { reason });
                }
            }
        }
        if let Some(dialog) = &self.dialog {
            dialog.update(self.engine.remaining(now));
        }
        self.mirror_state();
        self.arm(now);
        out
    }

    fn mirror_state(&self) {
        if let Some(root) = dom::document().document_element() {
            dom::set_attribute(&root, "data-autologoff-state", self.engine.state().as_str());
        }
    }

    /// Arms the one timer for the engine's next deadline; during the warning, also for the next
    /// change of the visible countdown (at most one wakeup a second).
    fn arm(&mut self, now: Millis) {
        self.timer = None;
        let Some(at) = self.engine.poll_timeout() else { return };
        let mut delay = at.saturating_sub(now);
        if self.engine.state() == State::Warning {
            let tick = self.engine.remaining(now) % 1000;
            delay = delay.min(if tick == 0 { 1000 } else { tick });
        }
        let me = self.me.clone();
        // setTimeout takes a signed 32-bit delay; a longer wait simply wakes early and re-arms.
        let delay = delay.min(i32::MAX as Millis) as u32;
        self.timer = Some(Timeout::new(delay, move || {
            if let Some(shared) = me.upgrade() {
                run(&shared, |e, now| e.handle_timeout(now));
            }
        }));
    }

    fn on_extend(&self) -> Rc<dyn Fn(ExtendHow)> {
        let me = self.me.clone();
        Rc::new(move |how| {
            if let Some(shared) = me.upgrade() {
                // Only a warning that is still showing can be answered from the dialog.
                run(&shared, |e, now| {
                    if e.state() == State::Warning {
                        e.handle_extend(now, how);
                    }
                });
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
///
/// Re-entrant calls (a listener fired synchronously by our own DOM work) are dropped: the step
/// already running re-reads the engine before it finishes.
pub fn run(shared: &Shared, f: impl FnOnce(&mut Engine, Millis)) {
    let out = {
        let Ok(mut driver) = shared.try_borrow_mut() else { return };
        let now = dom::now();
        f(&mut driver.engine, now);
        driver.step(now)
    };
    for event in out {
        event.dispatch();
    }
}

/// Stops the session (see [`Driver`]), then dispatches nothing: stopping is silent.
pub fn stop(shared: &Shared) {
    if let Ok(mut driver) = shared.try_borrow_mut() {
        driver.shutdown();
    }
}

/// The hot path: one trusted input event. Records the time; steps only if the state changed
/// (a late timer whose deadline the input revealed).
fn on_activity(me: &Weak<RefCell<Driver>>) {
    let Some(shared) = me.upgrade() else { return };
    let changed = {
        let Ok(mut driver) = shared.try_borrow_mut() else { return };
        let before = driver.engine.state();
        driver.engine.handle_activity(dom::now());
        driver.engine.state() != before
    };
    if changed {
        run(&shared, |_, _| {});
    }
}
