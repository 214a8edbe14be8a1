//! `try_acquire` against governor 0.10, each comparison in one run.
//!
//! Run: `cargo bench -p ratespec --bench limiter`; ratios are in BENCHMARKS.md.

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "../tests/fixture/mod.rs"]
mod fixture;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use governor::clock::{Clock as _, QuantaClock};
use governor::{Quota, RateLimiter};
use ratespec::window::MAX_LIMIT;
use ratespec::{Clock, Length, Limiter, Per, Scope, SystemClock};
use std::hint::black_box;
use std::num::NonZeroU32;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};
use support::Endpoint;

/// Hands a call's answer to the optimiser in place, by reference, as a caller that looks at
/// it does. Returned from the closure instead, criterion passes it to `black_box` by value,
/// which copied a 48-byte result across the stack: a store-forwarding stall (fields written
/// one by one, then read back a word at a time) that took a third of a call, by an amount
/// that moved with the binary's layout, and that no caller matching on the answer pays.
#[inline(always)]
fn consume<T>(answer: T) {
    black_box(&answer);
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// A limiter that admits every call of the benchmark: the limit is far above the call rate.
fn open_limiter<C: Clock>(clock: C) -> Limiter<Endpoint, C> {
    let limiter = Limiter::with_clock(clock);
    for ep in [Endpoint::UserGetToken, Endpoint::ChatroomEntrySet] {
        limiter.set_limit(ep, Per::Second, MAX_LIMIT).unwrap();
    }
    limiter
        .set_limit(Endpoint::Push, Per::Hour, MAX_LIMIT)
        .unwrap();
    limiter
        .set_limit(Endpoint::Push, Per::Day, MAX_LIMIT)
        .unwrap();
    limiter
}

fn single_window(c: &mut Criterion) {
    let mut g = c.benchmark_group("single_window");
    let ours = open_limiter(SystemClock::new());
    g.bench_function("ratespec", |b| {
        b.iter(|| consume(ours.try_acquire(black_box(Endpoint::UserGetToken))))
    });
    let exact = open_limiter(SystemClock::exact());
    g.bench_function("ratespec_exact_clock", |b| {
        b.iter(|| consume(exact.try_acquire(black_box(Endpoint::UserGetToken))))
    });
    let direct = RateLimiter::direct(Quota::per_second(nz(u32::MAX)));
    g.bench_function("governor_direct", |b| b.iter(|| consume(direct.check())));
    let keyed = RateLimiter::keyed(Quota::per_second(nz(u32::MAX)));
    g.bench_function("governor_keyed_by_endpoint", |b| {
        b.iter(|| consume(keyed.check_key(black_box(&Endpoint::UserGetToken))))
    });
    g.finish();
}

/// What one time read costs: ours (exact and coarse) and governor's default clock (quanta,
/// which reads the TSC). Only the milliseconds are kept: handing the whole 16-byte
/// `Reading` to `black_box` adds a store-forwarding stall that is the benchmark's, not the
/// clock's.
fn clocks(c: &mut Criterion) {
    let mut g = c.benchmark_group("clock");
    let clock = SystemClock::new();
    g.bench_function("system_exact", |b| b.iter(|| consume(clock.now_ms())));
    g.bench_function("system_coarse", |b| b.iter(|| consume(clock.reading().ms)));
    let quanta = QuantaClock::default();
    g.bench_function("governor_quanta", |b| b.iter(|| consume(quanta.now())));
    g.finish();
}

fn two_windows(c: &mut Criterion) {
    // As documented: 2/hour + 3/calendar day, so after 3 calls every call is refused.
    let mut g = c.benchmark_group("two_windows_documented");
    let ours = Limiter::<Endpoint>::new();
    g.bench_function("ratespec", |b| {
        b.iter(|| consume(ours.try_acquire(black_box(Endpoint::Push))))
    });
    // governor has no calendar day: a 3-per-day quota is its closest.
    let hour = RateLimiter::direct(Quota::per_hour(nz(2)));
    let day = RateLimiter::direct(
        Quota::with_period(Duration::from_secs(86_400 / 3))
            .unwrap()
            .allow_burst(nz(3)),
    );
    g.bench_function("governor_chained", |b| {
        b.iter(|| consume(hour.check().and_then(|_| day.check())))
    });
    g.finish();

    // The same two windows with limits far above the call rate: every call is admitted.
    let mut g = c.benchmark_group("two_windows_admitting");
    let ours = open_limiter(SystemClock::new());
    g.bench_function("ratespec", |b| {
        b.iter(|| consume(ours.try_acquire(black_box(Endpoint::Push))))
    });
    let hour = RateLimiter::direct(Quota::per_hour(nz(u32::MAX)));
    let day = RateLimiter::direct(Quota::per_hour(nz(u32::MAX)));
    g.bench_function("governor_chained", |b| {
        b.iter(|| consume(hour.check().and_then(|_| day.check())))
    });
    g.finish();
}

/// Keeps the calling thread on CPU `cpu`, so that two threads contend from two cores
/// rather than taking turns on one (which would hide the cost of moving the cache line).
#[cfg(target_os = "linux")]
fn pin_to(cpu: usize) {
    use rustix::thread::{CpuSet, sched_setaffinity};
    let mut set = CpuSet::new();
    set.set(cpu % thread::available_parallelism().map_or(1, |n| n.get()));
    sched_setaffinity(None, &set).expect("sched_setaffinity");
}

#[cfg(not(target_os = "linux"))]
fn pin_to(_cpu: usize) {}

/// Time per call with `threads` threads, thread `t` on CPU `t`, each making `iters` calls
/// at once.
fn concurrent(threads: usize, iters: u64, call: Arc<dyn Fn(usize) + Send + Sync>) -> Duration {
    let barrier = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (barrier, call) = (barrier.clone(), call.clone());
            thread::spawn(move || {
                pin_to(t);
                barrier.wait();
                for _ in 0..iters {
                    call(t);
                }
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for h in handles {
        h.join().unwrap();
    }
    // Per call of one thread: equal to the single-thread time when threads scale.
    start.elapsed()
}

/// Benchmarks `call` on `threads` pinned threads at once (see [`concurrent`]).
fn threaded(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    threads: usize,
    call: impl Fn(usize) + Send + Sync + 'static,
) {
    let call: Arc<dyn Fn(usize) + Send + Sync> = Arc::new(call);
    g.bench_function(name, |b| {
        b.iter_custom(|iters| concurrent(threads, iters, call.clone()))
    });
}

fn contention(c: &mut Criterion) {
    let mut g = c.benchmark_group("two_threads");
    let ours = Arc::new(open_limiter(SystemClock::new()));
    let l = ours.clone();
    threaded(&mut g, "ratespec_same_slot", 2, move |_| {
        consume(l.try_acquire(Endpoint::UserGetToken));
    });
    let l = ours.clone();
    threaded(&mut g, "ratespec_different_slots", 2, move |t| {
        let ep = [Endpoint::UserGetToken, Endpoint::ChatroomEntrySet][t];
        consume(l.try_acquire(ep));
    });
    let l = ours.clone();
    threaded(&mut g, "ratespec_one_thread", 1, move |_| {
        consume(l.try_acquire(Endpoint::UserGetToken));
    });
    // Control: the same calls on two limiters that share nothing (separate allocations).
    // If `ratespec_different_slots` runs at this speed, there is no false sharing between
    // slots: what is left is the two cores' own slowdown.
    let separate = [
        open_limiter(SystemClock::new()),
        open_limiter(SystemClock::new()),
    ];
    threaded(&mut g, "control_separate_limiters", 2, move |t| {
        consume(separate[t].try_acquire(Endpoint::UserGetToken));
    });
    // Control: two threads sharing nothing but the machine, reading the clock only.
    let clock = SystemClock::new();
    threaded(&mut g, "control_clock_only_two_threads", 2, move |_| {
        consume(clock.reading());
    });
    threaded(&mut g, "control_clock_only_one_thread", 1, move |_| {
        consume(clock.reading());
    });
    let direct = RateLimiter::direct(Quota::per_second(nz(u32::MAX)));
    threaded(&mut g, "governor_same_state", 2, move |_| {
        consume(direct.check());
    });
    g.finish();
}

/// A per-user window beside the App Key's (`5 calls/minute/single user ID` and
/// `100 calls/second`), limits raised so every call is admitted, over 8 users in turn,
/// against governor's closest equivalent: a keyed limiter per user plus a direct one.
fn scoped(c: &mut Criterion) {
    use fixture::Ep;
    let mut g = c.benchmark_group("scoped");
    let ours = Limiter::<Ep>::new();
    ours.set_limit(Ep::PerUser, Per::Minute, MAX_LIMIT).unwrap();
    let user_minute = Length::from(Per::Minute).scoped(Scope::User);
    ours.set_limit(Ep::PerUser, user_minute, MAX_LIMIT).unwrap();
    let users: Vec<String> = (0..8).map(|i| format!("user{i}")).collect();
    let mut i = 0;
    g.bench_function("ratespec", |b| {
        b.iter(|| {
            i = (i + 1) & 7;
            consume(ours.try_acquire_scoped(Ep::PerUser, black_box(&users[i]), 1))
        })
    });
    let keyed = RateLimiter::keyed(Quota::per_minute(nz(u32::MAX)));
    let direct = RateLimiter::direct(Quota::per_second(nz(u32::MAX)));
    let mut i = 0;
    g.bench_function("governor_keyed_plus_direct", |b| {
        b.iter(|| {
            i = (i + 1) & 7;
            let user = black_box(&users[i]);
            consume(keyed.check_key(user).and_then(|()| direct.check()))
        })
    });
    g.finish();
}

/// Easemob's one-to-one message to 600 users: 1 call of `100 calls/second` and 600 of
/// `6000 messages/minute` (limits raised), against two direct governors, one checked once
/// and one checked for 600 cells.
fn multi_basis(c: &mut Criterion) {
    use fixture::Ep;
    let mut g = c.benchmark_group("multi_basis");
    let ours = Limiter::<Ep>::new();
    ours.set_limit(Ep::Message, Per::Second, MAX_LIMIT).unwrap();
    ours.set_limit(Ep::Message, Per::Minute, MAX_LIMIT).unwrap();
    g.bench_function("ratespec", |b| {
        b.iter(|| consume(ours.try_acquire_n(black_box(Ep::Message), black_box(600))))
    });
    let calls = RateLimiter::direct(Quota::per_second(nz(u32::MAX)));
    let messages = RateLimiter::direct(Quota::per_minute(nz(u32::MAX)));
    let n = nz(600);
    g.bench_function("governor_two_direct", |b| {
        b.iter(|| {
            consume(
                calls
                    .check()
                    .map_err(|_| ())
                    .and_then(|()| messages.check_n(black_box(n)).map_err(|_| ())),
            )
        })
    });
    g.finish();
}

/// Conservative mode against the fixed windows, in one run: single-window calls admitted
/// (limit raised), and the documented two windows (2/hour + 3/day, nearly every call refused).
fn conservative(c: &mut Criterion) {
    let mut g = c.benchmark_group("conservative");
    let fixed = open_limiter(SystemClock::new());
    g.bench_function("fixed_single_window", |b| {
        b.iter(|| consume(fixed.try_acquire(black_box(Endpoint::UserGetToken))))
    });
    let sliding = Limiter::<Endpoint>::new().conservative();
    sliding
        .set_limit(Endpoint::UserGetToken, Per::Second, MAX_LIMIT)
        .unwrap();
    g.bench_function("conservative_single_window", |b| {
        b.iter(|| consume(sliding.try_acquire(black_box(Endpoint::UserGetToken))))
    });
    let fixed = Limiter::<Endpoint>::new();
    g.bench_function("fixed_two_windows_documented", |b| {
        b.iter(|| consume(fixed.try_acquire(black_box(Endpoint::Push))))
    });
    let sliding = Limiter::<Endpoint>::new().conservative();
    g.bench_function("conservative_two_windows_documented", |b| {
        b.iter(|| consume(sliding.try_acquire(black_box(Endpoint::Push))))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = single_window, clocks, two_windows, contention, scoped, multi_basis, conservative
}
criterion_main!(benches);
