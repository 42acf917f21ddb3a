//! Native tests of the cross-tab wire format: strict decoding, clamping, versions, identity.
#![cfg(not(target_arch = "wasm32"))]

use autologoff::time::{Duration, Moment};
use autologoff::wire::*;
use proptest::prelude::*;

const NOW: Moment = Moment::from_epoch_ms(1_700_000_000_000);

/// `n` ms.
fn ms(n: u64) -> Duration {
    Duration::from_ms(n)
}

fn msg(kind: Kind, id: &str, tab: &str, at: Moment) -> Message {
    Message { kind, app: String::new(), id: id.into(), tab: tab.into(), at }
}

#[test]
fn messages_round_trip() {
    for kind in [Kind::Activity, Kind::Extend, Kind::Logout, Kind::Claimed, Kind::Server] {
        for id in ["", "k3j2h0q9z"] {
            let m = msg(kind, id, "k3j2h0", NOW - ms(5));
            assert_eq!(Message::decode(&m.encode(), NOW), Some(m.clone()), "{}", m.encode());
        }
    }
    assert_eq!(msg(Kind::Activity, "", "ab", Moment::from_epoch_ms(42)).encode(), "3;a;;;ab;42");
    assert_eq!(msg(Kind::Logout, "s1", "ab", NOW).encode(), "3;l;;s1;ab;1700000000000");
    let app = Message { app: "x7q".into(), ..msg(Kind::Claimed, "s1", "ab", Moment::from_epoch_ms(7)) };
    assert_eq!(app.encode(), "3;c;x7q;s1;ab;7");
    assert_eq!(Message::decode("3;c;x7q;s1;ab;7", NOW), Some(app));
}

#[test]
fn future_timestamps_are_clamped_to_now_but_a_server_deadline_is_not() {
    let m = Message::decode("3;a;;;ab;999999999999999", NOW).unwrap();
    assert_eq!(m.at, NOW);
    let m = Message::decode("3;s;;;ab;1700000060000", NOW).unwrap();
    assert_eq!(m.at, NOW + ms(60_000), "a deadline is a time to come");
    let r = Record::decode("3;;;999999999999999;-;5;-;-", NOW).unwrap();
    assert_eq!(r.last_activity, NOW);
}

#[test]
fn malformed_and_other_versions_are_ignored() {
    for bad in [
        "",
        "2",
        "3;a;;;ab",
        "3;a;;;ab;",
        "3;a;;;ab;12;extra",
        "1;a;ab;12",
        "3;a;;ab;12",
        "2;a;;;ab;12",
        "3;a;X;;ab;12",
        "3;a;abcdefghijklmnopqr;;ab;12",
        "3;x;;;ab;12",
        "3;a;;;AB;12",
        "3;a;;;;12",
        "3;a;;;abcdefghijklmnopq;12",
        "3;a;;;ab;-12",
        "3;a;;;ab;1e3",
        "3;a;;;ab;1234567890123456",
        "3;a;;;ab;12 ",
        " 3;a;;;ab;12",
        "3;a;;;a b;12",
        "3;a;;;ab;１２",
        "3;a;;ID;ab;12",
        "3;a;;abcdefghijklmnopqr;ab;12",
    ] {
        assert_eq!(Message::decode(bad, NOW), None, "{bad:?}");
    }
    for bad in [
        "",
        "3;;;5",
        "1;5;-;1",
        "3;;;5;x;1;-;-",
        "3;;5;-;1;-;-",
        "3;;;;-;1;-;-",
        "3;;;5;-;x;-;-",
        "3;;;-;-;1;-;-",
        "3;;;5;-;1;-",
        "3;;;5;-;1;-;-;1",
        "3;;;5;-;1;-;x",
        "3;;;5;9;1;-;-",
        "3;;;5;-;1;-;d",
        "3;;X;5;-;1;-;-",
    ] {
        assert_eq!(Record::decode(bad, NOW), None, "{bad:?}");
    }
    assert_eq!(Message::decode(&"3;a;;;ab;1".repeat(20), NOW), None, "too long");
}

#[test]
fn records_round_trip() {
    let live = Record {
        app: "q1".into(),
        id: "abc".into(),
        last_activity: NOW - ms(10),
        ended: None,
        started: NOW - ms(99),
        server: Some(NOW + ms(5)),
        told: Told::Live,
    };
    assert_eq!(live.encode(), "3;q1;abc;1699999999990;-;1699999999901;1700000000005;-");
    assert_eq!(Record::decode(&live.encode(), NOW), Some(live.clone()));
    for told in [Told::Pending, Told::Done, Told::Undelivered] {
        let ended = Record { ended: Some(NOW - ms(3)), server: None, told, ..live.clone() };
        assert_eq!(Record::decode(&ended.encode(), NOW), Some(ended));
    }
}

proptest! {
    /// Arbitrary text never panics the decoders, and whatever they accept is well-formed:
    /// version 3, a valid tab id, and no event time after `now`.
    #[test]
    fn decoders_never_panic_and_accept_only_valid_input(s in "\\PC{0,90}") {
        if let Some(m) = Message::decode(&s, NOW) {
            prop_assert!(s.starts_with("3;"));
            prop_assert!(valid_tab(&m.tab));
            prop_assert!(m.kind == Kind::Server || m.at <= NOW);
        }
        if let Some(r) = Record::decode(&s, NOW) {
            prop_assert!(r.last_activity <= NOW && r.started <= NOW && r.ended.is_none_or(|t| t <= NOW));
            prop_assert_eq!(r.ended.is_some(), r.told != Told::Live);
        }
    }

    /// Structured fuzz: near-valid messages built from valid and invalid pieces.
    #[test]
    fn near_valid_messages(version in "[0-9]{1,2}", kind in "[aelcsx]", app in "[a-z0-9A-Z]{0,18}", id in "[a-z0-9A-Z]{0,18}", tab in "[a-z0-9A-Z]{0,18}", at in "[0-9]{0,17}") {
        let text = [version.as_str(), kind.as_str(), app.as_str(), id.as_str(), tab.as_str(), at.as_str()].join(";");
        let valid = |v: &str| v.len() <= 16 && v.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
        let ok = version == "3" && kind != "x" && valid(&app) && valid(&id) && valid_tab(&tab) && !at.is_empty() && at.len() <= 15;
        prop_assert_eq!(Message::decode(&text, NOW).is_some(), ok, "{}", text);
    }

    #[test]
    fn any_message_round_trips(id in "[a-z0-9]{0,13}", tab in "[a-z0-9]{1,16}", at in 0u64..=NOW.epoch_ms(), kind in 0usize..5) {
        let kind = [Kind::Activity, Kind::Extend, Kind::Logout, Kind::Claimed, Kind::Server][kind];
        let m = Message { kind, app: "x7".into(), id, tab, at: Moment::from_epoch_ms(at) };
        prop_assert_eq!(Message::decode(&m.encode(), NOW), Some(m));
    }
}
