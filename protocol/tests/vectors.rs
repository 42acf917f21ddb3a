//! Every case of vectors.json, against this crate. The Node package and the gateway are
//! checked against the same file.

use autologoff_protocol::audit::check_event;
use autologoff_protocol::identity::public_id_hash;
use autologoff_protocol::time::parse_duration;
use autologoff_protocol::{judge, Duration, Moment, Policy, PolicyError, RequestKind, Verdict};
use serde_json::{json, Value};

fn vectors() -> Value {
    serde_json::from_str(include_str!("../vectors.json")).expect("vectors.json is JSON")
}

fn ms(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} is a whole number in {v}"))
}

#[test]
fn judge_cases() {
    for case in vectors()["judge"].as_array().unwrap() {
        let p = &case["policy"];
        let policy = Policy::new(Duration::from_ms(ms(p, "idle")), Duration::from_ms(ms(p, "absolute"))).unwrap();
        let kind = RequestKind::parse(case["kind"].as_str().unwrap()).unwrap();
        let at = |k| Moment::from_epoch_ms(ms(case, k));
        let got = match judge(at("now"), at("created"), at("lastActive"), policy, kind) {
            Verdict::Live { remaining, touch } => json!({ "live": {
                "remainingMs": remaining.remaining.ms(),
                "idleRemainingMs": remaining.idle.ms(),
                "absoluteRemainingMs": remaining.absolute.ms(),
                "touch": touch,
            }}),
            Verdict::Ended(reason) => json!({ "ended": reason.as_str() }),
        };
        assert_eq!(got, case["expect"], "{}", case["name"]);
    }
}

#[test]
fn policy_cases() {
    for case in vectors()["policy"].as_array().unwrap() {
        let got = match Policy::new(Duration::from_ms(ms(case, "idle")), Duration::from_ms(ms(case, "absolute"))) {
            Ok(_) => "ok",
            Err(PolicyError::ZeroIdle) => "zero-idle",
            Err(PolicyError::IdleLongerThanAbsolute) => "idle-longer-than-absolute",
        };
        assert_eq!(got, case["expect"], "{case}");
    }
}

#[test]
fn public_id_hash_cases() {
    for case in vectors()["publicIdHash"].as_array().unwrap() {
        assert_eq!(public_id_hash(case["id"].as_str().unwrap()).as_str(), case["hash"], "{case}");
    }
}

#[test]
fn duration_cases() {
    for case in vectors()["duration"].as_array().unwrap() {
        let got = parse_duration(case["text"].as_str().unwrap()).map(Duration::ms);
        assert_eq!(got, case["ms"].as_u64(), "{case}");
    }
}

#[test]
fn iso8601_cases() {
    for case in vectors()["iso8601"].as_array().unwrap() {
        assert_eq!(Moment::from_epoch_ms(ms(case, "ms")).iso8601().as_str(), case["text"], "{case}");
    }
}

#[test]
fn audit_cases() {
    for case in vectors()["audit"].as_array().unwrap() {
        let got = match check_event(&case["event"]) {
            Ok(kept) => json!({ "kept": kept }),
            Err(e) => match e.field() {
                Some(f) if e.code() != "not-an-object" => json!({ "rejected": e.code(), "field": f }),
                _ => json!({ "rejected": e.code() }),
            },
        };
        assert_eq!(got, case["expect"], "{}", case["name"]);
    }
}
