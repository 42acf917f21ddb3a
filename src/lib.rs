//! autologoff: automatic logoff for healthcare web portals (HIPAA 45 CFR 164.312(a)(2)(iii)).
//!
//! Two layers:
//! - [`engine`] and [`config`]: pure code with no browser and no clock. The engine takes time as
//!   an input and says what to do ([`engine::Engine::poll_effect`]) and when to wake it
//!   ([`engine::Engine::poll_timeout`]). `cargo test` drives it natively with a fake clock.
//! - `browser` (wasm32 only): thin adapters that own one JS resource each (listeners, the one
//!   timer, the dialog, the termination) and release it on `Drop`, plus the JS API.
//!
//! The release build has no std (feature `std` off): no formatting machinery, a trap for a panic
//! and the small allocator in [`heap`]. Tests and debug builds turn `std` on.
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

pub mod bug;
pub mod config;
pub mod engine;
pub mod heap;
pub mod text;
pub mod wire;

#[cfg(target_arch = "wasm32")]
pub mod browser;

#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[global_allocator]
static HEAP: heap::page::PageHeap = heap::page::PageHeap::new();

/// A panic is a bug in autologoff. Without std there is nothing to format its message with, so
/// it becomes one fixed JS exception (`AUTOLOGOFF_DEBUG_PANICS=1 npm run build` builds with std,
/// which prints the message). Known cannot-happen cases go through [`bug::bug`] and keep their
/// reason. The call that hit it fails; the session keeps whatever state it had.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    wasm_bindgen::throw_str("autologoff: internal error (a bug; please report it)")
}
