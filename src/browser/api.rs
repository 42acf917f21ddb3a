//! The JavaScript API: `startSession(options)`, `startFromScript(scriptElement)`,
//! `stopSession()` and `Session`. The npm wrapper and the script-tag bundle call these after the
//! `.wasm` has loaded.

use crate::bug::SureCell;
use crate::prelude::*;
use alloc::rc::Rc;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::channel;
use super::dom;
use super::host::{self, BrowserHost, Shared};
use super::PageCell;
use crate::config::{self, ConfigError, Entry, Origin, Settings, Value};
use crate::engine::State;
use crate::runner::Runner;
use crate::session::{Clocks, Core, Input};
use crate::text::Text;
use crate::time::Moment;

/// The page's running session. It lives here, not in the JS handle, so a page that drops the
/// handle (and lets the garbage collector free it) stays protected.
static RUNNING: PageCell<Option<Shared>> = PageCell::new(None);

/// A running automatic-logoff session.
#[wasm_bindgen]
pub struct Session {
    runner: Shared,
}

#[wasm_bindgen]
impl Session {
    /// 'active' | 'warning' | 'expired' | 'stopped'.
    #[wasm_bindgen(getter, unchecked_return_type = "SessionState")]
    pub fn state(&self) -> String {
        self.runner.mirror().state().as_str().into()
    }

    /// Milliseconds until expiry (0 once ended).
    #[wasm_bindgen(getter, js_name = remainingMs)]
    pub fn remaining_ms(&self) -> f64 {
        self.runner.mirror().remaining(dom::now()).ms() as f64
    }

    /// Stay signed in: closes the warning and restarts the idle period. Returns whether the
    /// session was extended (false once it has ended). This is the page's deliberate way to
    /// extend: the dialog's own controls answer only to the user.
    pub fn extend(&self) -> bool {
        if self.runner.post(Input::Extend) {
            return self.runner.with_core(|c| c.extended()).unwrap_or(false);
        }
        // Called from a listener while autologoff is busy: done right after; it will be
        // extended if the session is still live then.
        matches!(self.runner.mirror().state(), State::Active | State::Warning)
    }

    /// Log out now, with reason 'user'.
    pub fn logout(&self) {
        self.runner.post(Input::Logout);
    }

    /// Detach everything without logging out.
    pub fn stop(&self) {
        self.runner.post(Input::Stop);
        RUNNING.with(|r| {
            let mut r = r.sure_mut();
            if r.as_ref().is_some_and(|running| Rc::ptr_eq(running, &self.runner)) {
                *r = None;
            }
        });
    }
}

/// Starts a session from an options object, replacing a session this page runs. A bad option
/// is an error naming it and the expected form; the page is protected all the same, by a session
/// with the fail-safe settings (see [`config::parse`]) until `start()` is called right.
#[wasm_bindgen(js_name = startSession)]
pub fn start_session(options: Option<Options>) -> Result<Session, JsError> {
    install_panic_hook();
    let options: JsValue = options.map(Into::into).unwrap_or(JsValue::UNDEFINED);
    let Some(entries) = entries_of(&options) else {
        let _ = launch(Settings::default(), &[]);
        return Err(JsError::new(
            "autologoff: start() takes an options object, such as { timeout: '15m', warning: '60s' }; until then the page runs with the defaults",
        ));
    };
    let (settings, errors) = config::parse(&entries, Origin::Options);
    advise(&settings);
    let session = launch(settings, &errors)?;
    match errors.first() {
        Some(error) => Err(JsError::new(error.message())),
        None => Ok(session),
    }
}

/// Starts a session from a script tag's `data-*` attributes. Bad attributes are reported with
/// `console.error` and replaced by fail-safes, so the page is protected whatever was written.
#[wasm_bindgen(js_name = startFromScript)]
pub fn start_from_script(script: &HtmlElement) -> Result<Session, JsError> {
    install_panic_hook();
    let (settings, errors) = settings_from_script(script);
    for error in &errors {
        dom::console("error", error.message());
    }
    advise(&settings);
    launch(settings, &errors)
}

/// Stops the page's session, if it runs (without logging out).
#[wasm_bindgen(js_name = stopSession)]
pub fn stop_session() {
    let running = RUNNING.with(|r| r.sure_mut().take());
    if let Some(runner) = running {
        runner.post(Input::Stop);
    }
}

fn advise(settings: &Settings) {
    if let Some(advice) = config::wcag_advice(&settings.policy) {
        dom::console("warn", advice);
    }
}

/// Reads and validates a script tag's `data-*` settings (leniently; see [`config::parse`]).
pub fn settings_from_script(script: &HtmlElement) -> (Settings, Vec<ConfigError>) {
    let dataset = dom::get(script, "dataset");
    let mut entries = Vec::new();
    for key in Object::keys(dataset.unchecked_ref::<Object>()).iter() {
        let Some(key) = key.as_string() else { continue };
        if key == "autostart" {
            continue;
        }
        let value = dom::text_of(&dataset, &key).unwrap_or_default();
        entries.push(Entry { key, value: Value::Text(value.clone()), shown: value });
    }
    config::parse(&entries, Origin::Attributes)
}

/// Starts the page's session, replacing a live one (the last `start()` wins).
fn launch(settings: Settings, errors: &[ConfigError]) -> Result<Session, JsError> {
    let previous = RUNNING.with(|r| r.sure_mut().take());
    if let Some(previous) = previous {
        if previous.mirror().state() == State::Expired {
            RUNNING.with(|r| *r.sure_mut() = Some(previous));
            return Err(JsError::new(
                "autologoff: this page's session has ended; load the page again after signing in",
            ));
        }
        previous.post(Input::Stop);
    }
    let root = dom::get(&dom::document(), "documentElement");
    let attribute = |name: &str| dom::call1(&root, "getAttribute", &name.into()).as_string();
    let lang = settings.lang.clone().or_else(|| attribute("lang"));
    let page_dir = attribute("dir");
    let text = Text::new(lang.as_deref().unwrap_or(""), &settings.text, page_dir.as_deref());
    let now = dom::now();
    // When this document started loading: a tombstone after it ended this page's session.
    let time_origin =
        dom::get(&dom::get(&dom::window(), "performance"), "timeOrigin").as_f64().map_or(now, dom::moment);
    let record = channel::read_record(&settings.channel, now);
    let tab = host::tab_id();
    let at = Clocks { wall: now, mono: dom::monotonic(), input: Moment::EPOCH };
    let core = Core::new(settings.clone(), tab.clone(), time_origin, record, errors, at);
    let runner: Shared = Rc::new_cyclic(|me| Runner::new(core, BrowserHost::new(me.clone(), settings, text, tab)));
    RUNNING.with(|r| *r.sure_mut() = Some(runner.clone()));
    runner.run();
    Ok(Session { runner })
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
                    let mut shown = String::new();
                    crate::num::push_joined(&mut shown, &items, ',');
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
const OPTIONS_TS: &str = config::TYPESCRIPT;

#[wasm_bindgen(typescript_custom_section)]
const TYPES_TS: &str = r#"
/** Where a session is in its life. */
export type SessionState = 'active' | 'warning' | 'expired' | 'stopped';
/** Why a session ended (`autologoff:logout` detail.reason). */
export type LogoutReason = 'idle' | 'absolute' | 'user' | 'peer' | 'server' | 'replaced';
"#;

#[wasm_bindgen]
extern "C" {
    /// The options object, typed for TypeScript as `AutologoffOptions`.
    #[wasm_bindgen(typescript_type = "AutologoffOptions")]
    pub type Options;
}
