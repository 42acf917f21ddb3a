//! The configuration file: defaults, and every refusal naming its field and the fix.

use autologoff_gateway::config::{parse, StoreUrl};
use autologoff_gateway::core::settings::UnknownCookie;
use std::path::Path;

const MINIMAL: &str = r#"
upstream = "http://127.0.0.1:8080"
[session]
cookie = "JSESSIONID"
[portal]
sign_in = "/login"
sign_out = "/logout"
[audit]
file = "audit.jsonl"
"#;

#[test]
fn a_minimal_file_gets_the_safe_defaults() {
    let c = parse(MINIMAL, Path::new("/etc/autologoff")).unwrap();
    let s = &c.settings;
    assert_eq!(c.listen.to_string(), "127.0.0.1:4180");
    assert_eq!(c.upstream.authority, "127.0.0.1:8080");
    assert_eq!((s.policy.idle().ms(), s.policy.absolute().ms()), (900_000, 43_200_000));
    assert_eq!(s.unknown_cookie, UnknownCookie::Refuse);
    assert_eq!(s.reserved, "/.autologoff/");
    assert_eq!(c.store, StoreUrl::Memory);
    assert_eq!(c.audit_file, Path::new("/etc/autologoff/audit.jsonl"));
    assert_eq!(c.assets, Path::new("/etc/autologoff/dist"));
    // The page logs off one keepalive interval before the server does.
    assert_eq!(s.client.keepalive_interval.ms(), 300_000);
    assert_eq!(s.client.timeout.ms(), 600_000);
    assert_eq!(s.client.warning.ms(), 60_000);
    assert_eq!(c.sign_out_method, "POST");
}

fn refused(extra: &str, replace: Option<(&str, &str)>) -> (String, String) {
    let mut text = MINIMAL.to_owned();
    if let Some((from, to)) = replace {
        text = text.replace(from, to);
    }
    // Top-level keys go first; tables go last, after the file's own.
    text = if extra.starts_with('[') { format!("{text}\n{extra}") } else { format!("{extra}\n{text}") };
    let e = parse(&text, Path::new(".")).expect_err("refused");
    (e.field, e.message)
}

/// Text to add, a replacement in the minimal file, the field named, words of the fix.
type Case = (&'static str, Option<(&'static str, &'static str)>, &'static str, &'static str);

#[test]
fn a_configuration_that_cannot_protect_is_refused_naming_the_field_and_the_fix() {
    let cases: &[Case] = &[
        ("", Some(("upstream = \"http://127.0.0.1:8080\"", "")), "upstream", "the portal's address"),
        ("", Some(("http://127.0.0.1:8080", "https://portal")), "upstream", "TLS ends at the load balancer"),
        ("", Some(("cookie = \"JSESSIONID\"", "")), "session.cookie", "JSESSIONID"),
        (
            "",
            Some(("cookie = \"JSESSIONID\"", "cookie = \"JSESSIONID\"\nidle = \"13h\"")),
            "session.idle",
            "idle is longer than absolute",
        ),
        (
            "",
            Some(("cookie = \"JSESSIONID\"", "cookie = \"JSESSIONID\"\nidle = \"fifteen\"")),
            "session.idle",
            "not a duration",
        ),
        (
            "",
            Some(("cookie = \"JSESSIONID\"", "cookie = \"JSESSIONID\"\nunknown_cookie = \"keep\"")),
            "session.unknown_cookie",
            "\"refuse\"",
        ),
        ("", Some(("cookie = \"JSESSIONID\"", "cookie = \"JSESSIONID\"\nidel = \"15m\"")), "idel", "unknown field"),
        ("", Some(("sign_in = \"/login\"", "sign_in = \"login\"")), "portal.sign_in", "not a path"),
        (
            "",
            Some(("sign_out = \"/logout\"", "sign_out = \"/logout\"\npassive = [\"/\"]")),
            "portal.passive[0]",
            "every route passive",
        ),
        ("", Some(("file = \"audit.jsonl\"", "")), "audit.file", "audit trail"),
        (
            "[client]\ntimeout = \"14m\"\nkeepalive_interval = \"2m\"",
            None,
            "client.timeout",
            "make timeout at most idle - keepalive_interval",
        ),
        ("[client]\nwarning = \"11m\"", None, "client.warning", "shorter"),
        ("[store]\nurl = \"memcached://x\"", None, "store.url", "redis://"),
        ("listen = \"localhost\"", None, "listen", "ip:port"),
        ("reserved_path = \"/\"", None, "reserved_path", "folder of its own"),
    ];
    for (extra, replace, field, fix) in cases {
        let (got_field, message) = refused(extra, *replace);
        assert_eq!(&got_field, field, "{message}");
        assert!(message.contains(fix), "{field}: {message}");
    }
}

#[test]
fn https_public_origins_make_the_expired_cookie_secure() {
    let c = parse(&format!("public_origin = \"https://portal.example\"\n{MINIMAL}"), Path::new(".")).unwrap();
    assert!(c.settings.expire_cookie().ends_with("; Secure"));
    let c = parse(MINIMAL, Path::new(".")).unwrap();
    assert!(!c.settings.expire_cookie().contains("Secure"));
}
