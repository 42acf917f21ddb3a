//! Settings: parsing and validating what a page passes to `start()` or writes in `data-*`.
//!
//! Pure code, tested natively. Every refusal names the option (or attribute), says what form is
//! expected and shows what was given. Messages are built by appending `&str`s, not with
//! `format!`, to keep the formatting machinery out of the release `.wasm`.

use crate::bug::Sure;
use crate::prelude::*;
use crate::engine::{Millis, Policy, PolicyError};
use crate::text::Overrides;

/// Default idle timeout: 15 minutes.
pub const DEFAULT_TIMEOUT: Millis = 15 * 60_000;
/// Default warning lead: 60 seconds.
pub const DEFAULT_WARNING: Millis = 60_000;
/// Default bound on waiting for the logout request before finishing locally: 3 seconds.
pub const DEFAULT_LOGOUT_WAIT: Millis = 3_000;
/// WCAG 2.2.1 asks for at least 20 s to extend; shorter warnings are allowed but warned about.
pub const WCAG_MIN_WARNING: Millis = 20_000;

const MIN_TIMEOUT: Millis = 1_000;
const MAX_TIMEOUT: Millis = 24 * 3_600_000;
const MAX_LOGOUT_WAIT: Millis = 60_000;
const MAX_ABSOLUTE: Millis = 7 * 24 * 3_600_000;
/// Year 2286 in ms: the most a session start may be.
const MAX_EPOCH: Millis = 9_999_999_999_999;
const MAX_TEXT: usize = 500;

/// One setting, with its name as an option and as a script-tag attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// `timeout` / `data-timeout`.
    Timeout,
    /// `warning` / `data-warning`.
    Warning,
    /// `logoutUrl` / `data-logout-url`.
    LogoutUrl,
    /// `redirectUrl` / `data-redirect-url`.
    RedirectUrl,
    /// `logoutWait` / `data-logout-wait`.
    LogoutWait,
    /// `dialogTitle` / `data-dialog-title`.
    DialogTitle,
    /// `dialogMessage` / `data-dialog-message`.
    DialogMessage,
    /// `lang` / `data-lang`.
    Lang,
    /// `channel` / `data-channel`.
    Channel,
    /// `absoluteTimeout` / `data-absolute-timeout`.
    AbsoluteTimeout,
    /// `sessionStart` / `data-session-start`.
    SessionStart,
    /// `keepaliveUrl` / `data-keepalive-url`.
    KeepaliveUrl,
    /// `keepaliveInterval` / `data-keepalive-interval`.
    KeepaliveInterval,
    /// `csrfHeader` / `data-csrf-header`.
    CsrfHeader,
    /// `csrfToken` / `data-csrf-token`.
    CsrfToken,
    /// `keepStorageKeys` / `data-keep-storage-keys`.
    KeepStorageKeys,
    /// `unregisterServiceWorkers` / `data-unregister-service-workers`.
    UnregisterServiceWorkers,
    /// `auditUrl` / `data-audit-url`.
    AuditUrl,
    /// `stayLabel` / `data-stay-label`.
    StayLabel,
    /// `logoutLabel` / `data-logout-label`.
    LogoutLabel,
    /// `timeLeftLabel` / `data-time-left-label`.
    TimeLeftLabel,
    /// `titlePrefix` / `data-title-prefix`.
    TitlePrefix,
    /// `signingOutMessage` / `data-signing-out-message`.
    SigningOutMessage,
    /// `signedOutMessage` / `data-signed-out-message`.
    SignedOutMessage,
    /// `signInLabel` / `data-sign-in-label`.
    SignInLabel,
    /// `dialog` / `data-dialog`.
    Dialog,
    /// `absoluteTitle` / `data-absolute-title`.
    AbsoluteTitle,
    /// `absoluteMessage` / `data-absolute-message`.
    AbsoluteMessage,
    /// `dismissLabel` / `data-dismiss-label`.
    DismissLabel,
}

