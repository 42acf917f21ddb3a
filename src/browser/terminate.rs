//! Termination: what happens when a session ends, in this order.
//!
//! 1. Cover the page at once, synchronously, so no PHI stays visible while the rest completes.
//! 2. POST to `logoutUrl` (credentials included, `keepalive` so it survives the page leaving).
//! 3. Clear localStorage, sessionStorage, every IndexedDB database and Cache Storage.
//! 4. Wait for 2 and 3, but never longer than `logoutWait`: the server may be down or hang,
//!    and local termination must complete anyway (OWASP ASVS 5 V14.3.1).
//! 5. Expire the cookies script can see (HttpOnly ones are the server's job), after the request
//!    left so it could still carry them.
//! 6. `location.replace(redirectUrl)`, so Back does not return to the page; without a redirect
//!    the cover stays, saying the user was signed out, with a link to sign in again.

use crate::prelude::*;
use js_sys::{Array, Promise, Reflect};
use core::cell::Cell;
use alloc::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlElement, RequestCredentials, RequestInit};

use super::audit::Audit;
use super::dom::{self, element, style, text_element};
use super::promise::{self, Pending};
use super::{channel, leader};
use crate::config::Settings;
use crate::engine::Reason;
use crate::text::Text;
use crate::wire::Record;

/// The full-page cover shown from the first moment of termination. It is never taken down:
/// the page leaves, or stays covered.
#[must_use = "the cover is the only thing hiding the page during logout"]
pub struct Cover {
    panel: HtmlElement,
}

impl Cover {
    /// Covers the page now. Also hides `<body>` (and any top-layer element inside it, which a
    /// fixed-position cover alone cannot sit above) and makes it inert.
    pub fn new(text: &Text) -> Cover {
        let document = dom::document();
        // The tab title may name a patient: it goes too.
        document.set_title(&text.signing_out);
        let cover = element(
            "div",
            &[("data-autologoff-cover", ""), ("role", "alert"), ("lang", &text.lang), ("dir", text.dir)],
        );
        style(
            &cover,
            &[
                ("position", "fixed"),
                ("inset", "0"),
                ("z-index", "2147483647"),
                ("display", "flex"),
                ("align-items", "center"),
                ("justify-content", "center"),
                ("padding", "1rem"),
                ("background", "var(--autologoff-cover-bg, #f4f6f8)"),
                ("color", "var(--autologoff-fg, #1b2430)"),
                ("font", "var(--autologoff-font, 1rem/1.5 system-ui, sans-serif)"),
                ("visibility", "visible"),
                ("text-align", "center"),
            ],
        );
        let panel = text_element("p", &[("data-autologoff-cover-text", "")], &text.signing_out);
        style(&panel, &[("font-size", "1.25rem"), ("margin", "0")]);
        let _ = cover.append_child(&panel);
        if let Some(body) = document.body() {
            style(&body, &[("visibility", "hidden")]);
            let _ = body.set_attribute("inert", "");
        }
        close_top_layer(&document);
        if let Some(root) = document.document_element() {
            let _ = root.append_child(&cover);
        }
        Cover { panel }
    }

    /// Final words when there is no redirect: signed out, and a link to sign in again.
    pub fn signed_out(&self, text: &Text) {
        dom::document().set_title(&text.signed_out);
        self.panel.set_text_content(Some(&text.signed_out));
        let br = element("br", &[]);
        let href = dom::window().location().href().unwrap_or_else(|_| "/".into());
        let link = text_element("a", &[("href", &href), ("data-autologoff-sign-in", "")], &text.sign_in);
        style(&link, &[("color", "var(--autologoff-accent, #0b5cad)"), ("font-weight", "600")]);
        let _ = self.panel.append_with_node_2(&br, &link);
    }
}

