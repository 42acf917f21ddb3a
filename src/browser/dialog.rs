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
use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlDialogElement, HtmlElement, KeyboardEvent};

use super::dom::{self, element, style, text_element};
use super::listener::Listener;
use crate::engine::{ExtendHow, Millis};
use crate::session::Action;
use crate::text::{self, Key, Text};

/// What the dialog reports: the control used, and whether the user (not a script) used it.
pub type OnAction = Rc<dyn Fn(Action, bool)>;

/// The open warning dialog. Dropping it closes it, removes it, and returns focus.
#[must_use = "the dialog is closed and removed as soon as it is dropped"]
pub struct WarningDialog {
    dialog: HtmlDialogElement,
    countdown: HtmlElement,
    live: HtmlElement,
    time_left: String,
    previous_focus: Option<HtmlElement>,
    last_step: Cell<u64>,
    _listeners: Vec<Listener>,
}

impl WarningDialog {
    /// Builds and shows the dialog with `remaining` ms left. With `absolute`, the session is
    /// reaching its maximum length and cannot be extended: the dialog says so, and its first
    /// button (and Escape) report [`Action::Stay`], which the core reads as "close".
    pub fn show(text: &Text, remaining: Millis, absolute: bool, on_action: OnAction) -> WarningDialog {
        let document = dom::document();
        let dark =
            dom::window().match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|m| m.matches());
        // Defaults for the theme properties; the page's own values win (see README, Theming).
        // Each pair has a contrast ratio of at least 4.5:1 (WCAG 1.4.3).
        let (bg, fg, accent, accent_fg, border) = if dark {
            ("#1b2430", "#e7ecf1", "#6fb1ff", "#0b1a2a", "#5b6775")
        } else {
            ("#fff", "#1b2430", "#0b5cad", "#fff", "#8a96a3")
        };
        let dialog: HtmlDialogElement = element(
            "dialog",
            &[
                ("role", "alertdialog"),
                ("aria-modal", "true"),
                ("aria-labelledby", "autologoff-title"),
                ("aria-describedby", "autologoff-message"),
                ("lang", &text.lang),
                ("dir", text.dir),
                ("data-autologoff-dialog", ""),
            ],
        )
        .unchecked_into();
        style(
            dialog.unchecked_ref(),
            &[
                ("box-sizing", "border-box"),
                ("width", "min(28rem, calc(100vw - 2rem))"),
                ("max-height", "calc(100vh - 2rem)"),
                ("overflow", "auto"),
                ("padding", "1.5rem"),
                ("--autologoff-default-accent", accent),
                ("--autologoff-default-accent-fg", accent_fg),
                ("border", &var("border", border, "1px solid ")),
                ("border-radius", "var(--autologoff-radius, 8px)"),
                ("background", &var("bg", bg, "")),
                ("color", &var("fg", fg, "")),
                ("font", "var(--autologoff-font, 1rem/1.5 system-ui, sans-serif)"),
                ("box-shadow", "0 8px 32px rgba(0,0,0,.3)"),
            ],
        );
        let (title_text, message_text, first) = if absolute {
            (text.get(Key::AbsoluteTitle), text.get(Key::AbsoluteMessage), (text.get(Key::Dismiss), "dismiss"))
        } else {
            (text.get(Key::Title), text.get(Key::Message), (text.get(Key::Stay), "extend"))
        };
        let title = text_element("h2", &[("id", "autologoff-title")], title_text);
        style(&title, &[("margin", "0 0 .75rem"), ("font-size", "1.25rem"), ("line-height", "1.3")]);
        let message = text_element("p", &[("id", "autologoff-message")], message_text);
        style(&message, &[("margin", "0 0 .75rem")]);
        // Visible countdown, hidden from screen readers (the live region speaks instead).
        let time = element("p", &[("aria-hidden", "true")]);
        style(&time, &[("margin", "0 0 1.25rem"), ("font-weight", "600")]);
        let label = text_element("span", &[], text.get(Key::TimeLeft));
        let countdown = text_element("span", &[("data-autologoff-countdown", "")], "");
        style(
            &countdown,
            &[("font-variant-numeric", "tabular-nums"), ("font-size", "1.5rem"), ("margin-inline-start", ".5rem")],
        );
        let _ = time.append_with_node_2(&label, &countdown);
        let live = element("div", &[("role", "status"), ("aria-live", "polite"), ("data-autologoff-live", "")]);
        // Visually hidden, still read: the usual clip pattern.
        style(
            &live,
            &[
                ("position", "absolute"),
                ("width", "1px"),
                ("height", "1px"),
                ("overflow", "hidden"),
                ("clip", "rect(0 0 0 0)"),
                ("white-space", "nowrap"),
            ],
        );
        let actions = element("div", &[]);
        style(&actions, &[("display", "flex"), ("flex-wrap", "wrap"), ("gap", ".75rem")]);
        let extend = button(first.0, first.1, true);
        let logout = button(text.get(Key::Logout), "logout", false);
        let _ = actions.append_with_node_2(&extend, &logout);
        let _ = dialog.append_with_node_5(&title, &message, &time, &live, &actions);

