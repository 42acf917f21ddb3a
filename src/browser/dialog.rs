//! The pre-timeout warning: an accessible modal alert dialog with a countdown.
//!
//! Follows the WAI-ARIA APG alert dialog pattern
//! (<https://www.w3.org/WAI/ARIA/apg/patterns/alertdialog/>): `role="alertdialog"`,
//! `aria-modal`, labelled and described; focus moves to "Stay signed in", Tab and Shift+Tab wrap
//! inside, Escape extends (the safe choice, WCAG 2.2.1), focus returns where it was afterwards.
//! `showModal()` puts it in the top layer above any portal z-index and makes the page inert.
//!
//! The dialog only reports what was used, and whether the user did it (`isTrusted`): the session
//! core decides (a script's `click()` or synthetic Escape keeps no session alive). Its `cancel`
//! event is always prevented and never extends: a script can cause a trusted `cancel`
//! (`requestClose()`), and a real Escape arrives as the `keydown` first.
//!
//! The visible `m:ss` countdown is hidden from assistive technology; a polite live region
//! announces the time left at coarse steps (every 20 s, then once at 10 s), never every second.

use crate::prelude::*;
use alloc::rc::Rc;
use core::cell::Cell;
use wasm_bindgen::JsValue;
use web_sys::{Event, HtmlElement};

use super::dom::{self, attr, call0, call1, el, get, set};
use super::listener::Listener;
use crate::engine::{ExtendHow, Millis};
use crate::session::Action;
use crate::text::{self, Key, Text};

/// What the dialog reports: the control used, whether the user (not a script) used it, and
/// whether with a key.
pub type OnAction = Rc<dyn Fn(Action, bool, bool)>;

/// The open warning dialog. Dropping it closes it, removes it, and returns focus.
#[must_use = "the dialog is closed and removed as soon as it is dropped"]
pub struct WarningDialog {
    dialog: HtmlElement,
    countdown: HtmlElement,
    live: HtmlElement,
    time_left: String,
    previous_focus: JsValue,
    last_step: Cell<u64>,
    _listeners: Vec<Listener>,
}

/// The theme's defaults, light and dark: background, text, accent, text on the accent, border.
/// The page's own `--autologoff-*` values win (see README, Theming). Each pair has a contrast
/// ratio of at least 4.5:1 (WCAG 1.4.3).
const LIGHT: [&str; 5] = ["#fff", "#1b2430", "#0b5cad", "#fff", "#8a96a3"];
const DARK: [&str; 5] = ["#1b2430", "#e7ecf1", "#6fb1ff", "#0b1a2a", "#5b6775"];

/// The buttons' shared declarations; the primary one adds the accent colours.
const BUTTON: &str = "min-height:44px;min-width:44px;padding:.5rem 1.25rem;font:inherit;font-weight:600;\
    border:2px solid var(--autologoff-accent,var(--autologoff-default-accent));border-radius:var(--autologoff-radius,8px);\
    cursor:pointer;background:transparent;color:inherit";
const PRIMARY: &str = ";background:var(--autologoff-accent,var(--autologoff-default-accent));\
    color:var(--autologoff-accent-fg,var(--autologoff-default-accent-fg))";

