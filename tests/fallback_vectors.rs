//! The fallback (pkg-template/rules.js) must read settings, name sessions and speak the cross-tab
//! format exactly as the module does: this test computes, with the module's own code, what each
//! case below comes to, and checks that tests/vectors/fallback.json says so. The JS side is
//! checked against the same file (tests/js/rules.test.mjs). After a deliberate change here,
//! `UPDATE_VECTORS=1 cargo test --test fallback_vectors` writes the file anew.
#![cfg(not(target_arch = "wasm32"))]

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use autologoff::config::{self, Entry, Origin, Value};
use autologoff::num::short_hash;
use autologoff::time::{Duration, Moment};
use autologoff::wire::{Message, Record, Told};

/// An option's value as a page would give it.
#[derive(Clone, Copy)]
enum V {
    S(&'static str),
    N(f64),
}

const NOW: Moment = Moment::from_epoch_ms(1_800_000_000_000);

/// Settings cases: options objects.
const SETTINGS: &[&[(&str, V)]] = &[
    &[],
    &[("timeout", V::S("4s")), ("sessionId", V::S("q3v7k2m9x1pa")), ("logoutUrl", V::S("/logout"))],
    &[("timeout", V::S("1.5m")), ("channel", V::S("billing")), ("sessionStart", V::N(1_799_999_000_000.0))],
    &[("timeout", V::S("24h"))],
    &[("timeout", V::S("25h"))],
    &[("timeout", V::S("0.5s"))],
    &[("timeout", V::S("90 s"))],
    &[("timeout", V::S(" 2m "))],
    &[("timeout", V::S("1.0000001s"))],
    &[("timeout", V::S("1.0005s"))],
    &[("timeout", V::S("15min"))],
    &[("timeout", V::S(".5m"))],
    &[("timeout", V::S("."))],
    &[("timeout", V::S("1..5s"))],
    &[("timeout", V::N(30_000.0))],
    &[("timeout", V::N(1_500.5))],
    &[("timeout", V::N(-5.0))],
    &[("timeout", V::S("１２s"))],
    &[("absoluteTimeout", V::S("8h"))],
    &[("absoluteTimeout", V::S("8 hours"))],
    &[("absoluteTimeout", V::S("8d"))],
    &[("channel", V::S("billing portal"))],
    &[("channel", V::S(""))],
    &[("channel", V::S(" spaced "))],
    &[("channel", V::S("a.b_c-D9"))],
    &[("sessionId", V::N(4711.0))],
    &[("sessionId", V::N(4711.5))],
    &[("sessionId", V::S("  padded id "))],
    &[("sessionId", V::S("élève-ß"))],
    &[("sessionStart", V::S("1799999000000"))],
    &[("sessionStart", V::S(" 1799999000000"))],
    &[("sessionStart", V::N(5.0))],
    &[("logoutUrl", V::S("javascript:alert(1)"))],
    &[("logoutUrl", V::S("https://portal.example/logout"))],
    &[("logoutUrl", V::S("HTTP://portal.example/logout"))],
    &[("logoutUrl", V::S("/logout?app=billing"))],
    &[("logoutUrl", V::S("/log out"))],
    &[("logoutUrl", V::S("/path:with:colons"))],
    &[("logoutUrl", V::S("mailto:x@example.org"))],
    &[("redirectUrl", V::S("/login?reason=timeout")), ("auditUrl", V::S("data:text/plain,x"))],
];

fn value(v: V) -> (Value, String) {
    match v {
        V::S(s) => (Value::Text(s.into()), s.into()),
        V::N(n) => (Value::Number(n), js_number(n)),
    }
}

/// A number as JavaScript writes it (whole numbers without ".0").
fn js_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_opt_string(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => json_string(out, s),
        None => out.push_str("null"),
    }
}

fn json_opt_u64(out: &mut String, n: Option<u64>) {
    match n {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push_str("null"),
    }
}

fn settings_case(out: &mut String, case: &[(&str, V)]) {
    let entries: Vec<Entry> = case
        .iter()
        .map(|(k, v)| {
            let (value, shown) = value(*v);
            Entry { key: (*k).into(), value, shown }
        })
        .collect();
    let (s, _) = config::parse(&entries, Origin::Options);
    out.push_str("    {\"input\": {");
    for (i, (k, v)) in case.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        json_string(out, k);
        out.push_str(": ");
        match v {
            V::S(t) => json_string(out, t),
            V::N(n) => out.push_str(&js_number(*n)),
        }
    }
    let _ = write!(out, "}}, \"expect\": {{\"timeout\": {}, \"absolute\": ", s.policy.timeout().ms());
    json_opt_u64(out, s.policy.absolute().map(Duration::ms));
    out.push_str(", \"channel\": ");
    json_string(out, &s.channel);
    out.push_str(", \"sessionId\": ");
    json_opt_string(out, s.session_id.as_deref());
    out.push_str(", \"sessionStart\": ");
    json_opt_u64(out, s.session_start.map(Moment::epoch_ms));
    out.push_str(", \"identity\": ");
    json_string(out, &s.identity());
    out.push_str(", \"app\": ");
    json_string(out, &s.app());
    out.push_str(", \"logoutUrl\": ");
    json_opt_string(out, s.logout_url.as_deref());
    out.push_str(", \"redirectUrl\": ");
    json_opt_string(out, s.redirect_url.as_deref());
    out.push_str(", \"auditUrl\": ");
    json_opt_string(out, s.audit_url.as_deref());
    out.push_str("}}");
}

