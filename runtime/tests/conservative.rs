//! Conservative mode: no interval of a window's length, at any alignment, admits more than
//! the window's limit, where fixed windows admit up to twice it across a boundary.

mod fixture;
mod support;

use fixture::{BEIJING_MIDNIGHT, Ep};
use proptest::prelude::*;
use ratespec::{Endpoints, Limiter, ManualClock, Refusal, SUBWINDOWS, Units, Window};
use std::time::Duration;
use support::Endpoint;

/// Tries `UserGetToken` (200/second) once a millisecond for `ms` milliseconds from `start`,
/// as fast as admitted; returns the times admitted.
fn as_fast_as_admitted(limiter: &Limiter<Endpoint, ManualClock>, start: u64, ms: u64) -> Vec<u64> {
    let clock = limiter.clock().clone();
    let mut admitted = Vec::new();
    for t in start..start + ms {
        clock.set_ms(t);
        while limiter.try_acquire(Endpoint::UserGetToken).is_ok() {
            admitted.push(t);
        }
    }
    admitted
}

/// The most admissions within any `len_ms` interval of `times` (sorted).
fn densest(times: &[u64], len_ms: u64) -> usize {
    let mut best = 0;
    let mut first = 0;
    for (last, &t) in times.iter().enumerate() {
        while times[first] + len_ms <= t {
            first += 1;
        }
        best = best.max(last + 1 - first);
    }
    best
}

#[test]
fn a_new_user_gets_400_get_token_calls_within_one_second_from_fixed_windows_and_200_from_conservative()
 {
    // Starting half-way through a second: 200 before the boundary, 200 after it.
    let start = BEIJING_MIDNIGHT + 500;
    let fixed = Limiter::<Endpoint, _>::with_clock(ManualClock::new(start));
    let times = as_fast_as_admitted(&fixed, start, 1_000);
    println!(
        "fixed windows: {} admitted within the first 1,000 ms",
        times.len()
    );
    assert_eq!(times.len(), 400);
    assert_eq!(densest(&times, 1_000), 400);

    let conservative = Limiter::<Endpoint, _>::with_clock(ManualClock::new(start)).conservative();
    let times = as_fast_as_admitted(&conservative, start, 5_000);
    let in_first_second = times.iter().filter(|&&t| t < start + 1_000).count();
    println!("conservative: {in_first_second} admitted within the first 1,000 ms");
    assert_eq!(in_first_second, 200);
    assert_eq!(densest(&times, 1_000), 200);
    // Steady demand gets at least 10/11 of the limit: 5 s at 200/s, less one sub-window
    // after each burst.
    assert!(times.len() >= 5 * 200 * 10 / 11, "{}", times.len());
}

/// An admission: when, and the units each of the bucket's tenant windows was charged.
#[derive(Debug, Clone)]
struct Admission {
    at: u64,
    units: Vec<u64>,
}

fn tenant_windows(ep: Ep) -> Vec<Window> {
    Ep::BUCKETS[ep.bucket()]
        .windows
        .iter()
        .filter(|w| w.scope == ratespec::Scope::Tenant)
        .copied()
        .collect()
}

/// Units a request of size `n` charges a window counting `w.cost` (no basis named).
fn units(w: &Window, ep: Ep, n: u64) -> u64 {
    if w.cost == ratespec::Cost::Call && ep.cost() != ratespec::Cost::Call {
        1
    } else {
        n
    }
}

/// The local time of `w`'s sub-windows (day windows count from Beijing midnight).
fn local(w: &Window, t: u64) -> u64 {
    if w.per == ratespec::Per::Day {
        t + fixture::OFFSET as u64 * 1000
    } else {
        t
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Against a reference that keeps every admission: a call is admitted exactly when, in
    /// each window, the admissions of its last `SUBWINDOWS + 1` sub-windows leave room; and
    /// then no interval of a window's length holds more than its limit.
    #[test]
    fn conservative_windows_match_the_reference_and_never_exceed_a_limit_at_any_alignment(
        start in BEIJING_MIDNIGHT..BEIJING_MIDNIGHT + 86_400_000,
        ops in prop::collection::vec(
            (prop::sample::select(Ep::ALL), prop_oneof![3 => Just(1u64), 1 => 0u64..8], prop_oneof![0u64..300, 900u64..1_200, 50_000u64..70_000, 1_000_000u64..3_000_000]),
            1..200,
        ),
    ) {
        let clock = ManualClock::new(start);
        let limiter = Limiter::<Ep, _>::with_clock(clock.clone()).conservative();
        let mut log: Vec<(Ep, Admission)> = Vec::new();
        let mut now = start;
        for (ep, n, step) in ops {
            now += step;
            clock.set_ms(now);
            if !ep.caps().is_empty() {
                continue;
            }
            let windows = tenant_windows(ep);
            let fits = windows.iter().enumerate().all(|(i, w)| {
                let sub = w.len_ms() / SUBWINDOWS;
                let j = local(w, now) / sub;
                let held: u64 = log
                    .iter()
                    .filter(|(e, _)| e.bucket() == ep.bucket())
                    .filter(|(_, a)| local(w, a.at) / sub + SUBWINDOWS >= j)
                    .map(|(_, a)| a.units[i])
                    .sum();
                held + units(w, ep, n) <= w.max
            });
            let got = limiter.try_acquire_n(ep, Units::new(n));
            match &got {
                Ok(_) => {
                    prop_assert!(fits, "{:?} size {} admitted at {}", ep, n, now);
                    let charged = windows.iter().map(|w| units(w, ep, n)).collect();
                    log.push((ep, Admission { at: now, units: charged }));
                }
                Err(Refusal::Denied(d)) => {
                    prop_assert!(!fits, "{:?} size {} refused at {}", ep, n, now);
                    prop_assert!(d.retry_after > Duration::ZERO);
                }
                Err(Refusal::Exceeds(_)) => prop_assert!(!fits),
                Err(other) => prop_assert!(false, "{:?}", other),
            }
        }
        // Any interval of a window's length: the densest one starts at an admission.
        for b in 0..Ep::BUCKETS.len() {
            let Some(ep) = Ep::ALL.iter().copied().find(|e| e.bucket() == b) else { continue };
            for (i, w) in tenant_windows(ep).iter().enumerate() {
                let mine: Vec<&Admission> = log.iter().filter(|(e, _)| e.bucket() == b).map(|(_, a)| a).collect();
                for a in &mine {
                    let held: u64 = mine.iter().filter(|x| x.at >= a.at && x.at < a.at + w.len_ms()).map(|x| x.units[i]).sum();
                    prop_assert!(held <= w.max, "{:?}: {} in the {} ms from {}", w, held, w.len_ms(), a.at);
                }
            }
        }
    }
}

#[test]
fn limits_set_before_the_switch_carry_over() {
    let limiter = Limiter::<Endpoint, _>::with_clock(ManualClock::new(BEIJING_MIDNIGHT));
    limiter
        .set_limit(Endpoint::UserGetToken, ratespec::Per::Second, 5)
        .unwrap();
    let limiter = limiter.conservative();
    assert!(limiter.is_conservative());
    assert_eq!(
        limiter.limit(Endpoint::UserGetToken, ratespec::Per::Second),
        Some(5)
    );
    for _ in 0..5 {
        limiter.try_acquire(Endpoint::UserGetToken).unwrap();
    }
    assert!(limiter.try_acquire(Endpoint::UserGetToken).is_err());
}