/// Closes what the page put in the top layer (modal dialogs, popovers, fullscreen), which would
/// otherwise sit above any cover and could override `visibility` to stay visible.
fn close_top_layer(document: &web_sys::Document) {
    if let Ok(open) = document.query_selector_all("dialog[open]") {
        for i in 0..open.length() {
            if let Some(d) = open.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlDialogElement>().ok()) {
                d.close();
            }
        }
    }
    // `:popover-open` is an invalid selector where popovers do not exist: then there are none.
    if let Ok(open) = document.query_selector_all(":popover-open") {
        for i in 0..open.length() {
            if let Some(el) = open.item(i) {
                if let Ok(hide) = Reflect::get(&el, &"hidePopover".into()).and_then(|f| f.dyn_into::<js_sys::Function>().map_err(JsValue::from)) {
                    let _ = hide.call0(&el);
                }
            }
        }
    }
    let fullscreen = Reflect::get(document, &"fullscreenElement".into()).unwrap_or(JsValue::NULL);
    if !fullscreen.is_null() && !fullscreen.is_undefined() {
        if let Ok(exit) = Reflect::get(document, &"exitFullscreen".into()).and_then(|f| f.dyn_into::<js_sys::Function>().map_err(JsValue::from)) {
            let _ = exit.call0(document);
        }
    }
}

/// Steps 2 to 6, after the cover is up. Runs to completion on its own; the promise it returns
/// resolves once it has (for tests).
///
/// Of the tabs of one session, only one sends the logout request (see [`leader`]); a tab told
/// by another that the session ended (reason 'peer') never does.
pub fn finish(
    settings: Settings,
    text: Rc<Text>,
    reason: Reason,
    tab: String,
    cover: Cover,
    audit: Rc<Audit>,
) -> Promise {
    // First of all, the tombstone (times, nothing else): a tab restored or woken from now on
    // learns that this session ended, even while the rest is still in progress.
    let ended = dom::now();
    let started = channel::read_record(&settings.channel, ended).map_or(ended, |r| r.started);
    let tombstone = Record { last_activity: ended, ended: Some(ended), started };
    channel::write_record(&settings.channel, tombstone);
    let (hold, release) = leader::deferred();
    let url = settings.logout_url.clone().filter(|_| reason != Reason::Peer);
    let mut run = Termination::new(settings, text, cover, audit, tombstone, release);
    let Some(url) = url else { return run.clear_and_wait() };
    // Decided before storage is cleared: the fallback claim lives in localStorage.
    let claimed = leader::claim(&run.settings.channel, &tab, hold);
    promise::then(&claimed, move |won| {
        if won.as_bool() == Some(true) {
            run.send(&url, reason);
        }
        run.clear_and_wait().into()
    })
}

/// A termination in progress, from one step of [`finish`] to the next.
struct Termination {
    settings: Settings,
    text: Rc<Text>,
    cover: Cover,
    audit: Rc<Audit>,
    tombstone: Record,
    /// The localStorage keys clearing keeps: the page's own, the logout claim (see
    /// [`leader::claim_key`]) and the session record with the tombstone.
    keep: Vec<String>,
    /// Releases the logout claim (see [`leader::claim`]).
    release: js_sys::Function,
    /// What the wait is for: the logout request, and clearing what is asynchronous to clear.
    waits: Array,
    /// The callbacks on those (a request may never be answered): dropped with the termination
    /// once it completes, when nothing waits for them any more.
    pending: Pending,
    /// The request's outcome: None while pending, Some(0) for a network failure, else the status.
    status: Rc<Cell<Option<u16>>>,
    /// Whether this tab sent the logout request.
    sent: bool,
}

impl Termination {
    fn new(
        settings: Settings,
        text: Rc<Text>,
        cover: Cover,
        audit: Rc<Audit>,
        tombstone: Record,
        release: js_sys::Function,
    ) -> Termination {
        let mut keep = settings.keep_storage_keys.clone();
        keep.push(leader::claim_key(&settings.channel));
        keep.push(channel::key(&settings.channel));
        Termination {
            settings,
            text,
            cover,
            audit,
            tombstone,
            keep,
            release,
            waits: Array::new(),
            pending: Pending::default(),
            status: Rc::new(Cell::new(None)),
            sent: false,
        }
    }

