//! The JavaScript API: `startSession(options)`, `startFromScript(scriptElement)` and `Session`.
//! The npm wrapper and the script-tag bundle call these after the `.wasm` has loaded.

use crate::bug::SureCell;
use crate::prelude::*;
use js_sys::{Object, Reflect};
use alloc::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::PageCell;
use super::session::{self, Driver, Mirror, Shared};
use crate::config::{self, Entry, Settings, Value};
use crate::engine::{ExtendHow, Reason, State};

/// The page's running session. It lives here, not in the JS handle, so a page that drops the
/// handle (and lets the garbage collector free it) stays protected.
static RUNNING: PageCell<Option<(Shared, Rc<Mirror>)>> = PageCell::new(None);

/// A running automatic-logoff session.
#[wasm_bindgen]
pub struct Session {
    driver: Shared,
    mirror: Rc<Mirror>,
}

#[wasm_bindgen]
impl Session {
    /// 'active' | 'warning' | 'expired' | 'stopped'.
    #[wasm_bindgen(getter, unchecked_return_type = "SessionState")]
    pub fn state(&self) -> String {
        self.mirror.state().as_str().into()
    }

    /// Milliseconds until expiry (0 once ended).
    #[wasm_bindgen(getter, js_name = remainingMs)]
    pub fn remaining_ms(&self) -> f64 {
        self.mirror.remaining() as f64
    }

    /// Stay signed in: closes the warning and restarts the idle period. Returns whether the
    /// session was extended (false once it has ended).
    pub fn extend(&self) -> bool {
        let mut extended = false;
        if !session::run(&self.driver, |e, now| extended = e.handle_extend(now, ExtendHow::Api)) {
            // Called from a listener while autologoff is busy: done right after; it will be
            // extended if the session is still live then.
            session::defer(&self.driver, Box::new(|e, now| {
                e.handle_extend(now, ExtendHow::Api);
            }));
            return matches!(self.mirror.state(), State::Active | State::Warning);
        }
        extended
    }

    /// Log out now, with reason 'user'.
    pub fn logout(&self) {
        if !session::run(&self.driver, |e, now| e.handle_logout(now, Reason::User)) {
            session::defer(&self.driver, Box::new(|e, now| e.handle_logout(now, Reason::User)));
        }
    }

    /// Detach everything without logging out.
    pub fn stop(&self) {
        session::stop(&self.driver);
        RUNNING.with(|r| {
            let mut r = r.sure_mut();
            if r.as_ref().is_some_and(|(d, _)| Rc::ptr_eq(d, &self.driver)) {
                *r = None;
            }
        });
    }
}

/// Starts a session from an options object; errors name the option and the expected form.
#[wasm_bindgen(js_name = startSession)]
pub fn start_session(options: Option<Options>) -> Result<Session, JsError> {
    install_panic_hook();
    let options: JsValue = options.map(Into::into).unwrap_or(JsValue::UNDEFINED);
    let entries = entries_of(&options).ok_or_else(|| {
        JsError::new("autologoff: start() takes an options object, such as { timeout: '15m', warning: '60s' }")
    })?;
    let settings = Settings::from_options(&entries).map_err(|e| JsError::new(e.message()))?;
    if let Some(advice) = config::wcag_advice(&settings.policy) {
        web_sys::console::warn_1(&advice.into());
    }
    launch(settings)
}

/// Starts a session from a script tag's `data-*` attributes. Bad attributes are reported with
/// `console.error` and replaced by defaults, so the page is protected whatever was written.
#[wasm_bindgen(js_name = startFromScript)]
pub fn start_from_script(script: &HtmlElement) -> Result<Session, JsError> {
    install_panic_hook();
    let (settings, errors) = settings_from_script(script);
    for error in &errors {
        web_sys::console::error_1(&error.message().into());
    }
    if let Some(advice) = config::wcag_advice(&settings.policy) {
        web_sys::console::warn_1(&advice.into());
    }
    launch(settings)
}

/// Reads and validates a script tag's `data-*` settings (leniently; see [`Settings::from_attributes`]).
pub fn settings_from_script(script: &HtmlElement) -> (Settings, Vec<config::ConfigError>) {
    let dataset = script.dataset();
    let mut entries = Vec::new();
    let object: &Object = dataset.unchecked_ref();
    for key in Object::keys(object).iter() {
        let Some(key) = key.as_string() else { continue };
        if key == "autostart" {
            continue;
        }
        let value = dataset.get(&key).unwrap_or_default();
        entries.push(Entry { key, value: Value::Text(value.clone()), shown: value });
    }
    Settings::from_attributes(&entries)
}

fn launch(settings: Settings) -> Result<Session, JsError> {
    let previous = RUNNING.with(|r| r.sure_ref().as_ref().map(|(_, m)| m.state()));
    match previous {
        Some(State::Active | State::Warning) => {
            return Err(JsError::new(
                "autologoff: a session is already running on this page; call stop() on it before starting another",
            ))
        }
        Some(State::Expired) => {
            return Err(JsError::new(
                "autologoff: this page's session has ended; load the page again after signing in",
            ))
        }
        Some(State::Stopped) | None => {}
    }
    let driver = Driver::start(settings);
    let mirror = driver.sure_ref().mirror();
    RUNNING.with(|r| *r.sure_mut() = Some((driver.clone(), mirror.clone())));
    Ok(Session { driver, mirror })
}

