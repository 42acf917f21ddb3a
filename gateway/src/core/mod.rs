//! The gateway's pure core: every decision, no I/O and no clock.
//!
//! The adapters (src/proxy.rs, the stores) read a request, load its session from the store and
//! hand both, with the time, to a function here; it answers with a [`plan::Plan`]: the store
//! writes, the portal sign-out and the audit events to perform, and whether to forward the
//! request or answer it. The adapters only perform plans. Native tests drive the same functions
//! with a fake clock (tests/rules.rs); nothing here sleeps, spawns or reads `SystemTime`.

pub mod answer;
pub mod origin;
pub mod plan;
pub mod request;
pub mod rules;
pub mod session;
pub mod settings;
