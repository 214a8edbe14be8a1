//! The keyed limiter: independent limits per App Key, in bounded memory.

mod fixture;
mod support;
#[macro_use]
mod suite;

use ratespec::{KeyedLimiter, ManualClock, Per, Permit, Refusal, UnavailableKind, Units};
use std::time::Duration;
use support::{BEIJING_MIDNIGHT, Endpoint};

/// The `retry_after` of a refusal for want of room for a new key.
fn no_room(r: Result<Permit, Refusal>) -> Duration {
    match r {
        Err(Refusal::Unavailable(u)) if u.kind() == UnavailableKind::NoRoom => {
            u.retry_after().expect("no room says when")
        }
        other => panic!("expected no room, got {other:?}"),
    }
}

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
        Err(Refusal::Denied(_))
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
            Err(Refusal::Unavailable(u)) if u.kind() == UnavailableKind::NoRoom => {
                let retry_after = u.retry_after().unwrap();
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
    no_room(limiter.try_acquire("c", Endpoint::UserGetToken));
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

#[test]
fn a_sweep_that_evicts_every_tenant_does_not_lock_out_later_keys() {
    // Issue 10, item 5: the sweep that evicted `a` left its watermark at `u64::MAX`, so once
    // `b` filled the map no sweep ran again and `c` was refused for centuries.
    let (limiter, clock) = keyed(1);
    limiter.try_acquire("a", Endpoint::UserGetToken).unwrap();
    clock.advance(Duration::from_secs(1));
    limiter.try_acquire("b", Endpoint::UserGetToken).unwrap();
    assert_eq!(
        no_room(limiter.try_acquire("c", Endpoint::UserGetToken)),
        Duration::from_secs(1)
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        limiter
            .try_acquire("c", Endpoint::UserGetToken)
            .unwrap()
            .remaining(),
        199
    );
    assert_eq!(limiter.len(), 1);
}

#[test]
fn a_new_tenant_with_a_short_window_is_swept_before_an_old_one_with_a_long_window() {
    let (limiter, clock) = keyed(2);
    // `day` holds a charge until Beijing midnight; `a` only for a second.
    limiter.try_acquire("day", Endpoint::Push).unwrap();
    limiter.try_acquire("a", Endpoint::UserGetToken).unwrap();
    clock.advance(Duration::from_secs(1));
    // The sweep for `b` evicts `a` and keeps only `day`, which expires at midnight; `b`
    // itself expires a second later, and must not wait for midnight to give way.
    limiter.try_acquire("b", Endpoint::UserGetToken).unwrap();
    clock.advance(Duration::from_secs(1));
    limiter.try_acquire("c", Endpoint::UserGetToken).unwrap();
    assert_eq!(limiter.remaining("day", Endpoint::Push), 1);
    assert_eq!(limiter.len(), 2);
}

/// One App Key of a keyed limiter that also holds another, busy one.
struct OneKey(KeyedLimiter<String, fixture::Ep, ManualClock>);

const KEY: &str = "app-key";

impl suite::Backend for OneKey {
    async fn start(clock: ManualClock) -> Self {
        let keyed = KeyedLimiter::with_clock(2, clock);
        // Another tenant's full windows must not touch this one's.
        for ep in <fixture::Ep as ratespec::Endpoints>::ALL {
            while keyed.try_acquire("other", *ep).is_ok() {}
        }
        OneKey(keyed)
    }
    fn clock(&self) -> &ManualClock {
        self.0.clock()
    }
    async fn try_acquire_n(&self, ep: fixture::Ep, n: u64) -> Result<Permit, Refusal> {
        self.0.try_acquire_n(KEY, ep, n)
    }
    async fn try_acquire_units(&self, ep: fixture::Ep, units: Units) -> Result<Permit, Refusal> {
        self.0.try_acquire_n(KEY, ep, units)
    }
    async fn try_acquire_scoped(
        &self,
        ep: fixture::Ep,
        key: &str,
        units: Units,
    ) -> Result<Permit, Refusal> {
        self.0.try_acquire_scoped(KEY, ep, key, units)
    }
    async fn acquire_scoped(
        &self,
        ep: fixture::Ep,
        key: &str,
        units: Units,
    ) -> Result<Permit, Refusal> {
        self.0.acquire_scoped(KEY, ep, key, units).await
    }
    fn batch_size(&self, ep: fixture::Ep) -> u64 {
        self.0.batch_size(ep)
    }
    async fn acquire(&self, ep: fixture::Ep, n: u64) -> Result<Permit, Refusal> {
        self.0.acquire(KEY, ep, n).await
    }
    async fn remaining(&self, ep: fixture::Ep) -> u64 {
        self.0.remaining(KEY, ep)
    }
    async fn remaining_in(&self, ep: fixture::Ep, len: ratespec::Length) -> Option<u64> {
        self.0.remaining_in(KEY, ep, len)
    }
    async fn reset_at(&self, ep: fixture::Ep) -> std::time::SystemTime {
        self.0.reset_at(KEY, ep)
    }
    fn set_limit(
        &self,
        ep: fixture::Ep,
        len: ratespec::Length,
        max: u64,
    ) -> Result<(), ratespec::LimitError> {
        self.0.set_limit(ep, len, max)
    }
    fn limit(&self, ep: fixture::Ep, len: ratespec::Length) -> Option<u64> {
        self.0.limit(ep, len)
    }
}

behaviour_suite!(OneKey);

#[test]
fn a_keyed_limiter_in_shadow_mode_lets_every_key_through_and_counts_for_all_keys() {
    let limiter =
        KeyedLimiter::<String, Endpoint, _>::with_clock(4, ManualClock::new(BEIJING_MIDNIGHT))
            .shadow();
    for key in ["a", "b"] {
        for _ in 0..3 {
            assert!(limiter.try_acquire(key, Endpoint::Push).is_ok());
        }
    }
    assert_eq!(limiter.shadow_denials(Endpoint::Push), 2);
    assert_eq!(limiter.remaining("a", Endpoint::Push), 0);
}
