//! The keyed limiter: independent limits per App Key, in bounded memory.

mod support;

use ratespec::{KeyedLimiter, KeyedRefusal, ManualClock, Per, Refusal};
use std::time::Duration;
use support::{BEIJING_MIDNIGHT, Endpoint};

fn keyed(capacity: usize) -> (KeyedLimiter<String, Endpoint, ManualClock>, ManualClock) {
    let clock = ManualClock::new(BEIJING_MIDNIGHT);
    (KeyedLimiter::with_clock(capacity, clock.clone()), clock)
}

#[test]
fn each_key_has_its_own_counters() {
    let (limiter, _) = keyed(8);
    limiter
        .try_acquire_n("app-a", Endpoint::UserGetToken, 200)
        .unwrap();
    assert!(matches!(
        limiter.try_acquire("app-a", Endpoint::UserGetToken),
        Err(KeyedRefusal::Refused(Refusal::Denied(_)))
    ));
    assert_eq!(
        limiter
            .try_acquire("app-b", Endpoint::UserGetToken)
            .unwrap()
            .remaining(),
        199
    );
    assert_eq!(limiter.remaining("app-a", Endpoint::UserGetToken), 0);
    assert_eq!(limiter.remaining("unknown", Endpoint::UserGetToken), 200);
    assert_eq!(limiter.len(), 2);
}

#[test]
fn hostile_keys_never_grow_it_past_its_capacity_nor_reset_live_tenants() {
    let (limiter, _) = keyed(16);
    limiter.try_acquire_n("real", Endpoint::Push, 2).unwrap();
    let mut full = 0;
    for i in 0..10_000 {
        match limiter.try_acquire(&format!("hostile-{i}"), Endpoint::Push) {
            Ok(_) => {}
            Err(KeyedRefusal::Full { retry_after }) => {
                full += 1;
                // Every tenant holds a charge in today's window (Beijing day), so the first
                // place frees at midnight, a day after the start.
                assert_eq!(retry_after, Duration::from_secs(86_400));
            }
            Err(other) => panic!("{other:?}"),
        }
        assert!(limiter.len() <= 16);
    }
    assert_eq!(full, 10_000 - 15);
    // The real tenant kept its count: its hour is still full.
    assert!(limiter.try_acquire("real", Endpoint::Push).is_err());
}

#[test]
fn tenants_whose_windows_all_expired_make_room_for_new_keys() {
    let (limiter, clock) = keyed(2);
    limiter.try_acquire("a", Endpoint::UserGetToken).unwrap();
    limiter.try_acquire("b", Endpoint::Push).unwrap();
    assert!(matches!(
        limiter.try_acquire("c", Endpoint::UserGetToken),
        Err(KeyedRefusal::Full { .. })
    ));
    // After one second `a` holds nothing and gives way; `b` still holds its hour.
    clock.advance(Duration::from_secs(1));
    limiter.try_acquire("c", Endpoint::UserGetToken).unwrap();
    assert_eq!(limiter.len(), 2);
    assert_eq!(limiter.remaining("b", Endpoint::Push), 1);
    assert_eq!(limiter.remaining("a", Endpoint::UserGetToken), 200);
    assert!(limiter.remove("c"));
    assert!(!limiter.remove("c"));
    assert_eq!(limiter.len(), 1);
}

#[test]
fn limit_changes_reach_current_and_future_tenants() {
    let (limiter, _) = keyed(4);
    limiter.try_acquire("a", Endpoint::UserGetToken).unwrap();
    limiter
        .set_limit(Endpoint::UserGetToken, Per::Second, 10)
        .unwrap();
    assert_eq!(limiter.remaining("a", Endpoint::UserGetToken), 9);
    assert_eq!(
        limiter
            .try_acquire("new", Endpoint::UserGetToken)
            .unwrap()
            .remaining(),
        9
    );
}
