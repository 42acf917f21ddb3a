//! Browser adapters: each owns one kind of JS resource and releases it on `Drop`.
//!
//! - [`activity`]: input and page-lifecycle listeners.
//! - [`channel`]: the cross-tab transport and the shared session record.
//! - [`leader`]: which tab sends the one logout request.
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
pub mod session;
pub mod terminate;
