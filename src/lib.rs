//! autologoff: automatic logoff for healthcare web portals (HIPAA 45 CFR 164.312(a)(2)(iii)).
//!
//! Two layers:
//! - [`engine`] and [`config`]: pure code with no browser and no clock. The engine takes time as
//!   an input and says what to do ([`engine::Engine::poll_effect`]) and when to wake it
//!   ([`engine::Engine::poll_timeout`]). `cargo test` drives it natively with a fake clock.
//! - `browser` (wasm32 only): thin adapters that own one JS resource each (listeners, the one
//!   timer, the dialog, the termination) and release it on `Drop`, plus the JS API.
#![deny(missing_docs)]

pub mod config;
pub mod engine;
pub mod text;
pub mod wire;

#[cfg(target_arch = "wasm32")]
pub mod browser;