fn entries_of(options: &JsValue) -> Option<Vec<Entry>> {
    if options.is_undefined() || options.is_null() {
        return Some(Vec::new());
    }
    if !options.is_object() || js_sys::Array::is_array(options) {
        return None;
    }
    let mut entries = Vec::new();
    let object: &Object = options.unchecked_ref();
    for key in Object::keys(object).iter() {
        let Some(key) = key.as_string() else { continue };
        let raw = Reflect::get(options, &JsValue::from_str(&key)).unwrap_or(JsValue::UNDEFINED);
        let (value, shown) = if raw.is_undefined() || raw.is_null() {
            (Value::Absent, String::new())
        } else if let Some(n) = raw.as_f64() {
            (Value::Number(n), js_sys::Number::from(n).to_string_with_radix(10).map(String::from).unwrap_or_default())
        } else if let Some(s) = raw.as_string() {
            (Value::Text(s.clone()), s)
        } else if let Some(b) = raw.as_bool() {
            (Value::Bool(b), if b { "true".into() } else { "false".into() })
        } else if js_sys::Array::is_array(&raw) {
            let items: Option<Vec<String>> = js_sys::Array::from(&raw).iter().map(|v| v.as_string()).collect();
            match items {
                Some(items) => {
                    let shown = items.join(",");
                    (Value::List(items), shown)
                }
                None => (Value::Other, "an array with non-strings".into()),
            }
        } else {
            let kind = raw.js_typeof().as_string().unwrap_or_default();
            (Value::Other, kind)
        };
        entries.push(Entry { key, value, shown });
    }
    Some(entries)
}

fn install_panic_hook() {
    // Panics are bugs; with the hook they reach the console with a message instead of
    // "unreachable executed".
    #[cfg(feature = "std")]
    console_error_panic_hook::set_once();
}

#[wasm_bindgen(typescript_custom_section)]
const OPTIONS_TS: &str = r#"
/** A duration: whole milliseconds, or a string with a unit: "500ms", "90s", "15m", "1.5h". */
export type Duration = number | string;
/** Where a session is in its life. */
export type SessionState = 'active' | 'warning' | 'expired' | 'stopped';
/** Why a session ended (`autologoff:logout` detail.reason). */
export type LogoutReason = 'idle' | 'absolute' | 'user' | 'peer' | 'server';
/** Options for `start()`. Every field is optional. */
export interface AutologoffOptions {
  /** Inactivity before logoff. Default "15m"; at least "1s", at most "24h". */
  timeout?: Duration;
  /** How long before expiry the warning shows. Default "60s"; must be shorter than timeout. */
  warning?: Duration;
  /** Endpoint to POST to on logout (with credentials). Default: none. */
  logoutUrl?: string;
  /** Where to go after logout. Default: none (the page stays covered, with a sign-in link). */
  redirectUrl?: string;
  /** Longest wait for the logout request before finishing locally. Default "3s", at most "60s". */
  logoutWait?: Duration;
  /** Warning dialog title. */
  dialogTitle?: string;
  /** Warning dialog message. */
  dialogMessage?: string;
  /** Language of the built-in text ("en", "es"). Default: the document's lang, else English. */
  lang?: string;
  /** Tabs with the same channel share one session. Default "default". */
  channel?: string;
  /** Maximum session lifetime, never extended by activity. Default: none. */
  absoluteTimeout?: Duration;
  /** When the server started the session (ms since the epoch), for absoluteTimeout. */
  sessionStart?: number | string;
  /** POSTed while (and only while) the user is active; 401/403/419 ends the session. */
  keepaliveUrl?: string;
  /** At most one keepalive per interval. Default "5m". */
  keepaliveInterval?: Duration;
  /** Header for the CSRF token on logout and keepalive. Default "X-CSRF-Token". */
  csrfHeader?: string;
  /** The CSRF token. Default: content of <meta name="csrf-token">, if present. */
  csrfToken?: string;
  /** localStorage keys that survive logout (harmless preferences). */
  keepStorageKeys?: string[];
  /** Also unregister the origin's service workers on logout. Default false. */
  unregisterServiceWorkers?: boolean;
  /** Where audit events are sent (sendBeacon, JSON array). Default: none. */
  auditUrl?: string;
  /** false: no built-in dialog; render your own from the autologoff:warning event. Default true. */
  dialog?: boolean;
  /** The extend button. Default "Stay signed in". */
  stayLabel?: string;
  /** The log-out button. Default "Log out now". */
  logoutLabel?: string;
  /** Before the countdown, and what the live region says. Default "Time left:". */
  timeLeftLabel?: string;
  /** Tab-title prefix during the warning. Default "Session expiring". */
  titlePrefix?: string;
  /** Cover text (and tab title) while logging out. */
  signingOutMessage?: string;
  /** Cover text once logged out, without a redirectUrl. */
  signedOutMessage?: string;
  /** The sign-in link on that cover. */
  signInLabel?: string;
  /** Dialog title when the absolute lifetime is ending. */
  absoluteTitle?: string;
  /** Dialog message when the absolute lifetime is ending. */
  absoluteMessage?: string;
  /** The button that closes that dialog. Default "Continue". */
  dismissLabel?: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// The options object, typed for TypeScript as `AutologoffOptions`.
    #[wasm_bindgen(typescript_type = "AutologoffOptions")]
    pub type Options;
}
