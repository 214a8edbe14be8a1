//! Many threads on the same counters, with a manual clock: the admitted count per window
//! must be exactly the limit when demand exceeds it.

mod support;

use ratespec::{Clock, Limiter, ManualClock};
use std::collections::HashMap;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;
use support::{BEIJING_MIDNIGHT, Endpoint, HOUR};

const THREADS: usize = 4;

/// Runs `rounds` rounds; in each, every thread makes `calls` calls through `call`, then one
/// thread moves the clock by `step`. Returns the admissions per window end.
fn hammer(
    rounds: usize,
    calls: usize,
    step: Duration,
    start_ms: u64,
    call: fn(&Limiter<Endpoint, ManualClock>, usize, usize) -> Option<u64>,
) -> HashMap<u64, u64> {
    let clock = ManualClock::new(start_ms);
    let limiter = Arc::new(Limiter::<Endpoint, _>::with_clock(clock.clone()));
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (limiter, barrier, clock) = (limiter.clone(), barrier.clone(), clock.clone());
            thread::spawn(move || {
                let mut admitted: HashMap<u64, u64> = HashMap::new();
                for _ in 0..rounds {
                    for i in 0..calls {
                        if let Some(end) = call(&limiter, t, i) {
                            *admitted.entry(end).or_default() += 1;
                        }
                    }
                    if barrier.wait().is_leader() {
                        clock.advance(step);
                    }
                    barrier.wait();
                }
                admitted
            })
        })
        .collect();
    let mut total: HashMap<u64, u64> = HashMap::new();
    for h in handles {
        for (end, n) in h.join().unwrap() {
            *total.entry(end).or_default() += n;
        }
    }
    total
}

#[test]
fn each_second_admits_exactly_its_limit_under_contention() {
    // 4 threads × 300 calls per second against 200/s, over 20 seconds.
    let admitted = hammer(
        20,
        300,
        Duration::from_secs(1),
        BEIJING_MIDNIGHT + 500,
        |l, _, _| {
            l.try_acquire(Endpoint::UserGetToken)
                .ok()
                .map(|p| p.reset_at_unix_ms())
        },
    );
    assert_eq!(admitted.len(), 20);
    for (end, n) in admitted {
        assert_eq!(n, 200, "window ending at {end}");
    }
}

#[test]
fn a_shared_quota_admits_exactly_its_limit_across_its_endpoints_and_costs() {
    // Half the threads use each endpoint of the 100/s shared bucket, with costs 1..=3.
    let admitted = hammer(
        20,
        200,
        Duration::from_secs(1),
        BEIJING_MIDNIGHT,
        |l, t, i| {
            let ep = if t % 2 == 0 {
                Endpoint::ChatroomEntrySet
            } else {
                Endpoint::ChatroomEntryBatchSet
            };
            // Cost 1 every third call lets the last units of each window be filled exactly.
            let cost = (i % 3) as u64 + 1;
            l.try_acquire_n(ep, cost)
                .ok()
                .map(|p| p.reset_at_unix_ms() * 1_000 + cost)
        },
    );
    let mut units: HashMap<u64, u64> = HashMap::new();
    for (key, n) in admitted {
        *units.entry(key / 1_000).or_default() += (key % 1_000) * n;
    }
    assert_eq!(units.len(), 20);
    for (end, n) in units {
        assert_eq!(n, 100, "units in the window ending at {end}");
    }
}

#[test]
fn two_windows_admit_exactly_their_joint_limit_under_contention() {
    // 2/hour and 3/day: over 48 hours, each day admits exactly 3, each hour at most 2,
    // and the day is filled by the second hour.
    let clock_start = BEIJING_MIDNIGHT;
    // Admissions are keyed by the time of the call (the clock moves only between rounds),
    // not by the permit's reset: two admissions in one hour can each see the other's charge
    // of the day but not of the hour, and both windows then have one left, a tie that the
    // permit reports as the later-ending window, the day.
    let admitted = hammer(
        48,
        50,
        Duration::from_millis(HOUR),
        clock_start,
        |l, _, _| {
            l.try_acquire(Endpoint::Push)
                .ok()
                .map(|_| l.clock().now_ms())
        },
    );
    let per_hour: HashMap<u64, u64> = admitted
        .iter()
        .map(|(at, n)| ((at - clock_start) / HOUR, *n))
        .collect();
    assert_eq!(per_hour, HashMap::from([(0, 2), (1, 1), (24, 2), (25, 1)]));
}

#[test]
fn a_clock_moving_during_calls_never_lets_a_window_exceed_its_limit() {
    let clock = ManualClock::new(BEIJING_MIDNIGHT);
    let limiter = Arc::new(Limiter::<Endpoint, _>::with_clock(clock.clone()));
    let mover = {
        let clock = clock.clone();
        thread::spawn(move || {
            for _ in 0..5_000 {
                clock.advance(Duration::from_millis(1));
                thread::yield_now();
            }
        })
    };
    let handles: Vec<_> = (0..THREADS - 1)
        .map(|_| {
            let limiter = limiter.clone();
            thread::spawn(move || {
                let mut admitted: HashMap<u64, u64> = HashMap::new();
                for _ in 0..200_000 {
                    if let Ok(p) = limiter.try_acquire(Endpoint::UserGetToken) {
                        *admitted.entry(p.reset_at_unix_ms()).or_default() += 1;
                    }
                }
                admitted
            })
        })
        .collect();
    mover.join().unwrap();
    let mut total: HashMap<u64, u64> = HashMap::new();
    for h in handles {
        for (end, n) in h.join().unwrap() {
            *total.entry(end).or_default() += n;
        }
    }
    assert!(!total.is_empty());
    for (end, n) in total {
        assert!(n <= 200, "{n} admitted in the window ending at {end}");
        assert_eq!(end % 1_000, 0, "a second window ends on a second");
    }
}
