//! Settings: the options a page passes to `start()` or writes as `data-*` on the script tag,
//! declared once, parsed and validated.
//!
//! [`options!`] holds one row per option: its JS name (the attribute is `data-` and the name in
//! kebab case), its TypeScript type, its type and default as the README's table shows them, and
//! its doc line. The TypeScript interface is generated from the rows; a native test checks the
//! README's table against them. The parser is one `match` on [`Field`].
//!
//! Pure code, tested natively. Every refusal names the option (or attribute), says what form is
//! expected and shows what was given, and says what runs instead: a bad value never leaves a
//! portal unprotected, whether it came from an attribute or an options object (see [`parse`]).
//! Messages are built by appending `&str`s, not with `format!`, to keep the formatting machinery
//! out of the release `.wasm`.

use crate::bug::Sure;
use crate::engine::{Policy, PolicyError};
use crate::num::{push_uint, short_hash};
use crate::prelude::*;
use crate::text::{Key, Overrides};
use crate::time::{Duration, Moment};

/// Default idle timeout: 15 minutes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// Default warning lead: 60 seconds.
pub const DEFAULT_WARNING: Duration = Duration::from_secs(60);
/// Default bound on waiting for the logout request before finishing locally: 3 seconds.
pub const DEFAULT_LOGOUT_WAIT: Duration = Duration::from_secs(3);
/// WCAG 2.2.1 asks for at least 20 s to extend; shorter warnings are allowed but warned about.
pub const WCAG_MIN_WARNING: Duration = Duration::from_secs(20);
/// Default keepalive interval: 5 minutes.
pub const DEFAULT_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(5 * 60);
/// Default CSRF header name.
pub const DEFAULT_CSRF_HEADER: &str = "X-CSRF-Token";
/// The default cross-tab channel name.
pub const DEFAULT_CHANNEL: &str = "default";
/// The absolute lifetime in force when `absoluteTimeout` is malformed: 12 h, NIST SP 800-63B's
/// overall limit at AAL3 (a typo must not remove the limit the portal asked for).
pub const FAILSAFE_ABSOLUTE: Duration = Duration::from_secs(12 * 3_600);

const MIN_TIMEOUT: Duration = Duration::from_secs(1);
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3_600);
const MAX_LOGOUT_WAIT: Duration = Duration::from_secs(60);
const MAX_ABSOLUTE: Duration = Duration::from_secs(7 * 24 * 3_600);
/// The earliest a session start may be: 2000-01-01, in ms since the epoch.
const MIN_EPOCH: u64 = 946_684_800_000;
/// Year 2286 in ms: the most a session start may be.
const MAX_EPOCH: u64 = 9_999_999_999_999;
const MAX_TEXT: usize = 500;

/// Declares the options: `Variant "jsName" "TS type" "README type" "README default" "doc";`.
macro_rules! options {
    ($($field:ident $name:literal $ts:literal $kind:literal $default:literal $doc:literal;)*) => {
        /// One option. Its attribute on the script tag is `data-` and its name in kebab case.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Field {
            $(#[doc = $doc] $field,)*
        }

        impl Field {
            /// Every field, in documentation order.
            pub const ALL: &'static [Field] = &[$(Field::$field,)*];

            /// The name in the options object, which is also the `dataset` key of the attribute.
            pub fn option_name(self) -> &'static str {
                match self {
                    $(Field::$field => $name,)*
                }
            }
        }

        /// The declarations as the README's options table shows them: name, type, default.
        /// (Only the tests read it; the release build leaves it out.)
        pub const DOCUMENTED: &[(&str, &str, &str)] = &[$(($name, $kind, $default),)*];

        /// The TypeScript interface of the options, generated from the declarations.
        pub const TYPESCRIPT: &str = concat!(
            "/** A duration: whole milliseconds, or a string with a unit: \"500ms\", \"90s\", \"15m\", \"1.5h\". */\n",
            "export type Duration = number | string;\n",
            "/** Options for `start()`. Every field is optional. */\n",
            "export interface AutologoffOptions {\n",
            $("  /** ", $doc, " Default: ", $default, ". */\n  ", $name, "?: ", $ts, ";\n",)*
            "}\n"
        );
    };
}

