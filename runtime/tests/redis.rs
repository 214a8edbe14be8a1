//! `RedisLimiter` against a real `redis-server` started by each test, with the endpoints
//! generated from the real documents. Clocks are manual: no assertion depends on timing.

mod fixture;
#[macro_use]
mod suite;
mod support_redis;

use ratespec::redis::{FailurePolicy, RedisLimiter};
use ratespec::{
    Clock, Denied, Endpoints, ExceedsLimit, Limiter, ManualClock, Per, Refusal, Units, Window,
};
use std::sync::Arc;
use std::time::Duration;
use support_redis::RedisServer;

mod specs {
    ratespec::include_limits!("specs/", include_commented = true);
}
use specs::rongcloud::Endpoint;

/// 2024-03-02T00:00:00+08:00: a Beijing midnight, and a second, minute and hour boundary.
const BEIJING_MIDNIGHT: u64 = 1_709_308_800_000;
const HOUR: u64 = 3_600_000;
const SECOND_LIMIT: u64 = 200;

type Shared = RedisLimiter<Endpoint, ManualClock>;

/// A fail-closed limiter (so every Redis failure shows as an error) on `clock`.
fn limiter(server: &RedisServer, clock: &ManualClock, short_circuit: bool) -> Shared {
    RedisLimiter::builder(server.client())
        .clock(clock.clone())
        .failure_policy(FailurePolicy::Closed)
        .timeout(Duration::from_secs(2))
        .short_circuit(short_circuit)
        .build()
        .expect("build inside a Tokio runtime")
}

fn denied(r: Result<ratespec::Permit, Refusal>) -> Denied {
    match r {
        Err(Refusal::Denied(d)) => d,
        other => panic!("expected a denial, got {other:?}"),
    }
}

fn bucket_name(ep: Endpoint) -> &'static str {
    &Endpoint::BUCKETS[Endpoints::bucket(ep)].name
}

