//! The gateway's rules (docs/protocol.md sections 3 to 5), on the pure core with a fake clock:
//! every test gives the time; none sleeps.

mod common;
use autologoff_gateway::core::answer::Body;
use autologoff_gateway::core::plan::{Effect, LiveSession, Outcome, Plan};
use autologoff_gateway::core::request::{Endpoint, Route};
use autologoff_gateway::core::rules::{
    audit_batch, audit_line, keepalive_or_status, logout, portal_request, portal_response, script_tag, ResponseFacts,
    SetCookie,
};
use autologoff_gateway::core::session::{Entry, Found, Record, SessionKey, Tombstone};
use autologoff_gateway::core::settings::UnknownCookie;
use autologoff_protocol::{Ended, RequestKind};
use common::*;
use serde_json::{json, Value};

fn record(created: u64, last: u64) -> Record {
    Record {
        public_id: "pid0000000000001".into(),
        csrf: "csrf1".into(),
        user: Some("j.doe".into()),
        created: at(created),
        last_active: at(last),
    }
}

fn answer(plan: &Plan) -> (u16, Vec<(&'static str, String)>, Value) {
    match &plan.outcome {
        Outcome::Answer(a) => {
            let body = match &a.body {
                Body::Json(s) => serde_json::from_str(s).unwrap(),
                _ => Value::Null,
            };
            (a.status, a.headers.clone(), body)
        }
        Outcome::Forward(f) => panic!("forwarded: {f:?}"),
    }
}

fn header<'a>(headers: &'a [(&'static str, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
}

fn has_end(plan_effects: &[Effect], reason: Ended) -> bool {
    plan_effects.iter().any(|e| matches!(e, Effect::End { tombstone, .. } if tombstone.reason == reason))
}

#[test]
fn a_sign_in_that_sets_the_cookie_starts_a_session_with_new_ids() {
    let s = settings();
    let r = req("POST", "/login", "navigate", None);
    let plan = portal_request(&s, at(0), &r, &route(&r), None, fresh(1));
    assert_eq!(plan.outcome, Outcome::Forward(Default::default()));
    let resp = ResponseFacts { status: 303, set_cookie: SetCookie::Value("abc".into()), html: false };
    let out = portal_response(&s, at(0), &route(&r), None, &resp, Some("j.doe".into()), fresh(1));
    let Effect::Create { key, record, .. } = &out.effects[0] else { panic!("{:?}", out.effects) };
    assert_eq!(*key, SessionKey::of_cookie("abc"));
    assert_eq!(record.public_id, "pid0000000000001");
    assert_eq!(record.created, at(0));
    assert_eq!(record.user.as_deref(), Some("j.doe"));
    assert!(matches!(&out.effects[1], Effect::Audit(e) if e.event["type"] == "session-created"));
}

#[test]
fn a_sign_in_over_a_live_session_ends_it_and_issues_new_ids() {
    let s = settings();
    let r = req("POST", "/login", "navigate", Some("old"));
    let live = LiveSession { key: SessionKey::of_cookie("old"), record: record(0, 0) };
    let resp = ResponseFacts { status: 303, set_cookie: SetCookie::Value("new".into()), html: false };
    let out = portal_response(&s, at(100), &route(&r), Some(&live), &resp, None, fresh(2));
    assert!(has_end(&out.effects, Ended::Replaced));
    assert!(out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Audit(a) if a.event["reason"] == "replaced" && a.event["by"] == "server")));
    assert!(out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Create { record, .. } if record.public_id == "pid0000000000002")));
}

#[test]
fn a_cookie_set_outside_sign_in_without_a_session_is_not_learned() {
    let s = settings();
    let r = req("GET", "/", "navigate", None);
    let resp = ResponseFacts { status: 200, set_cookie: SetCookie::Value("anon".into()), html: true };
    let out = portal_response(&s, at(0), &route(&r), None, &resp, None, fresh(1));
    assert!(out.effects.is_empty());
    assert_eq!(out.inject, None, "no script tag without a session");
    assert!(out.no_store, "HTML is never cached");
}

