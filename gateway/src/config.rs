//! The configuration file (TOML), read once at start and validated: a setting that cannot
//! protect is refused with a message naming the field and the fix, never corrected silently.
//! docs/gateway.md lists every field.

use crate::core::settings::{ClientSettings, CookieSettings, Settings, UnknownCookie};
use autologoff_protocol::time::parse_duration;
use autologoff_protocol::{Duration, Policy};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A configuration the gateway refuses to start with.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The field at fault (`session.idle`), or the file.
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`: {}", self.field, self.message)
    }
}

fn bad(field: &str, message: impl Into<String>) -> ConfigError {
    ConfigError { field: field.into(), message: message.into() }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: Option<String>,
    upstream: Option<String>,
    public_origin: Option<String>,
    reserved_path: Option<String>,
    csrf_header: Option<String>,
    session: Option<RawSession>,
    portal: Option<RawPortal>,
    client: Option<RawClient>,
    store: Option<RawStore>,
    audit: Option<RawAudit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSession {
    cookie: Option<String>,
    cookie_path: Option<String>,
    idle: Option<String>,
    absolute: Option<String>,
    unknown_cookie: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPortal {
    sign_in: Option<String>,
    sign_out: Option<String>,
    sign_out_method: Option<String>,
    user_field: Option<String>,
    #[serde(default)]
    passive: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    timeout: Option<String>,
    warning: Option<String>,
    keepalive_interval: Option<String>,
    lang: Option<String>,
    assets: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStore {
    url: Option<String>,
    prefix: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAudit {
    file: Option<String>,
}

/// Where sessions are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreUrl {
    /// In the gateway's memory: one instance.
    Memory,
    /// A `redis://` URL: any number of instances.
    Redis(String),
}

/// The portal behind the gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstream {
    /// `host:port`.
    pub authority: String,
}

/// The whole configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where the gateway listens.
    pub listen: SocketAddr,
    /// The portal.
    pub upstream: Upstream,
    /// How the gateway ends a session at the portal: the method of `portal.sign_out`.
    pub sign_out_method: String,
    /// What the core decides with.
    pub settings: Settings,
    /// The built page script (`autologoff.js`, `autologoff_bg.wasm`).
    pub assets: PathBuf,
    /// The session store.
    pub store: StoreUrl,
    /// The store's key prefix.
    pub store_prefix: String,
    /// The audit trail, JSON lines, appended.
    pub audit_file: PathBuf,
}

fn duration(field: &str, value: Option<&str>, default: Option<&str>) -> Result<Option<Duration>, ConfigError> {
    let Some(text) = value.or(default) else { return Ok(None) };
    parse_duration(text).map(Some).ok_or_else(|| {
        bad(
            field,
            format!("{text:?} is not a duration; write whole ms or a number with ms, s, m, h or d, e.g. \"15m\""),
        )
    })
}

fn path_field(field: &str, value: Option<String>, default: &str) -> Result<String, ConfigError> {
    let path = value.unwrap_or_else(|| default.into());
    if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
        return Err(bad(field, format!("{path:?} is not a path; write it as the portal serves it, e.g. {default:?}")));
    }
    Ok(path)
}