options! {
    Timeout "timeout" "Duration" "duration" "`15m`" "Inactivity before logoff; at least 1 s, at most 24 h.";
    Warning "warning" "Duration" "duration" "`60s`" "How long before expiry the warning shows; shorter than `timeout`, `0` for none.";
    LogoutUrl "logoutUrl" "string" "path or http(s) URL" "none" "POSTed to on logout, with credentials and `keepalive`.";
    RedirectUrl "redirectUrl" "string" "path or http(s) URL" "none" "Where to go after logout; without it the page stays covered, with a sign-in link.";
    LogoutWait "logoutWait" "Duration" "duration" "`3s`" "Longest wait for the logout request and clearing before finishing locally; at most 60 s.";
    Dialog "dialog" "boolean" "boolean / `\"false\"`" "`true`" "`false`: no built-in dialog; render your own from the `autologoff:warning` event.";
    ConcealDuringWarning "concealDuringWarning" "boolean" "boolean / `\"false\"`" "`true`" "Conceal the page behind the warning, so that no one passing by can read it; `false` for pages that show nothing private.";
    DialogTitle "dialogTitle" "string" "string" "built-in" "Warning dialog title.";
    DialogMessage "dialogMessage" "string" "string" "built-in" "Warning dialog message.";
    StayLabel "stayLabel" "string" "string" "\"Stay signed in\"" "The extend button.";
    LogoutLabel "logoutLabel" "string" "string" "\"Log out now\"" "The log-out button.";
    TimeLeftLabel "timeLeftLabel" "string" "string" "\"Time left:\"" "Before the countdown; also what the live region says.";
    TitlePrefix "titlePrefix" "string" "string" "\"Session expiring\"" "Tab title during the warning: `(m:ss) <prefix> — <title>`.";
    SigningOutMessage "signingOutMessage" "string" "string" "\"Signing you out…\"" "On the cover, and the tab title, while logging out.";
    SignedOutMessage "signedOutMessage" "string" "string" "\"You have been signed out for your security.\"" "On the cover when there is no `redirectUrl`.";
    SignInLabel "signInLabel" "string" "string" "\"Sign in again\"" "The link on that cover.";
    AbsoluteTitle "absoluteTitle" "string" "string" "\"Your session is ending\"" "Dialog title when the absolute lifetime ends.";
    AbsoluteMessage "absoluteMessage" "string" "string" "built-in" "Its message.";
    DismissLabel "dismissLabel" "string" "string" "\"Continue\"" "The button that closes it.";
    AbsoluteTimeout "absoluteTimeout" "Duration" "duration" "none" "Maximum session lifetime, never extended; 1 s to 7 days, longer than `warning`.";
    SessionStart "sessionStart" "number | string" "ms since the epoch" "first tab's start" "When the server started the session, for `absoluteTimeout`; also the session's identity when `sessionId` is not given.";
    SessionId "sessionId" "string | number" "string or whole number" "none" "An opaque, non-secret value your server renders, the same for every page of one sign-in and different for the next: tabs share a session only with pages of the same id.";
    KeepaliveUrl "keepaliveUrl" "string" "path or http(s) URL" "none" "POSTed while, and only while, the user is active; 401 or 419, or a redirect to a sign-in page, ends the session.";
    StatusUrl "statusUrl" "string" "path or http(s) URL" "none" "Asked (GET, which never extends the session) how long the server's session has left, by a page that joins a session under way.";
    KeepaliveInterval "keepaliveInterval" "Duration" "duration" "`5m`" "At most one keepalive per interval.";
    CsrfHeader "csrfHeader" "string" "header name" "`X-CSRF-Token`" "Header for the CSRF token on logout and keepalive requests.";
    CsrfToken "csrfToken" "string" "string" "`<meta name=\"csrf-token\">`" "The CSRF token; by default read from that meta tag.";
    KeepStorageKeys "keepStorageKeys" "string[]" "string[] / comma-separated" "none" "localStorage keys that survive logout (harmless preferences).";
    UnregisterServiceWorkers "unregisterServiceWorkers" "boolean" "boolean / `\"true\"`" "`false`" "Also unregister the origin's service workers on logout.";
    AuditUrl "auditUrl" "string" "path or http(s) URL" "none" "Where audit events go (sendBeacon, JSON array).";
    Channel "channel" "string" "string" "`default`" "Tabs with the same channel share one session; 1 to 64 of `A-Z a-z 0-9 . _ -`.";
    Lang "lang" "string" "string" "the page's `lang`" "Language of the built-in text: `en` or `es`.";
    WasmUrl "wasmUrl" "string | URL" "path or URL" "next to the package's JS" "npm entry only: where `autologoff_bg.wasm` is served, for bundlers that do not ship it (esbuild, Angular).";
}