impl WarningDialog {
    /// Builds and shows the dialog with `remaining` ms left. With `absolute`, the session is
    /// reaching its maximum length and cannot be extended: the dialog says so, and its first
    /// button (and Escape) report [`Action::Stay`], which the core reads as "close".
    pub fn show(text: &Text, remaining: Millis, absolute: bool, on_action: OnAction) -> WarningDialog {
        let document: JsValue = dom::document().into();
        let media = call1(&dom::window(), "matchMedia", &"(prefers-color-scheme: dark)".into());
        let [bg, fg, accent, accent_fg, border] = if get(&media, "matches").is_truthy() { DARK } else { LIGHT };
        let mut css = String::from(
            "box-sizing:border-box;width:min(28rem,calc(100vw - 2rem));max-height:calc(100vh - 2rem);overflow:auto;\
             padding:1.5rem;border-radius:var(--autologoff-radius,8px);font:var(--autologoff-font,1rem/1.5 system-ui,sans-serif);\
             box-shadow:0 8px 32px rgba(0,0,0,.3)",
        );
        for (property, value) in [
            (";--autologoff-default-accent:", accent),
            (";--autologoff-default-accent-fg:", accent_fg),
            (";border:1px solid var(--autologoff-border,", border),
            (";background:var(--autologoff-bg,", bg),
            (";color:var(--autologoff-fg,", fg),
        ] {
            css.push_str(property);
            css.push_str(value);
            if property.ends_with(',') {
                css.push(')');
            }
        }
        let dialog = el(
            "dialog",
            "role=alertdialog\naria-modal=true\naria-labelledby=autologoff-title\naria-describedby=autologoff-message\ndata-autologoff-dialog=",
            &css,
            "",
        );
        attr(&dialog, "lang", &text.lang);
        attr(&dialog, "dir", text.dir);
        let (title_text, message_text, first_label, first_action) = if absolute {
            (text.get(Key::AbsoluteTitle), text.get(Key::AbsoluteMessage), text.get(Key::Dismiss), "dismiss")
        } else {
            (text.get(Key::Title), text.get(Key::Message), text.get(Key::Stay), "extend")
        };
        let title = el("h2", "id=autologoff-title", "margin:0 0 .75rem;font-size:1.25rem;line-height:1.3", title_text);
        let message = el("p", "id=autologoff-message", "margin:0 0 .75rem", message_text);
        // Visible countdown, hidden from screen readers (the live region speaks instead).
        let time = el("p", "aria-hidden=true", "margin:0 0 1.25rem;font-weight:600", "");
        let countdown = el(
            "span",
            "data-autologoff-countdown=",
            "font-variant-numeric:tabular-nums;font-size:1.5rem;margin-inline-start:.5rem",
            "",
        );
        call2(&time, el("span", "", "", text.get(Key::TimeLeft)), &countdown);
        // Visually hidden, still read: the usual clip pattern.
        let live = el(
            "div",
            "role=status\naria-live=polite\ndata-autologoff-live=",
            "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap",
            "",
        );
        let actions = el("div", "", "display:flex;flex-wrap:wrap;gap:.75rem", "");
        let extend = button(first_label, first_action, true);
        let logout = button(text.get(Key::Logout), "logout", false);
        call2(&actions, extend.clone(), &logout);
        for part in [&title, &message, &time, &live, &actions] {
            call1(&dialog, "append", part);
        }

        let previous_focus = get(&document, "activeElement");
        let body = get(&document, "body");
        let host = if body.is_null() { get(&document, "documentElement") } else { body };
        call1(&host, "append", &dialog);
        show_modal(&dialog);
        call0(&extend, "focus");

        let mut listeners = Vec::with_capacity(5);
        let f = on_action.clone();
        let trusted = |e: &Event| get(e, "isTrusted").is_truthy();
        // A click made with Enter or Space has `detail` 0; a pointer's counts its clicks from 1
        // (https://w3c.github.io/uievents/#event-type-click).
        let by_key = |e: &Event| get(e, "detail").as_f64() == Some(0.0);
        listeners.push(Listener::new(&extend, "click", move |e: &Event| {
            f(Action::Stay(ExtendHow::Button), trusted(e), by_key(e))
        }));
        let f = on_action.clone();
        listeners.push(Listener::new(&logout, "click", move |e: &Event| f(Action::Logout, trusted(e), by_key(e))));
        let f = on_action;
        let (first, last) = (extend.clone(), logout.clone());
        listeners.push(Listener::new(&dialog, "keydown", move |e: &Event| {
            let trusted = get(e, "isTrusted").is_truthy();
            // WebKitGTK reports Shift+Tab as key "Unidentified" with code "Tab" (docs/browsers.md).
            let key = dom::text_of(e, "key").unwrap_or_default();
            let tab = key == "Tab" || key == "Unidentified" && dom::text_of(e, "code").as_deref() == Some("Tab");
            // A held key (something resting on the keyboard) answers nothing.
            let repeat = get(e, "repeat").is_truthy();
            if key == "Escape" {
                call0(e, "preventDefault");
                if !repeat {
                    f(Action::Stay(ExtendHow::Key), trusted, true);
                }
            } else if repeat && (key == "Enter" || key == " ") {
                call0(e, "preventDefault");
            } else if tab {
                // Keep focus inside, moving it ourselves: with two buttons, Tab and Shift+Tab
                // both go to the other one. Not left to the browser at all, because Safari on
                // macOS skips buttons on Tab unless the user asked otherwise (docs/browsers.md).
                call0(e, "preventDefault");
                let on_first = get(&dom::document(), "activeElement") == *AsRef::<JsValue>::as_ref(&first);
                call0(if on_first { &last } else { &first }, "focus");
            }
        }));
        // `cancel` (Escape's default action, Android's back, close watchers, `requestClose()`)
        // would close the dialog without a decision: prevented, and it extends nothing. Trusted
        // Escape is the keydown above. https://html.spec.whatwg.org/multipage/interactive-elements.html#dialog-request-close
        listeners.push(Listener::new(&dialog, "cancel", move |e: &Event| {
            call0(e, "preventDefault");
        }));
        // A `cancel` the browser does not let us prevent (a close request without user
        // activation) closes it anyway: open it again, the warning stands until decided.
        let again = dialog.clone();
        listeners.push(Listener::new(&dialog, "close", move |_: &Event| {
            if get(&again, "isConnected").is_truthy() {
                show_modal(&again);
            }
        }));

        let this = WarningDialog {
            dialog,
            countdown,
            live,
            time_left: text.get(Key::TimeLeft).to_owned(),
            previous_focus,
            last_step: Cell::new(u64::MAX),
            _listeners: listeners,
        };
        this.update(remaining);
        this
    }

