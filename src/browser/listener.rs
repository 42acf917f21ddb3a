//! An event listener that removes itself on `Drop` (the habit of gloo-events, without its
//! generic constructors: every listener shares one non-generic path, which keeps the .wasm small).

use alloc::boxed::Box;
use wasm_bindgen::closure::Closure;
use web_sys::{Event, EventTarget};

use super::dom::{listen, unlisten};

/// Which phase a listener runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    /// Target and bubble phase (`addEventListener`'s default).
    #[default]
    Bubble,
    /// Capture phase: runs before the page's own listeners can stop the event.
    Capture,
}

/// An `addEventListener` registration, removed when dropped.
///
/// Passive-ness is not set: for the events where it matters (`touchstart`, `touchmove`,
/// `wheel`) on a window the DOM makes listeners passive by default
/// (<https://dom.spec.whatwg.org/#default-passive-value>), and the listeners that call
/// `preventDefault` (the dialog's keys) need it off, which is the default elsewhere.
#[must_use = "the listener is removed as soon as this is dropped"]
pub struct Listener {
    target: EventTarget,
    name: &'static str,
    capture: bool,
    callback: Closure<dyn FnMut(&Event)>,
}

impl Listener {
    /// Listens for `name` on `target` in the bubble phase.
    pub fn new(target: &EventTarget, name: &'static str, callback: impl FnMut(&Event) + 'static) -> Self {
        Self::with_phase(target, name, Phase::Bubble, Box::new(callback))
    }

    /// Listens for `name` on `target` in `phase`.
    pub fn with_phase(
        target: &EventTarget,
        name: &'static str,
        phase: Phase,
        callback: Box<dyn FnMut(&Event)>,
    ) -> Self {
        let callback = Closure::wrap(callback);
        let capture = phase == Phase::Capture;
        // The browser's own addEventListener: on a document, `addEventListener` by name can be
        // an element of the page's (see calls.js).
        listen(target, name, callback.as_ref(), capture);
        Listener { target: target.clone(), name, capture, callback }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        unlisten(&self.target, self.name, self.callback.as_ref(), self.capture);
    }
}
