//! Feedback from the vendor's answers: a client whose vendor enforces less than the
//! document says learns the real limit from the refusals, and gets fewer of them than a
//! client that ignores them.

mod support;

use ratespec::{Limiter, ManualClock, Per};
use std::time::Duration;
use support::{BEIJING_MIDNIGHT, Endpoint};

/// The vendor, enforcing 100 per second where the document says 200.
const REAL_LIMIT: u64 = 100;

/// Ten seconds of a client wanting 500 `getToken` calls a second, one try a millisecond
/// (as many as admitted), against a vendor counting its own fixed seconds. Returns the
/// vendor's refusals, its admissions, and the client's effective limit at the end.
fn run(feedback: bool) -> (u64, u64, u64) {
    let clock = ManualClock::new(BEIJING_MIDNIGHT);
    let client = Limiter::<Endpoint, _>::with_clock(clock.clone());
    let vendor = Limiter::<Endpoint, _>::with_clock(clock.clone());
    vendor
        .set_limit(Endpoint::UserGetToken, Per::Second, REAL_LIMIT)
        .unwrap();
    let (mut refused, mut admitted) = (0, 0);
    for ms in 0..10_000 {
        clock.set_ms(BEIJING_MIDNIGHT + ms);
        // Half a call a millisecond: 500 a second, above both limits.
        if ms % 2 == 1 {
            continue;
        }
        if client.try_acquire(Endpoint::UserGetToken).is_err() {
            continue;
        }
        match vendor.try_acquire(Endpoint::UserGetToken) {
            Ok(_) => {
                admitted += 1;
                if feedback {
                    client.vendor_admitted(Endpoint::UserGetToken);
                }
            }
            Err(refusal) => {
                refused += 1;
                if feedback {
                    // The vendor's Retry-After: until its second ends.
                    client.vendor_refused(Endpoint::UserGetToken, refusal.retry_after());
                }
            }
        }
    }
    let effective = client.limit(Endpoint::UserGetToken, Per::Second).unwrap();
    (refused, admitted, effective)
}

#[test]
fn feedback_finds_the_vendors_real_limit_and_meets_fewer_refusals() {
    let (refused_without, admitted_without, _) = run(false);
    let (refused_with, admitted_with, effective) = run(true);
    println!(
        "without feedback: {refused_without} refused by the vendor, {admitted_without} admitted"
    );
    println!(
        "with feedback: {refused_with} refused by the vendor, {admitted_with} admitted, effective limit {effective}/second"
    );
    assert_eq!(refused_without, 10 * (200 - REAL_LIMIT));
    assert!(
        refused_with * 10 < refused_without,
        "{refused_with} vs {refused_without}"
    );
    let off = effective.abs_diff(REAL_LIMIT) as f64 / REAL_LIMIT as f64;
    assert!(off <= 0.25, "effective {effective} against {REAL_LIMIT}");
    // Learning costs little throughput: most of the vendor's capacity is still used.
    assert!(admitted_with >= 10 * REAL_LIMIT * 3 / 4, "{admitted_with}");
}

#[test]
fn a_limit_set_by_hand_is_the_new_ceiling_and_recovery_stops_there() {
    let clock = ManualClock::new(BEIJING_MIDNIGHT);
    let limiter = Limiter::<Endpoint, _>::with_clock(clock.clone());
    limiter
        .set_limit(Endpoint::UserGetToken, Per::Second, 40)
        .unwrap();
    limiter.vendor_refused(Endpoint::UserGetToken, None);
    assert_eq!(limiter.limit(Endpoint::UserGetToken, Per::Second), Some(30));
    assert_eq!(
        limiter.documented_limit(Endpoint::UserGetToken, Per::Second),
        Some(40)
    );
    // Without a Retry-After the pause lasts until this second ends.
    let paused = limiter.try_acquire(Endpoint::UserGetToken).unwrap_err();
    assert_eq!(paused.retry_after(), Some(Duration::from_secs(1)));
    for _ in 0..20 {
        clock.advance(Duration::from_secs(1));
        limiter.vendor_admitted(Endpoint::UserGetToken);
    }
    assert_eq!(limiter.limit(Endpoint::UserGetToken, Per::Second), Some(40));
    // Other buckets never noticed.
    assert!(limiter.try_acquire(Endpoint::ChatroomEntrySet).is_ok());
}
