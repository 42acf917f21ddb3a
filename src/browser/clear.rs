//! Clearing what the page's origin keeps in the browser (web storage, IndexedDB, Cache Storage,
//! service workers, the cookies script can see): `clear.js`, which the fallback shares.

use crate::prelude::*;
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(module = "/src/browser/clear.js")]
extern "C" {
    /// Clears both web storages but the `keep` keys of localStorage.
    #[wasm_bindgen(js_name = clearStorage)]
    pub fn web_storage(keep: Vec<String>);
    /// Clears this tab's sessionStorage; whether it could be used. (Every import returns or takes
    /// something: wasm-bindgen imports a bare `() -> ()` function from its module directly, which
    /// the build's renaming of imports does not cover.)
    #[wasm_bindgen(js_name = clearTab)]
    pub fn tab_storage() -> bool;
    /// Starts clearing IndexedDB, Cache Storage and (`workers`) service workers; resolves with
    /// whether the IndexedDB databases could be listed. Never rejects.
    #[wasm_bindgen(js_name = clearAsync)]
    pub fn asynchronous(workers: bool) -> Promise;
    /// Expires every cookie `document.cookie` shows; how many writes that took.
    #[wasm_bindgen(js_name = clearCookies)]
    pub fn cookies() -> u32;
}
