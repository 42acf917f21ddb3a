//! Native tests of the session core: every rule the browser side used to decide, driven through
//! the real runner on a fake browser with a fake clock (tests/common).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::rc::Rc;

use autologoff::config::{Settings, Value};
use autologoff::engine::{ExtendHow, Reason, State};
use autologoff::session::{Action, Command, Event, Input, Reply};
use autologoff::time::{Duration, Moment};
use autologoff::wire::{Kind, Message, Record, Told};
use common::{ms, policy, settings, Bus, Tab, World, T0};

fn with_id(id: &str) -> Settings {
    Settings { session_id: Some(id.into()), ..settings(policy(10_000, 3_000)) }
}

fn posted(tab: &Tab, log: &[(Moment, Command)]) -> Vec<Message> {
    let now = tab.world.wall.get();
    log.iter().filter_map(|(_, c)| if let Command::Post(t) = c { Message::decode(t, now) } else { None }).collect()
}

/// A keepalive's 200 answer with `ms` left.
fn remaining(left: u64) -> Reply {
    Reply {
        status: Some(200),
        body: format!("{{\"remainingMs\":{left},\"idleRemainingMs\":{left}}}"),
        ..Reply::default()
    }
}

fn audits(log: &[(Moment, Command)]) -> Vec<String> {
    log.iter().filter_map(|(_, c)| if let Command::Audit(a) = c { Some(a.clone()) } else { None }).collect()
}

/// The index of the first command matching `f` in `log`.
fn position(log: &[Command], f: impl Fn(&Command) -> bool) -> usize {
    log.iter().position(f).unwrap_or_else(|| panic!("not found in {log:#?}"))
}

/// The Conceal commands in `log`, in order.
fn conceals(log: &[Command]) -> Vec<bool> {
    log.iter().filter_map(|c| if let Command::Conceal(on) = c { Some(*on) } else { None }).collect()
}

/// The user clicks "Stay signed in" (or the absolute warning's "Continue").
fn stay(tab: &Tab) {
    tab.post(Input::Dialog { action: Action::Stay(ExtendHow::Button), trusted: true, by_key: false, repeat: false });
}

/// Runs a tab's timers up to `until`.
fn run(tab: &Tab, until: Moment) {
    let mut spins = 0;
    while let Some(at) = tab.armed() {
        if at > until {
            break;
        }
        spins += 1;
        assert!(
            spins < 10_000,
            "the timer stays armed for T0 + {}: {:?}, {:#?}",
            at.since(T0).ms(),
            tab.state(),
            tab.take_log().last()
        );
        tab.world.at(at);
        tab.fire();
    }
    tab.world.at(until);
}

// --- identity -------------------------------------------------------------------------------

#[test]
fn a_server_clock_ahead_does_not_end_the_session_when_a_second_tab_joins() {
    // The reported field defect: data-session-start from a server 20 s ahead; a second tab 25 s
    // later; the first tab regains focus. No heuristic on start times: same identity, one
    // session.
    let world = World::new();
    let server_start = T0 + ms(20_000);
    let s = Settings {
        session_start: Some(server_start),
        policy: policy(60_000, 20_000),
        ..settings(policy(60_000, 20_000))
    };
    let a = Tab::open(&world, 0, s.clone());
    world.at(T0 + ms(25_000));
    a.input();
    let b = Tab::open(&world, 1, s);
    world.at(T0 + ms(26_000));
    a.post(Input::Wake(world.record()));
    assert_eq!((a.state(), b.state()), (State::Active, State::Active));
    assert!(world.logouts.borrow().is_empty());
}

#[test]
fn a_wall_clock_set_back_does_not_end_the_session() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    world.wall.set(T0 - ms(30_000));
    let b = Tab::open(&world, 1, with_id("s1"));
    a.post(Input::Wake(world.record()));
    b.post(Input::Wake(world.record()));
    assert_eq!((a.state(), b.state()), (State::Active, State::Active));
}

#[test]
fn messages_of_another_session_are_ignored() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    a.take_log();
    let other = Message { kind: Kind::Logout, app: with_id("zzz").app(), id: "zzz".into(), tab: "tab9".into(), at: T0 };
    a.post(Input::Message(other.encode()));
    assert_eq!(a.state(), State::Active, "another session's logout is not ours");
    let extend = Message {
        kind: Kind::Activity,
        app: with_id("zzz").app(),
        id: "zzz".into(),
        tab: "tab9".into(),
        at: T0 + ms(5_000),
    };
    world.at(T0 + ms(5_000));
    a.post(Input::Message(extend.encode()));
    assert_eq!(a.core(|c| c.engine().last_activity()), T0, "another session's activity is not ours");
}

/// The logout requests sent, as (tab, body).
fn logouts(world: &World) -> Vec<(usize, String)> {
    world.logouts.borrow().clone()
}

#[test]
fn a_page_whose_session_was_replaced_tells_the_server_of_its_own_session_and_touches_nothing_else() {
    // A page of the previous user's session comes back (back/forward cache) after someone else
    // signed in: it must not end, wipe or keep alive the new session, and it must not end its
    // own without the server being told (docs/protocol.md 3.3: the logout names the session).
    let world = World::new();
    let old = Tab::open(&world, 0, with_id("old"));
    world.at(T0 + ms(2_000));
    let new = Tab::open(&world, 1, with_id("new"));
    let record_before = world.record.borrow().clone();
    old.take_log();
    world.at(T0 + ms(3_000));
    old.post(Input::Wake(world.record()));
    let log = old.commands();
    assert_eq!(old.state(), State::Expired);
    assert!(log.contains(&Command::Cover));
    assert!(log.contains(&Command::Event(Event::Logout { reason: Reason::Replaced })));
    assert!(log.contains(&Command::Redirect("/login".into())));
    assert!(log.contains(&Command::ClearTab), "its own tab's session storage goes");
    for c in &log {
        assert!(
            !matches!(c, Command::WriteRecord(_) | Command::Clear | Command::ClearAgain | Command::ClearCookies),
            "touched the new session: {c:?}"
        );
    }
    // The claim is the old session's own lock; the request names the old session.
    assert!(log.iter().any(|c| matches!(c, Command::Claim(name) if name.ends_with(&with_id("old").identity()))));
    assert_eq!(logouts(&world), [(0, "reason=replaced&session=old".to_string())]);
    assert_eq!(*world.record.borrow(), record_before);
    assert_eq!(new.state(), State::Active);
}

#[test]
fn without_a_public_id_a_replaced_page_cannot_name_its_session_and_sends_nothing() {
    // Identity from sessionStart only: the server does not know the session by it, and a
    // logout without a name would end the cookie's session, which is the new sign-in's.
    let world = World::new();
    let start = |t| Settings { session_start: Some(t), ..settings(policy(10_000, 3_000)) };
    let old = Tab::open(&world, 0, start(T0 - ms(60_000)));
    world.at(T0 + ms(2_000));
    let _new = Tab::open(&world, 1, start(T0 + ms(1_000)));
    world.at(T0 + ms(3_000));
    old.post(Input::Wake(world.record()));
    assert_eq!(old.state(), State::Expired);
    assert!(logouts(&world).is_empty());
    assert!(!old.commands().iter().any(|c| matches!(c, Command::Claim(_))));
}