#[tokio::test]
async fn the_same_answers_as_the_local_limiter_over_a_random_walk_across_beijing_midnight() {
    let server = RedisServer::start();
    let clock = ManualClock::new(BEIJING_MIDNIGHT - 2 * HOUR - 1_234);
    let local = Limiter::<Endpoint, _>::with_clock(clock.clone());
    let shared = limiter(&server, &clock, true);
    let endpoints = [
        Endpoint::UserGetToken,
        Endpoint::MessagePrivatePublish,
        Endpoint::Push,
        Endpoint::ChatroomEntrySet,
        Endpoint::ChatroomEntryBatchSet,
    ];
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut admitted, mut refused) = (0, 0);
    for step in 0..4_000 {
        let r = next();
        let ep = endpoints[(r % 5) as usize];
        let cost = match (r >> 8) % 10 {
            0 => 0,
            1..=5 => 1,
            6 => 37,
            7 => 99,
            8 => 1_000,
            _ => 7_000,
        };
        match (r >> 16) % 100 {
            0 => clock.advance(Duration::from_secs(1_200)),
            1..=20 => clock.advance(Duration::from_millis((r >> 24) % 700)),
            21 => {
                // 可调频: the same new limit in both, sometimes below what was admitted.
                let (ep, per, max) = match (r >> 24) % 3 {
                    0 => (Endpoint::UserGetToken, Per::Second, (r >> 32) % 300),
                    1 => (
                        Endpoint::ChatroomEntryBatchSet,
                        Per::Second,
                        (r >> 32) % 150,
                    ),
                    _ => (Endpoint::Push, Per::Day, (r >> 32) % 5),
                };
                assert_eq!(local.set_limit(ep, per, max), Ok(()));
                assert_eq!(shared.set_limit(ep, per, max), Ok(()));
                assert_eq!(shared.limit(ep, per), Some(max));
            }
            _ => {}
        }
        let expected = local.try_acquire_n(ep, cost);
        let got = shared.try_acquire_n(ep, cost).await;
        match (&expected, &got) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "step {step}: {ep} cost {cost}");
                admitted += 1;
            }
            (Err(a @ (Refusal::Denied(_) | Refusal::Exceeds(_))), Err(b)) => {
                assert_eq!(a, b, "step {step}: {ep} cost {cost}");
                refused += 1;
            }
            _ => panic!("step {step}: {ep} cost {cost}: local {expected:?}, Redis {got:?}"),
        }
    }
    assert!(
        clock.now_ms() > BEIJING_MIDNIGHT + HOUR,
        "the walk crosses midnight"
    );
    assert!(admitted > 500 && refused > 500, "{admitted} / {refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_at_once_admit_exactly_the_limit() {
    let server = RedisServer::start();
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 250);
    for short_circuit in [false, true] {
        clock.advance(Duration::from_secs(1));
        let shared = Arc::new(limiter(&server, &clock, short_circuit));
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let mut admitted = 0;
                    for _ in 0..10 {
                        match shared.try_acquire(Endpoint::UserGetToken).await {
                            Ok(_) => admitted += 1,
                            Err(r) => {
                                assert_eq!(r.retry_after(), Some(Duration::from_millis(750)))
                            }
                        }
                        // Both windows of the push quota: 2 per hour wins.
                        let _ = shared.try_acquire(Endpoint::Push).await;
                    }
                    admitted
                })
            })
            .collect();
        let mut total = 0;
        for t in tasks {
            total += t.await.expect("no task panics");
        }
        assert_eq!(total, SECOND_LIMIT, "short-circuit {short_circuit}");
    }
    let id = (BEIJING_MIDNIGHT + 2_250) / 1000;
    let key = format!(
        "ratespec:{{rongcloud:{}}}:1s:{id}",
        bucket_name(Endpoint::UserGetToken)
    );
    assert_eq!(server.integer(&["GET", &key]), Some(SECOND_LIMIT as i64));
    let hour = format!(
        "ratespec:{{rongcloud:{}}}:1h:{}",
        bucket_name(Endpoint::Push),
        BEIJING_MIDNIGHT / HOUR
    );
    assert_eq!(server.integer(&["GET", &hour]), Some(2));
}

#[tokio::test]
async fn calendar_days_turn_at_beijing_midnight_and_both_push_windows_apply() {
    let server = RedisServer::start();
    let clock = ManualClock::new(BEIJING_MIDNIGHT - 2 * HOUR - 30 * 60_000); // 21:30
    let shared = limiter(&server, &clock, false);
    let push = Endpoint::Push;
    assert_eq!(shared.try_acquire(push).await.unwrap().remaining(), 1);
    let second = shared.try_acquire(push).await.unwrap();
    assert_eq!(second.remaining(), 0);
    assert_eq!(second.reset_after(), Duration::from_secs(30 * 60));
    let d = denied(shared.try_acquire(push).await);
    assert_eq!(d.retry_after, Duration::from_secs(30 * 60));
    assert_eq!(d.window, Window::new(2, Per::Hour));

    clock.set_ms(BEIJING_MIDNIGHT - 2 * HOUR); // 22:00: a new hour, the day's third push
    let third = shared.try_acquire(push).await.unwrap();
    assert_eq!(third.remaining(), 0);
    assert_eq!(third.reset_after(), Duration::from_secs(2 * 3600));
    let d = denied(shared.try_acquire(push).await);
    assert_eq!(d.window, Window::new(3, Per::Day));
    assert_eq!(d.retry_after, Duration::from_secs(2 * 3600));

    clock.set_ms(BEIJING_MIDNIGHT - 1); // 23:59:59.999: still the same day
    assert_eq!(
        denied(shared.try_acquire(push).await).retry_after,
        Duration::from_millis(1)
    );
    clock.set_ms(BEIJING_MIDNIGHT); // 00:00 in Beijing, 16:00 in UTC
    assert_eq!(shared.try_acquire(push).await.unwrap().remaining(), 1);

    let day = |ms: u64| (ms + 8 * HOUR) / (24 * HOUR);
    let key = |id: u64| format!("ratespec:{{rongcloud:{}}}:1d:{id}", bucket_name(push));
    assert_eq!(
        server.integer(&["GET", &key(day(BEIJING_MIDNIGHT - 1))]),
        Some(3)
    );
    assert_eq!(
        server.integer(&["GET", &key(day(BEIJING_MIDNIGHT))]),
        Some(1)
    );
}

