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

use gloo_events::{EventListener, EventListenerOptions};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget, HtmlIFrameElement, MouseEvent, Window};

use super::dom;

/// Owns the input and lifecycle listeners; removing them all on `Drop`.
#[must_use = "the listeners are removed as soon as the ActivityWatcher is dropped"]
pub struct ActivityWatcher {
    /// Shared with the frame-load listeners, which add the listeners of new frames (they hold
    /// it weakly, so dropping the watcher drops everything).
    _listeners: Rc<RefCell<Vec<EventListener>>>,
}

/// Input events that count as activity when trusted. `pointermove` is handled separately.
const INPUT_EVENTS: [&str; 5] = ["pointerdown", "keydown", "wheel", "touchstart", "touchmove"];

impl ActivityWatcher {
    /// Starts listening. `on_activity` runs for each counted input, in this window and in its
    /// same-origin frames; `on_wake` when the page may have slept (visible again, focused,
    /// shown from the back/forward cache, resumed).
    pub fn new(on_activity: Rc<dyn Fn()>, on_wake: Rc<dyn Fn()>) -> ActivityWatcher {
        let window = dom::window();
        let document = dom::document();
        let listeners = Rc::new(RefCell::new(Vec::with_capacity(12)));
        // The last pointer position (screen coordinates, the same in every frame).
        let last = Rc::new(Cell::new((i32::MIN, i32::MIN)));
        watch_inputs(&window, &on_activity, &last, &listeners);

        let wake_on = |target: &EventTarget, name: &'static str| {
            let f = on_wake.clone();
            EventListener::new(target, name, move |_: &Event| f())
        };
        let mut l = listeners.borrow_mut();
        l.push(wake_on(&document, "visibilitychange"));
        // https://developer.chrome.com/docs/web-platform/page-lifecycle-api (Chromium only)
        l.push(wake_on(&document, "resume"));
        l.push(wake_on(&document, "freeze"));
        l.push(wake_on(&window, "focus"));
        // A page restored from the back/forward cache resumes with stale timers:
        // https://web.dev/articles/bfcache
        l.push(wake_on(&window, "pageshow"));
        drop(l);
        ActivityWatcher { _listeners: listeners }
    }
}

/// Listens for input on `window`, and on every same-origin frame inside it, now and whenever a
/// frame loads (a capture-phase `load` listener sees frames load; it does not bubble). Input in
/// a cross-origin frame is invisible to the page by design: such a frame must run autologoff
/// itself.
fn watch_inputs(
    window: &Window,
    on_activity: &Rc<dyn Fn()>,
    last: &Rc<Cell<(i32, i32)>>,
    listeners: &Rc<RefCell<Vec<EventListener>>>,
) {
    let capture = EventListenerOptions::run_in_capture_phase();
    let mut added = Vec::with_capacity(7);
    for name in INPUT_EVENTS {
        let f = on_activity.clone();
        added.push(EventListener::new_with_options(window, name, capture, move |e| {
            if e.is_trusted() {
                f();
            }
        }));
    }
    let f = on_activity.clone();
    let at_last = last.clone();
    added.push(EventListener::new_with_options(window, "pointermove", capture, move |e| {
        if !e.is_trusted() {
            return;
        }
        let Some(m) = e.dyn_ref::<MouseEvent>() else { return };
        let at = (m.screen_x(), m.screen_y());
        if at != at_last.replace(at) {
            f();
        }
    }));
    let (f, at_last, weak) = (on_activity.clone(), last.clone(), Rc::downgrade(listeners));
    added.push(EventListener::new_with_options(window, "load", capture, move |e| {
        let (Some(frame), Some(listeners)) = (e.target().and_then(|t| t.dyn_into::<HtmlIFrameElement>().ok()), weak.upgrade())
        else {
            return;
        };
        watch_frame(&frame, &f, &at_last, &listeners);
    }));
    listeners.borrow_mut().extend(added);
    if let Some(document) = window.document() {
        if let Ok(frames) = document.query_selector_all("iframe") {
            for i in 0..frames.length() {
                if let Some(frame) = frames.item(i).and_then(|n| n.dyn_into::<HtmlIFrameElement>().ok()) {
                    watch_frame(&frame, on_activity, last, listeners);
                }
            }
        }
    }
}

fn watch_frame(
    frame: &HtmlIFrameElement,
    on_activity: &Rc<dyn Fn()>,
    last: &Rc<Cell<(i32, i32)>>,
    listeners: &Rc<RefCell<Vec<EventListener>>>,
) {
    // contentDocument is null for a cross-origin frame: adding listeners there would throw.
    if frame.content_document().is_none() {
        return;
    }
    if let Some(inner) = frame.content_window() {
        watch_inputs(&inner, on_activity, last, listeners);
    }
}