#[test]
fn a_renewed_cookie_keeps_the_session_and_its_limits() {
    let s = settings();
    let r = req("GET", "/portal", "navigate", Some("a"));
    let live = LiveSession { key: SessionKey::of_cookie("a"), record: record(0, 500) };
    let resp = ResponseFacts { status: 200, set_cookie: SetCookie::Value("b".into()), html: true };
    let out = portal_response(&s, at(600), &route(&r), Some(&live), &resp, None, fresh(9));
    assert!(has_end(&out.effects, Ended::Replaced));
    assert!(out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Create { key, record: rec, .. } if *key == SessionKey::of_cookie("b") && *rec == record(0, 500))));
    assert!(out.inject.unwrap().contains("pid0000000000001"));
}

#[test]
fn pages_of_a_live_session_get_the_script_tag_with_its_public_id() {
    let s = settings();
    let r = req("GET", "/portal", "navigate", Some("a"));
    let live = LiveSession { key: SessionKey::of_cookie("a"), record: record(0, 0) };
    let resp = ResponseFacts { status: 200, set_cookie: SetCookie::Absent, html: true };
    let out = portal_response(&s, at(10), &route(&r), Some(&live), &resp, None, fresh(1));
    let tag = out.inject.unwrap();
    for part in [
        "src=\"/.autologoff/autologoff.js\"",
        "data-session-id=\"pid0000000000001\"",
        "data-csrf-token=\"csrf1\"",
        "data-keepalive-url=\"/.autologoff/keepalive\"",
        "data-status-url=\"/.autologoff/status\"",
        "data-logout-url=\"/.autologoff/logout\"",
        "data-audit-url=\"/.autologoff/audit\"",
        "data-timeout=\"2000\"",
        "data-absolute-timeout=\"8000\"",
        "data-redirect-url=\"/login?reason=timeout\"",
    ] {
        assert!(tag.contains(part), "{part} in {tag}");
    }
    assert!(out.no_store);
}

#[test]
fn the_script_tag_escapes_what_it_renders() {
    let mut s = settings();
    s.client.lang = Some("\"><script>alert(1)</script>".into());
    let tag = script_tag(&s, &record(0, 0));
    assert!(!tag.contains("<script>alert"), "{tag}");
    assert!(tag.contains("&quot;&gt;&lt;script&gt;"));
}

#[test]
fn navigations_are_activity_background_and_passive_requests_are_not() {
    let s = settings();
    let found = Entry::Live(record(0, 0));
    let cases = [
        (req("GET", "/portal", "navigate", Some("a")), true),
        (req("GET", "/portal/data", "cors", Some("a")), false),
        (req("GET", "/img.png", "no-cors", Some("a")), false),
        (req("GET", "/api/poll", "navigate", Some("a")), false),
        (req("GET", "/api/poll/count", "cors", Some("a")), false),
    ];
    for (r, activity) in cases {
        let plan = portal_request(&s, at(1_000), &r, &route(&r), Some(&found), fresh(1));
        let touched = plan.effects.iter().any(|e| matches!(e, Effect::Touch { .. }));
        assert_eq!(touched, activity, "{} {:?}", r.path, r.sec_fetch_mode);
        assert!(matches!(plan.outcome, Outcome::Forward(ref f) if f.session.is_some()));
    }
}

#[test]
fn without_fetch_metadata_a_get_for_html_is_a_navigation() {
    let mut r = req("GET", "/portal", "navigate", Some("a"));
    r.sec_fetch_mode = None;
    assert_eq!(route(&r), Route::App(RequestKind::Navigation));
    r.accepts_html = false;
    assert_eq!(route(&r), Route::App(RequestKind::Background));
}