#[tokio::test]
async fn a_shared_bucket_is_one_quota_for_both_endpoints_and_costs_are_weighted() {
    let server = RedisServer::start();
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 100);
    let shared = limiter(&server, &clock, true);
    let (set, batch) = (Endpoint::ChatroomEntrySet, Endpoint::ChatroomEntryBatchSet);
    assert_eq!(bucket_name(set), bucket_name(batch));
    assert_eq!(shared.try_acquire_n(set, 60).await.unwrap().remaining(), 40);
    assert_eq!(
        shared
            .try_acquire_n(batch, 41)
            .await
            .unwrap_err()
            .retry_after(),
        Some(Duration::from_millis(900))
    );
    assert_eq!(
        shared.try_acquire_n(batch, 40).await.unwrap().remaining(),
        0
    );
    assert!(matches!(
        shared.try_acquire(set).await,
        Err(Refusal::Denied(_))
    ));
    match shared.try_acquire_n(batch, 101).await {
        Err(Refusal::Exceeds(e)) => assert_eq!(
            e,
            ExceedsLimit {
                cost: 101,
                window: Window::new(100, Per::Second).counting(ratespec::Cost::Attribute)
            }
        ),
        other => panic!("expected Exceeds, got {other:?}"),
    }
}

#[tokio::test]
async fn keys_name_tenant_provider_bucket_window_and_id_never_a_discriminant() {
    let server = RedisServer::start();
    let now = BEIJING_MIDNIGHT + 250;
    let clock = ManualClock::new(now);
    let tenant = RedisLimiter::<Endpoint>::builder(server.client())
        .clock(clock.clone())
        .tenant("app:key{1}")
        .failure_policy(FailurePolicy::Closed)
        .build()
        .unwrap();
    let plain = limiter(&server, &clock, true);
    for ep in [
        Endpoint::UserGetToken,
        Endpoint::Push,
        Endpoint::ChatroomEntryBatchSet,
    ] {
        tenant.try_acquire(ep).await.unwrap();
    }
    plain.try_acquire(Endpoint::ChatroomEntrySet).await.unwrap();
    // A tenant has its own quota: the plain namespace still has 99 left.
    assert_eq!(
        plain
            .try_acquire(Endpoint::ChatroomEntrySet)
            .await
            .unwrap()
            .remaining(),
        98
    );

    let (sec, hour, day) = (now / 1000, now / HOUR, (now + 8 * HOUR) / (24 * HOUR));
    let t = "app%3Akey%7B1%7D";
    let mut expected = vec![
        format!("ratespec:{{{t}:rongcloud:UserGetToken}}:1s:{sec}"),
        format!("ratespec:{{{t}:rongcloud:Push}}:1h:{hour}"),
        format!("ratespec:{{{t}:rongcloud:Push}}:1d:{day}"),
        format!("ratespec:{{{t}:rongcloud:chatroom_entry_set}}:1s:{sec}"),
        format!("ratespec:{{rongcloud:chatroom_entry_set}}:1s:{sec}"),
    ];
    expected.sort();
    assert_eq!(server.keys(), expected);
    // Bucket names come from the documents, not from enum positions.
    assert_eq!(bucket_name(Endpoint::Push), "Push");
    for key in &expected {
        let ttl = server.integer(&["PTTL", key]).expect("a TTL");
        let per = key.rsplit(':').nth(1).unwrap();
        let to_end = match per {
            "1s" => 750,
            "1h" => HOUR - 250,
            _ => 24 * HOUR - 250,
        };
        assert!(
            ttl > 0 && ttl as u64 <= to_end + 60_000,
            "{key}: PTTL {ttl}"
        );
    }
}

