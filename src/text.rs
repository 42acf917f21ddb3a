//! The words autologoff shows, in English and Spanish, and the countdown format.

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
