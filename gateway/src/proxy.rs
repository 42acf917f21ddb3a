//! The HTTP adapter: reads a request into facts, loads its session, asks the core, performs the
//! plan (store writes, the portal's sign-out, audit lines), then answers or forwards to the
//! portal and passes the portal's answer through the core on its way back.
//!
//! It decides nothing itself: every rule is in `crate::core`.

use crate::audit_sink::AuditSink;
use crate::config::Config;
use crate::core::answer::{Answer, Body as AnswerBody};
use crate::core::plan::{Effect, Outcome, Plan, ResponsePlan};
use crate::core::request::{parse_form, Endpoint, RequestFacts, Route, FORM_LIMIT};
use crate::core::rules::{self, Form, Fresh, ResponseFacts, SetCookie};
use crate::core::session::{Entry, Found, SessionKey};
use crate::core::settings::Settings;
use crate::inject::{rewrite_whole, Injector};
use crate::store::{Store, StoreError};
use autologoff_protocol::identity::valid_public_id;
use autologoff_protocol::Moment;
use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full, Limited};
use hyper::body::{Body, Frame, Incoming};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

/// Any error a body may carry.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// The body of every answer and forwarded request.
pub type ProxyBody = UnsyncBoxBody<Bytes, BoxError>;
/// Where the gateway reads the time.
pub type Clock = Arc<dyn Fn() -> Moment + Send + Sync>;

/// The most the gateway reads of a request body it must look into (endpoints, the sign-in form).
const BODY_LIMIT: usize = autologoff_protocol::audit::MAX_BATCH_BYTES;

/// The largest page rewritten whole rather than streamed.
const WHOLE_PAGE: usize = 256 * 1024;

/// The built page script, served under the reserved path.
pub struct Assets {
    /// `autologoff.js`.
    pub js: Bytes,
    /// `autologoff_bg.wasm`.
    pub wasm: Bytes,
}

/// One gateway instance.
pub struct Gateway<S: Store> {
    /// The configuration.
    pub config: Config,
    /// The session store.
    pub store: S,
    /// The audit trail.
    pub audit: AuditSink,
    /// The page script.
    pub assets: Assets,
    /// The time.
    pub clock: Clock,
    client: Client<HttpConnector, ProxyBody>,
}

fn full(bytes: impl Into<Bytes>) -> ProxyBody {
    Full::new(bytes.into()).map_err(|never| match never {}).boxed_unsync()
}

fn empty() -> ProxyBody {
    Empty::new().map_err(|never| match never {}).boxed_unsync()
}

/// The gateway's own answer as an HTTP response.
pub fn respond(answer: Answer) -> Response<ProxyBody> {
    let (content_type, body) = match answer.body {
        AnswerBody::Empty => (None, empty()),
        AnswerBody::Json(s) => (Some("application/json; charset=utf-8"), full(s)),
        AnswerBody::Html(s) => (Some("text/html; charset=utf-8"), full(s)),
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(ct) = content_type {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    for (name, value) in answer.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.append(HeaderName::from_static(name), v);
        }
    }
    response
}

/// The store cannot answer: fail closed, a page for a navigation, JSON for anything else.
fn store_down(e: &StoreError, page: bool) -> Response<ProxyBody> {
    eprintln!("autologoff-gateway: failing closed (503): {e}");
    respond(if page {
        Answer::page(
            503,
            "Temporarily unavailable",
            "The session service cannot be reached, so this page cannot be shown safely. Please try again in a minute.",
        )
    } else {
        Answer::error(503, "store-unavailable", "the session store cannot be reached; nothing changed, try again")
    })
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The value of cookie `name` in a `Cookie` header set.
fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

/// The request's facts, as the core reads them.
pub fn facts_of<B>(s: &Settings, req: &Request<B>) -> RequestFacts {
    let h = req.headers();
    let own = |name: &str| header_str(h, name).map(str::to_owned);
    RequestFacts {
        method: req.method().as_str().to_owned(),
        path: req.uri().path().to_owned(),
        query: req.uri().query().map(str::to_owned),
        host: own("host").or_else(|| req.uri().authority().map(|a| a.to_string())),
        origin: own("origin"),
        sec_fetch_site: own("sec-fetch-site"),
        sec_fetch_mode: own("sec-fetch-mode"),
        accepts_html: header_str(h, "accept").is_some_and(|a| a.contains("text/html")),
        accepts_json: header_str(h, "accept").is_some_and(|a| a.contains("json")),
        cookie: cookie_value(h, &s.cookie.name),
        csrf: own(&s.csrf_header.to_ascii_lowercase()),
        content_type: own("content-type"),
    }
}

/// What a `Set-Cookie` header set does to cookie `name`.
pub fn set_cookie_of(headers: &HeaderMap, name: &str) -> SetCookie {
    let mut outcome = SetCookie::Absent;
    for v in headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
        let mut parts = v.split(';');
        let Some((k, value)) = parts.next().and_then(|p| p.trim().split_once('=')) else { continue };
        if k.trim() != name {
            continue;
        }
        let value = value.trim().trim_matches('"');
        let expired = parts.any(|a| {
            let a = a.trim().to_ascii_lowercase();
            a.strip_prefix("max-age=").is_some_and(|n| n.trim().starts_with('-') || n.trim() == "0")
                || a.strip_prefix("expires=").is_some_and(|d| d.contains("1970"))
        });
        outcome = if value.is_empty() || expired { SetCookie::Cleared } else { SetCookie::Value(value.to_owned()) };
    }
    outcome
}

