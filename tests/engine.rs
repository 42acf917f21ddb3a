//! Native tests of the session engine, driven by a fake clock that jumps to the next deadline.
#![cfg(not(target_arch = "wasm32"))]

use autologoff::engine::*;
use autologoff::time::{Duration, Moment, Monotonic};
use proptest::prelude::*;

const T0: Moment = Moment::from_epoch_ms(1_700_000_000_000);

fn policy(timeout: u64, warning: u64) -> Policy {
    Policy::new(ms(timeout), ms(warning)).expect("test policies are valid")
}

fn drain(engine: &mut Engine) -> Vec<Effect> {
    std::iter::from_fn(|| engine.poll_effect()).collect()
}

/// Jump the fake clock to the engine's next deadline and fire it.
fn fire(engine: &mut Engine) -> Moment {
    let at = engine.poll_timeout().expect("a live session has a deadline");
    engine.handle_timeout(at);
    at
}

#[test]
fn monotonic_readings_give_the_time_between_them_never_negative() {
    let (a, b) = (Monotonic::from_ms(1_000), Monotonic::from_ms(1_250));
    assert_eq!(b.since(a), Duration::from_ms(250));
    assert_eq!(a.since(b), Duration::ZERO);
    assert_eq!(a + Duration::from_ms(250), b);
}

#[test]
fn policy_rejects_bad_shapes() {
    assert_eq!(Policy::new(ms(0), ms(0)), Err(PolicyError::ZeroTimeout));
    assert_eq!(Policy::new(ms(60_000), ms(60_000)), Err(PolicyError::WarningNotShorter));
    assert_eq!(Policy::new(ms(60_000), ms(90_000)), Err(PolicyError::WarningNotShorter));
    assert!(Policy::new(ms(60_000), ms(0)).is_ok());
}

#[test]
fn idle_session_warns_then_expires_at_the_exact_deadlines() {
    let mut e = Engine::new(policy(15 * 60_000, 60_000), T0);
    assert_eq!(e.poll_timeout(), Some(T0 + ms(14 * 60_000)));
    assert_eq!(fire(&mut e), T0 + ms(14 * 60_000));
    assert_eq!(e.state(), State::Warning);
    assert_eq!(drain(&mut e), vec![Effect::Warn { deadline: T0 + ms(15 * 60_000), reason: Reason::Idle }]);
    assert_eq!(e.remaining(T0 + ms(14 * 60_000)), ms(60_000));
    assert_eq!(fire(&mut e), T0 + ms(15 * 60_000));
    assert_eq!(e.state(), State::Expired);
    assert_eq!(drain(&mut e), vec![Effect::Terminate { reason: Reason::Idle }]);
    assert_eq!(e.poll_timeout(), None);
    assert_eq!(e.deadline(), None);
}

#[test]
fn one_ms_before_a_deadline_nothing_happens() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    e.handle_timeout(T0 + ms(6_999));
    assert_eq!(e.state(), State::Active);
    e.handle_timeout(T0 + ms(7_000));
    assert_eq!(e.state(), State::Warning);
    e.handle_timeout(T0 + ms(9_999));
    assert_eq!(e.state(), State::Warning);
    e.handle_timeout(T0 + ms(10_000));
    assert_eq!(e.state(), State::Expired);
}

#[test]
fn activity_moves_the_deadline_without_effects() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    e.handle_activity(T0 + ms(5_000));
    assert_eq!(e.poll_timeout(), Some(T0 + ms(12_000)));
    assert!(drain(&mut e).is_empty());
    // The timer armed for the old deadline fires early: a spurious wakeup does nothing.
    e.handle_timeout(T0 + ms(7_000));
    assert_eq!(e.state(), State::Active);
    assert_eq!(e.poll_timeout(), Some(T0 + ms(12_000)));
}

#[test]
fn activity_during_the_warning_does_not_dismiss_it() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    fire(&mut e);
    e.handle_activity(T0 + ms(8_000));
    assert_eq!(e.state(), State::Warning);
    assert_eq!(e.deadline(), Some(T0 + ms(10_000)));
}

#[test]
fn waking_past_the_deadline_expires_without_a_warning() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    // Laptop lid closed for an hour; the timer fires late.
    e.handle_timeout(T0 + ms(3_600_000));
    assert_eq!(drain(&mut e), vec![Effect::Terminate { reason: Reason::Idle }]);
}

#[test]
fn activity_after_expiry_never_revives() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    // Input arrives before the late timer: the deadline is judged first.
    e.handle_activity(T0 + ms(10_500));
    assert_eq!(e.state(), State::Expired);
    e.handle_activity(T0 + ms(10_600));
    assert!(!e.handle_extend(T0 + ms(10_700), ExtendHow::Api));
    e.handle_peer(T0 + ms(10_800), PeerMessage::Activity { at: T0 + ms(10_800) });
    assert_eq!(e.state(), State::Expired);
    assert_eq!(drain(&mut e), vec![Effect::Terminate { reason: Reason::Idle }]);
}

#[test]
fn input_inside_the_warning_window_before_a_late_timer_still_warns() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    e.handle_activity(T0 + ms(7_500));
    assert_eq!(e.state(), State::Warning);
    assert_eq!(e.deadline(), Some(T0 + ms(10_000)));
}

#[test]
fn extend_from_warning_restarts_the_idle_period() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    fire(&mut e);
    drain(&mut e);
    assert!(e.handle_extend(T0 + ms(8_000), ExtendHow::Button));
    assert_eq!(e.state(), State::Active);
    assert_eq!(drain(&mut e), vec![Effect::Extended { how: ExtendHow::Button }]);
    assert_eq!(e.deadline(), Some(T0 + ms(18_000)));
}

