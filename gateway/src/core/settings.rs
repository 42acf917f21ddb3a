//! The settings the core decides with, validated (src/config.rs builds them from the TOML file).

use autologoff_protocol::{Duration, Policy};

/// What to do with a session cookie the gateway never saw issued (the gateway started after the
/// user signed in, or a cookie from a store that was wiped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnknownCookie {
    /// Treat the request as signed out: a navigation goes to the sign-in page, anything else
    /// gets 401, and the cookie is expired. The safe default.
    Refuse,
    /// Start a session for it now, as if the user had just signed in: a fresh creation time, so
    /// it never lives longer than `absolute` from now (for a rollout in front of live sessions).
    Adopt,
}

/// The portal's session cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieSettings {
    /// Its name (`JSESSIONID`, `PHPSESSID`, `ASP.NET_SessionId`, …).
    pub name: String,
    /// The `Path` it is set with, for expiring it.
    pub path: String,
    /// Whether the expiring `Set-Cookie` carries `Secure` (https, or a `__Secure-`/`__Host-` name).
    pub secure: bool,
}

/// The page script's settings, rendered into every page of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientSettings {
    /// The page's idle timeout: at most `idle` − `keepalive_interval`, so the page logs off
    /// before the server's limit.
    pub timeout: Duration,
    /// How long before the timeout the warning shows.
    pub warning: Duration,
    /// At most one keepalive per interval while the user is active.
    pub keepalive_interval: Duration,
    /// The language of the built-in text (`en`, `es`), if set.
    pub lang: Option<String>,
}

/// Everything the core decides with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The limits.
    pub policy: Policy,
    /// The portal's session cookie.
    pub cookie: CookieSettings,
    /// What to do with a cookie never seen issued.
    pub unknown_cookie: UnknownCookie,
    /// The portal's sign-in path: a response there that sets the cookie starts a session.
    pub sign_in: String,
    /// The portal's sign-out path: a request there ends the session; the gateway calls it too.
    pub sign_out: String,
    /// The sign-in form's field that names the user, for the audit trail.
    pub user_field: Option<String>,
    /// Path prefixes of passive routes (polls, notifications): never activity.
    pub passive: Vec<String>,
    /// Where the gateway's own endpoints and the page script live, e.g. `/.autologoff/`.
    pub reserved: String,
    /// The header the page sends its CSRF token in.
    pub csrf_header: String,
    /// The portal's public origin (`https://portal.example`), if configured; else the `Host`
    /// header stands for it.
    pub public_origin: Option<String>,
    /// The page script's settings.
    pub client: ClientSettings,
}

impl Settings {
    /// The URL of the gateway's endpoint or asset `name` (`keepalive`, `autologoff.js`, …).
    pub fn reserved_url(&self, name: &str) -> String {
        let mut url = self.reserved.clone();
        url.push_str(name);
        url
    }

    /// Where an ended session's navigation goes: the sign-in page with the reason.
    pub fn sign_in_url(&self, timed_out: bool) -> String {
        let sep = if self.sign_in.contains('?') { '&' } else { '?' };
        format!("{}{sep}reason={}", self.sign_in, if timed_out { "timeout" } else { "signed-out" })
    }

    /// A `Set-Cookie` value that expires the portal's session cookie.
    pub fn expire_cookie(&self) -> String {
        let c = &self.cookie;
        format!(
            "{}=; Path={}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax{}",
            c.name,
            c.path,
            if c.secure { "; Secure" } else { "" }
        )
    }

    /// Whether `path` is under a passive route.
    pub fn is_passive(&self, path: &str) -> bool {
        self.passive.iter().any(|p| under(path, p))
    }
}

/// Whether `path` is `prefix` or below it (`/api/poll` is under `/api/poll` and `/api/`, not
/// under `/api/p`).
pub fn under(path: &str, prefix: &str) -> bool {
    match path.strip_prefix(prefix) {
        Some(rest) => prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'),
        None => false,
    }
}