    /// Shows `remaining` in the countdown, and announces it when it crosses a coarse step.
    pub fn update(&self, remaining: Millis) {
        let shown = text::countdown(remaining);
        set(&self.countdown, "textContent", &shown.as_str().into());
        let seconds = remaining.div_ceil(1000);
        let step = if seconds <= 10 { 0 } else { seconds.div_ceil(20) };
        if step != self.last_step.replace(step) {
            let mut said = self.time_left.clone();
            said.push(' ');
            said.push_str(&shown);
            set(&self.live, "textContent", &said.into());
        }
    }

    /// The dialog element, for tests and for callers that need its DOM.
    pub fn element(&self) -> &HtmlElement {
        &self.dialog
    }
}

impl Drop for WarningDialog {
    fn drop(&mut self) {
        call0(&self.dialog, "close");
        call0(&self.dialog, "remove");
        if get(&self.previous_focus, "isConnected").is_truthy() {
            call0(&self.previous_focus, "focus");
        }
    }
}

/// `showModal()`: in the top layer, the page behind inert. If that is refused (already open, not
/// connected), a non-modal show, so it is at least visible.
fn show_modal(dialog: &JsValue) {
    call0(dialog, "showModal");
    if !get(dialog, "open").is_truthy() {
        set(dialog, "open", &JsValue::TRUE);
    }
}

/// `parent.append(a, b)`.
fn call2(parent: &JsValue, a: HtmlElement, b: &JsValue) {
    dom::call2(parent, "append", &a, b);
}

fn button(label: &str, action: &str, primary: bool) -> HtmlElement {
    let mut css = String::from(BUTTON);
    if primary {
        css.push_str(PRIMARY);
    }
    let b = el("button", "type=button", &css, label);
    attr(&b, "data-autologoff-action", action);
    b
}