#[test]
fn extend_from_active_counts_like_activity() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    assert!(e.handle_extend(T0 + ms(1_000), ExtendHow::Api));
    assert_eq!(e.deadline(), Some(T0 + ms(11_000)));
}

#[test]
fn extend_after_the_deadline_expires_instead() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    fire(&mut e);
    assert!(!e.handle_extend(T0 + ms(10_000), ExtendHow::Key));
    assert_eq!(e.state(), State::Expired);
}

#[test]
fn logout_is_final_and_happens_once() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    e.handle_logout(T0 + ms(1), Reason::User);
    e.handle_logout(T0 + ms(2), Reason::User);
    e.handle_timeout(T0 + ms(20_000));
    assert_eq!(drain(&mut e), vec![Effect::Terminate { reason: Reason::User }]);
}

#[test]
fn stop_detaches_without_logout() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    e.handle_stop();
    e.handle_timeout(T0 + ms(20_000));
    e.handle_logout(T0 + ms(20_001), Reason::User);
    assert_eq!(e.state(), State::Stopped);
    assert!(drain(&mut e).is_empty());
    assert_eq!(e.poll_timeout(), None);
}

#[test]
fn zero_warning_expires_without_warning() {
    let mut e = Engine::new(policy(10_000, 0), T0);
    assert_eq!(e.poll_timeout(), Some(T0 + ms(10_000)));
    fire(&mut e);
    assert_eq!(drain(&mut e), vec![Effect::Terminate { reason: Reason::Idle }]);
}

#[test]
fn clock_jumping_backwards_does_not_buy_time() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    e.handle_activity(T0 + ms(4_000)); // 10 s left
    e.handle_timeout(T0 + ms(6_000)); // 8 s left
                                      // The wall clock is set back one hour.
    let back = T0 + ms(6_000) - ms(3_600_000);
    e.handle_timeout(back);
    assert_eq!(e.remaining(back), ms(8_000));
    e.handle_timeout(back + ms(8_000));
    assert_eq!(e.state(), State::Expired);
}

#[test]
fn a_clock_set_back_while_idle_gives_no_time_with_a_monotonic_reading() {
    // Idle since T0. At real T0 + 13 min the clock is set back 20 min; the warning timer
    // (setTimeout counts real time) fires at real T0 + 14 min, when the wall clock reads
    // T0 - 6 min. The engine last saw the clock at T0.
    let minute = 60_000;
    let mut e = Engine::new(policy(15 * minute, minute), T0);
    let wall = T0 + ms(14 * minute) - ms(20 * minute);
    e.handle_clock(wall, ms(14 * minute));
    e.handle_timeout(wall);
    assert_eq!(e.state(), State::Warning, "14 minutes of real idleness: the warning is due");
    assert_eq!(e.remaining(wall), ms(minute));
    // Without the monotonic reading only the 6 minutes not yet made up are seen (the engine
    // cannot know better), which is why the browser driver always passes it.
    let mut e = Engine::new(policy(15 * minute, minute), T0);
    e.handle_timeout(wall);
    assert_eq!(e.state(), State::Active);
}

#[test]
fn a_clock_that_went_forward_or_a_monotonic_clock_that_slept_shifts_nothing() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    // Slept 20 s: the monotonic clock says 1 s passed, the wall clock 20 s. Judged by the wall.
    e.handle_clock(T0 + ms(20_000), ms(1_000));
    e.handle_timeout(T0 + ms(20_000));
    assert_eq!(e.state(), State::Expired);
    // Clocks that agree (within a drift of a few ms): nothing moves, apart from that drift.
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    e.handle_clock(T0 + ms(5_000), ms(5_003));
    assert_eq!(e.deadline(), Some(T0 + ms(10_000) - ms(3)));
}

#[test]
fn peer_activity_keeps_the_session_alive_but_future_stamps_are_clamped() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    e.handle_peer(T0 + ms(5_000), PeerMessage::Activity { at: T0 + ms(4_000) });
    assert_eq!(e.deadline(), Some(T0 + ms(14_000)));
    // A stamp an hour in the future counts as "now", no more.
    e.handle_peer(T0 + ms(6_000), PeerMessage::Activity { at: T0 + ms(3_600_000) });
    assert_eq!(e.deadline(), Some(T0 + ms(16_000)));
}

#[test]
fn late_peer_activity_from_before_the_warning_closes_it() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    fire(&mut e); // warning at T0+7000
    drain(&mut e);
    // A message about input at T0+6000 arrives at T0+7100; the warning is not due until T0+13000.
    e.handle_peer(T0 + ms(7_100), PeerMessage::Activity { at: T0 + ms(6_000) });
    assert_eq!(e.state(), State::Active);
    assert_eq!(drain(&mut e), vec![Effect::Extended { how: ExtendHow::Peer }]);
    // Activity the peer saw during the warning does not count.
    fire(&mut e);
    drain(&mut e);
    e.handle_peer(T0 + ms(13_500), PeerMessage::Activity { at: T0 + ms(13_400) });
    assert_eq!(e.state(), State::Warning);
}

#[test]
fn peer_extend_and_logout() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    fire(&mut e);
    drain(&mut e);
    e.handle_peer(T0 + ms(8_000), PeerMessage::Extend { at: T0 + ms(8_000) });
    assert_eq!(drain(&mut e), vec![Effect::Extended { how: ExtendHow::Peer }]);
    e.handle_peer(T0 + ms(9_000), PeerMessage::Logout);
    assert_eq!(drain(&mut e), vec![Effect::Terminate { reason: Reason::Peer }]);
}

#[derive(Clone, Debug)]
enum Input {
    Activity,
    Timeout,
    Extend,
    Logout,
    PeerActivity(u32),
    Stop,
}

