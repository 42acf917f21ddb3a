//! Two gateway instances sharing one store, as a property: whatever the interleaving of their
//! requests, of the time between a request's read and its writes (a request in flight), and of
//! the clock, an ended session never comes back and no session is ever served past its absolute
//! deadline. The instances are the real core and the real memory store, with a fake clock.

mod common;
use autologoff_gateway::core::answer::Body;
use autologoff_gateway::core::plan::{Effect, Outcome, Plan};
use autologoff_gateway::core::request::Endpoint;
use autologoff_gateway::core::rules::{keepalive_or_status, logout, portal_request};
use autologoff_gateway::core::session::{Entry, Found, Record, SessionKey};
use autologoff_gateway::store::memory::MemoryStore;
use autologoff_gateway::store::Store;
use autologoff_protocol::{Duration, Moment};
use common::*;
use proptest::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug)]
enum What {
    Navigate,
    Fetch,
    Poll,
    Keepalive,
    Status,
    Logout,
}

#[derive(Clone, Debug)]
enum Op {
    /// The clock moves on.
    Wait(u64),
    /// Instance `i` reads the store and decides a request (its writes wait for `Apply`).
    Decide(usize, What),
    /// Instance `i` performs the writes of the request it decided.
    Apply(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u64..1_500).prop_map(Op::Wait),
        (
            0usize..2,
            prop_oneof![
                Just(What::Navigate),
                Just(What::Fetch),
                Just(What::Poll),
                Just(What::Keepalive),
                Just(What::Status),
                Just(What::Logout),
            ]
        )
            .prop_map(|(i, w)| Op::Decide(i, w)),
        (0usize..2).prop_map(Op::Apply),
    ]
}

/// Whether a plan serves the session: forwards it as live, or answers 200 with times left.
fn serves(plan: &Plan) -> Option<u64> {
    match &plan.outcome {
        Outcome::Forward(f) => f.session.as_ref().map(|_| 0),
        Outcome::Answer(a) if a.status == 200 => match &a.body {
            Body::Json(s) => serde_json::from_str::<serde_json::Value>(s).ok()?["remainingMs"].as_u64(),
            _ => None,
        },
        Outcome::Answer(_) => None,
    }
}

async fn perform(store: &MemoryStore, effects: Vec<Effect>) {
    for e in effects {
        match e {
            Effect::Create { key, record, ttl } => {
                store.create(&key, &record, ttl).await.unwrap();
            }
            Effect::Touch { key, at, ttl } => {
                store.touch(&key, at, ttl).await.unwrap();
            }
            Effect::End { key, tombstone, ttl } => {
                store.end(&key, &tombstone, ttl).await.unwrap();
            }
            Effect::SignOutAtPortal | Effect::Audit(_) => {}
        }
    }
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let s = settings();
    let clock = Arc::new(AtomicU64::new(T0));
    let c = clock.clone();
    let store = MemoryStore::new(Arc::new(move || Moment::from_epoch_ms(c.load(Ordering::SeqCst))));
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let key = SessionKey::of_cookie("cookie");
    let created = Moment::from_epoch_ms(T0);
    let record = Record {
        public_id: "pid0000000000001".into(),
        csrf: "csrf1".into(),
        user: None,
        created,
        last_active: created,
    };
    rt.block_on(store.create(&key, &record, Duration::from_ms(2 * ABSOLUTE))).unwrap();
    let absolute_deadline = T0 + ABSOLUTE;
    let mut pending: [Option<Vec<Effect>>; 2] = [None, None];
    let mut ended = false;
    for op in ops {
        let now = Moment::from_epoch_ms(clock.load(Ordering::SeqCst));
        match op {
            Op::Wait(ms) => {
                clock.fetch_add(ms, Ordering::SeqCst);
            }
            Op::Apply(i) => {
                if let Some(effects) = pending[i].take() {
                    ended |= effects.iter().any(|e| matches!(e, Effect::End { .. }));
                    rt.block_on(perform(&store, effects));
                }
            }
            Op::Decide(i, what) => {
                let found = rt.block_on(store.load(&key)).unwrap();
                let cookie = Some((key, found.as_ref()));
                let plan = match what {
                    What::Navigate | What::Fetch | What::Poll => {
                        let (path, mode) = match what {
                            What::Navigate => ("/portal", "navigate"),
                            What::Fetch => ("/portal/data", "cors"),
                            _ => ("/api/poll", "cors"),
                        };
                        let r = req("GET", path, mode, Some("cookie"));
                        portal_request(&s, now, &r, &route(&r), found.as_ref(), fresh(1))
                    }
                    What::Keepalive | What::Status => {
                        let endpoint =
                            if matches!(what, What::Keepalive) { Endpoint::Keepalive } else { Endpoint::Status };
                        let mut r = req("POST", "/.autologoff/keepalive", "cors", Some("cookie"));
                        r.csrf = Some("csrf1".into());
                        keepalive_or_status(&s, now, &r, endpoint, &vec![], cookie)
                    }
                    What::Logout => {
                        let mut r = req("POST", "/.autologoff/logout", "cors", Some("cookie"));
                        r.csrf = Some("csrf1".into());
                        let form = vec![("session".to_owned(), "pid0000000000001".to_owned())];
                        let named = found.clone().map(|entry| Found { key, entry });
                        logout(&s, &r, &form, cookie, named.as_ref())
                    }
                };
                if let Some(remaining) = serves(&plan) {
                    prop_assert!(!ended, "served after the session ended: {plan:?}");
                    prop_assert!(
                        now.epoch_ms() < absolute_deadline,
                        "served at {} past the absolute deadline",
                        now.epoch_ms()
                    );
                    prop_assert!(
                        now.epoch_ms() + remaining <= absolute_deadline,
                        "told of time past the absolute deadline"
                    );
                }
                // A request decided earlier is still in flight: its writes go in first.
                if let Some(earlier) = pending[i].replace(plan.effects) {
                    ended |= earlier.iter().any(|e| matches!(e, Effect::End { .. }));
                    rt.block_on(perform(&store, earlier));
                }
            }
        }
        let stored = rt.block_on(store.load(&key)).unwrap();
        if ended {
            prop_assert!(!matches!(stored, Some(Entry::Live(_))), "an ended session came back: {stored:?}");
        }
        if let Some(Entry::Live(r)) = &stored {
            prop_assert_eq!(r.created, created, "the creation time moved");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
    #[test]
    fn interleavings_never_resurrect_and_never_pass_absolute(ops in proptest::collection::vec(op(), 1..60)) {
        run(ops)?;
    }
}