impl Field {
    /// Every field, in documentation order.
    pub const ALL: [Field; 29] = [
        Field::Timeout,
        Field::Warning,
        Field::LogoutUrl,
        Field::RedirectUrl,
        Field::LogoutWait,
        Field::DialogTitle,
        Field::DialogMessage,
        Field::Lang,
        Field::Channel,
        Field::AbsoluteTimeout,
        Field::SessionStart,
        Field::KeepaliveUrl,
        Field::KeepaliveInterval,
        Field::CsrfHeader,
        Field::CsrfToken,
        Field::KeepStorageKeys,
        Field::UnregisterServiceWorkers,
        Field::AuditUrl,
        Field::StayLabel,
        Field::LogoutLabel,
        Field::TimeLeftLabel,
        Field::TitlePrefix,
        Field::SigningOutMessage,
        Field::SignedOutMessage,
        Field::SignInLabel,
        Field::Dialog,
        Field::AbsoluteTitle,
        Field::AbsoluteMessage,
        Field::DismissLabel,
    ];

    /// The name in the options object, which is also the `dataset` key of the attribute.
    pub fn option_name(self) -> &'static str {
        match self {
            Field::Timeout => "timeout",
            Field::Warning => "warning",
            Field::LogoutUrl => "logoutUrl",
            Field::RedirectUrl => "redirectUrl",
            Field::LogoutWait => "logoutWait",
            Field::DialogTitle => "dialogTitle",
            Field::DialogMessage => "dialogMessage",
            Field::Lang => "lang",
            Field::Channel => "channel",
            Field::AbsoluteTimeout => "absoluteTimeout",
            Field::SessionStart => "sessionStart",
            Field::KeepaliveUrl => "keepaliveUrl",
            Field::KeepaliveInterval => "keepaliveInterval",
            Field::CsrfHeader => "csrfHeader",
            Field::CsrfToken => "csrfToken",
            Field::KeepStorageKeys => "keepStorageKeys",
            Field::UnregisterServiceWorkers => "unregisterServiceWorkers",
            Field::AuditUrl => "auditUrl",
            Field::StayLabel => "stayLabel",
            Field::LogoutLabel => "logoutLabel",
            Field::TimeLeftLabel => "timeLeftLabel",
            Field::TitlePrefix => "titlePrefix",
            Field::SigningOutMessage => "signingOutMessage",
            Field::SignedOutMessage => "signedOutMessage",
            Field::SignInLabel => "signInLabel",
            Field::Dialog => "dialog",
            Field::AbsoluteTitle => "absoluteTitle",
            Field::AbsoluteMessage => "absoluteMessage",
            Field::DismissLabel => "dismissLabel",
        }
    }

    /// The attribute on the script tag.
    pub fn attribute_name(self) -> &'static str {
        match self {
            Field::Timeout => "data-timeout",
            Field::Warning => "data-warning",
            Field::LogoutUrl => "data-logout-url",
            Field::RedirectUrl => "data-redirect-url",
            Field::LogoutWait => "data-logout-wait",
            Field::DialogTitle => "data-dialog-title",
            Field::DialogMessage => "data-dialog-message",
            Field::Lang => "data-lang",
            Field::Channel => "data-channel",
            Field::AbsoluteTimeout => "data-absolute-timeout",
            Field::SessionStart => "data-session-start",
            Field::KeepaliveUrl => "data-keepalive-url",
            Field::KeepaliveInterval => "data-keepalive-interval",
            Field::CsrfHeader => "data-csrf-header",
            Field::CsrfToken => "data-csrf-token",
            Field::KeepStorageKeys => "data-keep-storage-keys",
            Field::UnregisterServiceWorkers => "data-unregister-service-workers",
            Field::AuditUrl => "data-audit-url",
            Field::StayLabel => "data-stay-label",
            Field::LogoutLabel => "data-logout-label",
            Field::TimeLeftLabel => "data-time-left-label",
            Field::TitlePrefix => "data-title-prefix",
            Field::SigningOutMessage => "data-signing-out-message",
            Field::SignedOutMessage => "data-signed-out-message",
            Field::SignInLabel => "data-sign-in-label",
            Field::Dialog => "data-dialog",
            Field::AbsoluteTitle => "data-absolute-title",
            Field::AbsoluteMessage => "data-absolute-message",
            Field::DismissLabel => "data-dismiss-label",
        }
    }

    fn from_option_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.option_name() == name)
    }
}