#[tokio::test]
async fn the_script_is_loaded_again_after_script_flush() {
    let server = RedisServer::start();
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 10);
    let shared = limiter(&server, &clock, true);
    assert_eq!(
        shared
            .try_acquire(Endpoint::UserGetToken)
            .await
            .unwrap()
            .remaining(),
        199
    );
    let sha = shared.script_sha().to_owned();
    assert!(server.command(&["SCRIPT", "EXISTS", &sha]).contains(":1"));
    assert!(server.command(&["SCRIPT", "FLUSH"]).starts_with("+OK"));
    assert!(server.command(&["SCRIPT", "EXISTS", &sha]).contains(":0"));
    assert_eq!(
        shared
            .try_acquire(Endpoint::UserGetToken)
            .await
            .unwrap()
            .remaining(),
        198
    );
    assert!(server.command(&["SCRIPT", "EXISTS", &sha]).contains(":1"));
    assert_eq!(
        shared
            .try_acquire(Endpoint::UserGetToken)
            .await
            .unwrap()
            .remaining(),
        197
    );
}

#[tokio::test]
async fn a_full_window_is_refused_locally_until_it_ends() {
    let server = RedisServer::start();
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 400);
    let on = limiter(&server, &clock, true);
    for _ in 0..SECOND_LIMIT {
        on.try_acquire(Endpoint::UserGetToken).await.unwrap();
    }
    let calls = server.evalsha_calls();
    for _ in 0..50 {
        let d = denied(on.try_acquire(Endpoint::UserGetToken).await);
        assert_eq!(d.retry_after, Duration::from_millis(600));
        assert_eq!(d.window, Window::new(200, Per::Second));
    }
    assert_eq!(server.evalsha_calls(), calls, "no round trip while full");
    // Without the short-circuit, the same refusal costs a round trip each.
    let off = limiter(&server, &clock, false);
    let d = denied(off.try_acquire(Endpoint::UserGetToken).await);
    assert_eq!(d.retry_after, Duration::from_millis(600));
    assert_eq!(server.evalsha_calls(), calls + 1);
    // The window's end lifts it.
    clock.advance(Duration::from_millis(600));
    assert_eq!(
        on.try_acquire(Endpoint::UserGetToken)
            .await
            .unwrap()
            .remaining(),
        199
    );
    assert_eq!(server.evalsha_calls(), calls + 2);
}

#[tokio::test]
async fn a_cost_above_a_limit_is_refused_without_a_round_trip_even_when_redis_is_down() {
    let mut server = RedisServer::start();
    let clock = ManualClock::new(BEIJING_MIDNIGHT);
    let shared = limiter(&server, &clock, false);
    let r = shared
        .try_acquire_n(Endpoint::MessagePrivatePublish, 6_001)
        .await;
    assert!(matches!(r, Err(Refusal::Exceeds(e)) if e.window.max == 6_000));
    assert_eq!(server.evalsha_calls(), 0);
    server.kill();
    let r = shared.try_acquire_n(Endpoint::Push, 4).await.unwrap_err();
    assert!(matches!(r, Refusal::Exceeds(e) if e.window.max == 2));
    assert_eq!(r.retry_after(), None);
}

