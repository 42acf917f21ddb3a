//! Listeners for real user input and for page-lifecycle moments.
//!
//! What counts as activity: trusted (`event.isTrusted`) pointer, key, wheel and touch input.
//! - Untrusted events (`dispatchEvent` from page scripts, frameworks, test helpers) are ignored:
//!   a script must never keep a PHI session alive.
//! - A pointer move to the same screen coordinates is ignored; some systems send phantom moves.
//! - `scroll` events are not listened to: browsers mark every scroll event trusted, including
//!   scrolls made by scripts, so an auto-scrolling view would keep a session alive forever.
//!   Scrolling by a person arrives as the wheel, touch, key or pointer input that caused it.
//! - Focus, visibility, `pageshow`, and `resume` are not activity; they only ask the driver to
//!   re-check the deadline at once, because timers in hidden, frozen or sleeping pages run late
//!   (<https://developer.chrome.com/blog/timer-throttling-in-chrome-88>).
//!
//! Listeners are passive and in the capture phase on `window`, so a page that stops propagation
//! cannot hide input from autologoff and scrolling is never delayed by it.

use gloo_events::{EventListener, EventListenerOptions};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget, MouseEvent};

use super::dom;

/// Owns the input and lifecycle listeners; removing them all on `Drop`.
#[must_use = "the listeners are removed as soon as the ActivityWatcher is dropped"]
pub struct ActivityWatcher {
    _listeners: Vec<EventListener>,
}

/// Input events that count as activity when trusted. `pointermove` is handled separately.
const INPUT_EVENTS: [&str; 5] = ["pointerdown", "keydown", "wheel", "touchstart", "touchmove"];

impl ActivityWatcher {
    /// Starts listening. `on_activity` runs for each counted input; `on_wake` when the page may
    /// have slept (visible again, focused, shown from the back/forward cache, resumed).
    pub fn new(on_activity: Rc<dyn Fn()>, on_wake: Rc<dyn Fn()>) -> ActivityWatcher {
        let window = dom::window();
        let document = dom::document();
        let capture = EventListenerOptions::run_in_capture_phase();
        let mut listeners = Vec::with_capacity(11);

        for name in INPUT_EVENTS {
            let f = on_activity.clone();
            listeners.push(EventListener::new_with_options(&window, name, capture, move |e| {
                if e.is_trusted() {
                    f();
                }
            }));
        }

        // The last pointer position, to drop moves that do not move.
        let last = Rc::new(Cell::new((i32::MIN, i32::MIN)));
        let f = on_activity.clone();
        listeners.push(EventListener::new_with_options(&window, "pointermove", capture, move |e| {
            if !e.is_trusted() {
                return;
            }
            let Some(m) = e.dyn_ref::<MouseEvent>() else { return };
            let at = (m.screen_x(), m.screen_y());
            if at != last.replace(at) {
                f();
            }
        }));

        let wake_on = |target: &EventTarget, name: &'static str| {
            let f = on_wake.clone();
            EventListener::new(target, name, move |_: &Event| f())
        };
        listeners.push(wake_on(&document, "visibilitychange"));
        // https://developer.chrome.com/docs/web-platform/page-lifecycle-api (Chromium only)
        listeners.push(wake_on(&document, "resume"));
        listeners.push(wake_on(&document, "freeze"));
        listeners.push(wake_on(&window, "focus"));
        // A page restored from the back/forward cache resumes with stale timers:
        // https://web.dev/articles/bfcache
        listeners.push(wake_on(&window, "pageshow"));

        ActivityWatcher { _listeners: listeners }
    }
}