#[test]
fn an_old_page_that_expires_after_a_new_sign_in_ends_only_its_own_session() {
    // Tab A (session X) sits idle, still visible; the user signs in again as Y in another tab.
    // A's logout request carries Y's cookie: it names X, so the server ends X and not Y.
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("x"));
    world.at(T0 + ms(1_000));
    let _b = Tab::open(&world, 1, with_id("y"));
    run(&a, T0 + ms(12_000));
    assert_eq!(a.state(), State::Expired);
    let sent = logouts(&world);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].1.ends_with("&session=x"), "names its own session: {sent:?}");
    assert_eq!(world.record().unwrap().id, Settings { session_id: Some("y".into()), ..Settings::default() }.identity());
    assert_eq!(world.record().unwrap().ended, None, "the new session's record is untouched");
}

#[test]
fn a_stale_page_with_input_never_overwrites_a_new_sign_ins_record() {
    // Two windows side by side: the old user's page (X) gets a mouse move after the user signed
    // in again as Y in the other. Writing its record over Y's would make Y's pages believe they
    // were the replaced ones, and leave without telling the server.
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("x"));
    world.at(T0 + ms(1_000));
    let b = Tab::open(&world, 1, with_id("y"));
    let y = world.record().unwrap().id;
    world.at(T0 + ms(2_000));
    a.input();
    assert_eq!(world.record().unwrap().id, y, "the new session's record is untouched");
    assert_eq!(a.state(), State::Expired, "the old page found it was replaced");
    assert_eq!(logouts(&world), [(0, "reason=replaced&session=x".to_string())], "its own session, by name");
    b.post(Input::Wake(world.record()));
    assert_eq!(b.state(), State::Active, "the new session goes on");
    // A keepalive answer reaching the old page writes nothing either.
    a.post(Input::Keepalive(remaining(60_000)));
    assert_eq!(world.record().unwrap().id, y);
}

#[test]
fn an_ending_page_leaves_a_new_sign_in_alone() {
    // The old session's logout request hangs; meanwhile the user signs in again in another tab.
    // When the old page finishes, it rewrites no tombstone over the new record and clears
    // nothing of the new session's (storage, cookies).
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("x"));
    a.host(|h| h.logout_status = None);
    a.post(Input::Logout);
    assert_eq!(a.state(), State::Expired);
    assert_eq!(world.logouts.borrow().len(), 1);
    world.at(T0 + ms(1_000));
    let _b = Tab::open(&world, 1, with_id("y"));
    let y = world.record().unwrap();
    a.take_log();
    world.at(T0 + ms(1_500));
    a.post(Input::LogoutSent(Some(204)));
    run(&a, T0 + ms(60_000));
    assert_eq!(world.record(), Some(y), "the new session's record is untouched");
    let after = a.commands();
    for c in &after {
        assert!(
            !matches!(c, Command::ClearAgain | Command::ClearCookies | Command::WriteRecord(_) | Command::Clear),
            "{c:?} would touch the new session"
        );
    }
    assert!(after.iter().any(|c| matches!(c, Command::Redirect(_))), "the old page still leaves");
}

#[test]
fn a_page_closed_or_hidden_announces_its_last_input_first() {
    // Typing goes on after the first keystroke's announcement; the user then closes the tab (or
    // switches away) before the next one is due. The other tabs must count from the last
    // keystroke, not the first.
    for last in [Input::PageHide, Input::Wake(None)] {
        let world = World::new();
        let a = Tab::open(&world, 0, with_id("x"));
        world.at(T0 + ms(1_000));
        a.input();
        assert_eq!(world.record().unwrap().last_activity, T0 + ms(1_000));
        world.at(T0 + ms(1_800));
        a.input();
        assert_eq!(world.record().unwrap().last_activity, T0 + ms(1_000), "waits for its announcement");
        world.at(T0 + ms(1_900));
        a.post(last.clone());
        assert_eq!(world.record().unwrap().last_activity, T0 + ms(1_800), "{last:?}: the last input recorded");
        let b = Tab::open(&world, 1, with_id("x"));
        assert_eq!(b.core(|c| c.deadline()), Some(T0 + ms(1_800) + ms(10_000)), "its deadline counts from it");
    }
}

#[test]
fn a_message_of_another_session_makes_the_page_check_whether_it_was_replaced() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("x"));
    world.at(T0 + ms(1_000));
    let b = Tab::open(&world, 1, with_id("y"));
    b.take_log();
    world.at(T0 + ms(2_000));
    b.input();
    let text = b.commands().into_iter().find_map(|c| if let Command::Post(t) = c { Some(t) } else { None }).unwrap();
    a.post(Input::Message(text));
    assert_eq!(a.state(), State::Expired, "the old user's page is covered at once");
    assert_eq!(b.state(), State::Active);
}

#[test]
fn without_an_identity_every_page_of_the_channel_is_one_session() {
    let world = World::new();
    let s = settings(policy(10_000, 3_000));
    let a = Tab::open(&world, 0, s.clone());
    world.at(T0 + ms(5_000));
    // No guessing from start times: a page that starts later joins, whatever its start.
    let b = Tab::open(&world, 1, s);
    assert_eq!(b.state(), State::Active);
    assert_eq!(b.core(|c| c.deadline()), a.core(|c| c.deadline()));
    assert_eq!(b.core(|c| c.id().to_owned()), "");
}

// --- joining --------------------------------------------------------------------------------

#[test]
fn a_late_tab_joins_the_running_session_and_its_deadline() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    world.at(T0 + ms(4_000));
    a.input();
    world.at(T0 + ms(6_000));
    let b = Tab::open(&world, 1, with_id("s1"));
    assert_eq!(b.core(|c| c.deadline()), Some(T0 + ms(14_000)));
}

#[test]
fn a_tab_reopened_after_the_deadline_passed_logs_that_session_out_at_once() {
    // Every tab closed; a discarded tab reloads, or Ctrl+Shift+T, after the deadline.
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    drop(a);
    world.at(T0 + ms(60_000));
    let b = Tab::open(&world, 1, with_id("s1"));
    let log = b.commands();
    assert_eq!(b.state(), State::Expired);
    assert!(log.contains(&Command::Event(Event::Logout { reason: Reason::Idle })), "{log:#?}");
    assert_eq!(world.logouts.borrow().len(), 1, "the server is told");
    // Without an identity it cannot know the record is its own: it starts afresh.
    let world = World::new();
    drop(Tab::open(&world, 0, settings(policy(10_000, 3_000))));
    world.at(T0 + ms(60_000));
    let c = Tab::open(&world, 1, settings(policy(10_000, 3_000)));
    assert_eq!(c.state(), State::Active);
}

#[test]
fn a_page_loaded_for_a_session_that_already_ended_ends_itself() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    a.post(Input::Logout);
    assert_eq!(world.logouts.borrow().len(), 1);
    world.at(T0 + ms(1_000));
    let b = Tab::open(&world, 1, with_id("s1"));
    assert_eq!(b.state(), State::Expired);
    assert_eq!(world.logouts.borrow().len(), 1, "delivered: not sent again");
    // A different (new) session starts afresh over the tombstone.
    let c = Tab::open(&world, 2, with_id("s2"));
    assert_eq!(c.state(), State::Active);
}