#[test]
fn a_poll_never_keeps_a_session_alive() {
    let s = settings();
    let found = Entry::Live(record(0, 0));
    let poll = req("GET", "/api/poll", "cors", Some("a"));
    // Polled every 500 ms: the session still ends at idle.
    for t in (0..IDLE).step_by(500) {
        let plan = portal_request(&s, at(t), &poll, &route(&poll), Some(&found), fresh(1));
        assert!(plan.effects.is_empty(), "at {t}");
    }
    let plan = portal_request(&s, at(IDLE), &poll, &route(&poll), Some(&found), fresh(1));
    assert!(has_end(&plan.effects, Ended::Idle));
    let (status, headers, body) = answer(&plan);
    assert_eq!((status, body), (401, json!({ "error": "session-ended", "reason": "idle" })));
    assert!(header(&headers, "set-cookie").unwrap().contains("Max-Age=0"));
}

#[test]
fn at_the_deadline_a_navigation_goes_to_sign_in_and_the_portal_signs_out_too() {
    let s = settings();
    let found = Entry::Live(record(0, 0));
    let r = req("GET", "/portal", "navigate", Some("a"));
    let plan = portal_request(&s, at(IDLE), &r, &route(&r), Some(&found), fresh(1));
    assert!(has_end(&plan.effects, Ended::Idle));
    assert!(plan.effects.contains(&Effect::SignOutAtPortal));
    assert!(plan
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Audit(a) if a.event == json!({"type":"expired","reason":"idle"}))));
    let (status, headers, _) = answer(&plan);
    assert_eq!(status, 303);
    assert_eq!(header(&headers, "location"), Some("/login?reason=timeout"));
    assert!(header(&headers, "set-cookie").unwrap().starts_with("JSESSIONID=;"));
    assert_eq!(header(&headers, "clear-site-data"), Some("\"cache\", \"cookies\", \"storage\""));
}

#[test]
fn a_tombstone_refuses_the_cookie_without_signing_out_again() {
    let s = settings();
    let found = Entry::Ended(Tombstone { reason: Ended::Logout, public_id: "p".into(), user: None });
    let r = req("GET", "/portal", "navigate", Some("a"));
    let plan = portal_request(&s, at(1), &r, &route(&r), Some(&found), fresh(1));
    assert!(plan.effects.is_empty());
    let (status, headers, _) = answer(&plan);
    assert_eq!((status, header(&headers, "location")), (303, Some("/login?reason=signed-out")));
}

#[test]
fn the_sign_in_page_is_served_without_an_ended_cookie() {
    let s = settings();
    let found = Entry::Ended(Tombstone { reason: Ended::Idle, public_id: "p".into(), user: None });
    let r = req("GET", "/login", "navigate", Some("a"));
    let plan = portal_request(&s, at(1), &r, &route(&r), Some(&found), fresh(1));
    let Outcome::Forward(f) = plan.outcome else { panic!() };
    assert!(f.strip_cookie && f.expire_cookie && f.session.is_none());
}

#[test]
fn an_unknown_cookie_is_refused_or_adopted_with_a_fresh_creation_time() {
    let mut s = settings();
    let r = req("GET", "/portal", "navigate", Some("never-seen"));
    let plan = portal_request(&s, at(5_000), &r, &route(&r), None, fresh(1));
    let (status, headers, _) = answer(&plan);
    assert_eq!(status, 303);
    assert_eq!(header(&headers, "clear-site-data"), None, "a cookie never known clears nothing but itself");
    s.unknown_cookie = UnknownCookie::Adopt;
    let plan = portal_request(&s, at(5_000), &r, &route(&r), None, fresh(1));
    let Some(Effect::Create { record, .. }) = plan.effects.first() else { panic!("{plan:?}") };
    assert_eq!((record.created, record.last_active), (at(5_000), at(5_000)));
    // Adopted, it still ends at idle from now: never a longer life.
    let found = Entry::Live(record.clone());
    let later = portal_request(&s, at(5_000 + IDLE), &r, &route(&r), Some(&found), fresh(2));
    assert!(has_end(&later.effects, Ended::Idle));
}