/// Waits, a bounded number of times, for a permit that Redis counted.
async fn until_counted(shared: &Shared) -> ratespec::Permit {
    for _ in 0..200 {
        if let Ok(p) = shared.try_acquire(Endpoint::UserGetToken).await
            && p.remaining() != u64::MAX
        {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the limiter never reached the restarted Redis");
}

#[tokio::test]
async fn redis_killed_fail_open_admits_uncounted_then_counts_again_after_a_restart() {
    let mut server = RedisServer::start();
    let port = server.port;
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 1);
    let shared = RedisLimiter::<Endpoint>::builder(server.client())
        .clock(clock.clone())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    assert_eq!(shared.failure_policy(), FailurePolicy::Open, "the default");
    assert_eq!(
        shared
            .try_acquire(Endpoint::UserGetToken)
            .await
            .unwrap()
            .remaining(),
        199
    );
    server.kill();
    for _ in 0..5 {
        let p = shared
            .try_acquire(Endpoint::UserGetToken)
            .await
            .expect("fail open admits");
        assert_eq!(p.remaining(), u64::MAX, "nothing was counted");
    }
    let _restarted = RedisServer::start_on(port);
    // The restarted Redis kept nothing (no persistence): a fresh window.
    assert_eq!(until_counted(&shared).await.remaining(), 199);
}

#[tokio::test]
async fn redis_killed_fail_closed_refuses_then_admits_after_a_restart() {
    let mut server = RedisServer::start();
    let port = server.port;
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 1);
    let shared = limiter(&server, &clock, true);
    shared.try_acquire(Endpoint::UserGetToken).await.unwrap();
    server.kill();
    for _ in 0..5 {
        match shared.try_acquire(Endpoint::UserGetToken).await {
            Err(Refusal::Unavailable(u)) => {
                assert!(u.to_string().contains("Redis"), "{u}");
                assert_eq!(u.kind(), ratespec::UnavailableKind::Backend);
                let refusal = Refusal::Unavailable(u);
                assert_eq!(refusal.retry_after(), None);
                assert!(std::error::Error::source(&refusal).is_some());
            }
            other => panic!("expected Unavailable, got {other:?}"),
        }
    }
    let _restarted = RedisServer::start_on(port);
    assert_eq!(until_counted(&shared).await.remaining(), 199);
}

#[tokio::test]
async fn a_frozen_redis_times_out_into_the_policy_and_a_thawed_one_answers_again() {
    let server = RedisServer::start();
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 1);
    let build = |policy| {
        RedisLimiter::<Endpoint>::builder(server.client())
            .clock(clock.clone())
            .timeout(Duration::from_millis(200))
            .failure_policy(policy)
            .build()
            .unwrap()
    };
    let (open, closed) = (build(FailurePolicy::Open), build(FailurePolicy::Closed));
    assert_eq!(
        closed
            .try_acquire(Endpoint::UserGetToken)
            .await
            .unwrap()
            .remaining(),
        199
    );
    assert_eq!(
        open.try_acquire(Endpoint::UserGetToken)
            .await
            .unwrap()
            .remaining(),
        198
    );
    server.signal("-STOP");
    let mut timed_out = 0;
    for _ in 0..4 {
        match closed.try_acquire(Endpoint::UserGetToken).await {
            Err(Refusal::Unavailable(u)) => assert!(u.is_timeout(), "{u}"),
            other => panic!("expected a timeout, got {other:?}"),
        }
        let p = open.try_acquire(Endpoint::UserGetToken).await.unwrap();
        assert_eq!(p.remaining(), u64::MAX);
        timed_out += 2;
    }
    server.signal("-CONT");
    // Calls that timed out may still have been executed by the thawed server: counted, never
    // more than sent (a conservative error).
    let p = until_counted(&closed).await;
    assert!(
        p.remaining() <= 197 && p.remaining() >= 197 - timed_out,
        "{p:?}"
    );
}