// --- the server is always told --------------------------------------------------------------

#[test]
fn a_tab_told_of_the_end_before_the_ender_reads_the_record_does_not_stop_its_request() {
    // Seen in Firefox under load: the other tab got the 'logout' message and read the shared
    // record while it was still live, before the tab that ended the session read it. The
    // other tab marked the end in the record as told; the ender then found that mark and sent
    // no request at all, and the server session lived on.
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    let b = Tab::open(&world, 1, with_id("s1"));
    let (other, shared) = (b.runner.clone(), world.clone());
    a.host(|h| {
        h.on_event = Some(Box::new(move |event| {
            if matches!(event, Event::Logout { .. }) {
                // The message arrives in the other tab right now: after the ender posted it,
                // before the ender reads the record.
                let sent: Vec<String> = shared.bus.borrow().iter().filter(|m| m.1 == 0).map(|m| m.2.clone()).collect();
                for text in sent {
                    other.post(Input::Message(text));
                }
            }
            Vec::new()
        }))
    });
    a.post(Input::Logout);
    assert_eq!(b.state(), State::Expired, "the other tab ended too");
    assert_eq!(logouts(&world).len(), 1, "exactly one logout request, from the tab that ended it");
    assert_eq!(logouts(&world)[0].0, 0);
    assert_eq!(world.record().unwrap().told, Told::Done);
}

#[test]
fn a_tab_that_missed_the_logout_message_ends_when_the_record_says_the_session_ended() {
    // Seen in WebKit: a tab whose BroadcastChannel had just opened missed the 'logout' message
    // and stayed signed in, the patient record on screen, until its own deadline. The record's
    // storage event tells it.
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    let b = Tab::open(&world, 1, with_id("s1"));
    a.post(Input::Logout);
    assert_eq!(b.state(), State::Active, "the message never reached b");
    // Writes that end nothing change nothing: a live record, another session's, none.
    let live = Record { ended: None, ..world.record().unwrap() };
    b.post(Input::RecordChanged(Some(live.clone())));
    b.post(Input::RecordChanged(Some(Record { id: "s2-hash".into(), ..world.record().unwrap() })));
    b.post(Input::RecordChanged(None));
    assert_eq!(b.state(), State::Active);
    b.take_log();
    b.post(Input::RecordChanged(world.record()));
    assert_eq!(b.state(), State::Expired);
    let log = b.commands();
    assert!(log.contains(&Command::Event(Event::Logout { reason: Reason::Peer })), "{log:#?}");
    assert_eq!(logouts(&world).len(), 1, "the ender told the server; b sends nothing more");
}

#[test]
fn a_rejected_logout_falls_back_to_a_beacon_and_the_next_page_sends_it_again() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    a.host(|h| h.logout_status = Some(None)); // fetch rejects: offline, CORS, quota
    a.post(Input::Logout);
    let log = a.commands();
    assert_eq!(world.beacons.borrow().len(), 1, "sendBeacon on rejection too");
    assert!(audits(&a.take_log()).is_empty());
    assert!(log
        .iter()
        .any(|c| matches!(c, Command::Audit(a) if a.contains("logout-request-failed") && a.contains("network"))));
    assert_eq!(world.record().unwrap().told, Told::Undelivered, "the tombstone remembers");
    // The next page of this session sends it again before anything else, and leaves.
    world.at(T0 + ms(5_000));
    let b = Tab::open(&world, 1, with_id("s1"));
    let log = b.commands();
    assert_eq!(b.state(), State::Expired);
    assert_eq!(world.logouts.borrow().len(), 2);
    assert!(log.iter().any(|c| matches!(c, Command::Audit(a) if a.contains("logout-retried"))));
    assert_eq!(world.record().unwrap().told, Told::Done);
    // Once delivered, nobody sends it again.
    let c = Tab::open(&world, 2, with_id("s1"));
    assert_eq!(c.state(), State::Expired);
    assert_eq!(world.logouts.borrow().len(), 2);
}

#[test]
fn a_logout_the_keepalive_quota_refuses_goes_without_keepalive() {
    // The page's own beacons spent the 64 KB keepalive quota, which sendBeacon shares: fetch
    // with keepalive rejects, the beacon is not queued, a plain fetch gets through.
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    a.host(|h| {
        h.logout_status = Some(None);
        h.beacon_queued = false;
    });
    a.post(Input::Logout);
    let log = a.commands();
    let sends: Vec<_> = log.iter().filter(|c| matches!(c, Command::SendLogout { .. } | Command::Beacon(_))).collect();
    assert_eq!(sends.len(), 3, "{sends:#?}");
    assert!(matches!(sends[2], Command::SendLogout { keepalive: false, .. }));
    assert_eq!(world.record().unwrap().told, Told::Done, "the plain fetch was answered");
    assert!(!log.iter().any(|c| matches!(c, Command::Audit(a) if a.contains("logout-request-failed"))));
}

#[test]
fn only_a_2xx_3xx_401_or_410_answer_means_the_server_was_told() {
    // docs/protocol.md 3.3: a 403 (a CSRF token or an origin refused) ended nothing.
    let cases = [
        (Some(Some(204)), Told::Done),
        (Some(Some(302)), Told::Done),
        (Some(Some(401)), Told::Done),
        (Some(Some(410)), Told::Done),
        (Some(Some(403)), Told::Undelivered),
        (Some(Some(404)), Told::Undelivered),
        (Some(Some(419)), Told::Undelivered),
        (Some(Some(503)), Told::Undelivered),
        (None, Told::Undelivered),
    ];
    for (status, told) in cases {
        let world = World::new();
        let a = Tab::open(&world, 0, with_id("s1"));
        a.host(|h| h.logout_status = status);
        a.post(Input::Logout);
        run(&a, T0 + ms(10_000)); // the wait bound
        assert_eq!(world.record().unwrap().told, told, "{status:?}");
        assert!(a.host(|h| h.left.is_some()), "left in any case");
        // Not told: sent again at once as a beacon, which carries the token as a form field.
        let beacons = world.beacons.borrow().len();
        assert_eq!(beacons, usize::from(told == Told::Undelivered && status.is_some()), "{status:?}");
    }
}

#[test]
fn without_an_identity_only_a_page_of_the_ended_session_sends_it_again() {
    // No identity: a page loaded after the tombstone cannot tell it from a new sign-in's page.
    let world = World::new();
    let s = settings(policy(10_000, 3_000));
    let a = Tab::open(&world, 0, s.clone());
    a.host(|h| h.logout_status = Some(None));
    a.post(Input::Logout);
    assert_eq!(world.logouts.borrow().len(), 1);
    world.at(T0 + ms(1_000));
    let b = Tab::open(&world, 1, s.clone());
    assert_eq!(b.state(), State::Active, "a new page starts afresh");
    assert_eq!(world.logouts.borrow().len(), 1);
    // A page that was open when it ended (woken now) does send it again.
    let world = World::new();
    let a = Tab::open(&world, 0, s.clone());
    let c = Tab::open_loaded(&world, 1, s, Duration::ZERO);
    a.host(|h| h.logout_status = Some(None));
    a.post(Input::Logout);
    c.post(Input::Wake(world.record()));
    assert_eq!(world.logouts.borrow().len(), 2);
}