impl Field {
    fn from_option_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.option_name() == name)
    }

    /// The attribute on the script tag: `data-` and the option name in kebab case.
    pub fn attribute_name(self) -> String {
        let mut a = String::from("data-");
        for c in self.option_name().chars() {
            if c.is_ascii_uppercase() {
                a.push('-');
                a.push(c.to_ascii_lowercase());
            } else {
                a.push(c);
            }
        }
        a
    }

    /// The string an option overrides, for the text options.
    fn text_key(self) -> Option<Key> {
        Some(match self {
            Field::DialogTitle => Key::Title,
            Field::DialogMessage => Key::Message,
            Field::StayLabel => Key::Stay,
            Field::LogoutLabel => Key::Logout,
            Field::TimeLeftLabel => Key::TimeLeft,
            Field::TitlePrefix => Key::TitlePrefix,
            Field::SigningOutMessage => Key::SigningOut,
            Field::SignedOutMessage => Key::SignedOut,
            Field::SignInLabel => Key::SignIn,
            Field::AbsoluteTitle => Key::AbsoluteTitle,
            Field::AbsoluteMessage => Key::AbsoluteMessage,
            Field::DismissLabel => Key::Dismiss,
            _ => return None,
        })
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
    /// Anything else (object, function, ...).
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

/// A setting that was refused, with a message naming it, the fix, and what runs instead.
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
    /// Timeout, warning, absolute lifetime.
    pub policy: Policy,
    /// Where to POST on logout; `None` sends no request.
    pub logout_url: Option<String>,
    /// Where to go after logout; `None` leaves the covered page with a sign-in link.
    pub redirect_url: Option<String>,
    /// How long to wait for the logout request before finishing locally.
    pub logout_wait: Duration,
    /// The page's own words for the dialog, the page title and the cover.
    pub text: Overrides,
    /// Show the built-in warning dialog (`false`: the page renders its own from events).
    pub dialog: bool,
    /// Conceal the page while the warning shows (NIST SP 800-53 AC-11: the screen is likely
    /// unattended exactly then).
    pub conceal_during_warning: bool,
    /// Language asked for (`None`: the document's).
    pub lang: Option<String>,
    /// The cross-tab channel: tabs of one origin with the same channel share one session.
    pub channel: String,
    /// When the session started on the server, for the absolute lifetime.
    pub session_start: Option<Moment>,
    /// The session's identity as the server rendered it (see [`Settings::identity`]).
    pub session_id: Option<String>,
    /// Where to send keepalive requests while the user is active; `None`: no keepalive.
    pub keepalive_url: Option<String>,
    /// Where to ask the server how long its session has left without extending it.
    pub status_url: Option<String>,
    /// At most one keepalive per this interval.
    pub keepalive_interval: Duration,
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
            conceal_during_warning: true,
            lang: None,
            channel: DEFAULT_CHANNEL.to_owned(),
            session_start: None,
            session_id: None,
            keepalive_url: None,
            status_url: None,
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
    /// Strict parsing: the first bad setting is an error. (The browser API runs the fail-safe
    /// settings of [`parse`] meanwhile; this is the check alone.)
    pub fn from_options(entries: &[Entry]) -> Result<Settings, ConfigError> {
        let (settings, errors) = parse(entries, Origin::Options);
        match errors.into_iter().next() {
            Some(error) => Err(error),
            None => Ok(settings),
        }
    }

    /// Lenient parsing, for the script tag: see [`parse`].
    pub fn from_attributes(entries: &[Entry]) -> (Settings, Vec<ConfigError>) {
        parse(entries, Origin::Attributes)
    }

    /// Which application on the origin this is: a short hash of its `logoutUrl` (empty without
    /// one). Records and messages carry it, so a second application that shares the channel
    /// (its own logout URL, its own sessions) is told apart from a new sign-in of this one.
    pub fn app(&self) -> String {
        self.logout_url.as_deref().map(short_hash).unwrap_or_default()
    }

    /// The session's identity on the wire: a short hash of `sessionId`, else of `sessionStart`
    /// exactly as given; empty when the server gave neither (then every page of the channel is
    /// one session: see the README, "Many tabs, one session").
    pub fn identity(&self) -> String {
        if let Some(id) = &self.session_id {
            return short_hash(id);
        }
        match self.session_start {
            Some(start) => {
                let mut t = String::new();
                push_uint(&mut t, start.epoch_ms());
                short_hash(&t)
            }
            None => String::new(),
        }
    }
}

