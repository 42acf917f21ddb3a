//! The one timer: `setTimeout`, cleared on `Drop` (the habit of gloo-timers' `Timeout`).

use alloc::boxed::Box;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

#[wasm_bindgen]
extern "C" {
    // The timer id stays a JS number. web-sys types it `i32` (WebIDL's `long`), but the fake
    // clocks of test tools (Playwright's `page.clock`, @sinonjs/fake-timers behind Jest, Vitest
    // and Cypress) number their timers from 1e12: cut to 32 bits, the id cleared nothing, and a
    // dropped timer still fired (into a closure already freed).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &JsValue, ms: i32) -> f64;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: f64);
}

/// A pending `setTimeout`, cancelled when dropped.
#[must_use = "the timer is cancelled as soon as this is dropped"]
pub struct Timeout {
    id: f64,
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Calls `callback` once after `ms` milliseconds (a delay past `i32::MAX` is clamped: the
    /// caller re-arms when woken early).
    pub fn new(ms: u32, callback: Box<dyn FnOnce()>) -> Self {
        let callback = Closure::once(callback);
        let delay = ms.min(i32::MAX as u32) as i32;
        // setTimeout with a function never throws.
        let id = set_timeout(callback.as_ref(), delay);
        Timeout { id, _callback: callback }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(self.id);
    }
}
