//! The rules of docs/protocol.md, one function per kind of request.
//!
//! Each takes the settings, `now`, the request's facts and what the store holds for it, and
//! returns a [`Plan`]. Random values (a new session's public id and CSRF token) come from the
//! caller through `fresh`, so tests choose them too.

use super::answer::{Answer, CLEAR_SITE_DATA};
use super::origin;
use super::plan::{AuditEvent, Effect, Forward, LiveSession, Outcome, Plan, ResponsePlan};
use super::request::{check_session_field, Endpoint, RequestFacts, Route};
use super::session::{Entry, Found, Record, SessionKey, Tombstone};
use super::settings::{Settings, UnknownCookie};
use autologoff_protocol::audit::{self, envelope};
use autologoff_protocol::identity::public_id_hash;
use autologoff_protocol::{judge, Duration, Ended, Moment, Reason, RequestKind, Verdict};
use serde_json::{json, Value};

/// The random values a new session needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fresh {
    /// Its public id.
    pub public_id: String,
    /// Its CSRF token.
    pub csrf: String,
}

/// A form body or query, decoded.
pub type Form = Vec<(String, String)>;

fn field<'a>(form: &'a Form, name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// How long a tombstone is kept: a whole `absolute` from its end, which is at least to the
/// session's original absolute deadline (it ends after it was created).
fn tombstone_ttl(s: &Settings) -> Duration {
    s.policy.absolute()
}

/// The store's expiry for a live session: one `absolute` past its absolute deadline. Not the
/// deadline itself (docs/protocol.md 4.5 allows either as a backstop): a record that vanished
/// exactly at the deadline would make the next request's cookie unknown instead of expired, so
/// the session would not be ended at the portal, and `unknown_cookie = "adopt"` would give it a
/// new life. The decision is always the judge's, never the expiry's.
fn live_ttl(s: &Settings, now: Moment, record: &Record) -> Duration {
    now.until(record.created + s.policy.absolute()) + s.policy.absolute()
}

fn server_event(user: Option<&str>, session: Option<&str>, event: Value) -> Effect {
    Effect::Audit(AuditEvent {
        client: false,
        user: user.map(str::to_owned),
        session: session.map(str::to_owned),
        event,
    })
}

/// The effects of ending a live session now: its tombstone, the audit event, and the portal's
/// own sign-out when the request carries the cookie (`at_portal`).
fn end_effects(
    s: &Settings,
    key: SessionKey,
    record: &Record,
    reason: Ended,
    event: Value,
    at_portal: bool,
) -> Vec<Effect> {
    let tombstone = Tombstone { reason, public_id: record.public_id.clone(), user: record.user.clone() };
    let mut effects = vec![Effect::End { key, tombstone, ttl: tombstone_ttl(s) }];
    effects.push(server_event(record.user.as_deref(), Some(&record.public_id), event));
    if at_portal {
        effects.push(Effect::SignOutAtPortal);
    }
    effects
}

/// The answer for a request of an ended (or unknown) session on an application route
/// (docs/protocol.md section 5): the sign-in page is still served, without the cookie; a
/// navigation is sent to it; anything else gets 401. The cookie is expired, and for a session
/// that ended (not a cookie never known) the browser is told to clear the origin's data too
/// (`Clear-Site-Data`): the page that would have cleared it may be long gone.
fn ended_outcome(s: &Settings, req: &RequestFacts, route: &Route, reason: Ended) -> Outcome {
    if matches!(route, Route::SignIn(_)) {
        return Outcome::Forward(Forward { strip_cookie: true, expire_cookie: true, session: None });
    }
    let answer = if req.wants_page() {
        Answer::see_other(s.sign_in_url(reason.timed_out()))
    } else {
        Answer::session_ended(reason)
    };
    let answer = answer.with("set-cookie", s.expire_cookie());
    Outcome::Answer(if reason == Ended::Unknown {
        answer
    } else {
        answer.with("clear-site-data", CLEAR_SITE_DATA.into())
    })
}