/// Parses and checks a configuration file's text. Relative paths are taken from `base` (the
/// file's folder).
pub fn parse(text: &str, base: &Path) -> Result<Config, ConfigError> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let message = e.message().to_owned();
        let field = message.split('`').nth(1).unwrap_or("the file").to_owned();
        bad(&field, format!("{message} (see docs/gateway.md for every field)"))
    })?;

    let listen_text = raw.listen.unwrap_or_else(|| "127.0.0.1:4180".into());
    let listen = listen_text.parse().map_err(|_| {
        bad("listen", format!("{listen_text:?} is not an address; write ip:port, e.g. \"127.0.0.1:4180\""))
    })?;

    let upstream_text =
        raw.upstream.ok_or_else(|| bad("upstream", "missing: the portal's address, e.g. \"http://127.0.0.1:8080\""))?;
    let authority = match upstream_text.strip_prefix("http://") {
        Some(rest) if !rest.is_empty() && !rest.trim_end_matches('/').contains('/') => rest.trim_end_matches('/'),
        _ if upstream_text.starts_with("https://") => {
            return Err(bad(
                "upstream",
                "https upstreams are not supported: reach the portal over http on a private network or loopback (TLS ends at the load balancer in front of the gateway)",
            ))
        }
        _ => return Err(bad("upstream", format!("{upstream_text:?} is not http://host:port (no path)"))),
    };

    let public_origin = match raw.public_origin {
        Some(o) if o.starts_with("https://") || o.starts_with("http://") => {
            let o = o.trim_end_matches('/').to_owned();
            if o.split_once("://").is_some_and(|(_, rest)| rest.contains('/')) {
                return Err(bad("public_origin", "an origin has no path: write scheme://host[:port]"));
            }
            Some(o)
        }
        Some(o) => {
            return Err(bad("public_origin", format!("{o:?} is not an origin; write e.g. \"https://portal.example\"")))
        }
        None => None,
    };

    let reserved = path_field("reserved_path", raw.reserved_path, "/.autologoff/")?;
    if !reserved.ends_with('/') || reserved == "/" {
        return Err(bad("reserved_path", "must be a folder of its own, ending in '/', e.g. \"/.autologoff/\""));
    }

    let session = raw.session.ok_or_else(|| {
        bad("session", "missing: a [session] table with at least `cookie`, the portal's session cookie")
    })?;
    let cookie_name = session.cookie.ok_or_else(|| {
        bad("session.cookie", "missing: the portal's session cookie name, e.g. \"JSESSIONID\" or \"PHPSESSID\"")
    })?;
    if cookie_name.is_empty()
        || !cookie_name.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
    {
        return Err(bad("session.cookie", format!("{cookie_name:?} is not a cookie name")));
    }
    let cookie_path = path_field("session.cookie_path", session.cookie_path, "/")?;
    let idle = duration("session.idle", session.idle.as_deref(), Some("15m"))?.unwrap_or_default();
    let absolute = duration("session.absolute", session.absolute.as_deref(), Some("12h"))?.unwrap_or_default();
    let policy = Policy::new(idle, absolute).map_err(|e| bad("session.idle", e.message()))?;
    let unknown_cookie = match session.unknown_cookie.as_deref().unwrap_or("refuse") {
        "refuse" => UnknownCookie::Refuse,
        "adopt" => UnknownCookie::Adopt,
        other => {
            return Err(bad(
                "session.unknown_cookie",
                format!("{other:?}: write \"refuse\" (the default) or \"adopt\""),
            ))
        }
    };

    let portal = raw.portal.ok_or_else(|| {
        bad("portal", "missing: a [portal] table with `sign_in` and `sign_out`, the portal's own paths")
    })?;
    let sign_in = path_field("portal.sign_in", portal.sign_in, "/login")?;
    let sign_out = path_field("portal.sign_out", portal.sign_out, "/logout")?;
    let sign_out_method = portal.sign_out_method.unwrap_or_else(|| "POST".into()).to_ascii_uppercase();
    if !matches!(sign_out_method.as_str(), "GET" | "POST") {
        return Err(bad("portal.sign_out_method", "write \"POST\" (the default) or \"GET\""));
    }
    for (i, p) in portal.passive.iter().enumerate() {
        path_field(&format!("portal.passive[{i}]"), Some(p.clone()), "/api/notifications")?;
        if *p == "/" {
            return Err(bad(
                &format!("portal.passive[{i}]"),
                "\"/\" would make every route passive: nothing would ever count as activity; name the polled routes",
            ));
        }
    }

    let client = raw.client.unwrap_or(RawClient {
        timeout: None,
        warning: None,
        keepalive_interval: None,
        lang: None,
        assets: None,
    });
    // A keepalive at most every third of the idle limit (5 min at most): the page's own timeout
    // then ends at least one interval before the server's.
    let default_interval = idle.div(3).min(Duration::from_secs(300));
    let keepalive_interval =
        duration("client.keepalive_interval", client.keepalive_interval.as_deref(), None)?.unwrap_or(default_interval);
    let timeout =
        duration("client.timeout", client.timeout.as_deref(), None)?.unwrap_or(idle.saturating_sub(keepalive_interval));
    if timeout.ms() == 0 || keepalive_interval.ms() == 0 {
        return Err(bad(
            "client.keepalive_interval",
            "the page's timeout and keepalive interval must be more than zero; shorten keepalive_interval",
        ));
    }
    if timeout + keepalive_interval > idle {
        return Err(bad(
            "client.timeout",
            format!(
                "timeout ({} ms) + keepalive_interval ({} ms) is longer than session.idle ({} ms): the server would end sessions the page still shows as live; make timeout at most idle - keepalive_interval",
                timeout.ms(),
                keepalive_interval.ms(),
                idle.ms()
            ),
        ));
    }
    let warning = duration("client.warning", client.warning.as_deref(), None)?
        .unwrap_or(Duration::from_secs(60).min(timeout.div(2)));
    if warning >= timeout {
        return Err(bad("client.warning", "must be shorter than the page's timeout"));
    }
    let lang = client.lang;
    let assets = base.join(client.assets.unwrap_or_else(|| "dist".into()));

    let store = raw.store.unwrap_or(RawStore { url: None, prefix: None });
    let store_url = match store.url.as_deref().unwrap_or("memory") {
        "memory" => StoreUrl::Memory,
        u if u.starts_with("redis://") || u.starts_with("rediss://") || u.starts_with("redis+unix://") => {
            StoreUrl::Redis(u.to_owned())
        }
        other => {
            return Err(bad(
                "store.url",
                format!("{other:?}: write \"memory\" (one instance) or a redis:// URL (several)"),
            ))
        }
    };
    let audit_file = base.join(raw.audit.and_then(|a| a.file).ok_or_else(|| {
        bad(
            "audit.file",
            "missing: the audit trail's file (JSON lines, appended), e.g. \"/var/log/autologoff/audit.jsonl\"",
        )
    })?);

    let secure = public_origin.as_deref().is_some_and(|o| o.starts_with("https://"))
        || cookie_name.starts_with("__Secure-")
        || cookie_name.starts_with("__Host-");
    let settings = Settings {
        policy,
        cookie: CookieSettings { name: cookie_name, path: cookie_path, secure },
        unknown_cookie,
        sign_in,
        sign_out,
        user_field: portal.user_field,
        passive: portal.passive,
        reserved,
        csrf_header: raw.csrf_header.unwrap_or_else(|| "X-CSRF-Token".into()),
        public_origin,
        client: ClientSettings { timeout, warning, keepalive_interval, lang },
    };
    Ok(Config {
        listen,
        upstream: Upstream { authority: authority.to_owned() },
        sign_out_method,
        settings,
        assets,
        store: store_url,
        store_prefix: store.prefix.unwrap_or_else(|| "autologoff:".into()),
        audit_file,
    })
}
