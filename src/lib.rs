//! autologoff: automatic logoff for healthcare web portals (HIPAA 45 CFR 164.312(a)(2)(iii)).
//!
//! Two layers:
//! - Pure code with no browser and no clock, which `cargo test` drives natively with a fake
//!   clock: the [`session`] core decides everything a page does about its session (around the
//!   timing [`engine`]), from inputs given with their time, and hands out commands and the next
//!   deadline; the [`runner`] is the one queue every input goes through; [`config`] declares,
//!   parses and validates the options; [`wire`], [`audit`] and [`text`] are the
//!   formats and words; [`time`] the wall-clock moments, monotonic readings and durations,
//!   distinct types.
//! - `browser` (wasm32 only): thin adapters that own one JS resource each (listeners, the one
//!   timer, the dialog, the cover, the channel) and release it on `Drop`, the host that performs
//!   the core's commands with them, and the JS API.
//!
//! The release build has no std (feature `std` off): no formatting machinery, a trap for a panic
//! and lol_alloc's small free-list allocator (measured against our own size-class allocator: the
//! same size within 120 bytes, so the kept crate replaced the `unsafe` code we owned; talc was
//! 1.4 KB gzip larger). Tests and debug builds turn `std` on.
#![deny(missing_docs)]
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// What std's prelude would bring, for a crate without std.
#[allow(unused_imports)] // the browser adapters, built only for wasm32, use the rest
mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

pub mod audit;
pub mod bug;
pub mod config;
pub mod engine;
pub mod num;
pub mod runner;
pub mod session;
pub mod text;
pub mod time;
pub mod wire;

#[cfg(target_arch = "wasm32")]
pub mod browser;

#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[global_allocator]
// SAFETY: wasm32 without the `atomics` target feature runs one thread.
static HEAP: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// A panic is a bug in autologoff. Without std there is nothing to format its message with, so
/// it becomes one fixed JS exception (`AUTOLOGOFF_DEBUG_PANICS=1 npm run build` builds with std,
/// which prints the message). Known cannot-happen cases go through [`bug::bug`] and keep their
/// reason. The call that hit it fails; the session keeps whatever state it had.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    wasm_bindgen::throw_str("autologoff: internal error (a bug; please report it)")
}
