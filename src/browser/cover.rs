//! The full-page cover shown from the first moment of termination, and what it leaves behind.

use wasm_bindgen::JsValue;
use web_sys::HtmlElement;

use super::dom::{self, call0, call1, each, el, get, set};
use crate::text::{Key, Text};

/// The cover. It is never taken down: the page leaves, or stays covered.
#[must_use = "the cover is the only thing hiding the page during logout"]
pub struct Cover {
    panel: HtmlElement,
}

impl Cover {
    /// Covers the page now. Also hides `<body>` (and any top-layer element inside it, which a
    /// fixed-position cover alone cannot sit above), makes it inert, closes what the page put in
    /// the top layer (modal dialogs, popovers, fullscreen: they would sit above any cover), pauses
    /// its media (a call or a recording must not go on behind the cover) and replaces the tab
    /// title, which may name a patient.
    pub fn new(text: &Text) -> Cover {
        let document: JsValue = dom::document().into();
        set(&document, "title", &text.get(Key::SigningOut).into());
        let cover = el(
            "div",
            "data-autologoff-cover=\nrole=alert",
            "position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;\
             padding:1rem;background:var(--autologoff-cover-bg,#f4f6f8);color:var(--autologoff-fg,#1b2430);\
             font:var(--autologoff-font,1rem/1.5 system-ui,sans-serif);visibility:visible;text-align:center",
            "",
        );
        dom::attr(&cover, "lang", &text.lang);
        dom::attr(&cover, "dir", text.dir);
        let panel = el("p", "data-autologoff-cover-text=", "font-size:1.25rem;margin:0", text.get(Key::SigningOut));
        call1(&cover, "append", &panel);
        let body = get(&document, "body");
        if !body.is_null() {
            set(&get(&body, "style"), "visibility", &"hidden".into());
            dom::attr(&body, "inert", "");
        }
        each(&document, "dialog[open]", "close");
        // `:popover-open` is an invalid selector where popovers do not exist: then there are none.
        each(&document, ":popover-open", "hidePopover");
        if !get(&document, "fullscreenElement").is_null() {
            call0(&document, "exitFullscreen");
        }
        each(&document, "audio,video", "pause");
        call1(&get(&document, "documentElement"), "append", &cover);
        Cover { panel }
    }

    /// Final words when there is no redirect: signed out, and a link to sign in again. The
    /// page's content is removed from the document, not only hidden (ASVS 5 V14.3.1).
    pub fn signed_out(&self, text: &Text) {
        let document: JsValue = dom::document().into();
        let body = get(&document, "body");
        if !body.is_null() {
            // textContent = null removes every child.
            set(&body, "textContent", &JsValue::NULL);
        }
        set(&document, "title", &text.get(Key::SignedOut).into());
        set(&self.panel, "textContent", &text.get(Key::SignedOut).into());
        let href = dom::text_of(&get(&dom::window(), "location"), "href").unwrap_or_else(|| "/".into());
        let link = el(
            "a",
            "data-autologoff-sign-in=",
            "color:var(--autologoff-accent,#0b5cad);font-weight:600",
            text.get(Key::SignIn),
        );
        dom::attr(&link, "href", &href);
        call1(&self.panel, "append", &el("br", "", "", ""));
        call1(&self.panel, "append", &link);
    }
}