fn input() -> impl Strategy<Value = (u32, Input)> {
    let kind = prop_oneof![
        6 => Just(Input::Activity),
        4 => Just(Input::Timeout),
        2 => Just(Input::Extend),
        1 => Just(Input::Logout),
        2 => (0u32..30_000).prop_map(Input::PeerActivity),
        1 => Just(Input::Stop),
    ];
    (0u32..20_000, kind)
}

proptest! {
    /// Whatever happens, in whatever order, with a monotonic clock:
    /// no expiry before `last real activity + timeout`; an idle expiry seen by a driver that
    /// wakes on time is preceded by a warning; nothing leaves Expired; extend only succeeds from
    /// Active or Warning.
    #[test]
    fn invariants_hold_for_any_input_sequence(
        timeout in 1_000u64..60_000,
        warning_pct in 0u64..100,
        steps in proptest::collection::vec(input(), 1..60),
    ) {
        let warning = timeout * warning_pct / 100;
        let mut e = Engine::new(policy(timeout, warning), T0);
        let mut now = T0;
        let mut last_activity = T0;
        let mut warned = false;
        for (gap, step) in steps {
            // A driver that wakes on time: fire every deadline that falls inside the gap.
            let target = now + ms(u64::from(gap));
            while let Some(at) = e.poll_timeout() {
                if at > target { break; }
                now = now.max(at);
                let before = e.state();
                e.handle_timeout(now);
                if e.state() == State::Expired && before != State::Expired {
                    prop_assert!(now >= last_activity + ms(timeout), "expired early");
                    prop_assert!(warning == 0 || warned, "idle expiry without a warning");
                }
                if e.state() == State::Warning { warned = true; }
            }
            now = target;
            let before = e.state();
            match step {
                Input::Activity => {
                    e.handle_activity(now);
                    if e.state() == State::Active { last_activity = now; }
                }
                Input::Timeout => e.handle_timeout(now),
                Input::Extend => {
                    let ok = e.handle_extend(now, ExtendHow::Api);
                    prop_assert_eq!(ok, e.state() == State::Active);
                    if ok {
                        prop_assert!(matches!(before, State::Active | State::Warning));
                        last_activity = now;
                        warned = false;
                    }
                }
                Input::Logout => e.handle_logout(now, Reason::User),
                Input::PeerActivity(ago) => {
                    e.handle_peer(now, PeerMessage::Activity { at: now - ms(u64::from(ago)) });
                    if let Some(d) = e.deadline() { last_activity = last_activity.max(d - ms(timeout)); }
                    if e.state() == State::Active { warned = false; }
                }
                Input::Stop => e.handle_stop(),
            }
            if matches!(before, State::Expired | State::Stopped) {
                prop_assert_eq!(e.state(), before, "left a final state");
            }
            if e.state() == State::Expired && before != State::Expired && e.deadline().is_none() {
                // Any expiry that was not a logout must be at or past the deadline.
                let user = matches!(step, Input::Logout);
                prop_assert!(user || now >= last_activity + ms(timeout), "expired early on input");
            }
            if e.state() == State::Warning { warned = true; }
            if e.state() == State::Active { prop_assert!(e.poll_timeout().unwrap() > now || warning == 0); }
        }
    }

    /// Clock jumps in either direction never leave more time than the policy allows.
    #[test]
    fn remaining_never_exceeds_timeout(
        jumps in proptest::collection::vec(-3_600_000i64..3_600_000, 1..40),
        active in proptest::collection::vec(any::<bool>(), 40),
    ) {
        let mut e = Engine::new(policy(30_000, 10_000), T0);
        let mut now = T0.epoch_ms() as i64;
        for (i, j) in jumps.iter().enumerate() {
            now = (now + j).max(0);
            let at = Moment::from_epoch_ms(now as u64);
            if active[i] { e.handle_activity(at) } else { e.handle_timeout(at) }
            prop_assert!(e.remaining(at) <= ms(30_000));
        }
    }
}

proptest! {
    /// With a monotonic reading on every call, no sequence of wall-clock jumps (either way,
    /// between or at calls) leaves more time than the timeout minus the real time since the
    /// last input.
    #[test]
    fn clock_jumps_never_buy_real_time(
        steps in proptest::collection::vec((0u64..20_000, -3_600_000i64..3_600_000, any::<bool>(), any::<bool>()), 1..40),
    ) {
        let timeout = 60_000;
        let mut e = Engine::new(policy(timeout, 10_000), T0);
        let (mut real, mut offset) = (0u64, 0i64);
        let mut last_seen = 0u64;
        let mut last_input = 0u64;
        for (gap, jump, jumps, input) in steps {
            real += gap;
            if jumps { offset += jump; }
            let wall = Moment::from_epoch_ms((T0.epoch_ms() as i64 + real as i64 + offset).max(0) as u64);
            e.handle_clock(wall, ms(real - last_seen));
            last_seen = real;
            if input {
                e.handle_activity(wall);
                if e.state() == State::Active { last_input = real; }
            } else {
                e.handle_timeout(wall);
            }
            if matches!(e.state(), State::Active | State::Warning) {
                prop_assert!(e.remaining(wall) <= ms(timeout.saturating_sub(real - last_input)),
                    "{} ms left, {} ms of real time since the last input", e.remaining(wall).ms(), real - last_input);
            }
        }
    }
}