// --- tabs share the server's deadline -------------------------------------------------------

fn keepalive_settings(id: &str) -> Settings {
    Settings {
        keepalive_url: Some("/keepalive".into()),
        keepalive_interval: ms(10_000),
        ..Settings { policy: policy(30_000, 20_000), ..with_id(id) }
    }
}

#[test]
fn a_page_that_inherits_a_server_deadline_asks_the_server_at_once() {
    // The recorded deadline predates this page's load, which the server saw too: a portal whose
    // pages load every few minutes would otherwise never send a keepalive and warn on the old
    // deadline while the user works.
    let world = World::new();
    let a = Tab::open(&world, 0, keepalive_settings("s1"));
    a.post(Input::Keepalive(remaining(60_000)));
    assert!(world.record().unwrap().server.is_some());
    world.at(T0 + ms(5_000));
    let b = Tab::open(&world, 1, keepalive_settings("s1"));
    assert!(b.commands().iter().any(|c| matches!(c, Command::Keepalive(_))), "the new page asks the server");
    // A page with no recorded deadline waits for its interval, as before.
    let world = World::new();
    let c = Tab::open(&world, 0, keepalive_settings("s2"));
    assert!(!c.commands().iter().any(|c| matches!(c, Command::Keepalive(_))));
}

#[test]
fn a_keepalive_answer_in_one_tab_moves_the_server_deadline_in_all() {
    // Demo preset: 30 s, warning 20 s, keepalive every 10 s, server idle limit 60 s. Active in
    // A for a while, then only in B: A must not expire on A's old server deadline.
    let world = World::new();
    let a = Tab::open(&world, 0, keepalive_settings("s1"));
    let b = Tab::open(&world, 1, keepalive_settings("s1"));
    let mut bus = Bus::new(&world, vec![a, b], ms(1));
    for t in (1_000..=12_000).step_by(1_000) {
        bus.run_until(T0 + ms(t));
        bus.tabs[0].input();
        let answered = bus.tabs[0].take_log().iter().any(|(_, c)| matches!(c, Command::Keepalive(_)));
        if answered {
            bus.tabs[0].post(Input::Keepalive(remaining(60_000)));
        }
    }
    // Now only B, for 80 s, with the server answering B's keepalives.
    for t in (13_000..=92_000).step_by(1_000) {
        bus.run_until(T0 + ms(t));
        bus.tabs[1].input();
        let answered = bus.tabs[1].take_log().iter().any(|(_, c)| matches!(c, Command::Keepalive(_)));
        if answered {
            bus.tabs[1].post(Input::Keepalive(remaining(60_000)));
        }
        assert_eq!(bus.tabs[0].state(), State::Active, "A at T0 + {t}");
        assert_eq!(bus.tabs[1].state(), State::Active, "B at T0 + {t}");
    }
}

#[test]
fn a_keepalive_that_fails_after_stay_signed_in_does_not_forget_the_server_deadline() {
    let world = World::new();
    let a = Tab::open(&world, 0, keepalive_settings("s1"));
    a.post(Input::Keepalive(remaining(25_000))); // the server ends it at T0 + 25 s
    run(&a, T0 + ms(5_000));
    assert_eq!(a.state(), State::Warning, "warned 20 s before the server's deadline");
    a.post(Input::Dialog { action: Action::Stay(ExtendHow::Button), trusted: true, by_key: false, repeat: false });
    assert_eq!(a.state(), State::Active);
    assert!(a.commands().iter().any(|c| matches!(c, Command::Keepalive(_))), "asks the server");
    // The keepalive fails: the server still ends the session at T0 + 25 s.
    world.at(T0 + ms(6_000));
    a.post(Input::Keepalive(Reply::default()));
    assert_eq!(a.state(), State::Warning, "warned again: the server did not confirm");
    run(&a, T0 + ms(25_000));
    assert_eq!(a.state(), State::Expired);
    assert!(a.commands().contains(&Command::Event(Event::Logout { reason: Reason::Server })));
}

#[test]
fn keepalive_only_for_its_own_session() {
    let world = World::new();
    let a = Tab::open(&world, 0, Settings { keepalive_interval: ms(5_000), ..keepalive_settings("x") });
    world.at(T0 + ms(1_000));
    let _b = Tab::open(&world, 1, keepalive_settings("y"));
    a.take_log();
    world.at(T0 + ms(6_000));
    a.input();
    let log = a.commands();
    assert!(!log.iter().any(|c| matches!(c, Command::Keepalive(_))), "the cookie is the new session's now");
    assert_eq!(a.state(), State::Expired);
}

// --- the dialog, the title, trusted input ---------------------------------------------------

#[test]
fn the_dialog_and_the_title_through_the_warning_phases() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    a.take_log();
    run(&a, T0 + ms(7_000));
    let log = a.commands();
    let event = position(&log, |c| matches!(c, Command::Event(Event::Warning { .. })));
    let show =
        position(&log, |c| matches!(c, Command::ShowDialog { absolute: false, remaining } if *remaining == ms(3_000)));
    let title = position(&log, |c| *c == Command::Title(Some(ms(3_000))));
    assert!(event < show && show < title, "the event first, then the dialog, then the title: {log:#?}");
    // One wakeup a second for the countdown.
    run(&a, T0 + ms(8_000));
    let log = a.commands();
    assert!(
        log.contains(&Command::UpdateDialog { remaining: ms(2_000) }) && log.contains(&Command::Title(Some(ms(2_000)))),
        "{log:#?}"
    );
    assert_eq!(a.armed(), Some(T0 + ms(9_000)));
    // Input does not dismiss it.
    world.at(T0 + ms(8_500));
    a.input();
    assert_eq!(a.state(), State::Warning);
    // "Stay signed in" closes it and restores the title.
    a.post(Input::Dialog { action: Action::Stay(ExtendHow::Button), trusted: true, by_key: false, repeat: false });
    let log = a.commands();
    assert!(log.contains(&Command::CloseDialog) && log.contains(&Command::Title(None)));
    assert!(log.contains(&Command::Event(Event::Extend { how: ExtendHow::Button })));
    assert!(!a.host(|h| h.dialog) && a.host(|h| h.title).is_none());
}

#[test]
fn a_key_typed_as_the_warning_opens_does_not_answer_it() {
    // Focus moves to "Stay signed in" as the dialog opens: an Enter typed into a note at that
    // moment (or a barcode scanner's) would press it. A key answers only after a moment; a
    // pointer at once.
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    run(&a, T0 + ms(7_000));
    assert_eq!(a.state(), State::Warning);
    world.at(T0 + ms(7_100));
    for how in [ExtendHow::Button, ExtendHow::Key] {
        a.post(Input::Dialog { action: Action::Stay(how), trusted: true, by_key: true, repeat: false });
        assert_eq!(a.state(), State::Warning, "{how:?} 100 ms after it opened");
    }
    a.post(Input::Dialog { action: Action::Logout, trusted: true, by_key: true, repeat: false });
    assert_eq!(a.state(), State::Warning, "nor the other button");
    world.at(T0 + ms(7_800));
    a.post(Input::Dialog { action: Action::Stay(ExtendHow::Key), trusted: true, by_key: true, repeat: false });
    assert_eq!(a.state(), State::Active, "Escape once the dialog has been seen");
    // A pointer answers at once.
    run(&a, T0 + ms(14_800));
    assert_eq!(a.state(), State::Warning);
    world.at(T0 + ms(14_850));
    a.post(Input::Dialog { action: Action::Stay(ExtendHow::Button), trusted: true, by_key: false, repeat: false });
    assert_eq!(a.state(), State::Active);
}