/// Where settings came from, which decides how errors name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The options object given to `start()`.
    Options,
    /// `data-*` attributes of the script tag.
    Attributes,
}

/// A raw value as the page gave it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A JS number.
    Number(f64),
    /// A JS string (attributes are always strings).
    Text(String),
    /// A JS boolean.
    Bool(bool),
    /// A JS array of strings.
    List(Vec<String>),
    /// `undefined` or `null`: the setting is absent.
    Absent,
    /// Anything else (object, boolean, ...).
    Other,
}

/// One setting as given: its key, its value, and how to show the value in an error.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Option name (`dataset` key for attributes).
    pub key: String,
    /// The value.
    pub value: Value,
    /// The value as the page would write it, for error messages (`String(value)` in JS).
    pub shown: String,
}

/// A setting that was refused, with a message naming it and the fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    field: Option<Field>,
    message: String,
}

impl ConfigError {
    /// The field at fault, `None` for an unknown option.
    pub fn field(&self) -> Option<Field> {
        self.field
    }

    /// The whole message, starting with `autologoff:`.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Validated settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Timeout and warning.
    pub policy: Policy,
    /// Where to POST on logout; `None` sends no request.
    pub logout_url: Option<String>,
    /// Where to go after logout; `None` leaves the covered page with a sign-in link.
    pub redirect_url: Option<String>,
    /// How long to wait for the logout request before finishing locally.
    pub logout_wait: Millis,
    /// The page's own words for the dialog, the page title and the cover.
    pub text: Overrides,
    /// Show the built-in warning dialog (`false`: the page renders its own from events).
    pub dialog: bool,
    /// Language asked for (`None`: the document's).
    pub lang: Option<String>,
    /// The cross-tab channel: tabs of one origin with the same channel share one session.
    pub channel: String,
    /// When the session started on the server (ms since the epoch), for the absolute lifetime.
    pub session_start: Option<Millis>,
    /// Where to send keepalive requests while the user is active; `None`: no keepalive.
    pub keepalive_url: Option<String>,
    /// At most one keepalive per this interval.
    pub keepalive_interval: Millis,
    /// Header carrying the CSRF token on the logout request.
    pub csrf_header: String,
    /// The CSRF token (`None`: read `<meta name="csrf-token">` if there is one).
    pub csrf_token: Option<String>,
    /// localStorage keys that survive logout (harmless preferences such as a theme).
    pub keep_storage_keys: Vec<String>,
    /// Also unregister the origin's service workers on logout.
    pub unregister_service_workers: bool,
    /// Where to send audit events (`sendBeacon`, JSON); `None`: DOM events only.
    pub audit_url: Option<String>,
}

/// Default keepalive interval: 5 minutes.
pub const DEFAULT_KEEPALIVE_INTERVAL: Millis = 5 * 60_000;
/// Default CSRF header name.
pub const DEFAULT_CSRF_HEADER: &str = "X-CSRF-Token";

/// The default cross-tab channel name.
pub const DEFAULT_CHANNEL: &str = "default";

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            policy: Policy::new(DEFAULT_TIMEOUT, DEFAULT_WARNING)
                .sure("the default warning is shorter than the default timeout"),
            logout_url: None,
            redirect_url: None,
            logout_wait: DEFAULT_LOGOUT_WAIT,
            text: Overrides::default(),
            dialog: true,
            lang: None,
            channel: DEFAULT_CHANNEL.to_owned(),
            session_start: None,
            keepalive_url: None,
            keepalive_interval: DEFAULT_KEEPALIVE_INTERVAL,
            csrf_header: DEFAULT_CSRF_HEADER.to_owned(),
            csrf_token: None,
            keep_storage_keys: Vec::new(),
            unregister_service_workers: false,
            audit_url: None,
        }
    }
}