/// Parses `entries`, always returning settings that protect the page: each bad value is
/// reported (naming it, the fix and what runs instead) and replaced by its fail-safe, which is
/// the default except where the default would weaken protection:
/// - a malformed `channel` becomes a channel of its own, derived from what was written, so pages
///   with the same typo still share a session but never join another portal's `default`;
/// - a malformed `absoluteTimeout` becomes 12 h, not "no limit";
/// - a malformed `unregisterServiceWorkers` unregisters them;
/// - a `warning` that does not fit becomes half the timeout (the timeout is never lengthened);
/// - a malformed URL cannot be used at all: `logoutUrl` then sends no request (the session still
///   ends here, and the error goes into the audit trail as `config-error`, see the session core).
pub fn parse(entries: &[Entry], origin: Origin) -> (Settings, Vec<ConfigError>) {
    let mut s = Settings::default();
    let mut errors = Vec::new();
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
        let v = &entry.value;
        let result = match field {
            Field::Timeout => duration(v, MIN_TIMEOUT, MAX_TIMEOUT).map(|d| timeout = Some(d)),
            Field::Warning => duration(v, Duration::ZERO, MAX_TIMEOUT).map(|d| warning = Some(d)),
            Field::LogoutWait => duration(v, Duration::ZERO, MAX_LOGOUT_WAIT).map(|d| s.logout_wait = d),
            Field::AbsoluteTimeout => {
                let parsed = duration(v, MIN_TIMEOUT, MAX_ABSOLUTE);
                absolute = Some(*parsed.as_ref().unwrap_or(&FAILSAFE_ABSOLUTE));
                parsed.map(drop)
            }
            Field::KeepaliveInterval => duration(v, MIN_TIMEOUT, MAX_TIMEOUT).map(|d| s.keepalive_interval = d),
            Field::LogoutUrl => url(v).map(|u| s.logout_url = Some(u)),
            Field::RedirectUrl => url(v).map(|u| s.redirect_url = Some(u)),
            Field::KeepaliveUrl => url(v).map(|u| s.keepalive_url = Some(u)),
            Field::StatusUrl => url(v).map(|u| s.status_url = Some(u)),
            Field::AuditUrl => url(v).map(|u| s.audit_url = Some(u)),
            Field::Dialog => boolean(v).map(|b| s.dialog = b),
            // A malformed value keeps the default, which conceals.
            Field::ConcealDuringWarning => boolean(v).map(|b| s.conceal_during_warning = b),
            Field::UnregisterServiceWorkers => {
                let parsed = boolean(v);
                s.unregister_service_workers = *parsed.as_ref().unwrap_or(&true);
                parsed.map(drop)
            }
            Field::Lang => text(v).map(|t| s.lang = Some(t)),
            Field::Channel => {
                let parsed = channel(v);
                s.channel = parsed.clone().unwrap_or_else(|_| own_channel(&entry.shown));
                parsed.map(drop)
            }
            Field::SessionStart => epoch(v).map(|t| s.session_start = Some(t)),
            Field::SessionId => session_id(v).map(|t| s.session_id = Some(t)),
            Field::CsrfHeader => header_name(v).map(|h| s.csrf_header = h),
            Field::CsrfToken => text(v).map(|t| s.csrf_token = Some(t)),
            Field::KeepStorageKeys => list(v).map(|k| s.keep_storage_keys = k),
            // The JS entry resolves it and loads the module from it before the module runs.
            Field::WasmUrl => Ok(()),
            _ => match (field.text_key(), text(v)) {
                (Some(key), Ok(t)) => {
                    if let Some(slot) = s.text.0.get_mut(key as usize) {
                        *slot = Some(t);
                    }
                    Ok(())
                }
                (_, Err(p)) => Err(p),
                (None, Ok(_)) => crate::bug::bug("every option without a parser of its own is a text option"),
            },
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
            Policy::new(t, t.div(2)).sure("half of a timeout of at least 1 s is shorter than it")
        }
    };
    match s.policy.with_absolute(absolute) {
        Ok(policy) => s.policy = policy,
        Err(_) => {
            // An absolute lifetime no longer than the warning: the warning is shortened to half
            // of it instead of dropping the limit.
            errors.push(absolute_too_short(origin));
            let a = absolute.unwrap_or(FAILSAFE_ABSOLUTE);
            s.policy = Policy::new(t, w.min(a.div(2)).min(t.div(2)))
                .and_then(|p| p.with_absolute(Some(a)))
                .sure("a warning under half of both limits fits both");
        }
    }
    (s, errors)
}