#[test]
fn only_the_user_may_press_stay_signed_in() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    run(&a, T0 + ms(7_000));
    assert_eq!(a.state(), State::Warning);
    // A script clicks the button, sends Escape: nothing.
    for how in [ExtendHow::Button, ExtendHow::Key] {
        a.post(Input::Dialog { action: Action::Stay(how), trusted: false, by_key: false, repeat: false });
        assert_eq!(a.state(), State::Warning);
    }
    a.post(Input::Dialog { action: Action::Logout, trusted: false, by_key: false, repeat: false });
    assert_eq!(a.state(), State::Warning);
    run(&a, T0 + ms(10_000));
    assert_eq!(a.state(), State::Expired, "the portal logs off");
    // The page's own code may extend, deliberately.
    let world = World::new();
    let b = Tab::open(&world, 0, with_id("s1"));
    run(&b, T0 + ms(7_000));
    assert!(b.post(Input::Extend));
    assert!(b.core(|c| c.extended()));
    assert_eq!(b.state(), State::Active);
}

#[test]
fn the_absolute_warning_can_only_be_closed() {
    let world = World::new();
    let p = policy(10_000, 3_000).with_absolute(Some(ms(8_000))).unwrap();
    let a = Tab::open(&world, 0, Settings { policy: p, ..with_id("s1") });
    a.take_log();
    run(&a, T0 + ms(5_000));
    let log = a.commands();
    assert!(log.contains(&Command::ShowDialog { absolute: true, remaining: ms(3_000) }));
    assert_eq!(conceals(&log), [true], "the page concealed as for any warning");
    stay(&a);
    let log = a.commands();
    let revealed = position(&log, |c| *c == Command::Conceal(false));
    let closed = position(&log, |c| *c == Command::CloseDialog);
    assert!(revealed < closed, "closing it reveals the page for the rest of it: {log:#?}");
    assert!(!log.iter().any(|c| matches!(c, Command::Event(Event::Extend { .. }))));
    assert_eq!(a.state(), State::Warning, "still ending");
    // extend(), which re-announces the absolute warning, neither extends nor conceals again.
    world.at(T0 + ms(5_500));
    a.post(Input::Extend);
    assert!(!a.core(|c| c.extended()) && a.state() == State::Warning);
    run(&a, T0 + ms(6_000));
    let log = a.commands();
    assert!(!log.iter().any(|c| matches!(c, Command::ShowDialog { .. })), "not shown again");
    assert!(conceals(&log).is_empty(), "nor concealed again");
    run(&a, T0 + ms(8_000));
    assert_eq!(a.state(), State::Expired);
}

#[test]
fn with_dialog_false_the_title_still_counts_down_and_no_dialog_shows() {
    let world = World::new();
    let a = Tab::open(&world, 0, Settings { dialog: false, ..with_id("s1") });
    run(&a, T0 + ms(7_000));
    let log = a.commands();
    assert!(!log.iter().any(|c| matches!(c, Command::ShowDialog { .. })));
    assert!(log.contains(&Command::Title(Some(ms(3_000)))));
}

#[test]
fn stop_restores_the_title_and_releases_everything_without_a_logout() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    run(&a, T0 + ms(7_500));
    a.take_log();
    a.post(Input::Stop);
    let log = a.commands();
    assert_eq!(
        log,
        vec![
            Command::Conceal(false),
            Command::CloseDialog,
            Command::Title(None),
            Command::Detach,
            Command::State(State::Stopped)
        ]
    );
    assert_eq!(a.armed(), None);
    run(&a, T0 + ms(60_000));
    assert!(world.logouts.borrow().is_empty());
}

// --- the page concealed while the warning shows (NIST SP 800-53 AC-11) -----------------------

#[test]
fn the_page_is_concealed_before_the_warning_event_and_revealed_first_when_the_user_stays() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    a.take_log();
    run(&a, T0 + ms(6_999));
    assert!(conceals(&a.commands()).is_empty(), "not before the warning");
    run(&a, T0 + ms(7_000));
    let log = a.commands();
    let concealed = position(&log, |c| *c == Command::Conceal(true));
    let event = position(&log, |c| matches!(c, Command::Event(Event::Warning { .. })));
    let show = position(&log, |c| matches!(c, Command::ShowDialog { .. }));
    // Before the event, so a page's own warning opened from its listener goes above it.
    assert!(concealed < event && event < show, "{log:#?}");
    assert_eq!(conceals(&log), [true], "once");
    run(&a, T0 + ms(8_500));
    assert!(conceals(&a.commands()).is_empty(), "the countdown changes nothing");
    stay(&a);
    let log = a.commands();
    assert_eq!(log.first(), Some(&Command::Conceal(false)), "revealed before anything else: {log:#?}");
    assert_eq!(conceals(&log), [false]);
    // The next warning conceals it again.
    run(&a, T0 + ms(15_500));
    assert_eq!(conceals(&a.commands()), [true]);
}

#[test]
fn a_script_cannot_reveal_the_page_by_clicking_stay() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    run(&a, T0 + ms(7_500));
    a.take_log();
    a.post(Input::Dialog { action: Action::Stay(ExtendHow::Button), trusted: false, by_key: false, repeat: false });
    assert!(conceals(&a.commands()).is_empty());
}

#[test]
fn extend_and_another_tabs_stay_reveal_the_page_at_once() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    let b = Tab::open(&world, 1, with_id("s1"));
    let mut bus = Bus::new(&world, vec![a, b], ms(1));
    bus.run_until(T0 + ms(7_500));
    for tab in &bus.tabs {
        assert_eq!(conceals(&tab.commands()), [true], "every tab conceals itself");
    }
    // "Stay signed in" in one tab: the other is revealed as soon as it hears of it.
    bus.tabs[0].post(Input::Dialog {
        action: Action::Stay(ExtendHow::Button),
        trusted: true,
        by_key: false,
        repeat: false,
    });
    assert_eq!(conceals(&bus.tabs[0].commands()), [false]);
    bus.run_until(T0 + ms(7_501));
    let log = bus.tabs[1].commands();
    assert_eq!(log.first(), Some(&Command::Conceal(false)), "{log:#?}");
    assert!(log.contains(&Command::Event(Event::Extend { how: ExtendHow::Peer })));
    // `session.extend()`, the page's deliberate way, too.
    bus.run_until(T0 + ms(15_000));
    for tab in &bus.tabs {
        assert_eq!(conceals(&tab.commands()), [true]);
    }
    assert!(bus.tabs[1].post(Input::Extend));
    assert_eq!(bus.tabs[1].commands().first(), Some(&Command::Conceal(false)));
}