#[test]
fn activity_is_announced_at_most_once_an_interval_with_a_trailing_edge() {
    // Short policies: a quarter of the time from input to warning (no floor: a 1 s floor let a
    // tab warn before it heard of input where the warning is long against the timeout).
    let mut e = Engine::new(policy(6_000, 3_000), T0);
    assert_eq!(e.policy().announce_interval(), ms(750));
    e.handle_activity(T0 + ms(10));
    assert_eq!(e.poll_transmit(), Some(PeerMessage::Activity { at: T0 + ms(10) }), "leading edge at once");
    e.handle_activity(T0 + ms(100));
    e.handle_activity(T0 + ms(700));
    assert_eq!(e.poll_transmit(), None, "throttled");
    assert_eq!(e.poll_timeout(), Some(T0 + ms(760)), "the trailing edge needs a wakeup");
    e.handle_timeout(T0 + ms(760));
    assert_eq!(e.poll_transmit(), Some(PeerMessage::Activity { at: T0 + ms(700) }), "with its own timestamp");
    assert_eq!(e.poll_timeout(), Some(T0 + ms(700) + ms(3_000)), "no wakeup while nothing is pending");
    e.handle_activity(T0 + ms(3_000));
    assert_eq!(e.poll_transmit(), Some(PeerMessage::Activity { at: T0 + ms(3_000) }));

    // Long ones less often: a quarter of the time from input to warning, at most 10 s. Any tab
    // still hears of the last input of a burst long before it would warn.
    let mut e = Engine::new(policy(60_000, 20_000), T0);
    assert_eq!(e.policy().announce_interval(), ms(10_000));
    e.handle_activity(T0 + ms(10));
    assert_eq!(e.poll_transmit(), Some(PeerMessage::Activity { at: T0 + ms(10) }));
    e.handle_activity(T0 + ms(9_000));
    assert_eq!(e.poll_transmit(), None, "throttled for 10 s");
    assert_eq!(e.poll_timeout(), Some(T0 + ms(10_010)));
    e.handle_timeout(T0 + ms(10_010));
    assert_eq!(e.poll_transmit(), Some(PeerMessage::Activity { at: T0 + ms(9_000) }));
    assert_eq!(policy(900_000, 60_000).announce_interval(), ms(10_000));
    assert_eq!(policy(8_000, 2_000).announce_interval(), ms(1_500));
    assert_eq!(policy(5_431, 4_616).announce_interval(), ms(203));
}

#[test]
fn extends_and_logouts_are_announced_but_never_echoed() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    e.handle_extend(T0 + ms(1_000), ExtendHow::Button);
    assert_eq!(e.poll_transmit(), Some(PeerMessage::Extend { at: T0 + ms(1_000) }));
    e.handle_peer(T0 + ms(2_000), PeerMessage::Extend { at: T0 + ms(2_000) });
    e.handle_peer(T0 + ms(2_500), PeerMessage::Activity { at: T0 + ms(2_500) });
    assert_eq!(e.poll_transmit(), None);
    e.handle_logout(T0 + ms(3_000), Reason::User);
    assert_eq!(e.poll_transmit(), Some(PeerMessage::Logout));

    let mut told = Engine::new(policy(10_000, 3_000), T0);
    told.handle_peer(T0 + ms(3_000), PeerMessage::Logout);
    assert_eq!(told.poll_transmit(), None);
    assert_eq!(drain(&mut told), vec![Effect::Terminate { reason: Reason::Peer }]);
}

#[test]
fn news_of_activity_from_before_our_deadline_keeps_a_sleeping_tab_alive() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    // This tab slept through its deadline (T0+10s); another tab saw activity at T0+9s and
    // its record or message is read on wake at T0+12s: the session was never idle that long.
    e.handle_peer(T0 + ms(12_000), PeerMessage::Activity { at: T0 + ms(9_000) });
    assert_eq!(e.state(), State::Active);
    assert_eq!(e.deadline(), Some(T0 + ms(19_000)));
    // Activity after our deadline does not count: the session had already ended.
    let mut late = Engine::new(policy(10_000, 3_000), T0);
    late.handle_peer(T0 + ms(12_000), PeerMessage::Activity { at: T0 + ms(11_000) });
    assert_eq!(late.state(), State::Expired);
}

#[test]
fn a_late_tab_inherits_the_deadline() {
    let mut e = Engine::resume(policy(10_000, 3_000), T0, T0 + ms(8_000));
    assert_eq!(e.state(), State::Active);
    assert_eq!(e.deadline(), Some(T0 + ms(10_000)));
    assert_eq!(e.poll_timeout(), Some(T0 + ms(7_000)));
    e.handle_timeout(T0 + ms(8_000));
    assert_eq!(e.state(), State::Warning, "joins the warning the other tabs show");
    // A stamp from the future is clamped.
    let f = Engine::resume(policy(10_000, 3_000), T0 + ms(99_999), T0);
    assert_eq!(f.deadline(), Some(T0 + ms(10_000)));
}

#[test]
fn absolute_lifetime_fires_despite_constant_activity_and_cannot_be_extended() {
    let p = policy(10_000, 3_000).with_absolute(Some(ms(20_000))).unwrap();
    let mut e = Engine::new(p, T0);
    let mut now = T0;
    while now + ms(500) < T0 + ms(17_000) {
        now = now + ms(500);
        e.handle_activity(now);
    }
    assert_eq!(e.state(), State::Active);
    e.handle_activity(T0 + ms(17_000));
    assert_eq!(e.state(), State::Warning);
    assert!(drain(&mut e).contains(&Effect::Warn { deadline: T0 + ms(20_000), reason: Reason::Absolute }));
    assert!(!e.handle_extend(T0 + ms(18_000), ExtendHow::Button), "an absolute limit cannot be extended");
    assert_eq!(e.state(), State::Warning);
    e.handle_activity(T0 + ms(19_999));
    e.handle_timeout(T0 + ms(20_000));
    assert_eq!(drain(&mut e).last(), Some(&Effect::Terminate { reason: Reason::Absolute }));
    assert_eq!(policy(10_000, 3_000).with_absolute(Some(ms(3_000))), Err(PolicyError::WarningNotShorterThanAbsolute));
}