#[test]
fn the_portal_clearing_its_cookie_or_answering_its_sign_out_ends_the_session() {
    let s = settings();
    let live = LiveSession { key: SessionKey::of_cookie("a"), record: record(0, 0) };
    let r = req("GET", "/account/close", "navigate", Some("a"));
    let resp = ResponseFacts { status: 200, set_cookie: SetCookie::Cleared, html: true };
    let out = portal_response(&s, at(10), &route(&r), Some(&live), &resp, None, fresh(1));
    assert!(has_end(&out.effects, Ended::Logout));
    assert_eq!(out.inject, None);
    let r = req("POST", "/logout", "navigate", Some("a"));
    let resp = ResponseFacts { status: 303, set_cookie: SetCookie::Absent, html: false };
    let out = portal_response(&s, at(10), &route(&r), Some(&live), &resp, None, fresh(1));
    assert!(has_end(&out.effects, Ended::Logout));
    assert!(!out.effects.contains(&Effect::SignOutAtPortal), "the portal is signing out already");
}

fn keepalive(
    csrf: Option<&str>,
    session: Option<&str>,
) -> (autologoff_gateway::core::request::RequestFacts, Vec<(String, String)>) {
    let mut r = req("POST", "/.autologoff/keepalive", "cors", Some("a"));
    r.csrf = csrf.map(str::to_owned);
    let mut form = vec![("keepalive".to_owned(), "1".to_owned())];
    if let Some(s) = session {
        form.push(("session".into(), s.into()));
    }
    (r, form)
}

#[test]
fn keepalive_slides_idle_never_past_absolute() {
    let s = settings();
    let key = SessionKey::of_cookie("a");
    let mut rec = record(0, 0);
    let (r, form) = keepalive(Some("csrf1"), Some("pid0000000000001"));
    // Constant keepalives every second: the session still ends at the absolute deadline.
    for t in (1_000..ABSOLUTE).step_by(1_000) {
        let found = Entry::Live(rec.clone());
        let plan = keepalive_or_status(&s, at(t), &r, Endpoint::Keepalive, &form, Some((key, Some(&found))));
        let (status, _, body) = answer(&plan);
        assert_eq!(status, 200, "at {t}");
        assert_eq!(body["remainingMs"], json!(IDLE.min(ABSOLUTE - t)));
        assert!(matches!(plan.effects[0], Effect::Touch { at: a, .. } if a == at(t)));
        rec.last_active = at(t);
    }
    let found = Entry::Live(rec.clone());
    let plan = keepalive_or_status(&s, at(ABSOLUTE), &r, Endpoint::Keepalive, &form, Some((key, Some(&found))));
    assert_eq!(answer(&plan).2, json!({ "error": "session-ended", "reason": "absolute" }));
    assert!(has_end(&plan.effects, Ended::Absolute));
}

#[test]
fn keepalive_needs_the_token_and_the_same_origin_and_names_its_session() {
    let s = settings();
    let key = SessionKey::of_cookie("a");
    let found = Entry::Live(record(0, 0));
    let cookie = Some((key, Some(&found)));
    let (r, form) = keepalive(Some("wrong"), None);
    let plan = keepalive_or_status(&s, at(1), &r, Endpoint::Keepalive, &form, cookie);
    assert_eq!(answer(&plan).2["error"], "bad-csrf-token");
    assert!(!plan.effects.iter().any(|e| matches!(e, Effect::Touch { .. })));
    let (mut r, form) = keepalive(Some("csrf1"), None);
    r.sec_fetch_site = Some("cross-site".into());
    let plan = keepalive_or_status(&s, at(1), &r, Endpoint::Keepalive, &form, cookie);
    assert_eq!(answer(&plan).0, 403);
    let (r, form) = keepalive(Some("csrf1"), Some("another0000001"));
    let plan = keepalive_or_status(&s, at(1), &r, Endpoint::Keepalive, &form, cookie);
    assert_eq!(answer(&plan).2, json!({ "error": "session-ended", "reason": "replaced" }));
    assert!(plan.effects.is_empty(), "the cookie's session is not touched");
}