/// The channel for a malformed `channel` value: `x-` and a hash of it.
fn own_channel(written: &str) -> String {
    let mut c = String::from("x-");
    c.push_str(&short_hash(written));
    c
}

fn absolute_too_short(origin: Origin) -> ConfigError {
    let mut m = String::from("autologoff: ");
    push_name(&mut m, Field::AbsoluteTimeout, origin);
    m.push_str(" must be longer than ");
    push_quoted(&mut m, Field::Warning, origin);
    m.push_str(". Warning at half of it instead.");
    ConfigError { field: Some(Field::AbsoluteTimeout), message: m }
}

/// What was wrong with one value (a limit in whole ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Problem {
    NotDuration,
    Fraction,
    Below(u64),
    Above(u64),
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
/// `"15m"`, `"1h"`, `"1.5h"`.
pub fn parse_duration(input: &str) -> Option<Duration> {
    whole_ms(&Value::Text(input.to_owned()), 0, u64::MAX).ok().map(Duration::from_ms)
}

/// A duration from `min` to `max` (see [`parse_duration`]). Inlined: as a function of its own
/// it was 68 bytes of .wasm, more than the conversion costs at its callers.
#[inline(always)]
fn duration(value: &Value, min: Duration, max: Duration) -> Result<Duration, Problem> {
    whole_ms(value, min.ms(), max.ms()).map(Duration::from_ms)
}