impl Settings {
    /// Strict parsing, for `start(options)`: the first bad setting is an error.
    pub fn from_options(entries: &[Entry]) -> Result<Settings, ConfigError> {
        let mut errors = Vec::new();
        let settings = parse(entries, Origin::Options, &mut errors);
        match errors.into_iter().next() {
            Some(error) => Err(error),
            None => Ok(settings),
        }
    }

    /// Lenient parsing, for the script tag: each bad attribute is reported and replaced by its
    /// default, so a portal is never left unprotected by a typo. A warning that does not fit
    /// before the timeout becomes half the timeout: the timeout set is never lengthened.
    pub fn from_attributes(entries: &[Entry]) -> (Settings, Vec<ConfigError>) {
        let mut errors = Vec::new();
        let settings = parse(entries, Origin::Attributes, &mut errors);
        (settings, errors)
    }
}

fn parse(entries: &[Entry], origin: Origin, errors: &mut Vec<ConfigError>) -> Settings {
    let mut s = Settings::default();
    let mut timeout = None;
    let mut warning = None;
    let mut absolute = None;
    for entry in entries {
        if entry.value == Value::Absent {
            continue;
        }
        let Some(field) = Field::from_option_name(&entry.key) else {
            // Script tags carry foreign data-* attributes (CDNs, analytics); only options
            // objects are ours alone.
            if origin == Origin::Options {
                errors.push(unknown_option(&entry.key));
            }
            continue;
        };
        let result = match field {
            Field::Timeout => duration(&entry.value, MIN_TIMEOUT, MAX_TIMEOUT).map(|v| timeout = Some(v)),
            Field::Warning => duration(&entry.value, 0, MAX_TIMEOUT).map(|v| warning = Some(v)),
            Field::LogoutWait => {
                duration(&entry.value, 0, MAX_LOGOUT_WAIT).map(|v| s.logout_wait = v)
            }
            Field::LogoutUrl => url(&entry.value).map(|v| s.logout_url = Some(v)),
            Field::RedirectUrl => url(&entry.value).map(|v| s.redirect_url = Some(v)),
            Field::DialogTitle => text(&entry.value).map(|v| s.text.title = Some(v)),
            Field::DialogMessage => text(&entry.value).map(|v| s.text.message = Some(v)),
            Field::StayLabel => text(&entry.value).map(|v| s.text.stay = Some(v)),
            Field::LogoutLabel => text(&entry.value).map(|v| s.text.logout = Some(v)),
            Field::TimeLeftLabel => text(&entry.value).map(|v| s.text.time_left = Some(v)),
            Field::TitlePrefix => text(&entry.value).map(|v| s.text.title_prefix = Some(v)),
            Field::SigningOutMessage => text(&entry.value).map(|v| s.text.signing_out = Some(v)),
            Field::SignedOutMessage => text(&entry.value).map(|v| s.text.signed_out = Some(v)),
            Field::SignInLabel => text(&entry.value).map(|v| s.text.sign_in = Some(v)),
            Field::Dialog => boolean(&entry.value).map(|v| s.dialog = v),
            Field::AbsoluteTitle => text(&entry.value).map(|v| s.text.absolute_title = Some(v)),
            Field::AbsoluteMessage => text(&entry.value).map(|v| s.text.absolute_message = Some(v)),
            Field::DismissLabel => text(&entry.value).map(|v| s.text.dismiss = Some(v)),
            Field::Lang => text(&entry.value).map(|v| s.lang = Some(v)),
            Field::Channel => channel(&entry.value).map(|v| s.channel = v),
            Field::AbsoluteTimeout => duration(&entry.value, MIN_TIMEOUT, MAX_ABSOLUTE).map(|v| absolute = Some(v)),
            Field::SessionStart => epoch(&entry.value).map(|v| s.session_start = Some(v)),
            Field::KeepaliveUrl => url(&entry.value).map(|v| s.keepalive_url = Some(v)),
            Field::KeepaliveInterval => {
                duration(&entry.value, MIN_TIMEOUT, MAX_TIMEOUT).map(|v| s.keepalive_interval = v)
            }
            Field::CsrfHeader => header_name(&entry.value).map(|v| s.csrf_header = v),
            Field::CsrfToken => text(&entry.value).map(|v| s.csrf_token = Some(v)),
            Field::KeepStorageKeys => list(&entry.value).map(|v| s.keep_storage_keys = v),
            Field::UnregisterServiceWorkers => boolean(&entry.value).map(|v| s.unregister_service_workers = v),
            Field::AuditUrl => url(&entry.value).map(|v| s.audit_url = Some(v)),
        };
        if let Err(problem) = result {
            errors.push(field_error(field, origin, problem, &entry.shown));
        }
    }
    let t = timeout.unwrap_or(DEFAULT_TIMEOUT);
    let w = warning.unwrap_or(DEFAULT_WARNING);
    s.policy = match Policy::new(t, w) {
        Ok(policy) => policy,
        Err(PolicyError::ZeroTimeout | PolicyError::WarningNotShorterThanAbsolute) => {
            crate::bug::bug("duration() enforces MIN_TIMEOUT > 0; Policy::new sets no absolute")
        }
        Err(PolicyError::WarningNotShorter) => {
            errors.push(warning_too_long(origin, warning.is_some()));
            Policy::new(t, t / 2).sure("half of a timeout of at least 1 s is shorter than it")
        }
    };
    match s.policy.with_absolute(absolute) {
        Ok(policy) => s.policy = policy,
        Err(_) => errors.push(absolute_too_short(origin)),
    }
    s
}