#[tokio::test]
async fn clock_skew_each_window_id_admits_its_limit_but_an_early_clock_opens_the_next_early() {
    let server = RedisServer::start();
    // A is on time; B runs one second ahead.
    let a_clock = ManualClock::new(BEIJING_MIDNIGHT + 900);
    let b_clock = ManualClock::new(BEIJING_MIDNIGHT + 1_900);
    let a = limiter(&server, &a_clock, true);
    let b = limiter(&server, &b_clock, true);
    let mut a_admitted = 0;
    for _ in 0..150 {
        a.try_acquire(Endpoint::UserGetToken).await.unwrap();
        a_admitted += 1;
    }
    // At the same real instant B is in the next window and finds it empty: together the
    // fleet admits 350 within one real second (documented: skew lets a boundary over-admit).
    for _ in 0..SECOND_LIMIT {
        b.try_acquire(Endpoint::UserGetToken).await.unwrap();
    }
    assert!(b.try_acquire(Endpoint::UserGetToken).await.is_err());
    // A, lagging, keeps charging its own window, which still holds 50.
    while a.try_acquire(Endpoint::UserGetToken).await.is_ok() {
        a_admitted += 1;
    }
    assert_eq!(a_admitted, SECOND_LIMIT);
    // When A's clock reaches B's window, B's charges are there: nothing reopens.
    a_clock.set_ms(BEIJING_MIDNIGHT + 1_000);
    let d = denied(a.try_acquire(Endpoint::UserGetToken).await);
    assert_eq!(d.retry_after, Duration::from_secs(1));
    let key = |id: u64| format!("ratespec:{{rongcloud:UserGetToken}}:1s:{id}");
    let first = BEIJING_MIDNIGHT / 1000;
    assert_eq!(server.integer(&["GET", &key(first)]), Some(200));
    assert_eq!(server.integer(&["GET", &key(first + 1)]), Some(200));
}

#[tokio::test]
async fn limits_adjust_at_run_time_and_lift_the_short_circuit() {
    let server = RedisServer::start();
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 300);
    let shared = limiter(&server, &clock, true);
    let ep = Endpoint::UserGetToken;
    assert_eq!(shared.limit(ep, Per::Second), Some(200));
    assert_eq!(shared.limit(ep, Per::Day), None);
    shared.set_limit(ep, Per::Second, 2).unwrap();
    shared.try_acquire(ep).await.unwrap();
    assert_eq!(shared.try_acquire(ep).await.unwrap().remaining(), 0);
    let calls = server.evalsha_calls();
    assert_eq!(denied(shared.try_acquire(ep).await).window.max, 2);
    assert_eq!(server.evalsha_calls(), calls, "short-circuited");
    shared.set_limit(ep, Per::Second, 500).unwrap();
    assert_eq!(shared.try_acquire(ep).await.unwrap().remaining(), 497);
    assert_eq!(
        shared.set_limit(ep, Per::Hour, 1),
        Err(ratespec::LimitError::NoSuchWindow {
            endpoint: "UserGetToken",
            length: Per::Hour.into()
        })
    );
    assert_eq!(
        shared.set_limit(ep, Per::Second, u64::MAX),
        Err(ratespec::LimitError::TooLarge { max: u64::MAX })
    );
}

#[test]
fn building_outside_a_tokio_runtime_is_an_error_not_a_panic() {
    let client = ratespec::redis::Client::open("redis://127.0.0.1:1/").unwrap();
    let err = RedisLimiter::<Endpoint>::builder(client)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("Tokio runtime"), "{err}");
}

/// A fail-closed `RedisLimiter` of the fixture on its own server.
struct OnRedis {
    limiter: RedisLimiter<fixture::Ep, ManualClock>,
    _server: RedisServer,
}

