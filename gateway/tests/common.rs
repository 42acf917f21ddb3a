//! Settings and requests for the core's tests.
#![allow(dead_code)]

use autologoff_gateway::core::request::{RequestFacts, Route};
use autologoff_gateway::core::rules::Fresh;
use autologoff_gateway::core::settings::{ClientSettings, CookieSettings, Settings, UnknownCookie};
use autologoff_protocol::{Duration, Moment, Policy};

pub const IDLE: u64 = 3_000;
pub const ABSOLUTE: u64 = 8_000;
pub const T0: u64 = 1_796_000_000_000;

pub fn at(ms_after_t0: u64) -> Moment {
    Moment::from_epoch_ms(T0 + ms_after_t0)
}

pub fn settings() -> Settings {
    Settings {
        policy: Policy::new(Duration::from_ms(IDLE), Duration::from_ms(ABSOLUTE)).unwrap(),
        cookie: CookieSettings { name: "JSESSIONID".into(), path: "/".into(), secure: false },
        unknown_cookie: UnknownCookie::Refuse,
        sign_in: "/login".into(),
        sign_out: "/logout".into(),
        user_field: Some("user".into()),
        passive: vec!["/api/poll".into()],
        reserved: "/.autologoff/".into(),
        csrf_header: "X-CSRF-Token".into(),
        public_origin: Some("https://portal.example".into()),
        client: ClientSettings {
            timeout: Duration::from_ms(2_000),
            warning: Duration::from_ms(1_000),
            keepalive_interval: Duration::from_ms(1_000),
            lang: None,
        },
    }
}

pub fn fresh(n: u32) -> impl FnOnce() -> Fresh {
    move || Fresh { public_id: format!("pid{n:013}"), csrf: format!("csrf{n}") }
}

/// A request: `GET path` as a navigation, a background fetch (`cors`), or a POST of the page.
pub fn req(method: &str, path: &str, mode: &str, cookie: Option<&str>) -> RequestFacts {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (path.to_owned(), None),
    };
    RequestFacts {
        method: method.into(),
        path,
        query,
        host: Some("portal.example".into()),
        origin: None,
        sec_fetch_site: Some("same-origin".into()),
        sec_fetch_mode: Some(mode.into()),
        accepts_html: mode == "navigate",
        accepts_json: false,
        cookie: cookie.map(str::to_owned),
        csrf: None,
        content_type: None,
    }
}

pub fn route(r: &RequestFacts) -> Route {
    r.route(&settings())
}
