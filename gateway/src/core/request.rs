//! What the core needs to know of a request, and which route it is.

use super::settings::{under, Settings};
use autologoff_protocol::RequestKind;

/// The facts of one request, read from its headers by the adapter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestFacts {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query, without `?`.
    pub query: Option<String>,
    /// `Host`.
    pub host: Option<String>,
    /// `Origin`.
    pub origin: Option<String>,
    /// `Sec-Fetch-Site`.
    pub sec_fetch_site: Option<String>,
    /// `Sec-Fetch-Mode`.
    pub sec_fetch_mode: Option<String>,
    /// Whether `Accept` names `text/html`.
    pub accepts_html: bool,
    /// Whether `Accept` names JSON (`application/json`, or a `+json` type).
    pub accepts_json: bool,
    /// The value of the portal's session cookie, if the request carries it.
    pub cookie: Option<String>,
    /// The CSRF header's value.
    pub csrf: Option<String>,
    /// `Content-Type`.
    pub content_type: Option<String>,
}

/// Why a form body was refused: (status, error word, detail).
pub type FormError = (u16, &'static str, String);

/// The most a keepalive or logout body may have (docs/protocol.md 3.1: 413 past it).
pub const FORM_LIMIT: usize = 8 * 1024;

/// Decodes the form body of a keepalive or logout strictly: `application/x-www-form-urlencoded`
/// (or no type with an empty body), valid `%` escapes, UTF-8, and a `session` field, if any,
/// of the form a public id (or its hash) has. A malformed request gets 400 naming what is wrong
/// (`bad-body`, `bad-field`), never a guess.
pub fn parse_form(facts: &RequestFacts, body: &[u8]) -> Result<Vec<(String, String)>, FormError> {
    let form_type = facts
        .content_type
        .as_deref()
        .map(|ct| ct.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    let bad = |what: &str| (400, "bad-body", format!("the body is not a valid form: {what}"));
    if form_type == Some(false) || (form_type.is_none() && !body.is_empty()) {
        return Err(bad("send the fields as application/x-www-form-urlencoded (keepalive=1&session=…)"));
    }
    let text = std::str::from_utf8(body).map_err(|_| bad("not UTF-8"))?;
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return Err(bad("a % escape is broken"));
        }
    }
    let mut form = Vec::new();
    for (k, v) in form_urlencoded::parse(bytes) {
        if k.contains('\u{fffd}') || v.contains('\u{fffd}') {
            return Err(bad("an escape does not decode to UTF-8"));
        }
        form.push((k.into_owned(), v.into_owned()));
    }
    if let Some((_, id)) = form.iter().find(|(k, _)| k == "session") {
        check_session_field(id)?;
    }
    Ok(form)
}

/// A `session` field or query parameter must have the form of a public id or of its hash.
pub fn check_session_field(id: &str) -> Result<(), FormError> {
    if autologoff_protocol::identity::valid_public_id(id) || valid_hash(id) {
        Ok(())
    } else {
        Err((
            400,
            "bad-field",
            "`session` must be the public id the page was rendered with (1 to 64 of [0-9A-Za-z_-])".into(),
        ))
    }
}

/// Whether `id` has the form of a public-id hash (1 to 13 of `[0-9a-z]`).
fn valid_hash(id: &str) -> bool {
    (1..=13).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// One of the gateway's own endpoints (docs/protocol.md section 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST keepalive`.
    Keepalive,
    /// `GET status`.
    Status,
    /// `POST logout`.
    Logout,
    /// `POST audit`.
    Audit,
}

/// What a request is to the gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// One of the protocol's endpoints under the reserved path.
    Endpoint(Endpoint),
    /// The page script or its module, under the reserved path.
    Asset(String),
    /// Anything else under the reserved path: 404, never the portal.
    ReservedUnknown,
    /// The portal's sign-in path.
    SignIn(RequestKind),
    /// The portal's sign-out path.
    SignOut(RequestKind),
    /// Any other route of the portal.
    App(RequestKind),
}

impl RequestFacts {
    /// Which route this is.
    pub fn route(&self, s: &Settings) -> Route {
        if let Some(name) = self.path.strip_prefix(&s.reserved) {
            return match name {
                "keepalive" => Route::Endpoint(Endpoint::Keepalive),
                "status" => Route::Endpoint(Endpoint::Status),
                "logout" => Route::Endpoint(Endpoint::Logout),
                "audit" => Route::Endpoint(Endpoint::Audit),
                "autologoff.js" | "autologoff_bg.wasm" => Route::Asset(name.to_owned()),
                _ => Route::ReservedUnknown,
            };
        }
        let kind = self.kind(s);
        if under(&self.path, &s.sign_in) {
            Route::SignIn(kind)
        } else if under(&self.path, &s.sign_out) {
            Route::SignOut(kind)
        } else {
            Route::App(kind)
        }
    }

    /// Whether this is activity (docs/protocol.md 4.3): a navigation to a route that is not
    /// passive; background requests and passive routes never are.
    fn kind(&self, s: &Settings) -> RequestKind {
        if s.is_passive(&self.path) {
            return RequestKind::Passive;
        }
        let navigation = match self.sec_fetch_mode.as_deref() {
            Some(mode) => mode == "navigate",
            // An old browser or a script without Fetch Metadata: a GET that asks for HTML.
            None => self.method == "GET" && self.accepts_html,
        };
        if navigation {
            RequestKind::Navigation
        } else {
            RequestKind::Background
        }
    }

    /// Whether an answer to this request should be a redirect to the sign-in page rather than a
    /// 401 (docs/protocol.md 5): yes unless it is known to come from a script: a
    /// `Sec-Fetch-Mode` other than `navigate`, a method other than GET or HEAD, or an `Accept`
    /// that names JSON and not HTML.
    pub fn wants_page(&self) -> bool {
        match self.sec_fetch_mode.as_deref() {
            Some(mode) => mode == "navigate",
            None => matches!(self.method.as_str(), "GET" | "HEAD") && (self.accepts_html || !self.accepts_json),
        }
    }

    /// The value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<String> {
        let q = self.query.as_deref()?;
        form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }
}