    /// Sends the logout request: fetch, or a beacon if fetch refuses.
    fn send(&mut self, url: &str, reason: Reason) {
        self.sent = true;
        let mut body = String::from("reason=");
        body.push_str(reason.as_str());
        match request(url, &body, &self.settings, true) {
            Ok(response) => {
                let status = self.status.clone();
                self.waits.push(&self.pending.then(&response, move |response| {
                    let code = match response {
                        Ok(r) => r.unchecked_into::<web_sys::Response>().status(),
                        Err(_) => 0,
                    };
                    status.set(Some(code));
                    JsValue::UNDEFINED
                }));
            }
            // fetch() itself refused (the page is unloading, or the keepalive quota is
            // spent): a beacon still gets there, with the token as a form field.
            Err(_) => {
                if let Some(token) = csrf_token(&self.settings) {
                    body.push_str("&_csrf=");
                    body.push_str(&js_sys::encode_uri_component(&token).as_string().unwrap_or_default());
                }
                let form = web_sys::UrlSearchParams::new_with_str(&body).ok();
                let queued = form
                    .and_then(|f| dom::window().navigator().send_beacon_with_opt_url_search_params(url, Some(&f)).ok())
                    .unwrap_or(false);
                self.status.set(Some(if queued { 204 } else { 0 }));
            }
        }
    }

    /// Clears storage, then waits for the request and the clearing, never longer than
    /// `logoutWait`, and completes. The promise resolves once it has completed.
    fn clear_and_wait(self) -> Promise {
        clear_web_storage(&self.keep);
        if self.settings.unregister_service_workers {
            if let Some(p) = unregister_service_workers(&self.pending) {
                self.waits.push(&p);
            }
        }
        if let Some(p) = clear_indexed_db(&self.pending) {
            self.waits.push(&p);
        }
        if let Some(p) = clear_cache_storage(&self.pending) {
            self.waits.push(&p);
        }
        // Promise.allSettled never rejects; race it against the bound, which always comes.
        let settled = Promise::all_settled(&self.waits);
        let bound = sleep(self.settings.logout_wait);
        let waited = Promise::race(&Array::of2(&settled, &bound));
        promise::then(&waited, move |_| {
            self.complete();
            JsValue::UNDEFINED
        })
    }

    /// After the wait: release the claim, audit a failed request, clear again, expire cookies,
    /// leave. Dropping `self` at the end frees the callbacks of whatever never settled.
    fn complete(self) {
        let _ = self.release.call0(&JsValue::UNDEFINED);
        let now = dom::now();
        // Only the tab that sent the request has something to report.
        if self.sent {
            let failed = match self.status.get() {
                Some(200..=399) => None,
                Some(0) => Some("network"),
                Some(_) => Some("http"),
                None => Some("timeout"),
            };
            if let Some(why) = failed {
                self.audit.record("logout-request-failed", now, Some(("status", why)));
                self.audit.flush();
            }
        }
        // Page scripts kept running during the wait and may have written drafts back: clear again.
        // The tombstone is written again too (a server's Clear-Site-Data may have removed it).
        clear_web_storage(&self.keep);
        channel::write_record(&self.settings.channel, self.tombstone);
        clear_cookies();
        match &self.settings.redirect_url {
            Some(url) => {
                let _ = dom::window().location().replace(url);
            }
            None => self.cover.signed_out(&self.text),
        }
    }

}

/// A promise that resolves after `ms`, with `resolve` itself as the timer callback (no closure).
pub fn sleep(ms: u64) -> Promise {
    Promise::new(&mut |resolve, _| {
        let _ = dom::window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.min(i32::MAX as u64) as i32);
    })
}

