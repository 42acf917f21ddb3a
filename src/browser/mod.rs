//! Browser adapters: each owns one kind of JS resource and releases it on `Drop`; the host that
//! performs the session core's commands with them; the JS API. Nothing here decides: the rules
//! are the session core's (`crate::session`).
//!
//! - [`activity`]: input and page-lifecycle listeners (their per-event path is `tap.js`).
//! - [`channel`]: the cross-tab transport and the shared session record.
//! - [`lock`]: the claim for sending the logout request (Web Locks).
//! - [`promise`]: promise callbacks (there is no async executor in the module).
//! - [`dialog`]: the warning dialog.
//! - [`cover`]: the cover shown while (and after) logging out.
//! - [`clear`]: clearing storage and cookies.
//! - [`request`]: the logout, keepalive and audit requests.
//! - [`listener`], [`timer`], [`dom`]: an event listener, the one timer, DOM helpers.
//! - [`host`]: performs the core's commands; every callback posts to the one queue.
//! - [`api`]: what JavaScript sees: `startSession`, `startFromScript`, `stopSession`, `Session`.

pub mod activity;
pub mod api;
pub mod channel;
pub mod clear;
pub mod cover;
pub mod dialog;
pub mod dom;
pub mod host;
pub mod listener;
pub mod lock;
pub mod promise;
pub mod request;
pub mod timer;

/// A `static` holding page-wide state (what `thread_local!` is for, in a crate without std).
pub struct PageCell<T>(core::cell::RefCell<T>);

// SAFETY: wasm32 without the `atomics` target feature runs one thread, so the value is never
// reached from two threads. A build with atomics would need real thread-locals instead.
#[cfg(not(target_feature = "atomics"))]
unsafe impl<T> Sync for PageCell<T> {}

impl<T> PageCell<T> {
    /// A cell holding `value`.
    pub const fn new(value: T) -> Self {
        PageCell(core::cell::RefCell::new(value))
    }

    /// Runs `f` with the cell (the shape of `LocalKey::with`).
    pub fn with<R>(&'static self, f: impl FnOnce(&core::cell::RefCell<T>) -> R) -> R {
        f(&self.0)
    }
}
