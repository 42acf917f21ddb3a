//! The pre-timeout warning: an accessible modal alert dialog with a countdown, rendered by
//! `render.js` (`showDialog`, shared with nothing else but written in the same habits as the
//! cover). This adapter owns it, closes it on `Drop`, decides what the live region says when,
//! and hands what the user did to the session core as it happened: the control, whether the
//! user (not a script) used it, whether with a key, and whether that key was a held key's repeat.
//! The core decides what that means (see `crate::session`).

use crate::prelude::*;
use alloc::rc::Rc;
use core::cell::Cell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use web_sys::HtmlElement;

use super::dom;
use crate::engine::ExtendHow;
use crate::session::Action;
use crate::text::{self, Key, Text};
use crate::time::Duration;

#[wasm_bindgen(module = "/src/browser/render.js")]
extern "C" {
    /// The dialog as `render.js` shows it.
    type Shown;

    #[wasm_bindgen(js_name = showDialog)]
    fn show_dialog(text: &JsValue, first: &str, report: &JsValue) -> Shown;

    #[wasm_bindgen(method, getter)]
    fn element(this: &Shown) -> HtmlElement;

    #[wasm_bindgen(method)]
    fn update(this: &Shown, shown: &str, said: Option<String>);

    #[wasm_bindgen(method)]
    fn close(this: &Shown);
}

/// What the dialog reports: the control used, whether the user (not a script) used it, whether
/// with a key, and whether that key was a held key's repeat.
pub type OnAction = Rc<dyn Fn(Action, bool, bool, bool)>;

/// The open warning dialog. Dropping it closes it, removes it, and returns focus.
#[must_use = "the dialog is closed and removed as soon as it is dropped"]
pub struct WarningDialog {
    shown: Shown,
    time_left: String,
    last_step: Cell<u64>,
    _report: Closure<dyn Fn(String, bool, bool, bool)>,
}

impl WarningDialog {
    /// Builds and shows the dialog with `remaining` left. With `absolute`, the session is
    /// reaching its maximum length and cannot be extended: the dialog says so, and its first
    /// button (and Escape) report [`Action::Stay`], which the core reads as "close".
    pub fn show(text: &Text, remaining: Duration, absolute: bool, on_action: OnAction) -> WarningDialog {
        let (title, message, first_label, first) = if absolute {
            (text.get(Key::AbsoluteTitle), text.get(Key::AbsoluteMessage), text.get(Key::Dismiss), "dismiss")
        } else {
            (text.get(Key::Title), text.get(Key::Message), text.get(Key::Stay), "extend")
        };
        let words = dom::object(&[
            ("title", title.into()),
            ("message", message.into()),
            ("timeLeft", text.get(Key::TimeLeft).into()),
            ("first", first_label.into()),
            ("logout", text.get(Key::Logout).into()),
            ("lang", text.lang.as_str().into()),
            ("dir", text.dir.into()),
        ]);
        let report =
            Closure::<dyn Fn(String, bool, bool, bool)>::new(move |control: String, trusted, by_key, repeat| {
                let action = match control.as_str() {
                    "logout" => Action::Logout,
                    "escape" => Action::Stay(ExtendHow::Key),
                    _ => Action::Stay(ExtendHow::Button),
                };
                on_action(action, trusted, by_key, repeat);
            });
        let shown = show_dialog(&words, first, report.as_ref().unchecked_ref());
        let this = WarningDialog {
            shown,
            time_left: text.get(Key::TimeLeft).to_owned(),
            last_step: Cell::new(u64::MAX),
            _report: report,
        };
        this.update(remaining);
        this
    }

    /// Shows `remaining` in the countdown, and announces it when it crosses a coarse step (every
    /// 20 s, then once at 10 s), never every second.
    pub fn update(&self, remaining: Duration) {
        let shown = text::countdown(remaining);
        let seconds = remaining.ms().div_ceil(1000);
        let step = if seconds <= 10 { 0 } else { seconds.div_ceil(20) };
        let said = (step != self.last_step.replace(step)).then(|| {
            let mut said = self.time_left.clone();
            said.push(' ');
            said.push_str(&shown);
            said
        });
        self.shown.update(&shown, said);
    }

    /// The dialog element, for tests and for callers that need its DOM.
    pub fn element(&self) -> HtmlElement {
        self.shown.element()
    }
}

impl Drop for WarningDialog {
    fn drop(&mut self) {
        self.shown.close();
    }
}