/// Whole ms from `min` to `max`: a JS number, or a string as [`parse_duration`] reads it.
fn whole_ms(value: &Value, min: u64, max: u64) -> Result<u64, Problem> {
    let ms = match value {
        Value::Number(n) => {
            // (No `f64::trunc` without std: the cast below truncates.)
            if n.is_nan() || *n < 0.0 {
                return Err(Problem::NotDuration);
            }
            if *n > max as f64 {
                return Err(Problem::Above(max));
            }
            let whole = *n as u64;
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

fn duration_text(t: &str) -> Result<u64, Problem> {
    let number_end = t.bytes().position(|b| !(b.is_ascii_digit() || b == b'.')).unwrap_or(t.len());
    let (number, unit) = t.split_at_checked(number_end).unwrap_or((t, ""));
    let scale: u64 = match unit.trim_start() {
        "" | "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(Problem::NotDuration),
    };
    let (whole, fraction) = match crate::num::split_once(number, b'.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    if whole.is_empty() && fraction.is_empty() || fraction.bytes().any(|b| b == b'.') || fraction.len() > 6 {
        return Err(Problem::NotDuration);
    }
    let mut ms: u64 = 0;
    for d in whole.bytes() {
        ms = ms.checked_mul(10).and_then(|v| v.checked_add(u64::from(d - b'0'))).ok_or(Problem::Above(u64::MAX))?;
    }
    ms = ms.checked_mul(scale).ok_or(Problem::Above(u64::MAX))?;
    if !fraction.is_empty() {
        let mut numerator: u64 = 0;
        let mut denominator: u64 = 1;
        for d in fraction.bytes() {
            numerator = numerator * 10 + u64::from(d - b'0');
            denominator *= 10;
        }
        let part = numerator * scale;
        if !part.is_multiple_of(denominator) {
            return Err(Problem::Fraction);
        }
        ms = ms.checked_add(part / denominator).ok_or(Problem::Above(u64::MAX))?;
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

/// A session id: text, or a whole number (a server's numeric id, passed as rendered), which is
/// the same id as its digits written as text.
fn session_id(value: &Value) -> Result<String, Problem> {
    match value {
        Value::Number(n) if n.is_finite() && *n >= 0.0 && *n <= 9_007_199_254_740_991.0 && *n == (*n as u64) as f64 => {
            let mut t = String::new();
            push_uint(&mut t, *n as u64);
            Ok(t)
        }
        _ => text(value),
    }
}

/// A time as ms since the epoch: a number or a string of digits, after 2000-01-01.
fn epoch(value: &Value) -> Result<Moment, Problem> {
    let ms = match value {
        Value::Text(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => whole_ms(value, 0, MAX_EPOCH)?,
        Value::Number(_) => whole_ms(value, 0, MAX_EPOCH)?,
        _ => return Err(Problem::NotEpoch),
    };
    if ms < MIN_EPOCH {
        return Err(Problem::NotEpoch);
    }
    Ok(Moment::from_epoch_ms(ms))
}

fn header_name(value: &Value) -> Result<String, Problem> {
    let t = text(value)?;
    // RFC 9110 token characters.
    let ok = t.len() <= 64 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if ok {
        Ok(t)
    } else {
        Err(Problem::BadHeader)
    }
}

fn list(value: &Value) -> Result<Vec<String>, Problem> {
    let items: Vec<String> = match value {
        Value::List(items) => items.clone(),
        Value::Text(t) => crate::num::split(t, b',').map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()).collect(),
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
    if ok {
        Ok(t)
    } else {
        Err(Problem::BadChannel)
    }
}

fn url(value: &Value) -> Result<String, Problem> {
    let t = text(value)?;
    // A scheme is letters, digits, + - . before the first ':' that comes before any '/', '?' or
    // '#'. Only http(s) may be followed: a `javascript:` redirect would run script.
    let before = crate::num::before_any(&t, b"/?#");
    if let Some((scheme, _)) = crate::num::split_once(before, b':') {
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(Problem::BadUrl);
        }
    }
    if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Problem::BadUrl);
    }
    Ok(t)
}

/// A length in ms, in the largest unit that writes it whole: `90s`, `15m`, `1500ms`.
fn push_millis(out: &mut String, ms: u64) {
    let (n, unit) = if ms >= 3_600_000 && ms.is_multiple_of(3_600_000) {
        (ms / 3_600_000, "h")
    } else if ms >= 60_000 && ms.is_multiple_of(60_000) {
        (ms / 60_000, "m")
    } else if ms >= 1_000 && ms.is_multiple_of(1_000) {
        (ms / 1_000, "s")
    } else {
        (ms, "ms")
    };
    push_uint(out, n);
    out.push_str(unit);
}

/// `` option `name` `` or `` attribute `data-name` ``.
fn push_name(m: &mut String, field: Field, origin: Origin) {
    m.push_str(match origin {
        Origin::Options => "option ",
        Origin::Attributes => "attribute ",
    });
    push_quoted(m, field, origin);
}

/// `` `name` `` or `` `data-name` ``.
fn push_quoted(m: &mut String, field: Field, origin: Origin) {
    m.push('`');
    match origin {
        Origin::Options => m.push_str(field.option_name()),
        Origin::Attributes => m.push_str(&field.attribute_name()),
    }
    m.push('`');
}

fn field_error(field: Field, origin: Origin, problem: Problem, shown: &str) -> ConfigError {
    let mut m = String::from("autologoff: ");
    push_name(&mut m, field, origin);
    m.push(' ');
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
    // What runs until it is fixed: the page is protected meanwhile.
    m.push_str(match field {
        Field::Channel => ". Using a channel of its own instead (never the default one).",
        Field::AbsoluteTimeout => ". Using 12h instead.",
        Field::UnregisterServiceWorkers => ". Unregistering them instead.",
        Field::LogoutUrl => {
            ". No logout request can be sent: the session still ends here on time, and the error is in the audit trail."
        }
        Field::SessionId => ". Without it, pages are told apart by sessionStart, if given.",
        _ => ". Using the default instead.",
    });
    ConfigError { field: Some(field), message: m }
}

fn push_shown(m: &mut String, shown: &str) {
    m.push('"');
    // Long values are cut so a pasted blob does not flood the console.
    for (count, c) in shown.chars().enumerate() {
        if count == 60 {
            m.push('…');
            break;
        }
        m.push(c);
    }
    m.push('"');
}

fn warning_too_long(origin: Origin, warning_given: bool) -> ConfigError {
    let mut m = String::from("autologoff: ");
    push_name(&mut m, Field::Warning, origin);
    m.push_str(" must be shorter than ");
    push_quoted(&mut m, Field::Timeout, origin);
    if !warning_given {
        m.push_str(" (the default warning is ");
        push_millis(&mut m, DEFAULT_WARNING.ms());
        m.push_str(": set a shorter warning)");
    }
    m.push_str(". Warning at half the timeout instead.");
    ConfigError { field: Some(Field::Warning), message: m }
}

fn unknown_option(key: &str) -> ConfigError {
    let mut m = String::from("autologoff: unknown option `");
    m.extend(key.chars().take(60));
    m.push_str("`; known options are");
    for (i, f) in Field::ALL.iter().enumerate() {
        m.push_str(if i == 0 { " " } else { ", " });
        m.push_str(f.option_name());
    }
    ConfigError { field: None, message: m }
}

/// The WCAG 2.2.1 advice printed for a warning shorter than 20 s (0 included), or `None`.
pub fn wcag_advice(policy: &Policy) -> Option<&'static str> {
    (policy.warning() < WCAG_MIN_WARNING).then_some(
        "autologoff: a warning shorter than 20s does not meet WCAG 2.2.1 (Timing Adjustable), which asks that users get at least 20 seconds to extend a time limit with a simple action; set `warning` to \"20s\" or more",
    )
}