#[test]
fn status_never_extends() {
    let s = settings();
    let key = SessionKey::of_cookie("a");
    let found = Entry::Live(record(0, 0));
    let r = req("GET", "/.autologoff/status", "cors", Some("a"));
    let plan = keepalive_or_status(&s, at(1_000), &r, Endpoint::Status, &vec![], Some((key, Some(&found))));
    assert!(plan.effects.is_empty());
    assert_eq!(answer(&plan).2, json!({ "remainingMs": 2000, "idleRemainingMs": 2000, "absoluteRemainingMs": 7000 }));
    let r = req("GET", "/.autologoff/status", "cors", None);
    let plan = keepalive_or_status(&s, at(1_000), &r, Endpoint::Status, &vec![], None);
    assert_eq!(answer(&plan).2["reason"], "unknown");
}

fn logout_form(session: &str, csrf: Option<&str>) -> Vec<(String, String)> {
    let mut f = vec![("reason".to_owned(), "idle".to_owned()), ("session".to_owned(), session.to_owned())];
    if let Some(c) = csrf {
        f.push(("_csrf".into(), c.into()));
    }
    f
}

#[test]
fn logout_ends_the_named_session_idempotently_and_clears_the_browser() {
    let s = settings();
    let key = SessionKey::of_cookie("a");
    let found = Entry::Live(record(0, 0));
    let named = Found { key, entry: found.clone() };
    let r = req("POST", "/.autologoff/logout", "cors", Some("a"));
    let plan = logout(&s, &r, &logout_form("pid0000000000001", Some("csrf1")), Some((key, Some(&found))), Some(&named));
    assert!(has_end(&plan.effects, Ended::Logout));
    assert!(plan.effects.contains(&Effect::SignOutAtPortal));
    let (status, headers, _) = answer(&plan);
    assert_eq!(status, 204);
    assert!(header(&headers, "clear-site-data").is_some() && header(&headers, "set-cookie").is_some());
    // Again: a tombstone now; 204, nothing more to end.
    let ended = Entry::Ended(Tombstone { reason: Ended::Logout, public_id: "pid0000000000001".into(), user: None });
    let named = Found { key, entry: ended.clone() };
    let plan = logout(&s, &r, &logout_form("pid0000000000001", None), Some((key, Some(&ended))), Some(&named));
    assert!(plan.effects.is_empty());
    assert_eq!(answer(&plan).0, 204);
    // For a session never known: 204 too.
    let plan = logout(&s, &r, &logout_form("nobody00000000", None), Some((key, None)), None);
    assert_eq!(answer(&plan).0, 204);
}

#[test]
fn logout_of_an_earlier_sign_in_leaves_the_newer_one_alone() {
    let s = settings();
    let (old_key, new_key) = (SessionKey::of_cookie("old"), SessionKey::of_cookie("new"));
    let new = Entry::Live(Record { public_id: "pid0000000000002".into(), csrf: "csrf2".into(), ..record(0, 0) });
    let old = Found { key: old_key, entry: Entry::Live(record(0, 0)) };
    let mut r = req("POST", "/.autologoff/logout", "cors", Some("new"));
    r.csrf = Some("csrf1".into());
    let plan = logout(&s, &r, &logout_form("pid0000000000001", None), Some((new_key, Some(&new))), Some(&old));
    assert!(plan.effects.iter().any(|e| matches!(e, Effect::End { key, .. } if *key == old_key)));
    assert!(!plan.effects.contains(&Effect::SignOutAtPortal), "the old cookie is not the browser's any more");
    let (status, headers, _) = answer(&plan);
    assert_eq!(status, 204);
    assert_eq!(header(&headers, "clear-site-data"), None);
    assert_eq!(header(&headers, "set-cookie"), None);
    // With the newer session's token instead of the old one's: refused.
    r.csrf = Some("csrf2".into());
    let plan = logout(&s, &r, &logout_form("pid0000000000001", None), Some((new_key, Some(&new))), Some(&old));
    assert_eq!(answer(&plan).0, 403);
}