impl suite::Backend for OnRedis {
    async fn start(clock: ManualClock) -> Self {
        let server = RedisServer::start();
        let limiter = RedisLimiter::builder(server.client())
            .clock(clock)
            .failure_policy(FailurePolicy::Closed)
            .timeout(Duration::from_secs(2))
            .build()
            .expect("build inside a Tokio runtime");
        OnRedis {
            limiter,
            _server: server,
        }
    }
    fn clock(&self) -> &ManualClock {
        self.limiter.clock()
    }
    async fn try_acquire_n(&self, ep: fixture::Ep, n: u64) -> Result<ratespec::Permit, Refusal> {
        self.limiter.try_acquire_n(ep, n).await
    }
    async fn try_acquire_units(
        &self,
        ep: fixture::Ep,
        units: Units,
    ) -> Result<ratespec::Permit, Refusal> {
        self.limiter.try_acquire_n(ep, units).await
    }
    async fn try_acquire_scoped(
        &self,
        ep: fixture::Ep,
        key: &str,
        units: Units,
    ) -> Result<ratespec::Permit, Refusal> {
        self.limiter.try_acquire_scoped(ep, key, units).await
    }
    async fn acquire_scoped(
        &self,
        ep: fixture::Ep,
        key: &str,
        units: Units,
    ) -> Result<ratespec::Permit, Refusal> {
        self.limiter.acquire_scoped(ep, key, units).await
    }
    fn batch_size(&self, ep: fixture::Ep) -> u64 {
        self.limiter.batch_size(ep)
    }
    async fn acquire(&self, ep: fixture::Ep, n: u64) -> Result<ratespec::Permit, Refusal> {
        self.limiter.acquire(ep, n).await
    }
    async fn remaining(&self, ep: fixture::Ep) -> u64 {
        self.limiter.remaining(ep).await.expect("Redis answers")
    }
    async fn remaining_in(&self, ep: fixture::Ep, len: ratespec::Length) -> Option<u64> {
        self.limiter
            .remaining_in(ep, len)
            .await
            .expect("Redis answers")
    }
    async fn reset_at(&self, ep: fixture::Ep) -> std::time::SystemTime {
        self.limiter.reset_at(ep).await.expect("Redis answers")
    }
    fn set_limit(
        &self,
        ep: fixture::Ep,
        len: ratespec::Length,
        max: u64,
    ) -> Result<(), ratespec::LimitError> {
        self.limiter.set_limit(ep, len, max)
    }
    fn limit(&self, ep: fixture::Ep, len: ratespec::Length) -> Option<u64> {
        self.limiter.limit(ep, len)
    }
}

behaviour_suite!(OnRedis);

#[tokio::test]
async fn keys_of_windows_of_several_units_name_their_length() {
    let server = RedisServer::start();
    let now = fixture::BEIJING_MIDNIGHT + 2_500;
    let limiter = RedisLimiter::<fixture::Ep, _>::builder(server.client())
        .clock(ManualClock::new(now))
        .failure_policy(FailurePolicy::Closed)
        .build()
        .unwrap();
    limiter.try_acquire(fixture::Ep::Lengths).await.unwrap();
    limiter.try_acquire(fixture::Ep::TwoDays).await.unwrap();
    limiter.try_acquire(fixture::Ep::PerUser).await.unwrap();
    let two_days = (now + 8 * HOUR) / (2 * 24 * HOUR);
    let mut expected = vec![
        format!("ratespec:{{fixture:lengths}}:10s:{}", now / 10_000),
        format!("ratespec:{{fixture:lengths}}:30m:{}", now / 1_800_000),
        format!("ratespec:{{fixture:two_days}}:2d:{two_days}"),
        // The per-user 1/minute window is not counted: only the App Key's 5/minute.
        format!("ratespec:{{fixture:per_user}}:1m:{}", now / 60_000),
    ];
    expected.sort();
    assert_eq!(server.keys(), expected);
    let key = format!("ratespec:{{fixture:lengths}}:10s:{}", now / 10_000);
    assert_eq!(server.integer(&["GET", &key]), Some(1));
    let ttl = server.integer(&["PTTL", &key]).expect("a TTL");
    assert!(ttl > 0 && ttl as u64 <= 7_500 + 60_000, "PTTL {ttl}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_tasks_over_eight_users_admit_exactly_each_users_limit() {
    use ratespec::{Length, Scope};
    const PER_USER: u64 = 3;
    let server = RedisServer::start();
    let limiter = RedisLimiter::<fixture::Ep, _>::builder(server.client())
        .clock(ManualClock::new(fixture::BEIJING_MIDNIGHT))
        .failure_policy(FailurePolicy::Closed)
        .timeout(Duration::from_secs(2))
        .build()
        .expect("build inside a Tokio runtime");
    let user_minute = Length::from(Per::Minute).scoped(Scope::User);
    limiter
        .set_limit(fixture::Ep::PerUser, Per::Minute, 1_000)
        .unwrap();
    limiter
        .set_limit(fixture::Ep::PerUser, user_minute, PER_USER)
        .unwrap();
    let limiter = Arc::new(limiter);
    let tasks: Vec<_> = (0..64)
        .map(|t| {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                let user = format!("user{}", t % 8);
                let mut admitted = 0;
                for _ in 0..10 {
                    if limiter
                        .try_acquire_scoped(fixture::Ep::PerUser, &user, 1)
                        .await
                        .is_ok()
                    {
                        admitted += 1;
                    }
                }
                (user, admitted)
            })
        })
        .collect();
    let mut per_user = std::collections::HashMap::new();
    for t in tasks {
        let (user, admitted) = t.await.expect("no task panics");
        *per_user.entry(user).or_insert(0) += admitted;
    }
    assert_eq!(per_user.len(), 8);
    assert!(per_user.values().all(|&n| n == PER_USER), "{per_user:?}");
    // Each user's count is a key of its own, beside the App Key's.
    let minute = fixture::BEIJING_MIDNIGHT / 60_000;
    let key = format!("ratespec:{{fixture:per_user}}:user=user0:1m:{minute}");
    assert_eq!(server.integer(&["GET", &key]), Some(PER_USER as i64));
    let tenant = format!("ratespec:{{fixture:per_user}}:1m:{minute}");
    assert_eq!(server.integer(&["GET", &tenant]), Some(24));
}

