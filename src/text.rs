//! The words autologoff shows, in English and Spanish, and the countdown format.
//!
//! Every string is addressed by a [`Key`]: the built-in sets, the page's overrides (see
//! the `config` module) and the words in force are arrays indexed by it, so adding a string is one
//! key, one word per language and one option row.

use crate::num::push_uint;
use crate::prelude::*;
use crate::time::Duration;

/// Which string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// Dialog title.
    Title,
    /// Dialog message.
    Message,
    /// Label before the countdown; also what the live region says.
    TimeLeft,
    /// The extend button.
    Stay,
    /// The log-out-now button.
    Logout,
    /// On the cover (and the tab title) while the logout completes.
    SigningOut,
    /// On the cover once done, when there is no redirect.
    SignedOut,
    /// Link back to sign in, on that cover.
    SignIn,
    /// Dialog title when the absolute session lifetime is ending.
    AbsoluteTitle,
    /// Dialog message when the absolute session lifetime is ending.
    AbsoluteMessage,
    /// The button that closes that dialog (the session cannot be extended).
    Dismiss,
    /// Put before the page title, with the countdown, while the warning shows.
    TitlePrefix,
}

/// How many [`Key`]s there are.
pub const KEYS: usize = 12;

/// A built-in set of words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Strings {
    /// BCP 47 tag of this set, for the `lang` attribute of what autologoff renders.
    pub lang: &'static str,
    /// The words, in [`Key`] order.
    pub words: [&'static str; KEYS],
}

impl Strings {
    /// The word for `key`.
    pub fn get(&self, key: Key) -> &'static str {
        self.words.get(key as usize).copied().unwrap_or("")
    }
}

/// English.
pub const EN: Strings = Strings {
    lang: "en",
    words: [
        "Your session is about to expire",
        "For your security, you will be signed out because you have been inactive.",
        "Time left:",
        "Stay signed in",
        "Log out now",
        "Signing you out…",
        "You have been signed out for your security.",
        "Sign in again",
        "Your session is ending",
        "For your security, sessions have a maximum length. Save your work: you will need to sign in again.",
        "Continue",
        "Session expiring",
    ],
};

/// Spanish.
pub const ES: Strings = Strings {
    lang: "es",
    words: [
        "Su sesión está a punto de caducar",
        "Por su seguridad, se cerrará su sesión por inactividad.",
        "Tiempo restante:",
        "Seguir conectado",
        "Cerrar sesión ahora",
        "Cerrando su sesión…",
        "Se ha cerrado su sesión por su seguridad.",
        "Volver a iniciar sesión",
        "Su sesión está terminando",
        "Por su seguridad, las sesiones tienen una duración máxima. Guarde su trabajo: tendrá que volver a iniciar sesión.",
        "Continuar",
        "La sesión caduca",
    ],
};

/// The built-in set for a language tag (`"es"`, `"es-MX"`, ...); English when none matches.
pub fn for_lang(tag: &str) -> &'static Strings {
    if primary(tag).eq_ignore_ascii_case("es") {
        &ES
    } else {
        &EN
    }
}

fn primary(tag: &str) -> &str {
    crate::num::before_any(tag, b"-_")
}

/// `m:ss` for the time left, rounded up to the second so it never shows 0:00 before expiry.
pub fn countdown(remaining: Duration) -> String {
    let seconds = remaining.ms().div_ceil(1000);
    let mut out = String::with_capacity(8);
    push_uint(&mut out, seconds / 60);
    out.push(':');
    let s = seconds % 60;
    if s < 10 {
        out.push('0');
    }
    push_uint(&mut out, s);
    out
}

/// Whether `tag`'s script is written right to left (Arabic, Hebrew, Persian, Urdu, ...).
pub fn is_rtl(tag: &str) -> bool {
    const RTL: [&str; 13] = ["ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "ug", "ur", "yi"];
    let p = primary(tag);
    RTL.iter().any(|r| r.eq_ignore_ascii_case(p))
}

/// The page's own words; `None` keeps the built-in one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides(pub [Option<String>; KEYS]);

/// The words in force: the built-in set for the language with the page's overrides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// Language tag for the `lang` attribute of what autologoff renders.
    pub lang: String,
    /// `ltr` or `rtl`.
    pub dir: &'static str,
    words: [String; KEYS],
}

impl Text {
    /// Words for language `lang` (`""`: English), with `overrides`; `page_dir` is the page's
    /// own direction, used when the language does not decide it.
    pub fn new(lang: &str, overrides: &Overrides, page_dir: Option<&str>) -> Text {
        let s = for_lang(lang);
        let rtl = is_rtl(lang) || lang.is_empty() && page_dir.is_some_and(|d| d.eq_ignore_ascii_case("rtl"));
        let words = core::array::from_fn(|i| match overrides.0.get(i) {
            Some(Some(own)) => own.clone(),
            _ => s.words.get(i).copied().unwrap_or("").to_owned(),
        });
        Text {
            // An override may be in any language: say the page's, not our built-in one.
            lang: if lang.is_empty() { s.lang.to_owned() } else { lang.to_owned() },
            dir: if rtl { "rtl" } else { "ltr" },
            words,
        }
    }

    /// The word for `key`.
    pub fn get(&self, key: Key) -> &str {
        self.words.get(key as usize).map_or("", |w| w)
    }

    /// The page title during the warning: `(m:ss) <prefix> — <original>`.
    pub fn warning_title(&self, remaining: Duration, original: &str) -> String {
        let mut t = String::from("(");
        t.push_str(&countdown(remaining));
        t.push_str(") ");
        t.push_str(self.get(Key::TitlePrefix));
        if !original.is_empty() {
            t.push_str(" — ");
            t.push_str(original);
        }
        t
    }
}
