//! Clearing what the page's origin keeps in the browser: web storage, IndexedDB, Cache
//! Storage, service workers, and the cookies script can see.

use crate::prelude::*;
use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::dom;
use super::promise::Pending;

/// Clears both web storages; `keep` keys of localStorage survive (the page's own choice, and
/// autologoff's record and logout claim). Keys are removed one by one rather than with
/// `clear()`: another tab's view of localStorage can lag, and a `clear()` from that view would
/// also wipe what this one wrote meanwhile.
pub fn web_storage(keep: &[String]) {
    let window = dom::window();
    // Either can throw (storage disabled, sandboxed frame): nothing to clear then.
    if let Ok(Some(s)) = window.local_storage() {
        let count = s.length().unwrap_or(0);
        let keys: Vec<String> = (0..count).filter_map(|i| s.key(i).ok().flatten()).collect();
        for key in keys.iter().filter(|k| !keep.contains(k)) {
            let _ = s.remove_item(key);
        }
    }
    tab_storage();
}

/// Clears this tab's sessionStorage.
pub fn tab_storage() {
    if let Ok(Some(s)) = dom::window().session_storage() {
        let _ = s.clear();
    }
}

/// Starts clearing IndexedDB, Cache Storage and (with `workers`) service workers. The promise
/// resolves, once each has settled, with whether the IndexedDB databases could be listed.
/// Callbacks on promises that may never settle belong to `pending`.
pub fn asynchronous(workers: bool, pending: &Pending) -> Promise {
    let waits = Array::new();
    if workers {
        if let Some(p) = unregister_service_workers(pending) {
            waits.push(&p);
        }
    }
    let listed = indexed_db(pending);
    if let Some(p) = &listed {
        waits.push(p);
    }
    if let Some(p) = cache_storage(pending) {
        waits.push(&p);
    }
    let listed = JsValue::from_bool(listed.is_some());
    pending.then(&Promise::all_settled(&waits), move |_| listed)
}

/// Unregisters every service worker of the origin (they can serve cached PHI offline).
fn unregister_service_workers(pending: &Pending) -> Option<Promise> {
    let container = Reflect::get(&dom::window().navigator(), &"serviceWorker".into()).ok()?;
    if container.is_undefined() {
        return None;
    }
    let container: web_sys::ServiceWorkerContainer = container.unchecked_into();
    let list = container.get_registrations();
    Some(pending.then(&list, |list| {
        let done = Array::new();
        for r in as_array(&list.unwrap_or(JsValue::UNDEFINED)).iter() {
            if let Ok(p) = r.unchecked_into::<web_sys::ServiceWorkerRegistration>().unregister() {
                done.push(&p);
            }
        }
        Promise::all_settled(&done).into()
    }))
}

/// Deletes every IndexedDB database the origin has, where `indexedDB.databases()` exists
/// (Chrome 72, Firefox 126, Safari 14); `None` where it does not, so they cannot be found.
/// Resolves when every delete has succeeded, failed or is blocked by an open connection (it
/// then completes when the page leaves).
fn indexed_db(pending: &Pending) -> Option<Promise> {
    let factory = dom::window().indexed_db().ok().flatten()?;
    let databases = Reflect::get(&factory, &JsValue::from_str("databases")).ok()?;
    let databases: js_sys::Function = databases.dyn_into().ok()?;
    let list: Promise = databases.call0(&factory).ok()?.dyn_into().ok()?;
    Some(pending.then(&list, move |list| delete_all(&factory, &list.unwrap_or(JsValue::UNDEFINED)).into()))
}

/// Deletes the databases `list` names; the promise resolves when every delete has settled.
fn delete_all(factory: &web_sys::IdbFactory, list: &JsValue) -> Promise {
    let deletes = Array::new();
    for info in as_array(list).iter() {
        let Some(name) = Reflect::get(&info, &JsValue::from_str("name")).ok().and_then(|n| n.as_string()) else {
            continue;
        };
        if let Ok(request) = factory.delete_database(&name) {
            deletes.push(&Promise::new(&mut |resolve, _| {
                request.set_onsuccess(Some(&resolve));
                request.set_onerror(Some(&resolve));
                request.set_onblocked(Some(&resolve));
            }));
        }
    }
    Promise::all_settled(&deletes)
}

/// Deletes every Cache Storage cache (`caches` exists only in secure contexts).
fn cache_storage(pending: &Pending) -> Option<Promise> {
    let caches = dom::window().caches().ok()?;
    let keys = caches.keys();
    Some(pending.then(&keys, move |keys| {
        let deletes = Array::new();
        for key in as_array(&keys.unwrap_or(JsValue::UNDEFINED)).iter() {
            if let Some(key) = key.as_string() {
                deletes.push(&caches.delete(&key));
            }
        }
        Promise::all_settled(&deletes).into()
    }))
}

/// Expires every cookie `document.cookie` shows (see [`crate::cookies`]).
pub fn cookies() {
    let document: web_sys::HtmlDocument = dom::document().unchecked_into();
    let Ok(all) = document.cookie() else { return };
    let location = dom::window().location();
    let path = location.pathname().unwrap_or_default();
    let host = location.hostname().unwrap_or_default();
    let secure = location.protocol().is_ok_and(|p| p == "https:");
    for write in crate::cookies::expiring_writes(&all, &path, &host, secure) {
        let _ = document.set_cookie(&write);
    }
}

/// `value` as an array, or an empty one: a promise that rejected (Firefox's
/// `indexedDB.databases()` in some profiles) leaves `undefined`, and `Array.from(undefined)` throws.
fn as_array(value: &JsValue) -> Array {
    if Array::is_array(value) {
        value.clone().unchecked_into()
    } else {
        Array::new()
    }
}