/// POSTs a form-encoded `body` to `url` with credentials and the CSRF header (if there is a
/// token). Form encoding is a CORS-safelisted content type: no preflight for cross-origin
/// endpoints unless a CSRF header is added.
pub fn request(url: &str, body: &str, settings: &Settings, keepalive: bool) -> Result<Promise, JsValue> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_credentials(RequestCredentials::Include);
    let headers = web_sys::Headers::new()?;
    headers.set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")?;
    if let Some(token) = csrf_token(settings) {
        headers.set(&settings.csrf_header, &token)?;
    }
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    if keepalive {
        // keepalive lets the request outlive the page: https://fetch.spec.whatwg.org/#request-keepalive-flag
        Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE)?;
    }
    // fetch() can throw synchronously (e.g. while the page unloads): Err, not a rejection.
    let fetch = Reflect::get(&dom::window(), &"fetch".into())?.unchecked_into::<js_sys::Function>();
    fetch.call2(&dom::window(), &url.into(), &init)?.dyn_into::<Promise>()
}

/// The CSRF token: the `csrfToken` option, else `<meta name="csrf-token" content="…">`.
fn csrf_token(settings: &Settings) -> Option<String> {
    settings.csrf_token.clone().or_else(|| {
        let meta = dom::document().query_selector("meta[name=\"csrf-token\"]").ok().flatten()?;
        meta.get_attribute("content").filter(|t| !t.is_empty())
    })
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

/// Clears both storages; `keep` keys of localStorage survive (autologoff's own logout claim).
/// Keys are removed one by one rather than with `clear()`: another tab's view of localStorage
/// can lag, and a `clear()` from that view would also wipe what this one wrote meanwhile.
fn clear_web_storage(keep: &[String]) {
    let window = dom::window();
    // Either can throw (storage disabled, sandboxed frame): nothing to clear then.
    if let Ok(Some(s)) = window.local_storage() {
        let count = s.length().unwrap_or(0);
        let keys: Vec<String> = (0..count).filter_map(|i| s.key(i).ok().flatten()).collect();
        for key in keys.iter().filter(|k| !keep.contains(k)) {
            let _ = s.remove_item(key);
        }
    }
    if let Ok(Some(s)) = window.session_storage() {
        let _ = s.clear();
    }
}

/// Deletes every IndexedDB database the origin has, where `indexedDB.databases()` exists
/// (Chrome 72, Firefox 126, Safari 14). Resolves when every delete has succeeded, failed or is
/// blocked by an open connection (it then completes when the page leaves).
fn clear_indexed_db(pending: &Pending) -> Option<Promise> {
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
fn clear_cache_storage(pending: &Pending) -> Option<Promise> {
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

/// Expires every cookie `document.cookie` shows, for the current path and each parent, host-only
/// and for the host and each parent domain: a cookie is only removed by a write that matches the
/// path and domain it was set with, which script cannot read back.
fn clear_cookies() {
    let document: web_sys::HtmlDocument = dom::document().unchecked_into();
    let Ok(all) = document.cookie() else { return };
    if all.is_empty() {
        return;
    }
    let location = dom::window().location();
    let path = location.pathname().unwrap_or_default();
    let host = location.hostname().unwrap_or_default();
    let mut paths = vec![String::from("/")];
    let mut acc = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        acc.push('/');
        acc.push_str(part);
        paths.push(acc.clone());
    }
    let mut domains = vec![String::new()];
    let labels: Vec<&str> = host.split('.').collect();
    // Not for IP addresses (numeric labels) or single-label hosts such as localhost.
    if labels.len() > 1 && !labels.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit())) {
        for i in 0..labels.len() - 1 {
            domains.push(labels[i..].join("."));
        }
    }
    for pair in all.split(';') {
        let name = pair.split('=').next().unwrap_or("").trim();
        if name.is_empty() {
            continue;
        }
        for p in &paths {
            for d in &domains {
                let mut c = String::from(name);
                c.push_str("=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=");
                c.push_str(p);
                if !d.is_empty() {
                    c.push_str("; Domain=");
                    c.push_str(d);
                }
                let _ = document.set_cookie(&c);
            }
        }
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