#[tokio::test]
async fn a_refusal_by_the_vendor_pauses_this_process_and_lowers_its_limits() {
    let server = RedisServer::start();
    let clock = ManualClock::new(BEIJING_MIDNIGHT);
    let shared = limiter(&server, &clock, true);
    shared.vendor_refused(Endpoint::UserGetToken, Some(Duration::from_secs(2)));
    assert_eq!(shared.limit(Endpoint::UserGetToken, Per::Second), Some(150));
    assert_eq!(
        shared.documented_limit(Endpoint::UserGetToken, Per::Second),
        Some(SECOND_LIMIT)
    );
    let paused = denied(shared.try_acquire(Endpoint::UserGetToken).await);
    assert_eq!(paused.retry_after, Duration::from_secs(2));
    // The pause was decided locally: Redis holds no count for it.
    let key = format!(
        "ratespec:{{rongcloud:{}}}:1s:{}",
        bucket_name(Endpoint::UserGetToken),
        BEIJING_MIDNIGHT / 1000
    );
    assert_eq!(server.integer(&["GET", &key]), None);
    clock.advance(Duration::from_secs(2));
    for _ in 0..150 {
        shared.try_acquire(Endpoint::UserGetToken).await.unwrap();
    }
    assert!(
        shared.try_acquire(Endpoint::UserGetToken).await.is_err(),
        "150 now, not 200"
    );
    clock.advance(Duration::from_secs(1));
    shared.vendor_admitted(Endpoint::UserGetToken);
    assert_eq!(shared.limit(Endpoint::UserGetToken, Per::Second), Some(160));
}

#[tokio::test]
async fn shadow_mode_lets_every_call_through_and_charges_only_the_admitted_ones() {
    let server = RedisServer::start();
    let clock = ManualClock::new(BEIJING_MIDNIGHT);
    let shared = RedisLimiter::<Endpoint, _>::builder(server.client())
        .clock(clock.clone())
        .failure_policy(FailurePolicy::Closed)
        .timeout(Duration::from_secs(2))
        .shadow(true)
        .build()
        .expect("build inside a Tokio runtime");
    for _ in 0..5 {
        shared.try_acquire(Endpoint::Push).await.unwrap();
    }
    assert_eq!(shared.shadow_denials(Endpoint::Push), 3);
    let hour = format!(
        "ratespec:{{rongcloud:{}}}:1h:{}",
        bucket_name(Endpoint::Push),
        BEIJING_MIDNIGHT / HOUR
    );
    assert_eq!(server.integer(&["GET", &hour]), Some(2));
}