fn record_json(out: &mut String, r: &Record) {
    let told = match r.told {
        autologoff::wire::Told::Live => "-",
        autologoff::wire::Told::Pending => "p",
        autologoff::wire::Told::Done => "d",
        autologoff::wire::Told::Undelivered => "u",
    };
    out.push_str("{\"app\": ");
    json_string(out, &r.app);
    out.push_str(", \"id\": ");
    json_string(out, &r.id);
    let _ = write!(out, ", \"last\": {}, \"ended\": ", r.last_activity.epoch_ms());
    json_opt_u64(out, r.ended.map(Moment::epoch_ms));
    let _ = write!(out, ", \"started\": {}, \"server\": ", r.started.epoch_ms());
    json_opt_u64(out, r.server.map(Moment::epoch_ms));
    let _ = write!(out, ", \"told\": \"{told}\"}}");
}

/// Record and message texts, valid and not, with what the module reads from them at NOW.
const RECORDS: &[&str] = &[
    "3;q1;abc;1799999999990;-;1799999999901;1800000000005;-",
    "3;;;999999999999999;-;5;-;-",
    "3;q1;abc;1799999999990;1799999999999;1799999999901;-;p",
    "3;q1;abc;1799999999990;1799999999999;1799999999901;-;d",
    "3;q1;abc;1799999999990;1799999999999;1799999999901;-;u",
    "3;q1;abc;1799999999990;-;1799999999901;-;d",
    "3;q1;abc;1799999999990;5;1799999999901;-;-",
    "2;abc;1799999999990;-;1799999999901;-;-",
    "3;Q1;abc;5;-;1;-;-",
    "3;q1;abc;5;-;1;-",
    "3;q1;abc;5;-;1;-;-;x",
    "3;q1;abcdefghijklmnopq;5;-;1;-;-",
    "3;q1;abc;1234567890123456;-;1;-;-",
    "3;q1;abc;5;-;1;-;x",
    "3;q1;abc; 5;-;1;-;-",
];

/// Whose record is it, for a page starting: records (at `NOW`), whether the page has an identity,
/// and when its document began loading (ms before `NOW`); the timeout is `CURRENT_TIMEOUT`.
const CURRENT: &[(&str, bool, u64)] = &[
    // Live, its last activity 30 s before now: within the timeout, or (60 s ago) past it.
    ("3;q1;;1799999970000;-;1799999000000;-;-", false, 1_000),
    ("3;q1;;1799999940000;-;1799999000000;-;-", false, 1_000),
    ("3;q1;;1799999940000;-;1799999000000;-;-", true, 1_000),
    // Exactly at the deadline: past it.
    ("3;q1;;1799999955000;-;1799999000000;-;-", false, 1_000),
    // Ended 2 s ago, the page began loading 1 s ago (so the end is an earlier sign-in's), 3 s
    // ago (this session's), or exactly then (this session's).
    ("3;q1;;1799999990000;1799999998000;1799999000000;-;d", false, 1_000),
    ("3;q1;;1799999990000;1799999998000;1799999000000;-;d", false, 3_000),
    ("3;q1;;1799999990000;1799999998000;1799999000000;-;d", false, 2_000),
    ("3;q1;;1799999990000;1799999998000;1799999000000;-;u", true, 1_000),
];
const CURRENT_TIMEOUT: Duration = Duration::from_secs(45);

/// Whether a tombstone's logout reached the server: records, as of `NOW`.
const TOLD: &[&str] = &[
    "3;q1;abc;1799999900000;1799999935000;1799999000000;-;p",
    "3;q1;abc;1799999900000;1799999934999;1799999000000;-;p",
    "3;q1;abc;1799999900000;1799999934000;1799999000000;-;p",
    "3;q1;abc;1799999900000;1799999000000;1799999000000;-;d",
    "3;q1;abc;1799999900000;1799999990000;1799999000000;-;u",
    "3;q1;abc;1799999900000;-;1799999000000;-;-",
];

