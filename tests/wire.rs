//! Native tests of the cross-tab wire format: strict decoding, clamping, versions.
#![cfg(not(target_arch = "wasm32"))]

use autologoff::engine::PeerMessage;
use autologoff::wire::*;
use proptest::prelude::*;

const NOW: u64 = 1_700_000_000_000;

#[test]
fn messages_round_trip() {
    for m in [PeerMessage::Activity { at: NOW - 5 }, PeerMessage::Extend { at: NOW - 1 }, PeerMessage::Logout] {
        let text = encode("k3j2h0", m, NOW);
        assert_eq!(decode(&text, NOW), Some(Envelope { tab: "k3j2h0".into(), message: m }), "{text}");
    }
    assert_eq!(encode("ab", PeerMessage::Activity { at: 42 }, NOW), "1;a;ab;42");
    assert_eq!(encode("ab", PeerMessage::Logout, NOW), "1;l;ab;1700000000000");
}

#[test]
fn future_timestamps_are_clamped_to_now() {
    let e = decode("1;a;ab;999999999999999", NOW).unwrap();
    assert_eq!(e.message, PeerMessage::Activity { at: NOW });
    let r = Record::decode("1;999999999999999;-;5", NOW).unwrap();
    assert_eq!(r.last_activity, NOW);
}

#[test]
fn malformed_and_other_versions_are_ignored() {
    for bad in [
        "", "1", "1;a;ab", "1;a;ab;", "1;a;ab;12;extra", "2;a;ab;12", "1;x;ab;12", "1;a;AB;12",
        "1;a;;12", "1;a;abcdefghijklmnopq;12", "1;a;ab;-12", "1;a;ab;1e3", "1;a;ab;1234567890123456",
        "1;a;ab;12 ", " 1;a;ab;12", "1;a;a b;12", "1;a;ab;１２",
    ] {
        assert_eq!(decode(bad, NOW), None, "{bad:?}");
    }
    for bad in ["", "1;5", "1;5;x;1", "2;5;-;1", "1;;-;1", "1;5;-;x", "1;-;-;1", "1;5;-", "1;5;-;1;1"] {
        assert_eq!(Record::decode(bad, NOW), None, "{bad:?}");
    }
    assert_eq!(decode(&"1;a;ab;1".repeat(20), NOW), None, "too long");
}

#[test]
fn records_round_trip() {
    let live = Record { last_activity: NOW - 10, ended: None, started: NOW - 99 };
    assert_eq!(live.encode(), "1;1699999999990;-;1699999999901");
    assert_eq!(Record::decode(&live.encode(), NOW), Some(live));
    let ended = Record { last_activity: NOW - 10, ended: Some(NOW - 3), started: NOW - 99 };
    assert_eq!(Record::decode(&ended.encode(), NOW), Some(ended));
}

proptest! {
    /// Arbitrary text never panics the decoders, and whatever they accept is well-formed:
    /// version 1, a valid tab id, and no time after `now`.
    #[test]
    fn decoders_never_panic_and_accept_only_valid_input(s in "\\PC{0,70}") {
        if let Some(e) = decode(&s, NOW) {
            prop_assert!(s.starts_with("1;"));
            prop_assert!(valid_tab(&e.tab));
            match e.message {
                PeerMessage::Activity { at } | PeerMessage::Extend { at } => prop_assert!(at <= NOW),
                PeerMessage::Logout => {}
            }
        }
        if let Some(r) = Record::decode(&s, NOW) {
            prop_assert!(r.last_activity <= NOW && r.started <= NOW && r.ended.is_none_or(|t| t <= NOW));
        }
    }

    /// Structured fuzz: near-valid messages built from valid and invalid pieces.
    #[test]
    fn near_valid_messages(version in "[0-9]{1,2}", kind in "[aelx]", tab in "[a-z0-9A-Z]{0,18}", at in "[0-9]{0,17}") {
        let text = [version.as_str(), kind.as_str(), tab.as_str(), at.as_str()].join(";");
        let ok = version == "1" && kind != "x" && valid_tab(&tab) && !at.is_empty() && at.len() <= 15;
        prop_assert_eq!(decode(&text, NOW).is_some(), ok, "{}", text);
    }

    #[test]
    fn any_message_round_trips(tab in "[a-z0-9]{1,16}", at in 0u64..=NOW, kind in 0u8..3) {
        let m = match kind { 0 => PeerMessage::Activity { at }, 1 => PeerMessage::Extend { at }, _ => PeerMessage::Logout };
        prop_assert_eq!(decode(&encode(&tab, m, NOW), NOW), Some(Envelope { tab, message: m }));
    }
}