/// Random ids for a new session: a public id of 16 of `[0-9a-z]` (82 bits) and a CSRF token of
/// 48 hex digits (192 bits), from the operating system's generator.
pub fn fresh_ids() -> Fresh {
    let mut bytes = [0u8; 40];
    // Without randomness no session may start; the OS generator failing is not recoverable.
    if getrandom::fill(&mut bytes).is_err() {
        panic!("autologoff-gateway: the operating system's random generator failed");
    }
    let (pid, csrf) = bytes.split_at(16);
    let public_id =
        pid.iter().map(|b| char::from(b"0123456789abcdefghijklmnopqrstuvwxyz"[usize::from(b % 36)])).collect();
    let csrf = csrf.iter().map(|b| format!("{b:02x}")).collect();
    Fresh { public_id, csrf }
}

const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "proxy-authorization",
];

fn drop_hop_by_hop(headers: &mut HeaderMap) {
    // Headers named by `Connection` are hop-by-hop too (RFC 9110 7.6.1).
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

/// The `Cookie` header without cookie `name`.
fn without_cookie(headers: &mut HeaderMap, name: &str) {
    let rest: Vec<String> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|pair| pair.split_once('=').is_none_or(|(k, _)| k != name) && !pair.is_empty())
        .map(str::to_owned)
        .collect();
    headers.remove(header::COOKIE);
    if let Ok(v) = HeaderValue::from_str(&rest.join("; ")) {
        if !rest.is_empty() {
            headers.insert(header::COOKIE, v);
        }
    }
}

/// What performing a plan's effects found.
struct Performed {
    /// A touch found the session no longer live (another request or instance ended it).
    touch_missed: bool,
    /// A create found something already stored under its key.
    create_refused: bool,
}