fn absolute_too_short(origin: Origin) -> ConfigError {
    let (kind, a) = name(Field::AbsoluteTimeout, origin);
    let (_, w) = name(Field::Warning, origin);
    let mut m = String::from("autologoff: ");
    m.push_str(kind);
    m.push_str(a);
    m.push_str("` must be longer than `");
    m.push_str(w);
    m.push('`');
    if origin == Origin::Attributes {
        m.push_str(". No absolute lifetime instead.");
    }
    ConfigError { field: Some(Field::AbsoluteTimeout), message: m }
}

/// What was wrong with one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Problem {
    NotDuration,
    Fraction,
    Below(Millis),
    Above(Millis),
    NotText,
    Empty,
    TooLongText,
    BadUrl,
    BadChannel,
    BadHeader,
    NotList,
    NotBool,
    NotEpoch,
}

/// Parses a duration: a JS number of whole ms, or a string `"1500"`, `"500ms"`, `"90s"`,
/// `"15m"`, `"1h"`, `"1.5h"`. Returns ms.
pub fn parse_duration(input: &str) -> Option<Millis> {
    duration(&Value::Text(input.to_owned()), 0, Millis::MAX).ok()
}

fn duration(value: &Value, min: Millis, max: Millis) -> Result<Millis, Problem> {
    let ms = match value {
        Value::Number(n) => {
            // False for NaN too. (No `f64::trunc` without std: the cast below truncates.)
            if !(*n >= 0.0) {
                return Err(Problem::NotDuration);
            }
            if *n > max as f64 {
                return Err(Problem::Above(max));
            }
            let whole = *n as Millis;
            if whole as f64 != *n {
                return Err(Problem::Fraction);
            }
            whole
        }
        Value::Text(t) => duration_text(t.trim())?,
        _ => return Err(Problem::NotDuration),
    };
    if ms < min {
        return Err(Problem::Below(min));
    }
    if ms > max {
        return Err(Problem::Above(max));
    }
    Ok(ms)
}

fn duration_text(t: &str) -> Result<Millis, Problem> {
    let number_end = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at_checked(number_end).unwrap_or((t, ""));
    let scale: Millis = match unit.trim_start() {
        "" | "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(Problem::NotDuration),
    };
    let (whole, fraction) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') || fraction.len() > 6 {
        return Err(Problem::NotDuration);
    }
    let mut ms: Millis = 0;
    for d in whole.bytes() {
        ms = ms
            .checked_mul(10)
            .and_then(|v| v.checked_add(Millis::from(d - b'0')))
            .ok_or(Problem::Above(Millis::MAX))?;
    }
    ms = ms.checked_mul(scale).ok_or(Problem::Above(Millis::MAX))?;
    if !fraction.is_empty() {
        let mut numerator: Millis = 0;
        let mut denominator: Millis = 1;
        for d in fraction.bytes() {
            numerator = numerator * 10 + Millis::from(d - b'0');
            denominator *= 10;
        }
        let part = numerator * scale;
        if part % denominator != 0 {
            return Err(Problem::Fraction);
        }
        ms = ms.checked_add(part / denominator).ok_or(Problem::Above(Millis::MAX))?;
    }
    Ok(ms)
}

