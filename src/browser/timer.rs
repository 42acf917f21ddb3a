//! The one timer: `setTimeout`, cleared on `Drop` (the habit of gloo-timers' `Timeout`).

use alloc::boxed::Box;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::dom;

/// A pending `setTimeout`, cancelled when dropped.
#[must_use = "the timer is cancelled as soon as this is dropped"]
pub struct Timeout {
    id: i32,
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Calls `callback` once after `ms` milliseconds (a delay past `i32::MAX` is clamped: the
    /// caller re-arms when woken early).
    pub fn new(ms: u32, callback: Box<dyn FnOnce()>) -> Self {
        let callback = Closure::once(callback);
        let delay = ms.min(i32::MAX as u32) as i32;
        // setTimeout with a function never throws.
        let id = dom::window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.as_ref().unchecked_ref(), delay)
            .unwrap_or(0);
        Timeout { id, _callback: callback }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        dom::window().clear_timeout_with_handle(self.id);
    }
}