/// A request to a portal route (protocol section 4). `found` is what the store holds for the
/// request's cookie (`None`: nothing, or no cookie).
pub fn portal_request(
    s: &Settings,
    now: Moment,
    req: &RequestFacts,
    route: &Route,
    found: Option<&Entry>,
    fresh: impl FnOnce() -> Fresh,
) -> Plan {
    let kind = match route {
        Route::SignIn(k) | Route::SignOut(k) | Route::App(k) => *k,
        _ => RequestKind::Background,
    };
    let Some(cookie) = req.cookie.as_deref() else {
        return Plan { effects: Vec::new(), outcome: Outcome::Forward(Forward::default()) };
    };
    let key = SessionKey::of_cookie(cookie);
    match found {
        Some(Entry::Live(record)) => match judge(now, record.created, record.last_active, s.policy, kind) {
            Verdict::Live { touch, .. } => {
                let mut record = record.clone();
                let mut effects = Vec::new();
                if touch {
                    record.last_active = now;
                    effects.push(Effect::Touch { key, at: now, ttl: live_ttl(s, now, &record) });
                }
                let session = Some(LiveSession { key, record });
                Plan { effects, outcome: Outcome::Forward(Forward { session, ..Forward::default() }) }
            }
            Verdict::Ended(reason) => {
                let event = json!({ "type": "expired", "reason": reason.as_str() });
                let effects = end_effects(s, key, record, reason, event, true);
                Plan { effects, outcome: ended_outcome(s, req, route, reason) }
            }
        },
        Some(Entry::Ended(t)) => Plan { effects: Vec::new(), outcome: ended_outcome(s, req, route, t.reason) },
        None => match s.unknown_cookie {
            // The sign-in page is where a cookie the gateway never saw is most often harmless
            // (an anonymous session from before sign-in); it goes on without it either way.
            UnknownCookie::Refuse => Plan::answer_or(ended_outcome(s, req, route, Ended::Unknown)),
            UnknownCookie::Adopt if matches!(route, Route::SignIn(_)) => {
                Plan::answer_or(ended_outcome(s, req, route, Ended::Unknown))
            }
            UnknownCookie::Adopt => {
                let Fresh { public_id, csrf } = fresh();
                let record = Record { public_id, csrf, user: None, created: now, last_active: now };
                let event = json!({ "type": "session-created", "adopted": true });
                let effects = vec![
                    Effect::Create { key, record: record.clone(), ttl: live_ttl(s, now, &record) },
                    server_event(None, Some(&record.public_id), event),
                ];
                let session = Some(LiveSession { key, record });
                Plan { effects, outcome: Outcome::Forward(Forward { session, ..Forward::default() }) }
            }
        },
    }
}

impl Plan {
    fn answer_or(outcome: Outcome) -> Plan {
        Plan { effects: Vec::new(), outcome }
    }
}

/// What the portal's answer says about the session cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetCookie {
    /// It does not set the cookie.
    Absent,
    /// It sets the cookie to this value.
    Value(String),
    /// It clears the cookie (empty value, `Max-Age=0` or an expiry in the past).
    Cleared,
}

/// The facts of the portal's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseFacts {
    /// Its status.
    pub status: u16,
    /// What it does to the session cookie.
    pub set_cookie: SetCookie,
    /// Whether it is an HTML page.
    pub html: bool,
}

