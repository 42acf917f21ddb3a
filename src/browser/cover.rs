//! The full-page cover shown from the first moment of termination, and what it leaves behind.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlElement;

use super::dom::{self, element, style, text_element};
use crate::text::{Key, Text};

/// The cover. It is never taken down: the page leaves, or stays covered.
#[must_use = "the cover is the only thing hiding the page during logout"]
pub struct Cover {
    panel: HtmlElement,
}

impl Cover {
    /// Covers the page now. Also hides `<body>` (and any top-layer element inside it, which a
    /// fixed-position cover alone cannot sit above), makes it inert, closes what the page put in
    /// the top layer, pauses its media (a call or a recording must not go on behind the cover)
    /// and replaces the tab title, which may name a patient.
    pub fn new(text: &Text) -> Cover {
        let document = dom::document();
        document.set_title(text.get(Key::SigningOut));
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
        let panel = text_element("p", &[("data-autologoff-cover-text", "")], text.get(Key::SigningOut));
        style(&panel, &[("font-size", "1.25rem"), ("margin", "0")]);
        let _ = cover.append_child(&panel);
        if let Some(body) = document.body() {
            style(&body, &[("visibility", "hidden")]);
            let _ = body.set_attribute("inert", "");
        }
        close_top_layer(&document);
        pause_media(&document);
        if let Some(root) = document.document_element() {
            let _ = root.append_child(&cover);
        }
        Cover { panel }
    }

    /// Final words when there is no redirect: signed out, and a link to sign in again. The
    /// page's content is removed from the document, not only hidden (ASVS 5 V14.3.1).
    pub fn signed_out(&self, text: &Text) {
        let document = dom::document();
        if let Some(body) = document.body() {
            // textContent = null removes every child.
            body.set_text_content(None);
        }
        document.set_title(text.get(Key::SignedOut));
        self.panel.set_text_content(Some(text.get(Key::SignedOut)));
        let br = element("br", &[]);
        let href = dom::window().location().href().unwrap_or_else(|_| "/".into());
        let link = text_element("a", &[("href", &href), ("data-autologoff-sign-in", "")], text.get(Key::SignIn));
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
    each_calling(document, ":popover-open", "hidePopover");
    let fullscreen = Reflect::get(document, &"fullscreenElement".into()).unwrap_or(JsValue::NULL);
    if !fullscreen.is_null() && !fullscreen.is_undefined() {
        call(document, "exitFullscreen");
    }
}

/// Pauses every `<audio>` and `<video>` of the page.
fn pause_media(document: &web_sys::Document) {
    each_calling(document, "audio,video", "pause");
}

/// Calls method `name` (with no arguments) on every element `selector` finds.
fn each_calling(document: &web_sys::Document, selector: &str, name: &str) {
    if let Ok(found) = document.query_selector_all(selector) {
        for i in 0..found.length() {
            if let Some(el) = found.item(i) {
                call(&el, name);
            }
        }
    }
}

/// `target[name]()`, if it is a function; its errors (and returned promise) are ignored.
fn call(target: &JsValue, name: &str) {
    if let Ok(f) = Reflect::get(target, &name.into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
        let _ = f.call0(target);
    }
}