#[test]
fn absolute_lifetime_counts_from_the_session_start() {
    let p = policy(10_000, 3_000).with_absolute(Some(ms(60_000))).unwrap();
    let mut e = Engine::new(p, T0 + ms(50_000));
    e.set_started_at(T0); // the server started the session 50 s ago
    assert_eq!(e.deadline(), Some(T0 + ms(60_000)));
    assert_eq!(e.poll_timeout(), Some(T0 + ms(57_000)));
}

#[test]
fn keepalive_only_while_active_and_at_most_once_per_interval() {
    let mut e = Engine::new(policy(600_000, 60_000), T0);
    e.set_keepalive(ms(60_000));
    e.handle_activity(T0 + ms(1_000));
    assert!(drain(&mut e).is_empty(), "the page load was the last contact");
    e.handle_activity(T0 + ms(60_000));
    assert_eq!(drain(&mut e), vec![Effect::Keepalive]);
    for t in (61_000..120_000).step_by(1_000) {
        e.handle_activity(T0 + ms(t));
    }
    assert!(drain(&mut e).is_empty(), "at most one per interval");
    // Idle from here: timers fire, no pings, through the warning to expiry.
    while let Some(at) = e.poll_timeout() {
        e.handle_timeout(at);
    }
    assert!(!drain(&mut e).contains(&Effect::Keepalive));
}

#[test]
fn server_answers_shorten_the_session_or_end_it() {
    let mut e = Engine::new(policy(600_000, 60_000), T0);
    e.set_keepalive(ms(60_000));
    e.handle_server(T0 + ms(1_000), ServerAnswer::Remaining(ms(120_000)));
    assert_eq!(e.deadline(), Some(T0 + ms(121_000)), "the earlier of the two deadlines");
    e.handle_timeout(T0 + ms(61_000));
    assert_eq!(drain(&mut e), vec![Effect::Warn { deadline: T0 + ms(121_000), reason: Reason::Server }]);
    // "Stay signed in" asks the server again and waits for its answer.
    assert!(e.handle_extend(T0 + ms(70_000), ExtendHow::Button));
    assert_eq!(drain(&mut e), vec![Effect::Keepalive, Effect::Extended { how: ExtendHow::Button }]);
    e.handle_server(T0 + ms(70_100), ServerAnswer::Remaining(ms(900_000)));
    assert_eq!(e.deadline(), Some(T0 + ms(670_000)), "the client's own idle limit is earlier now");
    e.handle_server(T0 + ms(80_000), ServerAnswer::Ended);
    assert_eq!(drain(&mut e), vec![Effect::Terminate { reason: Reason::Server }]);
}

#[test]
fn stay_signed_in_near_the_absolute_limit_turns_the_warning_into_the_absolute_one() {
    // 15 min idle, 60 s warning, 29 min 10 s absolute: an idle warning that shows 60 s before
    // 28 min 20 s cannot be extended past the absolute limit; the session must warn for that,
    // not drop the warning.
    let p = policy(900_000, 60_000).with_absolute(Some(ms(1_750_000))).unwrap();
    let mut e = Engine::new(p, T0);
    e.handle_activity(T0 + ms(800_000));
    e.handle_timeout(T0 + ms(1_640_000)); // idle warning: deadline T0 + 1_700_000
    assert_eq!(drain(&mut e), vec![Effect::Warn { deadline: T0 + ms(1_700_000), reason: Reason::Idle }]);
    assert!(!e.handle_extend(T0 + ms(1_695_000), ExtendHow::Button));
    assert_eq!(drain(&mut e), vec![Effect::Warn { deadline: T0 + ms(1_750_000), reason: Reason::Absolute }]);
    assert_eq!(e.state(), State::Warning);
    e.handle_timeout(T0 + ms(1_700_000));
    assert_eq!(e.state(), State::Warning, "the idle deadline moved");
    e.handle_timeout(T0 + ms(1_750_000));
    assert_eq!(drain(&mut e), vec![Effect::Terminate { reason: Reason::Absolute }]);
}

// ---------------------------------------------------------------------------------------------
// The real session core, through the real runner, on the fake browser of tests/common.

mod common;
use autologoff::session::{Command, Event, Input as CoreInput};
use autologoff::wire::{Kind, Message};
use common::{ms, Bus, Tab, World};
use std::rc::Rc;

/// Every idle logout event a tab performed, with when.
fn idle_logouts(tab: &Tab) -> Vec<Moment> {
    tab.take_log()
        .into_iter()
        .filter(|(_, c)| matches!(c, Command::Event(Event::Logout { reason: Reason::Idle })))
        .map(|(at, _)| at)
        .collect()
}

