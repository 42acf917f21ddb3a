//! Browser adapters: each owns one kind of JS resource and releases it on `Drop`.
//!
//! - [`activity`]: input and page-lifecycle listeners.
//! - [`channel`]: the cross-tab transport and the shared session record.
//! - [`leader`]: which tab sends the one logout request.
//! - [`promise`]: promise callbacks (there is no async executor in the module).
//! - [`audit`]: the audit trail (events to the page and to `auditUrl`).
//! - [`dialog`]: the warning dialog.
//! - [`terminate`]: the cover, the logout request, clearing storage, the redirect.
//! - [`session`]: the driver that feeds the engine, performs its effects and keeps the one timer.
//! - [`api`]: what JavaScript sees: `startSession`, `startFromScript`, `Session`.

pub mod activity;
pub mod api;
pub mod audit;
pub mod channel;
pub mod dialog;
pub mod dom;
pub mod leader;
pub mod listener;
pub mod promise;
pub mod session;
pub mod terminate;
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