const MESSAGES: &[&str] = &[
    "3;a;q1;abc;k3j2h0;1799999999000",
    "3;a;;;ab;999999999999999",
    "3;s;;;ab;1800000060000",
    "3;l;q1;abc;ab;1",
    "3;c;q1;abc;ab;1",
    "3;e;q1;abc;ab;1",
    "3;x;q1;abc;ab;1",
    "3;a;q1;abc;;1",
    "3;a;q1;abc;AB;1",
    "3;a;q1;abc;ab;-1",
    "3;a;q1;abc;ab;1e3",
    "2;a;abc;ab;1",
    "3;a;q1;abc;abcdefghijklmnopq;1",
];

fn vectors() -> String {
    let mut out = String::from(
        "{\n  \"note\": \"Generated by tests/fallback_vectors.rs from the module's own code: do not edit.\",\n",
    );
    let _ = writeln!(out, "  \"now\": {},", NOW.epoch_ms());
    out.push_str("  \"settings\": [\n");
    for (i, case) in SETTINGS.iter().enumerate() {
        settings_case(&mut out, case);
        out.push_str(if i + 1 < SETTINGS.len() { ",\n" } else { "\n" });
    }
    out.push_str("  ],\n  \"hashes\": [\n");
    let texts = ["", "a", "q3v7k2m9x1pa", "/logout", "1799999000000", "élève", "billing portal"];
    for (i, t) in texts.iter().enumerate() {
        out.push_str("    [");
        json_string(&mut out, t);
        out.push_str(", ");
        json_string(&mut out, &short_hash(t));
        out.push_str(if i + 1 < texts.len() { "],\n" } else { "]\n" });
    }
    out.push_str("  ],\n  \"records\": [\n");
    for (i, text) in RECORDS.iter().enumerate() {
        out.push_str("    [");
        json_string(&mut out, text);
        out.push_str(", ");
        match Record::decode(text, NOW) {
            Some(r) => {
                record_json(&mut out, &r);
                // A valid record encodes back to itself (after clamping).
                out.push_str(", ");
                json_string(&mut out, &r.encode());
            }
            None => out.push_str("null, null"),
        }
        out.push_str(if i + 1 < RECORDS.len() { "],\n" } else { "]\n" });
    }
    out.push_str("  ],\n  \"messages\": [\n");
    for (i, text) in MESSAGES.iter().enumerate() {
        out.push_str("    [");
        json_string(&mut out, text);
        out.push_str(", ");
        match Message::decode(text, NOW) {
            Some(m) => {
                let kind = &m.encode()[2..3];
                out.push_str("{\"kind\": ");
                json_string(&mut out, kind);
                out.push_str(", \"app\": ");
                json_string(&mut out, &m.app);
                out.push_str(", \"id\": ");
                json_string(&mut out, &m.id);
                out.push_str(", \"tab\": ");
                json_string(&mut out, &m.tab);
                let _ = write!(out, ", \"at\": {}}}", m.at.epoch_ms());
            }
            None => out.push_str("null"),
        }
        out.push_str(if i + 1 < MESSAGES.len() { "],\n" } else { "]\n" });
    }
    out.push_str("  ],\n  \"current\": {\n");
    let _ = writeln!(out, "    \"timeout\": {},", CURRENT_TIMEOUT.ms());
    out.push_str("    \"cases\": [\n");
    for (i, (text, has_id, loading)) in CURRENT.iter().enumerate() {
        let r = Record::decode(text, NOW).expect("a valid record");
        let origin = Moment::from_epoch_ms(NOW.epoch_ms() - loading);
        out.push_str("      [");
        json_string(&mut out, text);
        let _ =
            write!(out, ", {has_id}, {}, {}", origin.epoch_ms(), r.is_current(*has_id, CURRENT_TIMEOUT, origin, NOW));
        out.push_str(if i + 1 < CURRENT.len() { "],\n" } else { "]\n" });
    }
    out.push_str("    ]\n  },\n  \"undelivered\": [\n");
    for (i, text) in TOLD.iter().enumerate() {
        let r = Record::decode(text, NOW).expect("a valid record");
        out.push_str("    [");
        json_string(&mut out, text);
        let _ = write!(out, ", {}", r.told_as_of(NOW) == Told::Undelivered);
        out.push_str(if i + 1 < TOLD.len() { "],\n" } else { "]\n" });
    }
    out.push_str("  ]\n}\n");
    out
}

#[test]
fn the_fallbacks_vectors_say_what_the_module_does() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/fallback.json");
    let want = vectors();
    if std::env::var_os("UPDATE_VECTORS").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &want).unwrap();
    }
    let have = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "tests/vectors/fallback.json is not what the module computes: run UPDATE_VECTORS=1 cargo test --test fallback_vectors, and check pkg-template/rules.js against it (node --test tests/js/)"
    );
}