proptest! {
    /// For any interleaving of input across N tabs of one session (real cores, messages
    /// delivered after `delay`): no tab expires for inactivity while any tab saw input within the
    /// timeout (but for input less than one message delay before that tab's deadline, whose
    /// news cannot arrive in time); idle long enough, every tab ends; and the server gets
    /// exactly one logout request.
    #[test]
    fn tabs_share_one_session(
        n in 2usize..6,
        timeout in 3_000u64..30_000,
        warning_pct in 0u64..90,
        delay in 0u64..300,
        inputs in proptest::collection::vec((0u64..4_000, 0usize..6, 0u8..20), 1..50),
    ) {
        let p = policy(timeout, timeout * warning_pct / 100);
        let world = World::new();
        let tabs = (0..n).map(|i| Tab::open(&world, i, common::settings(p))).collect();
        let mut bus = Bus::new(&world, tabs, ms(delay));
        let mut last_real = T0;
        let check = |bus: &Bus, last_real: Moment| -> Result<(), TestCaseError> {
            for tab in &bus.tabs {
                for at in idle_logouts(tab) {
                    let unknowable = last_real + ms(delay) > at;
                    prop_assert!(at >= last_real + ms(timeout) || unknowable, "a tab expired at T0 + {} while another saw input at T0 + {}", at.since(T0).ms(), last_real.since(T0).ms());
                }
            }
            Ok(())
        };
        for (gap, tab, kind) in inputs {
            let i = tab % n;
            let at = world.wall.get() + ms(gap);
            bus.run_until(at);
            let t = &bus.tabs[i];
            let before = t.state();
            match kind {
                0 => { t.post(CoreInput::Logout); }
                1..=2 => {
                    t.post(CoreInput::Extend);
                    if t.state() == State::Active { last_real = last_real.max(at); }
                }
                _ => {
                    t.input();
                    if before == State::Active && t.state() == State::Active { last_real = last_real.max(at); }
                }
            }
            check(&bus, last_real)?;
        }
        let end = world.wall.get() + ms(timeout * 2 + 2_000);
        bus.run_until(end);
        check(&bus, last_real)?;
        prop_assert!(bus.tabs.iter().all(|t| t.state() == State::Expired), "{:?}", bus.tabs.iter().map(|t| t.state()).collect::<Vec<_>>());
        prop_assert_eq!(world.logouts.borrow().len(), 1, "exactly one logout request");
    }

    /// Without delays no tab ever expires before the true last input anywhere, extends included.
    #[test]
    fn instant_delivery_never_expires_early(
        n in 2usize..5,
        timeout in 2_000u64..20_000,
        warning_pct in 0u64..90,
        inputs in proptest::collection::vec((0u64..3_000, 0usize..5, 0u8..6), 1..40),
    ) {
        let p = policy(timeout, timeout * warning_pct / 100);
        let world = World::new();
        let tabs = (0..n).map(|i| Tab::open(&world, i, common::settings(p))).collect();
        let mut bus = Bus::new(&world, tabs, ms(0));
        let mut last_real = T0;
        for (gap, tab, kind) in inputs {
            let i = tab % n;
            let at = world.wall.get() + ms(gap);
            bus.run_until(at);
            let t = &bus.tabs[i];
            let before = t.state();
            if kind == 0 { t.post(CoreInput::Extend); } else { t.input(); }
            if t.state() == State::Active && (kind == 0 || before == State::Active) { last_real = last_real.max(at); }
            for tab in &bus.tabs {
                for at in idle_logouts(tab) {
                    prop_assert!(at >= last_real + ms(timeout), "expired at T0 + {}, input at T0 + {}", at.since(T0).ms(), last_real.since(T0).ms());
                }
            }
        }
        bus.run_until(world.wall.get() + ms(timeout * 2));
        for tab in &bus.tabs {
            for at in idle_logouts(tab) {
                prop_assert!(at >= last_real + ms(timeout));
            }
        }
    }
}

/// What came out of an engine or a core: when, and what, in one form for both.
type Log = Vec<(Moment, String)>;

/// What came out of an engine, with when, in a form both an engine and a core produce.
fn drain_log(e: &mut Engine, now: Moment, log: &mut Vec<(Moment, String)>) {
    while let Some(effect) = e.poll_effect() {
        log.push((
            now,
            match effect {
                Effect::Warn { deadline, .. } => format!("warn {}", deadline.epoch_ms()),
                Effect::Extended { how } => format!("extend {how:?}"),
                Effect::Keepalive => "keepalive".into(),
                Effect::Terminate { reason } => format!("logout {reason:?}"),
            },
        ));
    }
    while let Some(message) = e.poll_transmit() {
        log.push((
            now,
            match message {
                PeerMessage::Activity { at } => format!("Activity at: {}", at.epoch_ms()),
                PeerMessage::Extend { at } => format!("Extend at: {}", at.epoch_ms()),
                PeerMessage::Logout => "Logout".into(),
            },
        ));
    }
}

/// The same for a tab's core, from the commands it performed.
fn core_log(tab: &Tab, log: &mut Vec<(Moment, String)>) {
    for (at, c) in tab.take_log() {
        let line = match c {
            Command::Event(Event::Warning { deadline, .. }) => format!("warn {}", deadline.epoch_ms()),
            Command::Event(Event::Extend { how }) => format!("extend {how:?}"),
            Command::Keepalive(_) => "keepalive".into(),
            Command::Event(Event::Logout { reason }) => format!("logout {reason:?}"),
            Command::Post(text) => match Message::decode(&text, at) {
                Some(Message { kind: Kind::Activity, at: stamp, .. }) => format!("Activity at: {}", stamp.epoch_ms()),
                Some(Message { kind: Kind::Extend, at: stamp, .. }) => format!("Extend at: {}", stamp.epoch_ms()),
                Some(Message { kind: Kind::Logout, .. }) => "Logout".into(),
                _ => continue,
            },
            _ => continue,
        };
        log.push((at, line));
    }
}

