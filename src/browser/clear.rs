//! Clearing what the page's origin keeps in the browser: web storage, IndexedDB, Cache
//! Storage, service workers, and the cookies script can see.

use crate::prelude::*;
use js_sys::{Array, Promise};
use wasm_bindgen::{JsCast, JsValue};

use super::dom::{self, call0, call1, get, promise};
use super::promise::Pending;

/// Clears both web storages; `keep` keys of localStorage survive (the page's own choice, and
/// autologoff's record and logout claim). Keys are removed one by one rather than with
/// `clear()`: another tab's view of localStorage can lag, and a `clear()` from that view would
/// also wipe what this one wrote meanwhile.
pub fn web_storage(keep: &[String]) {
    // Storage may be disabled (a sandboxed frame): nothing to clear then.
    if let Some(s) = dom::local_storage() {
        let count = get(&s, "length").as_f64().unwrap_or(0.0) as u32;
        let keys: Vec<String> = (0..count).filter_map(|i| call1(&s, "key", &i.into()).as_string()).collect();
        for key in keys.iter().filter(|k| !keep.contains(k)) {
            dom::remove_item(&s, key);
        }
    }
    tab_storage();
}

/// Clears this tab's sessionStorage.
pub fn tab_storage() {
    if let Some(s) = dom::global("sessionStorage") {
        call0(&s, "clear");
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
    let container = get(&get(&dom::window(), "navigator"), "serviceWorker");
    let list = promise(call0(&container, "getRegistrations"))?;
    Some(pending.then(&list, |list| {
        let done = Array::new();
        for r in as_array(&list.unwrap_or(JsValue::UNDEFINED)).iter() {
            done.push(&call0(&r, "unregister"));
        }
        Promise::all_settled(&done).into()
    }))
}

/// Deletes every IndexedDB database the origin has, where `indexedDB.databases()` exists
/// (Chrome 72, Firefox 126, Safari 14); `None` where it does not, so they cannot be found.
/// Resolves when every delete has succeeded, failed or is blocked by an open connection (it
/// then completes when the page leaves).
fn indexed_db(pending: &Pending) -> Option<Promise> {
    let factory = dom::global("indexedDB")?;
    let list = promise(call0(&factory, "databases"))?;
    Some(pending.then(&list, move |list| delete_all(&factory, &list.unwrap_or(JsValue::UNDEFINED)).into()))
}

/// Deletes the databases `list` names; the promise resolves when every delete has settled.
fn delete_all(factory: &JsValue, list: &JsValue) -> Promise {
    let deletes = Array::new();
    for info in as_array(list).iter() {
        let request = call1(factory, "deleteDatabase", &get(&info, "name"));
        if request.is_undefined() {
            continue;
        }
        deletes.push(&Promise::new(&mut |resolve, _| {
            for event in ["onsuccess", "onerror", "onblocked"] {
                dom::set(&request, event, &resolve);
            }
        }));
    }
    Promise::all_settled(&deletes)
}

/// Deletes every Cache Storage cache (`caches` exists only in secure contexts).
fn cache_storage(pending: &Pending) -> Option<Promise> {
    let caches = dom::global("caches")?;
    let keys = promise(call0(&caches, "keys"))?;
    Some(pending.then(&keys, move |keys| {
        let deletes = Array::new();
        for key in as_array(&keys.unwrap_or(JsValue::UNDEFINED)).iter() {
            deletes.push(&call1(&caches, "delete", &key));
        }
        Promise::all_settled(&deletes).into()
    }))
}

/// Expires every cookie `document.cookie` shows (see [`crate::cookies`]).
pub fn cookies() {
    let document: JsValue = dom::document().into();
    let Some(all) = dom::text_of(&document, "cookie") else { return };
    let location = get(&dom::window(), "location");
    let text = |k| dom::text_of(&location, k).unwrap_or_default();
    let secure = text("protocol") == "https:";
    for write in crate::cookies::expiring_writes(&all, &text("pathname"), &text("hostname"), secure) {
        dom::set(&document, "cookie", &write.into());
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