#[test]
fn at_expiry_the_cover_goes_up_before_the_concealment_comes_down() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    run(&a, T0 + ms(9_999));
    assert_eq!(conceals(&a.commands()), [true]);
    run(&a, T0 + ms(10_000));
    let log = a.commands();
    let cover = position(&log, |c| *c == Command::Cover);
    let revealed = position(&log, |c| *c == Command::Conceal(false));
    assert!(cover < revealed, "no moment without either: {log:#?}");
    assert_eq!(conceals(&log), [false]);
    run(&a, T0 + ms(30_000));
    assert!(conceals(&a.commands()).is_empty());
}

#[test]
fn with_dialog_false_the_page_is_concealed_all_the_same() {
    let world = World::new();
    let a = Tab::open(&world, 0, Settings { dialog: false, ..with_id("s1") });
    a.take_log();
    run(&a, T0 + ms(7_000));
    let log = a.commands();
    let concealed = position(&log, |c| *c == Command::Conceal(true));
    let event = position(&log, |c| matches!(c, Command::Event(Event::Warning { .. })));
    assert!(concealed < event, "{log:#?}");
    assert!(!log.iter().any(|c| matches!(c, Command::ShowDialog { .. })));
    // The page's own "Stay signed in" calls extend().
    assert!(a.post(Input::Extend));
    assert_eq!(a.commands().first(), Some(&Command::Conceal(false)));
}

#[test]
fn conceal_during_warning_false_conceals_nothing() {
    let world = World::new();
    let a = Tab::open(&world, 0, Settings { conceal_during_warning: false, ..with_id("s1") });
    run(&a, T0 + ms(7_500));
    stay(&a);
    run(&a, T0 + ms(30_000));
    let log = a.commands();
    assert!(log.contains(&Command::Cover), "it did warn, extend and expire");
    assert!(conceals(&log).is_empty(), "{log:#?}");
}

// --- re-entrancy ----------------------------------------------------------------------------

#[test]
fn an_extend_from_inside_a_warning_listener_runs_right_after_it() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    a.host(|h| {
        h.on_event = Some(Box::new(|e| match e {
            Event::Warning { .. } => vec![Input::Extend],
            _ => vec![],
        }))
    });
    a.take_log();
    run(&a, T0 + ms(7_000));
    let log = a.commands();
    let warning = position(&log, |c| matches!(c, Command::Event(Event::Warning { .. })));
    let shown = position(&log, |c| matches!(c, Command::ShowDialog { .. }));
    let extended = position(&log, |c| matches!(c, Command::Event(Event::Extend { how: ExtendHow::Api })));
    assert!(warning < shown && shown < extended, "{log:#?}");
    assert_eq!(a.state(), State::Active);
    assert!(!a.host(|h| h.dialog));
}

#[test]
fn a_stop_and_a_logout_from_listeners_are_not_lost() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    a.host(|h| {
        h.on_event = Some(Box::new(|e| if matches!(e, Event::Warning { .. }) { vec![Input::Logout] } else { vec![] }))
    });
    run(&a, T0 + ms(7_000));
    assert_eq!(a.state(), State::Expired);
    assert_eq!(world.logouts.borrow().len(), 1);
    assert!(world.logouts.borrow()[0].1.contains("reason=user"));
}

// --- termination ----------------------------------------------------------------------------

#[test]
fn termination_happens_in_order() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    a.host(|h| {
        h.logout_status = None;
        h.clear_at_once = false;
    });
    run(&a, T0 + ms(9_999));
    a.take_log();
    run(&a, T0 + ms(10_000));
    let log = a.commands();
    let at = |f: &dyn Fn(&Command) -> bool| position(&log, f);
    let cover = at(&|c| *c == Command::Cover);
    let told_tabs = at(&|c| matches!(c, Command::Post(t) if t.starts_with("3;l;")));
    let event = at(&|c| *c == Command::Event(Event::Logout { reason: Reason::Idle }));
    let stop_input = at(&|c| *c == Command::StopInput);
    let read = at(&|c| *c == Command::ReadRecord);
    let tombstone = at(&|c| matches!(c, Command::WriteRecord(r) if r.ends_with(";p")));
    let claim = at(&|c| matches!(c, Command::Claim(_)));
    let claimed = at(&|c| matches!(c, Command::Post(t) if t.starts_with("3;c;")));
    let send = at(&|c| matches!(c, Command::SendLogout { body, keepalive: true } if body == "reason=idle&session=s1"));
    let clear = at(&|c| *c == Command::Clear);
    assert!(cover < told_tabs && told_tabs < event && event < stop_input && stop_input < read, "{log:#?}");
    assert!(read < tombstone && tombstone < claim && claim < claimed && claimed < send && send < clear, "{log:#?}");
    assert_eq!(cover, 0, "the cover before anything else");
    // The request is answered; clearing is still going: wait.
    world.at(T0 + ms(10_200));
    a.post(Input::LogoutSent(Some(204)));
    let log = a.commands();
    assert!(log.iter().any(|c| matches!(c, Command::WriteRecord(r) if r.ends_with(";d"))), "the tombstone says: told");
    assert!(!log.iter().any(|c| matches!(c, Command::Redirect(_))));
    world.at(T0 + ms(10_300));
    a.post(Input::Cleared { databases_listed: true });
    let log = a.commands();
    let release = position(&log, |c| *c == Command::ReleaseClaim);
    let again = position(&log, |c| *c == Command::ClearAgain);
    let rewrite = position(&log, |c| matches!(c, Command::WriteRecord(r) if r.ends_with(";d")));
    let cookies = position(&log, |c| *c == Command::ClearCookies);
    let leave = position(&log, |c| matches!(c, Command::Redirect(u) if u == "/login"));
    assert!(release < again && again < rewrite && rewrite < cookies && cookies < leave, "{log:#?}");
    assert_eq!(log.last(), Some(&Command::Detach));
    assert_eq!(a.armed(), Some(a.world.wall.get() + ms(3_000)), "only to send the page to its redirect again");
}

#[test]
fn a_page_closed_before_its_claim_is_decided_sends_the_logout_as_a_beacon() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    a.host(|h| h.claims_wait = true);
    a.post(Input::Logout);
    assert!(world.logouts.borrow().is_empty(), "waiting for the claim");
    a.post(Input::PageHide);
    assert_eq!(world.beacons.borrow().len(), 1, "sent as the page goes");
    // Restored after all (back/forward cache): the claim's answer sends nothing more.
    a.post(Input::Claim(true));
    assert!(world.logouts.borrow().is_empty());
    assert_eq!(world.beacons.borrow().len(), 1);
}

#[test]
fn a_claim_won_after_a_new_sign_in_ends_only_its_own_session() {
    // The claim (a Web Lock) takes a while; the user signs in again meanwhile. The browser's
    // cookie is now the new session's: the request names the old one, and nothing of the new
    // session is touched.
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("x"));
    a.host(|h| h.claims_wait = true);
    a.post(Input::Logout);
    world.at(T0 + ms(500));
    let _b = Tab::open(&world, 1, with_id("y"));
    let y = world.record();
    a.take_log();
    a.post(Input::Claim(true));
    assert_eq!(logouts(&world), [(0, "reason=user&session=x".to_string())]);
    a.post(Input::LogoutSent(Some(204)));
    assert_eq!(world.record(), y, "the new session's record is untouched");
    let log = a.commands();
    assert!(log.contains(&Command::ReleaseClaim), "the claim is let go");
    assert!(!log.iter().any(|c| matches!(c, Command::Clear | Command::ClearAgain | Command::ClearCookies)));
    assert!(log.iter().any(|c| matches!(c, Command::Redirect(_))), "the old page leaves");
}