        let active = document.active_element().and_then(|e| e.dyn_into::<HtmlElement>().ok());
        let host = document.body().map(|b| b.unchecked_into::<web_sys::Element>()).or(document.document_element());
        if let Some(host) = host {
            let _ = host.append_child(&dialog);
        }
        if dialog.show_modal().is_err() {
            // Already open, or not connected: fall back to a non-modal show so it is visible.
            dialog.set_open(true);
        }
        let _ = extend.focus();

        let mut listeners = Vec::with_capacity(5);
        let f = on_action.clone();
        listeners
            .push(Listener::new(&extend, "click", move |e: &Event| f(Action::Stay(ExtendHow::Button), e.is_trusted())));
        let f = on_action.clone();
        listeners.push(Listener::new(&logout, "click", move |e: &Event| f(Action::Logout, e.is_trusted())));
        let f = on_action;
        let (first, last) = (extend.clone(), logout.clone());
        listeners.push(Listener::new(&dialog, "keydown", move |e: &Event| {
            let Some(k) = e.dyn_ref::<KeyboardEvent>() else {
                return;
            };
            // WebKitGTK reports Shift+Tab as key "Unidentified" with code "Tab" (docs/browsers.md).
            let key = k.key();
            let key = if key == "Unidentified" && k.code() == "Tab" { String::from("Tab") } else { key };
            match key.as_str() {
                "Escape" => {
                    e.prevent_default();
                    f(Action::Stay(ExtendHow::Key), e.is_trusted());
                }
                "Tab" => {
                    // Keep focus inside, moving it ourselves: with two buttons, Tab and Shift+Tab
                    // both go to the other one. Not left to the browser at all, because Safari on
                    // macOS skips buttons on Tab unless the user asked otherwise (docs/browsers.md).
                    e.prevent_default();
                    let active = dom::document().active_element();
                    let on_first = active.as_ref().is_some_and(|a| a == first.unchecked_ref::<web_sys::Element>());
                    let _ = if on_first { last.focus() } else { first.focus() };
                }
                _ => {}
            }
        }));
        // `cancel` (Escape's default action, Android's back, close watchers, `requestClose()`)
        // would close the dialog without a decision: prevented, and it extends nothing. Trusted
        // Escape is the keydown above. https://html.spec.whatwg.org/multipage/interactive-elements.html#dialog-request-close
        listeners.push(Listener::new(&dialog, "cancel", move |e: &Event| e.prevent_default()));
        // A `cancel` the browser does not let us prevent (a close request without user
        // activation) closes it anyway: open it again, the warning stands until decided.
        let again = dialog.clone();
        listeners.push(Listener::new(&dialog, "close", move |_: &Event| {
            if again.is_connected() && again.show_modal().is_err() {
                again.set_open(true);
            }
        }));

        let this = WarningDialog {
            dialog,
            countdown,
            live,
            time_left: text.get(Key::TimeLeft).to_owned(),
            previous_focus: active,
            last_step: Cell::new(u64::MAX),
            _listeners: listeners,
        };
        this.update(remaining);
        this
    }

    /// Shows `remaining` in the countdown, and announces it when it crosses a coarse step.
    pub fn update(&self, remaining: Millis) {
        let shown = text::countdown(remaining);
        self.countdown.set_text_content(Some(&shown));
        let seconds = remaining.div_ceil(1000);
        let step = if seconds <= 10 { 0 } else { seconds.div_ceil(20) };
        if step != self.last_step.replace(step) {
            let mut said = self.time_left.clone();
            said.push(' ');
            said.push_str(&shown);
            self.live.set_text_content(Some(&said));
        }
    }

    /// The dialog element, for tests and for callers that need its DOM.
    pub fn element(&self) -> &HtmlDialogElement {
        &self.dialog
    }
}

impl Drop for WarningDialog {
    fn drop(&mut self) {
        self.dialog.close();
        self.dialog.remove();
        if let Some(previous) = &self.previous_focus {
            if previous.is_connected() {
                let _ = previous.focus();
            }
        }
    }
}

/// `<prefix>var(--autologoff-<name>, <default>)`.
fn var(name: &str, default: &str, prefix: &str) -> String {
    let mut v = String::from(prefix);
    v.push_str("var(--autologoff-");
    v.push_str(name);
    v.push_str(", ");
    v.push_str(default);
    v.push(')');
    v
}

fn button(label: &str, action: &str, primary: bool) -> HtmlElement {
    let b = text_element("button", &[("type", "button"), ("data-autologoff-action", action)], label);
    let (bg, fg) = if primary {
        (
            "var(--autologoff-accent, var(--autologoff-default-accent))",
            "var(--autologoff-accent-fg, var(--autologoff-default-accent-fg))",
        )
    } else {
        ("transparent", "inherit")
    };
    style(
        &b,
        &[
            ("min-height", "44px"),
            ("min-width", "44px"),
            ("padding", ".5rem 1.25rem"),
            ("font", "inherit"),
            ("font-weight", "600"),
            ("border", "2px solid var(--autologoff-accent, var(--autologoff-default-accent))"),
            ("border-radius", "var(--autologoff-radius, 8px)"),
            ("background", bg),
            ("color", fg),
            ("cursor", "pointer"),
        ],
    );
    b
}