fn text(value: &Value) -> Result<String, Problem> {
    match value {
        Value::Text(t) if t.trim().is_empty() => Err(Problem::Empty),
        Value::Text(t) if t.chars().count() > MAX_TEXT => Err(Problem::TooLongText),
        Value::Text(t) => Ok(t.trim().to_owned()),
        _ => Err(Problem::NotText),
    }
}

/// A time as ms since the epoch: a number or a string of digits, after 2000-01-01.
fn epoch(value: &Value) -> Result<Millis, Problem> {
    let ms = match value {
        Value::Text(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => duration(value, 0, MAX_EPOCH)?,
        Value::Number(_) => duration(value, 0, MAX_EPOCH)?,
        _ => return Err(Problem::NotEpoch),
    };
    if ms < 946_684_800_000 {
        return Err(Problem::NotEpoch);
    }
    Ok(ms)
}

fn header_name(value: &Value) -> Result<String, Problem> {
    let t = text(value)?;
    // RFC 9110 token characters.
    let ok = t.len() <= 64 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if ok { Ok(t) } else { Err(Problem::BadHeader) }
}

fn list(value: &Value) -> Result<Vec<String>, Problem> {
    let items: Vec<String> = match value {
        Value::List(items) => items.clone(),
        Value::Text(t) => t.split(',').map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()).collect(),
        _ => return Err(Problem::NotList),
    };
    if items.iter().any(|k| k.is_empty() || k.len() > 200) || items.len() > 100 {
        return Err(Problem::NotList);
    }
    Ok(items)
}

fn boolean(value: &Value) -> Result<bool, Problem> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Text(t) if t.is_empty() || t.eq_ignore_ascii_case("true") => Ok(true),
        Value::Text(t) if t.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(Problem::NotBool),
    }
}

fn channel(value: &Value) -> Result<String, Problem> {
    let t = text(value)?;
    let ok = t.len() <= 64 && t.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok { Ok(t) } else { Err(Problem::BadChannel) }
}

fn url(value: &Value) -> Result<String, Problem> {
    let t = text(value)?;
    // A scheme is letters, digits, + - . before the first ':' that comes before any '/', '?' or
    // '#'. Only http(s) may be followed: a `javascript:` redirect would run script.
    let before = t.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((scheme, _)) = before.split_once(':') {
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(Problem::BadUrl);
        }
    }
    if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Problem::BadUrl);
    }
    Ok(t)
}

fn push_millis(out: &mut String, ms: Millis) {
    let (n, unit) = if ms >= 3_600_000 && ms % 3_600_000 == 0 {
        (ms / 3_600_000, "h")
    } else if ms >= 60_000 && ms % 60_000 == 0 {
        (ms / 60_000, "m")
    } else if ms >= 1_000 && ms % 1_000 == 0 {
        (ms / 1_000, "s")
    } else {
        (ms, "ms")
    };
    push_uint(out, n);
    out.push_str(unit);
}

/// Appends a decimal integer without `core::fmt`.
pub(crate) fn push_uint(out: &mut String, mut n: u64) {
    // Most significant digit first, without indexing (whose bounds check would bring in
    // formatting; see src/bug.rs).
    let mut unit = 1;
    while n / unit >= 10 {
        unit *= 10;
    }
    loop {
        out.push(char::from(b'0' + (n / unit) as u8));
        n %= unit;
        if unit == 1 {
            break;
        }
        unit /= 10;
    }
}

fn name(field: Field, origin: Origin) -> (&'static str, &'static str) {
    match origin {
        Origin::Options => ("option `", field.option_name()),
        Origin::Attributes => ("attribute `", field.attribute_name()),
    }
}

