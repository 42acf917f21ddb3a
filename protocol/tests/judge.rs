//! Properties of the decision, over random inputs.

use autologoff_protocol::{judge, Duration, Moment, Policy, RequestKind, Verdict};
use proptest::prelude::*;

fn kind() -> impl Strategy<Value = RequestKind> {
    proptest::sample::select(RequestKind::ALL.to_vec())
}

proptest! {
    /// Whatever the request and the clocks, a live session never has more time than what is left
    /// to `created + absolute`, nor more than `idle`; and only activity writes.
    #[test]
    fn never_past_the_limits(idle in 1u64..100_000, extra in 0u64..100_000, created in 0u64..1_000_000,
                             last in 0u64..1_200_000, now in 0u64..1_300_000, kind in kind()) {
        let policy = Policy::new(Duration::from_ms(idle), Duration::from_ms(idle + extra)).unwrap();
        let v = judge(Moment::from_epoch_ms(now), Moment::from_epoch_ms(created), Moment::from_epoch_ms(last), policy, kind);
        if let Verdict::Live { remaining, touch } = v {
            let created = created.min(now);
            prop_assert!(now + remaining.remaining.ms() <= created + idle + extra);
            prop_assert!(remaining.idle.ms() <= idle);
            prop_assert!(remaining.remaining == remaining.idle.min(remaining.absolute));
            prop_assert!(!touch || kind.is_activity());
        }
    }
}
