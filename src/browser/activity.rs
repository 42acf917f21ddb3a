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

use crate::bug::SureCell;
use crate::engine::Millis;
use alloc::boxed::Box;
use alloc::rc::{Rc, Weak};
use alloc::vec::Vec;
use core::cell::RefCell;
use js_sys::Function;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, EventTarget, HtmlIFrameElement, Window};

use super::dom::{self, call1, get};
use super::listener::{Listener, Phase};

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

    /// Adds the input listeners to `target`; returns the function that removes them.
    #[wasm_bindgen(method)]
    fn watch(this: &Tap, target: &Window) -> Function;
}

/// One window's input listeners (added by [`Tap::watch`]), removed on `Drop`.
struct Watched(Function);

/// What listens in one window: its input listeners and its document's frame-load listener.
struct Watching {
    _inputs: Watched,
    _loads: Option<Listener>,
}

impl Drop for Watched {
    fn drop(&mut self) {
        // The remover only calls removeEventListener. That throws only on the window of a frame
        // that has since gone to another origin, whose old document is gone anyway.
        let _ = self.0.call0(&JsValue::UNDEFINED);
    }
}

/// Owns the input and lifecycle listeners; removing them all on `Drop`.
#[must_use = "the listeners are removed as soon as the ActivityWatcher is dropped"]
pub struct ActivityWatcher {
    tap: Tap,
    // Field order is drop order: the input listeners go before the callback they call.
    _window: Watching,
    _listeners: Vec<Listener>,
    /// Input listeners of same-origin frames, per frame: replaced when a frame loads again,
    /// dropped when its frame has left the document, so reloading frames do not pile listeners
    /// up. Shared with the frame-load listener, which holds it weakly.
    _frames: Rc<RefCell<Frames>>,
    _wake: Closure<dyn FnMut(f64)>,
}

type Frames = Vec<(HtmlIFrameElement, Watching)>;

impl ActivityWatcher {
    /// Starts listening. `on_activity(before)` runs for a counted input, in this window or in its
    /// same-origin frames, when the input is due at once (see [`ActivityWatcher::set_quiet`]);
    /// other input is only recorded, for [`ActivityWatcher::last_input`]. `before` is the input
    /// recorded before this one (0 if none), which may not have been handed over yet: the input
    /// that calls in must not be judged without it. `on_wake` runs when the page may have slept
    /// (visible again, focused, shown from the back/forward cache, resumed).
    pub fn new(on_activity: Rc<dyn Fn(Millis)>, on_wake: Rc<dyn Fn()>) -> ActivityWatcher {
        let window = dom::window();
        let document = dom::document();
        let wake = Closure::wrap(Box::new(move |before: f64| on_activity(before as Millis)) as Box<dyn FnMut(f64)>);
        let tap = Tap::new(wake.as_ref().unchecked_ref());
        let frames = Rc::new(RefCell::new(Vec::new()));
        let watching = watch_window(&window, &tap, &Rc::downgrade(&frames));
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
        ActivityWatcher { tap, _window: watching, _listeners: listeners, _frames: frames, _wake: wake }
    }

    /// When the last counted input happened (0 before any).
    pub fn last_input(&self) -> Millis {
        self.tap.last() as Millis
    }

    /// Input before `at` is only recorded; the first at or after it calls `on_activity`.
    pub fn set_quiet(&self, at: Millis) {
        // f64 holds every Date.now() exactly; Millis::MAX ("never") rounds to a time as remote.
        self.tap.set_quiet(at as f64);
    }
}

/// Adds the input listeners to `window`, and watches the same-origin frames in it: those there
/// now, and each one whenever it loads, later too (a frame that finishes loading after the
/// session started). A frame's `load` does not bubble, so a capture-phase listener sees it, and
/// on the document, not the window: a `load` event's path ends at the document (a Document's
/// "get the parent" is null for `load`: https://dom.spec.whatwg.org/#interface-document).
/// Input in a cross-origin frame is invisible to the page by design: such a frame must run
/// autologoff itself.
fn watch_window(window: &Window, tap: &Tap, frames: &Weak<RefCell<Frames>>) -> Watching {
    let inputs = Watched(tap.watch(window));
    let document = get(window, "document");
    let loads = (!document.is_null() && !document.is_undefined()).then(|| {
        let (tap_ref, registry) = (tap.clone(), frames.clone());
        Listener::with_phase(
            document.unchecked_ref(),
            "load",
            Phase::Capture,
            Box::new(move |e: &Event| {
                if let Some(frame) = frame_of(get(e, "target")) {
                    watch_frame(&frame, &tap_ref, &registry);
                }
            }),
        )
    });
    let found = call1(&document, "querySelectorAll", &"iframe".into());
    let count = get(&found, "length").as_f64().unwrap_or(0.0) as u32;
    for i in 0..count {
        if let Some(frame) = frame_of(call1(&found, "item", &i.into())) {
            watch_frame(&frame, tap, frames);
        }
    }
    Watching { _inputs: inputs, _loads: loads }
}

/// `node` if it is an `<iframe>` (by its tag name: an `instanceof` check would fail for a frame
/// of another realm, and costs an import).
fn frame_of(node: JsValue) -> Option<HtmlIFrameElement> {
    (dom::text_of(&node, "tagName").as_deref() == Some("IFRAME")).then(|| node.unchecked_into())
}

fn watch_frame(frame: &HtmlIFrameElement, tap: &Tap, frames: &Weak<RefCell<Frames>>) {
    let Some(registry) = frames.upgrade() else {
        return;
    };
    // Forget this frame's previous document, and frames that left the page.
    // A frame inside a document that was unloaded stays `isConnected` (its root is still a
    // document) but has no window any more.
    let present = |v: JsValue| !v.is_null() && !v.is_undefined();
    registry
        .sure_mut()
        .retain(|(f, _)| f != frame && get(f, "isConnected").is_truthy() && present(get(f, "contentWindow")));
    // contentDocument is null for a cross-origin frame: adding listeners there would throw.
    if !present(get(frame, "contentDocument")) {
        return;
    }
    let inner = get(frame, "contentWindow");
    if present(inner.clone()) {
        let watching = watch_window(inner.unchecked_ref(), tap, frames);
        registry.sure_mut().push((frame.clone(), watching));
    }
}