fn field_error(field: Field, origin: Origin, problem: Problem, shown: &str) -> ConfigError {
    let (kind, n) = name(field, origin);
    let mut m = String::from("autologoff: ");
    m.push_str(kind);
    m.push_str(n);
    m.push_str("` ");
    match problem {
        Problem::NotDuration | Problem::Fraction => {
            m.push_str("must be a duration: a whole number of milliseconds, or a number with a unit ms, s, m or h, such as \"90s\" or \"15m\"");
            if problem == Problem::Fraction {
                m.push_str(" (it must come to a whole number of milliseconds)");
            }
        }
        Problem::Below(min) => {
            m.push_str("must be at least ");
            push_millis(&mut m, min);
        }
        Problem::Above(max) => {
            m.push_str("must be at most ");
            push_millis(&mut m, max);
        }
        Problem::NotText => m.push_str("must be a string"),
        Problem::Empty => m.push_str("must not be empty"),
        Problem::TooLongText => {
            m.push_str("must be at most ");
            push_uint(&mut m, MAX_TEXT as u64);
            m.push_str(" characters");
        }
        Problem::BadHeader => m.push_str("must be an HTTP header name, such as \"X-CSRF-Token\""),
        Problem::NotList => m.push_str(
            "must be a list of localStorage keys: an array of strings, or in an attribute a comma-separated list such as \"theme,lang\"",
        ),
        Problem::NotBool => m.push_str("must be true or false"),
        Problem::NotEpoch => m.push_str("must be a time in milliseconds since 1970 (as Date.now() gives), after the year 2000"),
        Problem::BadChannel => m.push_str("must be 1 to 64 letters, digits, '.', '_' or '-', such as \"billing\""),
        Problem::BadUrl => m.push_str(
            "must be a path such as \"/logout\" or an http(s) URL, without spaces; other schemes such as javascript: are refused",
        ),
    }
    m.push_str("; got ");
    push_shown(&mut m, shown);
    if origin == Origin::Attributes {
        m.push_str(". Using the default instead.");
    }
    ConfigError { field: Some(field), message: m }
}

fn push_shown(m: &mut String, shown: &str) {
    m.push('"');
    // Long values are cut so a pasted blob does not flood the console.
    let mut count = 0;
    for c in shown.chars() {
        if count == 60 {
            m.push('…');
            break;
        }
        m.push(c);
        count += 1;
    }
    m.push('"');
}

fn warning_too_long(origin: Origin, warning_given: bool) -> ConfigError {
    let (kind, w) = name(Field::Warning, origin);
    let (_, t) = name(Field::Timeout, origin);
    let mut m = String::from("autologoff: ");
    m.push_str(kind);
    m.push_str(w);
    m.push_str("` must be shorter than `");
    m.push_str(t);
    m.push('`');
    if !warning_given {
        m.push_str(" (the default warning is ");
        push_millis(&mut m, DEFAULT_WARNING);
        m.push_str(": set a shorter warning)");
    }
    if origin == Origin::Attributes {
        m.push_str(". Warning at half the timeout instead.");
    }
    ConfigError { field: Some(Field::Warning), message: m }
}

fn unknown_option(key: &str) -> ConfigError {
    let mut m = String::from("autologoff: unknown option `");
    push_shown_plain(&mut m, key);
    m.push_str("`; known options are");
    for (i, f) in Field::ALL.iter().enumerate() {
        m.push_str(if i == 0 { " " } else { ", " });
        m.push_str(f.option_name());
    }
    ConfigError { field: None, message: m }
}

fn push_shown_plain(m: &mut String, s: &str) {
    m.extend(s.chars().take(60));
}

/// The WCAG 2.2.1 advice printed for a warning shorter than 20 s (0 included), or `None`.
pub fn wcag_advice(policy: &Policy) -> Option<&'static str> {
    (policy.warning() < WCAG_MIN_WARNING).then_some(
        "autologoff: a warning shorter than 20s does not meet WCAG 2.2.1 (Timing Adjustable), which asks that users get at least 20 seconds to extend a time limit with a simple action; set `warning` to \"20s\" or more",
    )
}