/// Runs the same inputs through an engine that handles each input at once (`a`) and through the
/// real core behind the listeners' rule (`b`: input recorded, handed over when it calls in or
/// whenever the core runs), with timers that fire `lag` ms after their deadline (input may come
/// in between, as in browsers). Checks the states agree after every input, and returns the logs.
fn both_ways(
    p: Policy,
    keepalive: Option<Duration>,
    lag: Duration,
    peers: bool,
    steps: &[(u64, u8)],
) -> Result<(Log, Log), TestCaseError> {
    let mut a = Engine::new(p, T0);
    let world = World::new();
    let mut settings = common::settings(p);
    if let Some(k) = keepalive {
        a.set_keepalive(k);
        settings.keepalive_url = Some("/keepalive".into());
        settings.keepalive_interval = k;
    }
    let app = settings.app();
    let b = Tab::open(&world, 0, settings);
    b.take_log();
    let (mut la, mut lb) = (Vec::new(), Vec::new());
    let mut now = T0;
    let fire_until = |a: &mut Engine, b: &Tab, la: &mut Vec<_>, lb: &mut Vec<_>, target: Moment| loop {
        let ta = a.poll_timeout().map(|t| t + lag);
        let tb = b.armed().map(|t| t + lag);
        let next = match (ta, tb) {
            (Some(x), Some(y)) => x.min(y),
            (x, y) => x.or(y).unwrap_or(Moment::MAX),
        };
        if next > target {
            break;
        }
        world.at(next);
        if ta == Some(next) {
            a.handle_timeout(next);
            drain_log(a, next, la);
        }
        if tb == Some(next) {
            b.fire();
            core_log(b, lb);
        }
    };
    for &(gap, kind) in steps {
        now = now + ms(gap);
        fire_until(&mut a, &b, &mut la, &mut lb, now);
        world.at(now);
        match kind {
            0 => {
                a.handle_extend(now, ExtendHow::Button);
                b.post(CoreInput::Extend);
            }
            1 if peers => {
                let at = now - ms(700);
                a.handle_peer(now, PeerMessage::Activity { at });
                let m = Message { kind: Kind::Activity, app: app.clone(), id: String::new(), tab: "other".into(), at };
                b.post(CoreInput::Message(m.encode()));
            }
            _ => {
                a.handle_activity(now);
                b.input();
            }
        }
        drain_log(&mut a, now, &mut la);
        core_log(&b, &mut lb);
        prop_assert_eq!(a.state(), b.state(), "after the input at T0 + {}", now.since(T0).ms());
    }
    let end = now + p.timeout() + p.timeout();
    fire_until(&mut a, &b, &mut la, &mut lb, end);
    prop_assert_eq!(a.state(), b.state());
    prop_assert_eq!(a.last_activity(), b.core(|c| c.engine().last_activity()));
    // The core's extends from the API are "Api": the reference's came from the button.
    let lb: Vec<_> = lb.into_iter().map(|(t, s)| (t, s.replace("extend Api", "extend Button"))).collect();
    // Within one moment, the core tells the other tabs of a logout before its own logout event
    // (the engine lists its effects first), and sends a keepalive once the record confirmed the
    // session is still its own: the order of those within one moment is not the point here.
    let order = |mut l: Vec<(Moment, String)>| {
        l.sort_by_key(|(t, s)| {
            (
                *t,
                if s == "keepalive" {
                    1
                } else if s == "Logout" {
                    2
                } else {
                    0
                },
            )
        });
        l
    };
    Ok((order(la), order(lb)))
}

proptest! {
    /// A browser listener may record input and hand it over later, as long as it calls in for
    /// the first input at or after `input_quiet_until` (with the one recorded before it), and
    /// the core hands recorded input over first thing whenever it runs: with timers on time,
    /// every effect and message comes out at the same time, with the same content, as when each
    /// input is handled at once.
    #[test]
    fn input_handed_over_late_changes_nothing(
        timeout in 2_000u64..20_000,
        warning_pct in 0u64..90,
        keepalive in proptest::option::of(500u64..5_000),
        steps in proptest::collection::vec((0u64..1_500, 0u8..12), 1..80),
    ) {
        let p = policy(timeout, timeout * warning_pct / 100);
        let (a, b) = both_ways(p, keepalive.map(ms), ms(0), true, &steps)?;
        prop_assert_eq!(&a, &b, "\n{:#?}\n{:#?}", a, b);
    }
}

proptest! {
    // The window this explores (an input between a deadline and its late timer) is narrow.
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// The same with timers that run late, so input can arrive between a deadline and its
    /// timer: the states agree after every input, and so do the effects, in order. (Their times
    /// may differ by the lag: the core also wakes at the old warning time to hand input over,
    /// and may notice a passed deadline on that earlier timer. Announcements of activity may
    /// differ in number and timing, by at most one interval and one late timer.) Without peer
    /// messages: the core's timers run at other times than the reference's (it also wakes at
    /// the old warning time to hand input over, and for the countdown), so a message that
    /// arrives in the same millisecond as a deadline may be weighed before it by one and after
    /// it by the other.
    #[test]
    fn input_handed_over_late_with_late_timers(
        timeout in 2_000u64..20_000,
        warning_pct in 0u64..90,
        keepalive in proptest::option::of(500u64..5_000),
        lag in 0u64..400,
        steps in proptest::collection::vec((0u64..1_500, 0u8..12), 1..80),
    ) {
        let p = policy(timeout, timeout * warning_pct / 100);
        let (a, b) = both_ways(p, keepalive.map(ms), ms(lag), false, &steps)?;
        let effects = |l: &[(Moment, String)]| l.iter().map(|(_, s)| s.clone()).filter(|s| !s.starts_with("Activity")).collect::<Vec<_>>();
        prop_assert_eq!(effects(&a), effects(&b));
        // The other tabs hear of activity from the core no later than from the reference,
        // give or take one late timer and one announcement interval (the throttle: which input
        // gets the next announcement depends on when timers happen to run).
        let stamp = |s: &str| s.strip_prefix("Activity at: ").and_then(|r| r.parse::<u64>().ok());
        let news = |l: &[(Moment, String)], until: Moment| l.iter().filter(|(t, _)| *t <= until).filter_map(|(_, s)| stamp(s)).max();
        for (t, _) in &a {
            let by = *t + ms(lag) + p.announce_interval();
            prop_assert!(news(&b, by) >= news(&a, *t), "at T0 + {}: {:?} < {:?}", t.since(T0).ms(), news(&b, by), news(&a, *t));
        }
    }
}

