//! The words autologoff shows, in English and Spanish, and the countdown format.

use crate::prelude::*;
use crate::config::push_uint;
use crate::engine::Millis;

/// Every string the warning and the cover show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Strings {
    /// BCP 47 tag of this set, for the `lang` attribute of what autologoff renders.
    pub lang: &'static str,
    /// Dialog title.
    pub title: &'static str,
    /// Dialog message, before the countdown.
    pub message: &'static str,
    /// Label before the countdown.
    pub time_left: &'static str,
    /// The extend button.
    pub stay: &'static str,
    /// The log-out-now button.
    pub logout: &'static str,
    /// Shown on the cover while the logout completes.
    pub signing_out: &'static str,
    /// Shown on the cover once done, when there is no redirect.
    pub signed_out: &'static str,
    /// Link back to sign in, on the cover.
    pub sign_in: &'static str,
    /// Dialog title when the absolute session lifetime is ending.
    pub absolute_title: &'static str,
    /// Dialog message when the absolute session lifetime is ending.
    pub absolute_message: &'static str,
    /// The button that closes that dialog (the session cannot be extended).
    pub dismiss: &'static str,
    /// Put before the page title, with the countdown, while the warning shows.
    pub title_prefix: &'static str,
}

/// English.
pub const EN: Strings = Strings {
    lang: "en",
    title: "Your session is about to expire",
    message: "For your security, you will be signed out because you have been inactive.",
    time_left: "Time left:",
    stay: "Stay signed in",
    logout: "Log out now",
    signing_out: "Signing you out…",
    signed_out: "You have been signed out for your security.",
    sign_in: "Sign in again",
    absolute_title: "Your session is ending",
    absolute_message: "For your security, sessions have a maximum length. Save your work: you will need to sign in again.",
    dismiss: "Continue",
    title_prefix: "Session expiring",
};

/// Spanish.
pub const ES: Strings = Strings {
    lang: "es",
    title: "Su sesión está a punto de caducar",
    message: "Por su seguridad, se cerrará su sesión por inactividad.",
    time_left: "Tiempo restante:",
    stay: "Seguir conectado",
    logout: "Cerrar sesión ahora",
    signing_out: "Cerrando su sesión…",
    signed_out: "Se ha cerrado su sesión por su seguridad.",
    sign_in: "Volver a iniciar sesión",
    absolute_title: "Su sesión está terminando",
    absolute_message: "Por su seguridad, las sesiones tienen una duración máxima. Guarde su trabajo: tendrá que volver a iniciar sesión.",
    dismiss: "Continuar",
    title_prefix: "La sesión caduca",
};

/// The built-in set for a language tag (`"es"`, `"es-MX"`, ...); English when none matches.
pub fn for_lang(tag: &str) -> &'static Strings {
    let primary = tag.split(['-', '_']).next().unwrap_or("");
    if primary.eq_ignore_ascii_case("es") {
        &ES
    } else {
        &EN
    }
}

/// `m:ss` for the time left, rounded up to the second so it never shows 0:00 before expiry.
pub fn countdown(remaining: Millis) -> String {
    let seconds = remaining.div_ceil(1000);
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
    let primary = tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    matches!(primary.as_str(), "ar" | "arc" | "ckb" | "dv" | "fa" | "he" | "iw" | "ks" | "ps" | "sd" | "ug" | "ur" | "yi")
}

/// The page's own words for any string; `None` keeps the built-in one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Dialog title (`dialogTitle`).
    pub title: Option<String>,
    /// Dialog message (`dialogMessage`).
    pub message: Option<String>,
    /// Extend button (`stayLabel`).
    pub stay: Option<String>,
    /// Log-out button (`logoutLabel`).
    pub logout: Option<String>,
    /// Label before the time left, also spoken by the live region (`timeLeftLabel`).
    pub time_left: Option<String>,
    /// Page-title prefix during the warning (`titlePrefix`).
    pub title_prefix: Option<String>,
    /// Cover text while signing out (`signingOutMessage`).
    pub signing_out: Option<String>,
    /// Cover text once signed out, without a redirect (`signedOutMessage`).
    pub signed_out: Option<String>,
    /// Sign-in link on the cover (`signInLabel`).
    pub sign_in: Option<String>,
    /// Dialog title when the absolute lifetime ends (`absoluteTitle`).
    pub absolute_title: Option<String>,
    /// Dialog message when the absolute lifetime ends (`absoluteMessage`).
    pub absolute_message: Option<String>,
    /// The button that closes that dialog (`dismissLabel`).
    pub dismiss: Option<String>,
}

/// The words in force: the built-in set for the language with the page's overrides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// Language tag for the `lang` attribute of what autologoff renders.
    pub lang: String,
    /// `ltr` or `rtl`.
    pub dir: &'static str,
    /// See [`Strings`].
    pub title: String,
    /// See [`Strings`].
    pub message: String,
    /// See [`Strings`].
    pub time_left: String,
    /// See [`Strings`].
    pub stay: String,
    /// See [`Strings`].
    pub logout: String,
    /// See [`Strings`].
    pub signing_out: String,
    /// See [`Strings`].
    pub signed_out: String,
    /// See [`Strings`].
    pub sign_in: String,
    /// See [`Strings`].
    pub absolute_title: String,
    /// See [`Strings`].
    pub absolute_message: String,
    /// See [`Strings`].
    pub dismiss: String,
    /// See [`Strings`].
    pub title_prefix: String,
}

impl Text {
    /// Words for language `lang` (`""`: English), with `overrides`; `page_dir` is the page's
    /// own direction, used when the language does not decide it.
    pub fn new(lang: &str, overrides: &Overrides, page_dir: Option<&str>) -> Text {
        let s = for_lang(lang);
        let pick = |o: &Option<String>, d: &str| o.clone().unwrap_or_else(|| d.to_owned());
        let dir = if is_rtl(lang) {
            "rtl"
        } else if lang.is_empty() && page_dir.is_some_and(|d| d.eq_ignore_ascii_case("rtl")) {
            "rtl"
        } else {
            "ltr"
        };
        Text {
            // An override may be in any language: say the page's, not our built-in one.
            lang: if lang.is_empty() { s.lang.to_owned() } else { lang.to_owned() },
            dir,
            title: pick(&overrides.title, s.title),
            message: pick(&overrides.message, s.message),
            time_left: pick(&overrides.time_left, s.time_left),
            stay: pick(&overrides.stay, s.stay),
            logout: pick(&overrides.logout, s.logout),
            signing_out: pick(&overrides.signing_out, s.signing_out),
            signed_out: pick(&overrides.signed_out, s.signed_out),
            sign_in: pick(&overrides.sign_in, s.sign_in),
            absolute_title: pick(&overrides.absolute_title, s.absolute_title),
            absolute_message: pick(&overrides.absolute_message, s.absolute_message),
            dismiss: pick(&overrides.dismiss, s.dismiss),
            title_prefix: pick(&overrides.title_prefix, s.title_prefix),
        }
    }

    /// The page title during the warning: `(m:ss) <prefix> — <original>`.
    pub fn warning_title(&self, remaining: Millis, original: &str) -> String {
        let mut t = String::from("(");
        t.push_str(&countdown(remaining));
        t.push_str(") ");
        t.push_str(&self.title_prefix);
        if !original.is_empty() {
            t.push_str(" — ");
            t.push_str(original);
        }
        t
    }
}