#[test]
fn a_page_still_here_after_its_redirect_is_sent_again() {
    // In Chromium, a navigation that starts while a Clear-Site-Data "cache" answer is still
    // being applied can be aborted: the user would be left on the cover.
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    a.post(Input::Logout);
    let redirects = |log: &[(Moment, Command)]| log.iter().filter(|(_, c)| matches!(c, Command::Redirect(_))).count();
    assert_eq!(redirects(&a.take_log()), 1);
    let at = world.wall.get();
    assert_eq!(a.armed(), Some(at + ms(3_000)), "the timer stays armed for it");
    let mut sent = 1;
    while let Some(next) = a.armed() {
        world.at(next);
        a.fire();
        sent += redirects(&a.take_log());
        assert!(sent <= 4);
    }
    assert_eq!(sent, 4, "sent again three times, 3 s apart, then left alone");
    // Without a redirect URL, the signed-out cover stays and nothing is armed.
    let world = World::new();
    let b = Tab::open(&world, 0, Settings { redirect_url: None, ..with_id("s1") });
    b.post(Input::Logout);
    assert!(b.commands().contains(&Command::SignedOut));
    assert_eq!(b.armed(), None);
}

#[test]
fn termination_is_bounded_by_logout_wait() {
    let world = World::new();
    let a = Tab::open(&world, 0, Settings { logout_wait: ms(2_000), ..with_id("s1") });
    a.host(|h| {
        h.logout_status = None; // the server hangs
        h.clear_at_once = false;
    });
    a.post(Input::Logout);
    assert_eq!(a.armed(), Some(T0 + ms(2_000)));
    run(&a, T0 + ms(2_000));
    let log = a.commands();
    assert!(log.iter().any(|c| matches!(c, Command::Audit(a) if a.contains("\"status\":\"timeout\""))));
    assert!(log.contains(&Command::Redirect("/login".into())));
    assert_eq!(world.record().unwrap().told, Told::Undelivered);
}

#[test]
fn without_redirect_the_page_is_signed_out_in_place() {
    let world = World::new();
    let a = Tab::open(&world, 0, Settings { redirect_url: None, ..with_id("s1") });
    a.post(Input::Logout);
    assert_eq!(a.host(|h| h.left.clone()), Some(Command::SignedOut));
}

#[test]
fn where_databases_cannot_be_listed_the_audit_says_so() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    a.host(|h| h.databases_listed = false);
    a.post(Input::Logout);
    assert!(audits(&a.take_log())
        .iter()
        .any(|e| e.contains("\"type\":\"clear-incomplete\"") && e.contains("\"what\":\"indexeddb\"")));
}

#[test]
fn exactly_one_logout_request_when_tabs_expire_together() {
    // Five tabs, one deadline; their claims are decided in any order, the lock may be released
    // early (Clear-Site-Data), and a tab may have been frozen.
    for order in 0..5 {
        let world = World::new();
        let tabs: Vec<Tab> = (0..5).map(|i| Tab::open(&world, i, with_id("s1"))).collect();
        for t in &tabs {
            t.host(|h| h.claims_wait = true);
        }
        // All timers fire at the deadline, before any message is delivered.
        world.at(T0 + ms(10_000));
        for t in &tabs {
            t.fire();
            t.fire();
        }
        // The claims are decided one by one, starting anywhere; the lock is freed after the
        // first (as Clear-Site-Data does in Chromium).
        for k in 0..5 {
            let t = &tabs[(order + k) % 5];
            if t.host(|h| std::mem::take(&mut h.claim_pending)) {
                let won = world.lock.borrow().is_none();
                if won {
                    *world.lock.borrow_mut() = Some(t.host(|h| h.index).to_string());
                }
                t.post(Input::Claim(won));
                *world.lock.borrow_mut() = None;
            }
        }
        assert_eq!(world.logouts.borrow().len(), 1, "order {order}");
    }
}

#[test]
fn a_tab_that_won_a_freed_lock_after_another_claimed_does_not_send() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    let b = Tab::open(&world, 1, with_id("s1"));
    for t in [&a, &b] {
        t.host(|h| h.claims_wait = true);
    }
    world.at(T0 + ms(10_000));
    // Both read the live record before either wrote its tombstone.
    a.fire();
    b.host(|h| h.claims_wait = true);
    *world.record.borrow_mut() = None; // as a Clear-Site-Data response would
    b.fire();
    a.post(Input::Claim(true));
    let claimed = world.bus.borrow().iter().find(|(_, _, t)| t.starts_with("3;c;")).unwrap().2.clone();
    b.post(Input::Message(claimed));
    b.post(Input::Claim(true)); // the lock was released early
    assert_eq!(world.logouts.borrow().len(), 1);
    assert!(b.commands().contains(&Command::ReleaseClaim));
}

#[test]
fn a_frozen_tab_that_resumes_after_the_logout_sends_nothing() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    let frozen = Tab::open(&world, 1, with_id("s1"));
    run(&a, T0 + ms(10_000));
    assert_eq!(world.logouts.borrow().len(), 1);
    *world.lock.borrow_mut() = None; // a's page is gone, and its lock with it
    world.at(T0 + ms(70_000));
    frozen.fire(); // its timer runs before the queued messages
    assert_eq!(frozen.state(), State::Expired);
    assert_eq!(world.logouts.borrow().len(), 1);
}

// --- settings problems reach the audit trail ------------------------------------------------

#[test]
fn a_setting_that_could_not_be_used_is_audited() {
    let world = World::new();
    let entries = [autologoff::config::Entry {
        key: "logoutUrl".into(),
        value: Value::Text("javascript:x".into()),
        shown: "javascript:x".into(),
    }];
    let (s, errors) = autologoff::config::Settings::from_attributes(&entries);
    let at = autologoff::session::Clocks { wall: T0, mono: Default::default(), input: Moment::EPOCH };
    let mut core = autologoff::session::Core::new(s, "tab1".into(), T0, None, &errors, at);
    let mut found = false;
    while let Some(c) = core.poll_command() {
        if let Command::Audit(a) = c {
            found |= a.contains("\"type\":\"config-error\"") && a.contains("\"field\":\"logoutUrl\"");
        }
    }
    assert!(found);
    let _ = world;
}

#[test]
fn records_carry_the_identity() {
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    let id = a.core(|c| c.id().to_owned());
    assert!(!id.is_empty());
    let r: Record = world.record().unwrap();
    assert_eq!(r.id, id);
    world.at(T0 + ms(1_000));
    a.input();
    assert!(posted(&a, &a.take_log()).iter().all(|m| m.id == id));
    let _ = Rc::strong_count(&world);
}

// --- a browser call that failed ---------------------------------------------------------------