/// The portal answered a forwarded request (`session`: the live session it was forwarded
/// with; `user`: the sign-in form's user field). Learns a session when the sign-in answer sets
/// the cookie, follows a cookie the portal renews, ends the session when the portal clears the
/// cookie or answers its sign-out, and puts the script tag into HTML of a live session.
pub fn portal_response(
    s: &Settings,
    now: Moment,
    route: &Route,
    session: Option<&LiveSession>,
    resp: &ResponseFacts,
    user: Option<String>,
    fresh: impl FnOnce() -> Fresh,
) -> ResponsePlan {
    let mut plan = ResponsePlan { no_store: resp.html, ..ResponsePlan::default() };
    let mut live = session.cloned();
    match &resp.set_cookie {
        SetCookie::Value(value) => {
            let key = SessionKey::of_cookie(value);
            let same = live.as_ref().is_some_and(|l| l.key == key);
            if !same {
                let signed_in = matches!(route, Route::SignIn(_));
                let record = match (&live, signed_in) {
                    // A sign-in: a new session, new ids (no fixation), even over a live one.
                    (_, true) => {
                        let Fresh { public_id, csrf } = fresh();
                        Some(Record { public_id, csrf, user, created: now, last_active: now })
                    }
                    // The portal renewed its cookie within a session (a session id changed on
                    // privilege change): the same session, with the same limits, goes on.
                    (Some(old), false) => Some(old.record.clone()),
                    // A cookie set elsewhere (an anonymous session) is not a sign-in.
                    (None, false) => None,
                };
                if let Some(record) = record {
                    // The old cookie is gone from the browser: its session is replaced, by a new
                    // sign-in (audited) or by the portal's renewed cookie (the same session).
                    if let Some(old) = &live {
                        let tombstone = Tombstone {
                            reason: Ended::Replaced,
                            public_id: old.record.public_id.clone(),
                            user: old.record.user.clone(),
                        };
                        plan.effects.push(Effect::End { key: old.key, tombstone, ttl: tombstone_ttl(s) });
                        if signed_in {
                            plan.effects.push(server_event(
                                old.record.user.as_deref(),
                                Some(&old.record.public_id),
                                json!({ "type": "logged-out", "by": "server", "reason": "replaced" }),
                            ));
                        }
                    }
                    plan.effects.push(Effect::Create { key, record: record.clone(), ttl: live_ttl(s, now, &record) });
                    if signed_in {
                        plan.effects.push(server_event(
                            record.user.as_deref(),
                            Some(&record.public_id),
                            json!({ "type": "session-created" }),
                        ));
                    }
                    live = Some(LiveSession { key, record });
                }
            }
        }
        SetCookie::Cleared => {
            if let Some(old) = live.take() {
                let event = json!({ "type": "logged-out", "by": "portal", "reason": "user" });
                plan.effects.extend(end_effects(s, old.key, &old.record, Ended::Logout, event, false));
            }
        }
        SetCookie::Absent => {}
    }
    if matches!(route, Route::SignOut(_)) && resp.status < 400 {
        if let Some(old) = live.take() {
            let event = json!({ "type": "logged-out", "by": "portal", "reason": "user" });
            plan.effects.extend(end_effects(s, old.key, &old.record, Ended::Logout, event, false));
        }
    }
    if resp.html {
        plan.inject = live.as_ref().map(|l| script_tag(s, &l.record));
    }
    plan
}

/// The script tag put into every HTML page of a live session (docs/protocol.md section 2).
pub fn script_tag(s: &Settings, record: &Record) -> String {
    let c = &s.client;
    let mut attrs: Vec<(&str, String)> = vec![
        ("src", s.reserved_url("autologoff.js")),
        ("data-session-id", record.public_id.clone()),
        ("data-timeout", c.timeout.ms().to_string()),
        ("data-warning", c.warning.ms().to_string()),
        ("data-absolute-timeout", s.policy.absolute().ms().to_string()),
        ("data-session-start", record.created.epoch_ms().to_string()),
        ("data-keepalive-url", s.reserved_url("keepalive")),
        ("data-keepalive-interval", c.keepalive_interval.ms().to_string()),
        ("data-status-url", s.reserved_url("status")),
        ("data-logout-url", s.reserved_url("logout")),
        ("data-audit-url", s.reserved_url("audit")),
        ("data-redirect-url", s.sign_in_url(true)),
        ("data-csrf-header", s.csrf_header.clone()),
        ("data-csrf-token", record.csrf.clone()),
    ];
    if let Some(lang) = &c.lang {
        attrs.push(("data-lang", lang.clone()));
    }
    // The meta tag is where the protocol puts the token (section 2); `data-csrf-token` is what
    // the script reads first, so a portal's own `csrf-token` meta tag cannot confuse it.
    let mut tag = format!(
        "<meta name=\"csrf-token\" content=\"{}\">\n<link rel=\"preload\" href=\"{}\" as=\"fetch\" crossorigin>\n<script",
        html_attr(&record.csrf),
        html_attr(&s.reserved_url("autologoff_bg.wasm"))
    );
    for (name, value) in attrs {
        tag.push_str(&format!(" {name}=\"{}\"", html_attr(&value)));
    }
    tag.push_str("></script>\n");
    tag
}