#[test]
fn cross_site_logout_is_refused() {
    let s = settings();
    let key = SessionKey::of_cookie("a");
    let found = Entry::Live(record(0, 0));
    let mut r = req("POST", "/.autologoff/logout", "cors", Some("a"));
    r.sec_fetch_site = Some("cross-site".into());
    let form = vec![("reason".to_owned(), "user".to_owned())];
    let plan = logout(&s, &r, &form, Some((key, Some(&found))), None);
    assert_eq!(answer(&plan).0, 403);
    assert!(!plan.effects.iter().any(|e| matches!(e, Effect::End { .. })));
    // Without Fetch Metadata, a foreign Origin; and no header at all with a cookie.
    r.sec_fetch_site = None;
    r.origin = Some("https://evil.example".into());
    assert_eq!(answer(&logout(&s, &r, &form, Some((key, Some(&found))), None)).0, 403);
    r.origin = None;
    assert_eq!(answer(&logout(&s, &r, &form, Some((key, Some(&found))), None)).0, 403);
    r.origin = Some("https://portal.example".into());
    r.csrf = Some("csrf1".into());
    assert_eq!(answer(&logout(&s, &r, &form, Some((key, Some(&found))), None)).0, 204);
}

#[test]
fn audit_events_are_judged_one_by_one_and_stamped_by_the_server() {
    let s = settings();
    let found = Entry::Live(record(0, 0));
    let r = req("POST", "/.autologoff/audit", "no-cors", Some("a"));
    let body = json!([
        { "type": "expired", "at": 5, "reason": "idle", "user": "mallory", "receivedAt": "x" },
        { "type": "nope", "at": 5 },
        "text",
    ])
    .to_string();
    let plan = audit_batch(&s, &r, body.as_bytes(), Some(&found));
    let (status, _, answer_body) = answer(&plan);
    assert_eq!(status, 200);
    assert_eq!(answer_body["accepted"], 1);
    assert_eq!(answer_body["rejected"][0]["index"], 1);
    assert_eq!(answer_body["rejected"][1]["error"], "not-an-object");
    let Effect::Audit(event) = &plan.effects[0] else { panic!() };
    let line: Value = serde_json::from_str(&audit_line(at(0), event)).unwrap();
    assert_eq!(line["user"], "j.doe");
    assert_eq!(line["session"], "pid0000000000001");
    assert_eq!(line["via"], "client");
    assert_eq!(line["receivedAt"], "2026-11-30T00:53:20.000Z");
    assert_eq!(line["event"], json!({ "type": "expired", "at": 5, "reason": "idle" }));
}

#[test]
fn audit_batches_are_bounded_and_same_origin() {
    let s = settings();
    let r = req("POST", "/.autologoff/audit", "no-cors", None);
    let big = format!("[{}]", vec!["{\"type\":\"expired\",\"at\":1}"; 101].join(","));
    assert_eq!(answer(&audit_batch(&s, &r, big.as_bytes(), None)).2["error"], "too-many-events");
    let huge = vec![b' '; 65_537];
    assert_eq!(answer(&audit_batch(&s, &r, &huge, None)).0, 413);
    assert_eq!(answer(&audit_batch(&s, &r, b"{", None)).0, 400);
    assert_eq!(answer(&audit_batch(&s, &r, b"{}", None)).0, 400);
    let mut cross = r.clone();
    cross.sec_fetch_site = Some("cross-site".into());
    assert_eq!(answer(&audit_batch(&s, &cross, b"[]", None)).0, 403);
}
