//! Answers the gateway gives itself (never the portal's): status, headers, body. Every one
//! carries `Cache-Control: no-store` (docs/protocol.md section 3).

use autologoff_protocol::{Ended, Times};

/// A body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// None.
    Empty,
    /// `application/json; charset=utf-8`.
    Json(String),
    /// `text/html; charset=utf-8`.
    Html(String),
}

/// An answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// Headers beyond `Cache-Control` and `Content-Type` (which the body decides).
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Body,
}

impl Answer {
    /// A JSON answer.
    pub fn json(status: u16, value: serde_json::Value) -> Answer {
        Answer { status, headers: Vec::new(), body: Body::Json(value.to_string()) }
    }

    /// `{"error":…,"detail":…}`.
    pub fn error(status: u16, error: &str, detail: &str) -> Answer {
        Answer::json(status, serde_json::json!({ "error": error, "detail": detail }))
    }

    /// 401 `{"error":"session-ended","reason":…}`.
    pub fn session_ended(reason: Ended) -> Answer {
        Answer::json(401, serde_json::json!({ "error": "session-ended", "reason": reason.as_str() }))
    }

    /// 200 with the times left.
    pub fn times(t: Times) -> Answer {
        Answer::json(
            200,
            serde_json::json!({
                "remainingMs": t.remaining.ms(),
                "idleRemainingMs": t.idle.ms(),
                "absoluteRemainingMs": t.absolute.ms(),
            }),
        )
    }

    /// 303 to `location`.
    pub fn see_other(location: String) -> Answer {
        Answer { status: 303, headers: vec![("location", location)], body: Body::Empty }
    }

    /// 204.
    pub fn no_content() -> Answer {
        Answer { status: 204, headers: Vec::new(), body: Body::Empty }
    }

    /// The same answer with one more header.
    pub fn with(mut self, name: &'static str, value: String) -> Answer {
        self.headers.push((name, value));
        self
    }

    /// A small HTML page (errors the user sees: the portal down, the store down).
    pub fn page(status: u16, title: &str, text: &str) -> Answer {
        let body = format!(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{title}</title>\
             <meta name=\"viewport\" content=\"width=device-width\">\
             <body style=\"font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em\">\
             <h1>{title}</h1><p>{text}</p></body></html>"
        );
        Answer { status, headers: Vec::new(), body: Body::Html(body) }
    }
}

/// The header that makes the browser drop the origin's cache, cookies and storage.
pub const CLEAR_SITE_DATA: &str = "\"cache\", \"cookies\", \"storage\"";