fn html_attr(v: &str) -> String {
    v.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Whether `session` (a request's `session` field) names `record`: its public id, or the
/// public-id hash the page uses on its own wire.
fn names(session: &str, record: &Record) -> bool {
    session == record.public_id || session == public_id_hash(&record.public_id).as_str()
}

/// Compares secrets in time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn refused(endpoint: Endpoint, entry: Option<&Entry>, status: u16, error: &str, detail: &str) -> Plan {
    let name = match endpoint {
        Endpoint::Keepalive => "keepalive",
        Endpoint::Status => "status",
        Endpoint::Logout => "logout",
        Endpoint::Audit => "audit",
    };
    let event = json!({ "type": "refused", "endpoint": name, "reason": error });
    Plan {
        effects: vec![server_event(entry.and_then(Entry::user), entry.map(Entry::public_id), event)],
        outcome: Outcome::Answer(Answer::error(status, error, detail)),
    }
}

/// `POST keepalive` and `GET status` (protocol 3.1 and 3.2): the times left; the keepalive also
/// counts as activity, after the same-origin rule and the CSRF token.
pub fn keepalive_or_status(
    s: &Settings,
    now: Moment,
    req: &RequestFacts,
    endpoint: Endpoint,
    form: &Form,
    cookie: Option<(SessionKey, Option<&Entry>)>,
) -> Plan {
    let keepalive = endpoint == Endpoint::Keepalive;
    let entry = cookie.and_then(|(_, e)| e);
    if keepalive {
        if let Err(e) = origin::check(
            req.sec_fetch_site.as_deref(),
            req.origin.as_deref(),
            req.host.as_deref(),
            s.public_origin.as_deref(),
            true,
        ) {
            return refused(endpoint, entry, 403, "cross-origin", &e.0);
        }
    }
    let (key, record) = match cookie {
        Some((key, Some(Entry::Live(r)))) => (key, r),
        Some((_, Some(Entry::Ended(t)))) => return Plan::answer(Answer::session_ended(t.reason)),
        _ => return Plan::answer(Answer::session_ended(Ended::Unknown)),
    };
    let named = if keepalive { field(form, "session").map(str::to_owned) } else { req.query_param("session") };
    if let Some(Err((status, error, detail))) = named.as_deref().map(check_session_field) {
        return Plan::answer(Answer::error(status, error, &detail));
    }
    if named.is_some_and(|n| !names(&n, record)) {
        return Plan::answer(Answer::session_ended(Ended::Replaced));
    }
    let token = req.csrf.as_deref().or_else(|| field(form, "_csrf"));
    if keepalive && !token.is_some_and(|t| same_secret(t, &record.csrf)) {
        let detail = format!("the {} header is missing or is not this session's token", s.csrf_header);
        return refused(endpoint, entry, 403, "bad-csrf-token", &detail);
    }
    let kind = if keepalive { RequestKind::Keepalive } else { RequestKind::Status };
    match judge(now, record.created, record.last_active, s.policy, kind) {
        Verdict::Live { remaining, touch } => {
            let mut effects = Vec::new();
            if touch {
                let touched = Record { last_active: now, ..record.clone() };
                effects.push(Effect::Touch { key, at: now, ttl: live_ttl(s, now, &touched) });
            }
            Plan { effects, outcome: Outcome::Answer(Answer::times(remaining)) }
        }
        Verdict::Ended(reason) => {
            let event = json!({ "type": "expired", "reason": reason.as_str() });
            let effects = end_effects(s, key, record, reason, event, true);
            Plan { effects, outcome: Outcome::Answer(Answer::session_ended(reason)) }
        }
    }
}

/// `POST logout` (protocol 3.3). `cookie`: the cookie's key and what the store holds for it;
/// `named`: the session the form's `session` names, found by public id.
pub fn logout(
    s: &Settings,
    req: &RequestFacts,
    form: &Form,
    cookie: Option<(SessionKey, Option<&Entry>)>,
    named: Option<&Found>,
) -> Plan {
    let cookie_entry = cookie.and_then(|(_, e)| e);
    if let Err(e) = origin::check(
        req.sec_fetch_site.as_deref(),
        req.origin.as_deref(),
        req.host.as_deref(),
        s.public_origin.as_deref(),
        cookie.is_none(),
    ) {
        return refused(Endpoint::Logout, cookie_entry, 403, "cross-origin", &e.0);
    }
    // The session to end: the one the form names, else the cookie's.
    let target: Option<(SessionKey, &Entry)> = match field(form, "session") {
        Some(_) => named.map(|f| (f.key, &f.entry)),
        None => cookie.and_then(|(k, e)| e.map(|e| (k, e))),
    };
    let mut effects = Vec::new();
    let mut ended_key = None;
    if let Some((key, Entry::Live(record))) = target {
        let token = req.csrf.as_deref().or_else(|| field(form, "_csrf"));
        if !token.is_some_and(|t| same_secret(t, &record.csrf)) {
            let detail = format!("the {} header (or _csrf field) is not the session's token", s.csrf_header);
            let entry = Entry::Live(record.clone());
            return refused(Endpoint::Logout, Some(&entry), 403, "bad-csrf-token", &detail);
        }
        // A logout is never refused for its wording (docs/protocol.md 3.3).
        let reason = match field(form, "reason") {
            Some(word) => Reason::parse(word).map_or("other", Reason::as_str),
            None => "unspecified",
        };
        let event = json!({ "type": "logged-out", "by": "client", "reason": reason });
        let at_portal = cookie.is_some_and(|(k, _)| k == key);
        effects = end_effects(s, key, record, Ended::Logout, event, at_portal);
        ended_key = Some(key);
    }
    // Clear the browser unless its cookie belongs to another live session: ending an earlier
    // sign-in from an old page must not sign the browser out of the newer one.
    let other_live = matches!(cookie, Some((k, Some(Entry::Live(_)))) if Some(k) != ended_key);
    let mut answer = Answer::no_content();
    if !other_live {
        answer = answer.with("clear-site-data", CLEAR_SITE_DATA.into());
        if cookie.is_some() {
            answer = answer.with("set-cookie", s.expire_cookie());
        }
    }
    Plan { effects, outcome: Outcome::Answer(answer) }
}

/// `POST audit` (protocol 3.4 and 6): each event judged on its own, stored whole under the
/// server's envelope; `user` and `session` come from the cookie's session, never the body.
pub fn audit_batch(s: &Settings, req: &RequestFacts, body: &[u8], cookie_entry: Option<&Entry>) -> Plan {
    if let Err(e) = origin::check(
        req.sec_fetch_site.as_deref(),
        req.origin.as_deref(),
        req.host.as_deref(),
        s.public_origin.as_deref(),
        req.cookie.is_none(),
    ) {
        return refused(Endpoint::Audit, cookie_entry, 403, "cross-origin", &e.0);
    }
    if body.len() > audit::MAX_BATCH_BYTES {
        return Plan::answer(Answer::json(413, json!({ "error": "too-large", "limit": audit::MAX_BATCH_BYTES })));
    }
    let events = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(events)) => events,
        Ok(_) => return Plan::answer(Answer::error(400, "bad-json", "the body is not a JSON array of events")),
        Err(e) => return Plan::answer(Answer::error(400, "bad-json", &e.to_string())),
    };
    if events.len() > audit::MAX_BATCH_EVENTS {
        return Plan::answer(Answer::json(
            413,
            json!({ "error": "too-many-events", "limit": audit::MAX_BATCH_EVENTS }),
        ));
    }
    let user = cookie_entry.and_then(Entry::user);
    let session = cookie_entry.map(Entry::public_id);
    let mut effects = Vec::new();
    let mut rejected = Vec::new();
    for (index, event) in events.iter().enumerate() {
        match audit::check_event(event) {
            Ok(kept) => effects.push(Effect::Audit(AuditEvent {
                client: true,
                user: user.map(str::to_owned),
                session: session.map(str::to_owned),
                event: kept,
            })),
            Err(e) => rejected.push(json!({ "index": index, "error": e.code(), "field": e.field() })),
        }
    }
    let accepted = effects.len();
    Plan { effects, outcome: Outcome::Answer(Answer::json(200, json!({ "accepted": accepted, "rejected": rejected }))) }
}

/// One line of the audit trail: the server's envelope around an event.
pub fn audit_line(received: Moment, event: &AuditEvent) -> String {
    let via_client = event.client;
    let mut line = serde_json::Map::new();
    line.insert(envelope::RECEIVED_AT.into(), received.iso8601().as_str().into());
    line.insert(envelope::USER.into(), event.user.clone().into());
    line.insert(envelope::SESSION.into(), event.session.clone().into());
    let via = if via_client { envelope::VIA_CLIENT } else { envelope::VIA_SERVER };
    line.insert(envelope::VIA.into(), via.into());
    let mut body = event.event.clone();
    if !via_client {
        if let Value::Object(o) = &mut body {
            o.insert("at".into(), received.epoch_ms().into());
        }
    }
    line.insert(envelope::EVENT.into(), body);
    Value::Object(line).to_string()
}
