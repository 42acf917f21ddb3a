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

use crate::bug::SureCell;
use alloc::boxed::Box;
use alloc::rc::{Rc, Weak};
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget, HtmlIFrameElement, MouseEvent, Window};

use super::dom;
use super::listener::{Listener, Phase};

/// Owns the input and lifecycle listeners; removing them all on `Drop`.
#[must_use = "the listeners are removed as soon as the ActivityWatcher is dropped"]
pub struct ActivityWatcher {
    _listeners: Vec<Listener>,
    /// Listeners of same-origin frames, per frame: replaced when a frame loads again, dropped
    /// when its frame has left the document, so reloading frames do not pile listeners up.
    /// Shared with the frame-load listeners, which hold it weakly.
    _frames: Rc<RefCell<Frames>>,
}

type Frames = Vec<(HtmlIFrameElement, Vec<Listener>)>;

/// What every input listener shares: the callback, the last pointer position (screen
/// coordinates, the same in every frame), and the frame registry.
#[derive(Clone)]
struct Inputs {
    on_activity: Rc<dyn Fn()>,
    last: Rc<Cell<(i32, i32)>>,
    frames: Weak<RefCell<Frames>>,
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
        let frames = Rc::new(RefCell::new(Vec::new()));
        let inputs = Inputs { on_activity, last: Rc::new(Cell::new((i32::MIN, i32::MIN))), frames: Rc::downgrade(&frames) };
        let mut listeners = watch_inputs(&window, &inputs);

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
        ActivityWatcher { _listeners: listeners, _frames: frames }
    }
}

/// Listens for input on `window`, and on every same-origin frame inside it, now and whenever a
/// frame loads (a capture-phase `load` listener sees frames load; it does not bubble). Input in
/// a cross-origin frame is invisible to the page by design: such a frame must run autologoff
/// itself. Returns the listeners on `window` itself.
fn watch_inputs(window: &Window, inputs: &Inputs) -> Vec<Listener> {
    let capture = Phase::Capture;
    let mut added = Vec::with_capacity(12);
    for name in INPUT_EVENTS {
        let f = inputs.on_activity.clone();
        added.push(Listener::with_phase(window, name, capture, Box::new(move |e: &Event| {
            if e.is_trusted() {
                f();
            }
        })));
    }
    let (f, at_last) = (inputs.on_activity.clone(), inputs.last.clone());
    added.push(Listener::with_phase(window, "pointermove", capture, Box::new(move |e: &Event| {
        if !e.is_trusted() {
            return;
        }
        let Some(m) = e.dyn_ref::<MouseEvent>() else { return };
        let at = (m.screen_x(), m.screen_y());
        if at != at_last.replace(at) {
            f();
        }
    })));
    let shared = inputs.clone();
    added.push(Listener::with_phase(window, "load", capture, Box::new(move |e: &Event| {
        if let Some(frame) = e.target().and_then(|t| t.dyn_into::<HtmlIFrameElement>().ok()) {
            watch_frame(&frame, &shared);
        }
    })));
    if let Some(document) = window.document() {
        if let Ok(frames) = document.query_selector_all("iframe") {
            for i in 0..frames.length() {
                if let Some(frame) = frames.item(i).and_then(|n| n.dyn_into::<HtmlIFrameElement>().ok()) {
                    watch_frame(&frame, inputs);
                }
            }
        }
    }
    added
}

fn watch_frame(frame: &HtmlIFrameElement, inputs: &Inputs) {
    let Some(registry) = inputs.frames.upgrade() else { return };
    // Forget this frame's previous document, and frames that left the page.
    registry.sure_mut().retain(|(f, _)| f != frame && f.is_connected());
    // contentDocument is null for a cross-origin frame: adding listeners there would throw.
    if frame.content_document().is_none() {
        return;
    }
    if let Some(inner) = frame.content_window() {
        let listeners = watch_inputs(&inner, inputs);
        registry.sure_mut().push((frame.clone(), listeners));
    }
}