impl<S: Store> Gateway<S> {
    /// A gateway for `config` over `store`.
    pub fn new(config: Config, store: S, audit: AuditSink, assets: Assets, clock: Clock) -> Gateway<S> {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(std::time::Duration::from_secs(5)));
        let client = Client::builder(hyper_util::rt::TokioExecutor::new())
            .pool_idle_timeout(std::time::Duration::from_secs(30))
            .build(connector);
        Gateway { config, store, audit, assets, clock, client }
    }

    fn settings(&self) -> &Settings {
        &self.config.settings
    }

    /// Answers one request.
    pub async fn handle(self: Arc<Self>, req: Request<Incoming>, peer: SocketAddr) -> Response<ProxyBody> {
        let facts = facts_of(self.settings(), &req);
        match facts.route(self.settings()) {
            Route::Asset(name) => self.asset(&name),
            Route::ReservedUnknown => respond(Answer::error(404, "not-found", "no such autologoff endpoint")),
            Route::Endpoint(e) => self.endpoint(e, facts, req).await,
            route => self.portal(route, facts, req, peer).await,
        }
    }

    fn asset(&self, name: &str) -> Response<ProxyBody> {
        let (bytes, ct) = match name {
            "autologoff.js" => (self.assets.js.clone(), "text/javascript; charset=utf-8"),
            _ => (self.assets.wasm.clone(), "application/wasm"),
        };
        let mut r = Response::new(full(bytes));
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        // The script changes with the gateway's version: revalidate, never serve it stale.
        r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        r
    }

    /// Performs a plan's effects in order. `cookies`: the request's `Cookie` header, for the
    /// portal's sign-out.
    async fn perform(&self, effects: Vec<Effect>, cookies: Option<&HeaderValue>) -> Result<Performed, StoreError> {
        let mut done = Performed { touch_missed: false, create_refused: false };
        let now = (self.clock)();
        for effect in effects {
            match effect {
                Effect::Create { key, record, ttl } => {
                    done.create_refused |= !self.store.create(&key, &record, ttl).await?;
                }
                Effect::Touch { key, at, ttl } => done.touch_missed |= !self.store.touch(&key, at, ttl).await?,
                Effect::End { key, tombstone, ttl } => {
                    self.store.end(&key, &tombstone, ttl).await?;
                }
                Effect::SignOutAtPortal => self.sign_out_at_portal(cookies).await,
                Effect::Audit(event) => self.audit.write(rules::audit_line(now, &event)),
            }
        }
        Ok(done)
    }

    /// Ends the session at the portal: its sign-out, with the browser's cookies, bounded in
    /// time. A failure is logged; the gateway refuses the cookie from now on anyway.
    async fn sign_out_at_portal(&self, cookies: Option<&HeaderValue>) {
        let s = self.settings();
        let uri = format!("http://{}{}", self.config.upstream.authority, s.sign_out);
        let mut req = Request::builder().method(self.config.sign_out_method.as_str()).uri(uri);
        if let Some(c) = cookies {
            req = req.header(header::COOKIE, c.clone());
        }
        let Ok(req) = req.header(header::CONTENT_LENGTH, "0").body(empty()) else { return };
        match tokio::time::timeout(std::time::Duration::from_secs(3), self.client.request(req)).await {
            Ok(Ok(r)) if r.status().as_u16() < 500 => {}
            Ok(Ok(r)) => eprintln!("autologoff-gateway: the portal's sign-out answered {}", r.status()),
            Ok(Err(e)) => eprintln!("autologoff-gateway: the portal's sign-out failed: {e}"),
            Err(_) => eprintln!("autologoff-gateway: the portal's sign-out took more than 3 s"),
        }
    }

    async fn load(&self, facts: &RequestFacts) -> Result<Option<(SessionKey, Option<Entry>)>, StoreError> {
        match facts.cookie.as_deref() {
            Some(c) => {
                let key = SessionKey::of_cookie(c);
                Ok(Some((key, self.store.load(&key).await?)))
            }
            None => Ok(None),
        }
    }

    async fn endpoint(&self, endpoint: Endpoint, facts: RequestFacts, req: Request<Incoming>) -> Response<ProxyBody> {
        let method_ok = match endpoint {
            Endpoint::Status => matches!(facts.method.as_str(), "GET" | "HEAD"),
            _ => facts.method == "POST",
        };
        if !method_ok {
            let allowed = if endpoint == Endpoint::Status { "GET" } else { "POST" };
            return respond(
                Answer::error(405, "method-not-allowed", &format!("this endpoint answers {allowed} only"))
                    .with("allow", allowed.into()),
            );
        }
        let cookies = req.headers().get(header::COOKIE).cloned();
        let limit = if endpoint == Endpoint::Audit { BODY_LIMIT } else { FORM_LIMIT };
        let body = match Limited::new(req.into_body(), limit).collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => return respond(Answer::json(413, serde_json::json!({ "error": "too-large", "limit": limit }))),
        };
        let now = (self.clock)();
        let s = self.settings();
        let loaded = match self.load(&facts).await {
            Ok(l) => l,
            // Audit events are kept even then, with no user and no session (protocol 6).
            Err(e) if endpoint == Endpoint::Audit => {
                eprintln!("autologoff-gateway: audit events kept without their session: {e}");
                None
            }
            Err(e) => return store_down(&e, false),
        };
        let cookie = loaded.as_ref().map(|(k, e)| (*k, e.as_ref()));
        let form: Form = match endpoint {
            Endpoint::Keepalive | Endpoint::Logout => match parse_form(&facts, &body) {
                Ok(f) => f,
                Err((status, error, detail)) => return respond(Answer::error(status, error, &detail)),
            },
            Endpoint::Status | Endpoint::Audit => Vec::new(),
        };
        let plan = match endpoint {
            Endpoint::Keepalive | Endpoint::Status => {
                rules::keepalive_or_status(s, now, &facts, endpoint, &form, cookie)
            }
            Endpoint::Logout => {
                let named = match form.iter().find(|(k, _)| k == "session") {
                    Some((_, id)) if valid_public_id(id) => match self.store.find(id).await {
                        Ok(found) => found,
                        Err(e) => return store_down(&e, false),
                    },
                    _ => None::<Found>,
                };
                rules::logout(s, &facts, &form, cookie, named.as_ref())
            }
            Endpoint::Audit => rules::audit_batch(s, &facts, &body, cookie.and_then(|(_, e)| e)),
        };
        let Plan { effects, outcome } = plan;
        if let Err(e) = self.perform(effects, cookies.as_ref()).await {
            return store_down(&e, false);
        }
        match outcome {
            Outcome::Answer(a) => respond(a),
            Outcome::Forward(_) => respond(Answer::error(404, "not-found", "no such autologoff endpoint")),
        }
    }

    async fn portal(
        &self,
        route: Route,
        facts: RequestFacts,
        req: Request<Incoming>,
        peer: SocketAddr,
    ) -> Response<ProxyBody> {
        let s = self.settings();
        let cookies = req.headers().get(header::COOKIE).cloned();
        // At most twice: a touch that finds the session ended meanwhile (another request or
        // instance ended it) judges the request again with what the store now holds.
        let mut attempt = 0;
        let forward = loop {
            attempt += 1;
            let loaded = match self.load(&facts).await {
                Ok(l) => l,
                Err(e) => return store_down(&e, facts.wants_page()),
            };
            let found = loaded.as_ref().and_then(|(_, e)| e.as_ref());
            let plan = rules::portal_request(s, (self.clock)(), &facts, &route, found, fresh_ids);
            let performed = match self.perform(plan.effects, cookies.as_ref()).await {
                Ok(p) => p,
                Err(e) => return store_down(&e, facts.wants_page()),
            };
            if (performed.touch_missed || performed.create_refused) && attempt < 2 {
                continue;
            }
            match plan.outcome {
                Outcome::Answer(a) => return respond(a),
                Outcome::Forward(f) => break f,
            }
        };

        let (mut parts, body) = req.into_parts();
        // The sign-in form names the user for the audit trail; only then is a body read here.
        let mut user = None;
        let body: ProxyBody = match (&route, &s.user_field) {
            (Route::SignIn(_), Some(field)) if parts.method == hyper::Method::POST => {
                match Limited::new(body, BODY_LIMIT).collect().await {
                    Ok(b) => {
                        let bytes = b.to_bytes();
                        user = form_urlencoded::parse(&bytes)
                            .find(|(k, _)| k == field.as_str())
                            .map(|(_, v)| v.chars().take(200).collect());
                        full(bytes)
                    }
                    Err(_) => {
                        return respond(Answer::error(413, "too-large", "the sign-in form is larger than 64 KiB"))
                    }
                }
            }
            _ => body.map_err(BoxError::from).boxed_unsync(),
        };

        let headers = &mut parts.headers;
        drop_hop_by_hop(headers);
        if forward.strip_cookie {
            without_cookie(headers, &s.cookie.name);
        }
        // Pages come uncompressed, so the script tag can go in as they stream.
        if facts.accepts_html {
            headers.remove(header::ACCEPT_ENCODING);
        }
        let forwarded_for = match header_str(headers, "x-forwarded-for") {
            Some(prior) => format!("{prior}, {}", peer.ip()),
            None => peer.ip().to_string(),
        };
        if let Ok(v) = HeaderValue::from_str(&forwarded_for) {
            headers.insert("x-forwarded-for", v);
        }
        if !headers.contains_key("x-forwarded-proto") {
            let https = s.public_origin.as_deref().is_some_and(|o| o.starts_with("https://"));
            headers.insert("x-forwarded-proto", HeaderValue::from_static(if https { "https" } else { "http" }));
        }
        if let Some(host) = facts.host.as_deref().and_then(|h| HeaderValue::from_str(h).ok()) {
            headers.insert("x-forwarded-host", host);
        }
        let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        parts.uri = match format!("http://{}{}", self.config.upstream.authority, path_and_query).parse() {
            Ok(u) => u,
            Err(_) => return respond(Answer::error(400, "bad-request", "the request's path is not valid")),
        };
        let upstream = match self.client.request(Request::from_parts(parts, body)).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("autologoff-gateway: the portal at {} did not answer: {e}", self.config.upstream.authority);
                return respond(Answer::page(
                    502,
                    "The portal is not answering",
                    "The application behind this address did not answer. Nothing was shown from a cache. Please try again in a few minutes; if it goes on, tell your help desk.",
                ));
            }
        };

        let (mut parts, body) = upstream.into_parts();
        let html = header_str(&parts.headers, "content-type").is_some_and(|ct| ct.starts_with("text/html"));
        let resp = ResponseFacts {
            status: parts.status.as_u16(),
            set_cookie: set_cookie_of(&parts.headers, &s.cookie.name),
            html,
        };
        let now = (self.clock)();
        let ResponsePlan { effects, inject, no_store } =
            rules::portal_response(s, now, &route, forward.session.as_ref(), &resp, user, fresh_ids);
        match self.perform(effects, cookies.as_ref()).await {
            Ok(p) if p.create_refused => {
                eprintln!("autologoff-gateway: a sign-in set a cookie the store already holds; refused");
                return respond(Answer::page(
                    503,
                    "Please sign in again",
                    "This sign-in could not be recorded. Please sign in again.",
                ));
            }
            Ok(_) => {}
            Err(e) => return store_down(&e, facts.wants_page()),
        }

        let headers = &mut parts.headers;
        drop_hop_by_hop(headers);
        if no_store {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.remove(header::EXPIRES);
            headers.remove(header::ETAG);
            headers.remove(header::LAST_MODIFIED);
        }
        if forward.expire_cookie && resp.set_cookie == SetCookie::Absent {
            if let Ok(v) = HeaderValue::from_str(&s.expire_cookie()) {
                headers.append(header::SET_COOKIE, v);
            }
        }
        let length = header_str(headers, "content-length").and_then(|l| l.parse::<usize>().ok());
        let body: ProxyBody = match inject {
            // A page of known, modest size is rewritten whole: one write, a Content-Length.
            Some(tag) if !headers.contains_key(header::CONTENT_ENCODING) && length.is_some_and(|l| l <= WHOLE_PAGE) => {
                let page = match Limited::new(body, WHOLE_PAGE).collect().await {
                    Ok(b) => b.to_bytes(),
                    Err(e) => {
                        eprintln!("autologoff-gateway: the portal's page broke off: {e}");
                        return respond(Answer::page(
                            502,
                            "The portal is not answering",
                            "The page did not arrive whole. Please try again.",
                        ));
                    }
                };
                match rewrite_whole(&page, tag) {
                    Ok(out) => {
                        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(out.len()));
                        full(out)
                    }
                    Err(e) => {
                        eprintln!(
                            "autologoff-gateway: a page could not be rewritten ({e}); sent without the script tag"
                        );
                        full(page)
                    }
                }
            }
            Some(tag) if !headers.contains_key(header::CONTENT_ENCODING) => {
                headers.remove(header::CONTENT_LENGTH);
                Injected { inner: body, injector: Some(Injector::new(tag)) }.boxed_unsync()
            }
            Some(_) => {
                eprintln!("autologoff-gateway: a page came compressed; the script tag was not added (the session limits still hold)");
                body.map_err(BoxError::from).boxed_unsync()
            }
            None => body.map_err(BoxError::from).boxed_unsync(),
        };
        Response::from_parts(parts, body)
    }
}

/// The portal's page with the script tag added as it streams.
struct Injected {
    inner: Incoming,
    injector: Option<Injector>,
}

impl Body for Injected {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        loop {
            match ready!(Pin::new(&mut self.inner).poll_frame(cx)) {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => {
                        let Some(injector) = self.injector.as_mut() else {
                            return Poll::Ready(Some(Ok(Frame::data(data))));
                        };
                        match injector.write(&data) {
                            Ok(out) if out.is_empty() => continue,
                            Ok(out) => return Poll::Ready(Some(Ok(Frame::data(out)))),
                            Err(e) => return Poll::Ready(Some(Err(e.into()))),
                        }
                    }
                    Err(trailers) => return Poll::Ready(Some(Ok(trailers))),
                },
                Some(Err(e)) => return Poll::Ready(Some(Err(e.into()))),
                None => {
                    return match self.injector.take().map(Injector::end) {
                        Some(Ok(rest)) if !rest.is_empty() => Poll::Ready(Some(Ok(Frame::data(rest)))),
                        Some(Err(e)) => Poll::Ready(Some(Err(e.into()))),
                        _ => Poll::Ready(None),
                    }
                }
            }
        }
    }
}