#[test]
fn failed_browser_calls_are_audited_once_each_by_name_and_the_session_goes_on() {
    let world = World::new();
    let tab = Tab::open(&world, 0, with_id("s1"));
    tab.take_log();
    tab.post(Input::HostFailed("createElement,dispatchEvent".into()));
    tab.post(Input::HostFailed("createElement".into()));
    // Only letters: nothing but a name of autologoff's own reaches the audit trail this way.
    tab.post(Input::HostFailed("x\",\"user\":\"forged,,querySelector".into()));
    let log = tab.take_log();
    let audited = audits(&log);
    let whats: Vec<&str> = audited
        .iter()
        .filter(|e| e.contains("\"type\":\"host-error\""))
        .map(|e| e.split("\"what\":\"").nth(1).and_then(|w| w.split('"').next()).unwrap_or(""))
        .collect();
    assert_eq!(whats, ["createElement", "dispatchEvent", "querySelector"]);
    // A handful in all: reporting itself may be what fails.
    for i in 0..20 {
        tab.post(Input::HostFailed(format!("call{}", "x".repeat(i + 1))));
    }
    let more = audits(&tab.take_log()).len();
    assert_eq!(whats.len() + more, 8, "at most eight distinct failures are audited");
    assert_eq!(tab.state(), State::Active);
    run(&tab, T0 + ms(10_000));
    assert_eq!(tab.state(), State::Expired, "the session still ends");
}

// --- a record, a lock or a message that is not this session's --------------------------------

#[test]
fn a_lock_held_by_something_else_does_not_keep_the_server_from_being_told() {
    // A page holds the logout lock and never lets go (or anything else wins it and never says
    // `claimed`): the tab that ended the session waits for a tab of its own session to say it
    // sends the request, and sends it itself when none does.
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    *world.lock.borrow_mut() = Some("not-a-tab".into());
    run(&a, T0 + ms(10_000));
    assert_eq!(a.state(), State::Expired);
    assert!(logouts(&world).is_empty(), "waits for a claimed message first");
    run(&a, T0 + ms(11_600));
    assert_eq!(logouts(&world), [(0, "reason=idle&session=s1".to_string())]);
    a.post(Input::LogoutSent(Some(204)));
    run(&a, T0 + ms(20_000));
    assert_eq!(world.record().unwrap().told, Told::Done);
    assert!(a.host(|h| h.left.is_some()));
}

#[test]
fn tabs_that_hear_the_winner_send_nothing_more_whatever_the_delivery_delay() {
    for delay in [1, 200, 1_200] {
        let world = World::new();
        let tabs: Vec<Tab> = (0..5).map(|i| Tab::open(&world, i, with_id("s1"))).collect();
        let mut bus = Bus::new(&world, tabs, ms(delay));
        bus.run_until(T0 + ms(30_000));
        assert!(bus.tabs.iter().all(|t| t.state() == State::Expired));
        assert_eq!(world.logouts.borrow().len(), 1, "delay {delay}");
    }
}

#[test]
fn another_application_sharing_the_channel_is_reported_and_ignored() {
    // Two portals on one origin, both on channel `default`, with their own logout URLs: the
    // second's records and messages are not a new sign-in of the first.
    let world = World::new();
    let other = Settings { logout_url: Some("/billing/logout".into()), ..with_id("b1") };
    let _b = Tab::open(&world, 1, other.clone());
    let a = Tab::open(&world, 0, with_id("s1"));
    let log = a.take_log();
    assert!(audits(&log).iter().any(|e| e.contains("\"type\":\"channel-shared\"")));
    let reports: Vec<_> = log.iter().filter(|(_, c)| matches!(c, Command::Report(_))).collect();
    assert_eq!(reports.len(), 1, "said on the console once");
    // Its record (written again) and its messages change nothing here.
    let _b2 = Tab::open(&world, 2, other.clone());
    world.at(T0 + ms(2_000));
    a.post(Input::Wake(world.record()));
    let logout =
        Message { kind: Kind::Logout, app: other.app(), id: other.identity(), tab: "b2".into(), at: T0 + ms(2_000) };
    a.post(Input::Message(logout.encode()));
    assert_eq!(a.state(), State::Active);
    assert!(logouts(&world).is_empty());
    assert!(!a.take_log().iter().any(|(_, c)| matches!(c, Command::Report(_))), "reported once");
    run(&a, T0 + ms(10_000));
    assert_eq!(a.state(), State::Expired, "its own timeout still ends it");
}

#[test]
fn a_crafted_record_of_another_identity_ends_the_page_and_tells_the_server() {
    // The field report: a value of another identity written to the record by a script of the
    // origin. The page must not leave without the server being told about its session.
    let world = World::new();
    let a = Tab::open(&world, 0, with_id("s1"));
    let crafted = Record {
        app: with_id("s1").app(),
        id: "zzz".into(),
        last_activity: T0,
        ended: None,
        started: T0,
        server: None,
        told: Told::Live,
    };
    *world.record.borrow_mut() = Some(crafted.encode());
    world.at(T0 + ms(1_000));
    a.input();
    assert_eq!(a.state(), State::Expired);
    assert_eq!(logouts(&world), [(0, "reason=replaced&session=s1".to_string())]);
}

#[test]
fn a_page_that_joins_asks_the_status_url_which_never_extends() {
    let world = World::new();
    let with_status = |id| Settings { status_url: Some("/status".into()), ..keepalive_settings(id) };
    let a = Tab::open(&world, 0, with_status("s1"));
    a.post(Input::Keepalive(remaining(60_000)));
    world.at(T0 + ms(5_000));
    let b = Tab::open(&world, 1, with_status("s1"));
    let log = b.commands();
    assert!(log.contains(&Command::Status), "{log:#?}");
    assert!(!log.iter().any(|c| matches!(c, Command::Keepalive(_))), "a page load is not a reason to extend");
}

#[test]
fn the_core_reads_the_servers_answer() {
    use autologoff::engine::ServerAnswer;
    let reply = |status, html, redirected, body: &str| Reply { status, html, redirected, body: body.into() };
    let cases = [
        (
            reply(Some(200), false, false, r#"{"remainingMs":1187000,"idleRemainingMs":1187000}"#),
            ServerAnswer::Remaining(ms(1_187_000)),
        ),
        (
            reply(Some(200), false, false, r#"{ "absoluteRemainingMs": 5, "remainingMs" : 42.7 }"#),
            ServerAnswer::Remaining(ms(42)),
        ),
        (reply(Some(200), false, false, r#"{"idleRemainingMs":5}"#), ServerAnswer::Failed),
        (reply(Some(200), false, false, "not json"), ServerAnswer::Failed),
        (reply(Some(200), false, false, r#"{"remainingMs":-5}"#), ServerAnswer::Failed),
        (reply(Some(401), false, false, ""), ServerAnswer::Ended),
        (reply(Some(419), false, false, ""), ServerAnswer::Ended),
        (reply(Some(403), false, false, ""), ServerAnswer::Failed),
        (reply(Some(200), true, true, "<html>sign in</html>"), ServerAnswer::Ended),
        (reply(Some(200), true, false, "<html>sign in</html>"), ServerAnswer::Ended),
        (reply(Some(503), false, false, ""), ServerAnswer::Failed),
        (reply(None, false, false, ""), ServerAnswer::Failed),
    ];
    for (reply, answer) in cases {
        assert_eq!(reply.answer(), answer, "{reply:?}");
    }
}
