//! The claim that lets one tab send the logout request when several end at the same moment.
//!
//! With Web Locks (<https://w3c.github.io/web-locks/>; Chrome 69, Firefox 96, Safari 15.4) the
//! tab that gets `autologoff:<channel>:logout` with `ifAvailable` has it, and holds the lock until
//! released; the browser releases a lock whose tab closes or crashes. Without Web Locks, a claim
//! in localStorage, re-read after a short wait, decides.
//!
//! A lock alone does not make the request unique: a `Clear-Site-Data: "storage"` response can
//! release a lock another tab holds (Chromium), and a tab frozen meanwhile resumes after the
//! winner is gone. The session core therefore also reads the tombstone before it claims and
//! listens for the winner's `claimed` message (see `crate::session`).

use crate::prelude::*;
use alloc::rc::Rc;
use core::cell::Cell;
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::dom;
use super::promise::{self, deferred, sleep};

/// Tries to become the tab that logs out, with the lock (or storage claim) `lock_name` (the
/// session's own, see [`crate::wire::claim_key`]). If so, the claim is held until `hold`
/// settles, which it must (the host settles it on `ReleaseClaim`, or when it is dropped).
/// Returns a promise of whether this tab is the one; it always settles, within about a second.
pub fn claim(lock_name: &str, tab: &str, hold: Promise) -> Promise {
    let lock_name = lock_name.to_owned();
    let locks = dom::get(&dom::get(&dom::window(), "navigator"), "locks");
    let request = dom::get(&locks, "request");
    let Some(request) = request.is_function().then(|| request.unchecked_into::<Function>()) else {
        return claim_in_storage(&lock_name, tab, hold);
    };
    let granted = Rc::new(Cell::new(false));
    let called = Rc::new(Cell::new(false));
    let (decided, decide) = deferred();
    let (g, c) = (granted.clone(), called.clone());
    let callback = Closure::once(move |lock: JsValue| -> JsValue {
        let got = !lock.is_null() && !lock.is_undefined();
        c.set(true);
        g.set(got);
        let _ = decide.call0(&JsValue::UNDEFINED);
        if got {
            hold.into()
        } else {
            JsValue::UNDEFINED
        }
    });
    let options = dom::object(&[("ifAvailable", JsValue::TRUE)]);
    let Ok(requested) = request.call3(&locks, &lock_name.clone().into(), &options, callback.as_ref()) else {
        drop(callback);
        return claim_in_storage(&lock_name, tab, hold_fallback());
    };
    // The request can reject without ever calling back (an opaque origin, a document that is no
    // longer fully active): wait for whichever comes first, and never for long.
    let requested = dom::promise(requested).unwrap_or_else(|| Promise::resolve(&JsValue::UNDEFINED));
    let settled = Promise::all_settled(&js_sys::Array::of1(&requested));
    let raced = Promise::race(&js_sys::Array::of3(&decided, &settled, &sleep(1_000)));
    let tab = tab.to_owned();
    // The lock's callback lives until the race is decided (the sleep bounds it). Called after
    // that, it throws: the lock is released at once, and the request's promise rejects, which
    // allSettled has handled.
    promise::then(&raced, move |_| {
        let answered = called.get();
        drop(callback);
        if !answered {
            return claim_in_storage(&lock_name, &tab, hold_fallback()).into();
        }
        JsValue::from_bool(granted.get())
    })
}

/// A hold for the fallback claim when the lock's own hold was handed to a request that failed:
/// released after a few seconds (the claim is for the logout request only).
fn hold_fallback() -> Promise {
    sleep(5_000)
}

/// The fallback: write a claim unless a fresh one from another tab exists, wait, and see whose
/// claim survived. The winner removes it once `hold` settles; claims older than 10 s are stale
/// (their tab died).
fn claim_in_storage(key: &str, tab: &str, hold: Promise) -> Promise {
    let Some(storage) = dom::local_storage() else {
        return at_once(true);
    };
    let now = dom::now();
    let fresh_other = dom::item(&storage, key).and_then(|v| {
        let (who, at) = crate::num::split_once(&v, b';')?;
        let at = crate::num::parse_uint(at)?;
        (who != tab && now.saturating_sub(at) < 10_000).then_some(())
    });
    if fresh_other.is_some() {
        return at_once(false);
    }
    let mut mine = String::from(tab);
    mine.push(';');
    crate::num::push_uint(&mut mine, now);
    dom::set_item(&storage, key, &mine);
    let key = key.to_owned();
    promise::then(&sleep(60), move |_| {
        let won = dom::item(&storage, &key).as_deref() == Some(mine.as_str());
        if won {
            // `hold` always settles (see `claim`), and frees this callback then.
            let _ = promise::then(&hold, move |_| {
                if dom::item(&storage, &key).as_deref() == Some(mine.as_str()) {
                    dom::remove_item(&storage, &key);
                }
                JsValue::UNDEFINED
            });
        }
        JsValue::from_bool(won)
    })
}

/// A claim decided at once.
fn at_once(won: bool) -> Promise {
    Promise::resolve(&JsValue::from_bool(won))
}