/// A tab on the fake browser, with no logout URL (these tests are about input).
fn one_tab(p: Policy) -> (Rc<World>, Tab) {
    let world = World::new();
    let tab = Tab::open(&world, 0, autologoff::config::Settings { policy: p, ..Default::default() });
    (world, tab)
}

#[test]
fn an_input_after_a_late_timer_is_judged_with_the_one_recorded_before_it() {
    // The warning comes 0.5 s after the last input. Input recorded before `quiet` waits for the
    // timer at `quiet`; that timer runs late (past the warning time of the last input handed
    // over), and a new input comes first.
    let (world, b) = one_tab(policy(10_000, 9_500));
    for t in [T0 + ms(100), T0 + ms(150), T0 + ms(220)] {
        world.at(t);
        b.input();
    }
    assert_eq!(b.host(|h| h.quiet), T0 + ms(225), "quiet until the announcement of the input at T0 + 150");
    world.at(T0 + ms(655));
    b.input();
    world.at(T0 + ms(665));
    b.fire();
    assert_eq!(b.state(), State::Active, "the input at T0 + 220 counts");
    assert_eq!(b.core(|c| c.engine().last_activity()), T0 + ms(655));
}

#[test]
fn after_sleep_the_first_input_is_judged_with_the_one_recorded_before_sleep() {
    // The device sleeps right after the user typed; setTimeout's clock stops while it sleeps,
    // so the timer that would hand the last keystroke over has not run when the first input
    // after resume calls in. That input lands inside the warning window of the keystroke.
    let t = 15 * 60_000;
    let (world, b) = one_tab(policy(t, 60_000));
    for i in [T0 + ms(100), T0 + ms(200), T0 + ms(900)] {
        world.at(i);
        b.input();
    }
    // Asleep: the wall clock moves, the monotonic one does not.
    world.wall.set(T0 + ms(200) + ms(t) + ms(300));
    b.input();
    assert_eq!(b.state(), State::Warning, "warned (and can stay signed in), not logged out");
}

#[test]
fn input_after_the_wall_clock_went_back_is_still_handed_over() {
    // Active user; the wall clock is set back by a minute while they keep working, one input a
    // second. New input is then older than what was handed over before.
    let (world, b) = one_tab(policy(60_000, 20_000));
    world.at(T0 + ms(1_000));
    b.input();
    world.wall.set(T0 + ms(1_000) - ms(60_000));
    for _ in 1..=70u64 {
        world.advance(ms(1_000));
        b.input();
        b.fire();
        assert_eq!(
            b.state(),
            State::Active,
            "{} s after the jump",
            world.wall.get().epoch_ms() as i64 - (T0.epoch_ms() as i64 - 59_000)
        );
    }
}

#[test]
fn input_may_wait_only_while_a_timer_will_collect_it() {
    let mut e = Engine::new(policy(6_000, 2_000), T0);
    assert_eq!(e.input_quiet_until(), Moment::EPOCH, "nothing pending: the first input is handled at once");
    e.handle_activity(T0 + ms(10));
    assert_eq!(e.input_quiet_until(), Moment::EPOCH, "announced at once: the next input starts a trailing edge");
    e.handle_activity(T0 + ms(20));
    assert_eq!(e.input_quiet_until(), T0 + ms(1_010), "until the trailing edge's timer");
    assert_eq!(e.poll_timeout(), Some(T0 + ms(1_010)));
    // Input recorded at T0 + 900 and handed over by that timer is announced with its own time.
    e.handle_inputs(&[T0 + ms(900)], T0 + ms(1_010));
    e.handle_timeout(T0 + ms(1_010));
    let _ = e.poll_transmit();
    assert_eq!(e.poll_transmit(), Some(PeerMessage::Activity { at: T0 + ms(900) }));
    assert_eq!(e.deadline(), Some(T0 + ms(900) + ms(6_000)));
    // In the warning, input waits until the deadline; once ended, forever.
    e.handle_timeout(T0 + ms(900) + ms(4_000));
    assert_eq!(e.state(), State::Warning);
    assert_eq!(e.input_quiet_until(), T0 + ms(900) + ms(6_000));
    e.handle_logout(T0 + ms(900) + ms(4_100), Reason::User);
    assert_eq!(e.input_quiet_until(), Moment::MAX);
}

#[test]
fn input_handed_over_after_its_own_deadline_expires_the_session() {
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    // Recorded before the warning time, handed over by a timer that slept past the deadline:
    // the input counts, and the timeout that follows finds the new deadline passed too.
    e.handle_inputs(&[T0 + ms(5_000)], T0 + ms(16_000));
    assert_eq!(e.deadline(), Some(T0 + ms(15_000)));
    e.handle_timeout(T0 + ms(16_000));
    assert_eq!(e.state(), State::Expired);
    // Recorded before the warning time, handed over late but in time: it counts.
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    e.handle_inputs(&[T0 + ms(5_000)], T0 + ms(8_000));
    assert_eq!((e.state(), e.deadline()), (State::Active, Some(T0 + ms(15_000))));
    // Recorded after the warning time: it does not dismiss the warning.
    let mut e = Engine::new(policy(10_000, 3_000), T0);
    e.handle_inputs(&[T0 + ms(7_500)], T0 + ms(8_000));
    assert_eq!(e.state(), State::Warning);
}
