//! The full-page cover shown from the first moment of termination, and what it leaves behind,
//! rendered by `render.js` (`cover`, `signedOut`), which the fallback shares.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::text::{Key, Text};

#[wasm_bindgen(module = "/src/browser/render.js")]
extern "C" {
    fn cover(message: &str, lang: &str, dir: &str) -> JsValue;
    #[wasm_bindgen(js_name = signedOut)]
    fn signed_out(panel: &JsValue, message: &str, sign_in: &str);
}

/// The cover. It is never taken down: the page leaves, or stays covered.
#[must_use = "the cover is the only thing hiding the page during logout"]
pub struct Cover {
    panel: JsValue,
}

impl Cover {
    /// Covers the page now (and hides `<body>`, makes it inert, closes what the page put in the
    /// top layer, pauses its media, replaces the tab title, which may name a patient).
    pub fn new(text: &Text) -> Cover {
        Cover { panel: cover(text.get(Key::SigningOut), &text.lang, text.dir) }
    }

    /// Final words when there is no redirect: signed out, and a link to sign in again; the
    /// page's content is removed from the document, not only hidden (ASVS 5 V14.3.1).
    pub fn signed_out(&self, text: &Text) {
        signed_out(&self.panel, text.get(Key::SignedOut), text.get(Key::SignIn));
    }
}
