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
//! cannot hide input from autologoff and scrolling is never delayed by it. Input inside
//! same-origin frames counts too.
//!
//! The input listeners themselves are plain JavaScript (`tap.js`): they filter and time each
//! event and call into the module only when the driver said input is due at once
//! ([`ActivityWatcher::set_quiet`]). A mousemove costs no JS-to-wasm call, and the handful of
//! glue functions that would otherwise run per event never get hot (their optimised code was
//! most of the heap autologoff grew by under input).

use crate::time::Moment;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;
use js_sys::Function;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, EventTarget, Window};

use super::dom;
use super::listener::Listener;

#[wasm_bindgen(module = "/src/browser/tap.js")]
extern "C" {
    /// The input listeners' shared record (see tap.js): the per-event work stays in JavaScript.
    #[derive(Clone)]
    type Tap;

    #[wasm_bindgen(constructor)]
    fn new(wake: &Function) -> Tap;

    #[wasm_bindgen(method, getter)]
    fn last(this: &Tap) -> f64;

    #[wasm_bindgen(method, setter)]
    fn set_quiet(this: &Tap, at: f64);

    /// Adds the input listeners to `target` and every same-origin frame in it, now and when
    /// one loads; returns the function that removes them all.
    #[wasm_bindgen(method, js_name = watchTree)]
    fn watch_tree(this: &Tap, target: &Window) -> Function;
}

/// The input listeners of the window and its frames (added by [`Tap::watch_tree`]), removed on
/// `Drop`.
struct Watched(Function);

impl Drop for Watched {
    fn drop(&mut self) {
        // The remover goes through calls.js, which never throws (a frame gone to another origin).
        let _ = self.0.call0(&JsValue::UNDEFINED);
    }
}

/// Owns the input and lifecycle listeners; removing them all on `Drop`.
#[must_use = "the listeners are removed as soon as the ActivityWatcher is dropped"]
pub struct ActivityWatcher {
    tap: Tap,
    // Field order is drop order: the input listeners go before the callback they call.
    _inputs: Watched,
    _listeners: Vec<Listener>,
    _wake: Closure<dyn FnMut(f64)>,
}

impl ActivityWatcher {
    /// Starts listening. `on_activity(before)` runs for a counted input, in this window or in its
    /// same-origin frames, when the input is due at once (see [`ActivityWatcher::set_quiet`]);
    /// other input is only recorded, for [`ActivityWatcher::last_input`]. `before` is the input
    /// recorded before this one (the epoch if none), which may not have been handed over yet: the input
    /// that calls in must not be judged without it. `on_wake` runs when the page may have slept
    /// (visible again, focused, shown from the back/forward cache, resumed).
    pub fn new(on_activity: Rc<dyn Fn(Moment)>, on_wake: Rc<dyn Fn()>) -> ActivityWatcher {
        let window = dom::window();
        let document = dom::document();
        let wake = Closure::wrap(Box::new(move |before: f64| on_activity(dom::moment(before))) as Box<dyn FnMut(f64)>);
        let tap = Tap::new(wake.as_ref().unchecked_ref());
        let inputs = Watched(tap.watch_tree(&window));
        let mut listeners = Vec::with_capacity(5);

        let wake_on = |target: &EventTarget, name: &'static str| {
            let f = on_wake.clone();
            Listener::new(target, name, move |_: &Event| f())
        };
        listeners.push(wake_on(&document, "visibilitychange"));
        // https://developer.chrome.com/docs/web-platform/page-lifecycle-api (Chromium only)
        listeners.push(wake_on(&document, "resume"));
        listeners.push(wake_on(&document, "freeze"));
        listeners.push(wake_on(&window, "focus"));
        // A page restored from the back/forward cache resumes with stale timers:
        // https://web.dev/articles/bfcache
        listeners.push(wake_on(&window, "pageshow"));
        ActivityWatcher { tap, _inputs: inputs, _listeners: listeners, _wake: wake }
    }

    /// When the last counted input happened (the epoch before any).
    pub fn last_input(&self) -> Moment {
        dom::moment(self.tap.last())
    }

    /// Input before `at` is only recorded; the first at or after it calls `on_activity`.
    pub fn set_quiet(&self, at: Moment) {
        self.tap.set_quiet(dom::js_time(at));
    }
}
