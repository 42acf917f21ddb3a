//! The claim that lets one tab send the logout request when several end at the same moment:
//! `lock.js` (Web Locks, or a claim in localStorage where there are none).
//!
//! A lock alone does not make the request unique: a `Clear-Site-Data: "storage"` response can
//! release a lock another tab holds (Chromium), and a tab frozen meanwhile resumes after the
//! winner is gone. Nor does losing it mean another tab of the session sends the request: the
//! session core reads the tombstone before it claims, listens for the winner's `claimed`
//! message, and sends the request itself when no tab of its session says so (see
//! `crate::session`).

use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(module = "/src/browser/lock.js")]
extern "C" {
    /// Tries to become the tab that logs out, with the lock (or storage claim) `name` (the
    /// session's own, see [`crate::wire::claim_key`]). Resolves, always and within about a
    /// second, with whether this tab is the one; if so the claim is held until `hold` settles,
    /// which it must (the host settles it on `ReleaseClaim`, or when it is dropped).
    pub fn claim(name: &str, tab: &str, hold: &Promise) -> Promise;
}
