//! Loom model of the slot updates behind `Limiter`: every interleaving of a few callers,
//! including the clock crossing a window boundary between their reads.
//!
//! Run: `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test -p ratespec --release --lib loom`

use crate::{Bucket, Cost, Endpoints, Limiter, ManualClock, Per, Refusal, Route, Window};
use loom::sync::Arc;
use loom::thread;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ep {
    /// One slot, 1 per second.
    Single,
    /// Two windows, 2 per second and 1 per minute, charged in that order.
    Double,
    /// Two windows, 2 per minute and 1 per second, charged in that order: a refused call can
    /// fill the minute for a moment, then take its unit back.
    Gated,
    /// Counts recipients: 2 calls per 10 minutes (charged one per request), then 3
    /// recipients per 10 seconds.
    Weighted,
}

impl Endpoints for Ep {
    const PROVIDER: &'static str = "loom";
    const ALL: &'static [Self] = &[Ep::Single, Ep::Double, Ep::Gated, Ep::Weighted];
    const BUCKETS: &'static [Bucket] = &[
        Bucket::new("single", &[Window::new(1, Per::Second)]),
        Bucket::new(
            "double",
            &[Window::new(2, Per::Second), Window::new(1, Per::Minute)],
        ),
        Bucket::new(
            "gated",
            &[Window::new(2, Per::Minute), Window::new(1, Per::Second)],
        ),
        Bucket::new(
            "weighted",
            &[
                Window::new(2, Per::Minute).every(10),
                Window::new(3, Per::Second)
                    .every(10)
                    .counting(Cost::Recipient),
            ],
        ),
    ];
    const UTC_OFFSET_SECS: i32 = 0;
    fn index(self) -> usize {
        self as usize
    }
    fn bucket(self) -> usize {
        self as usize
    }
    fn as_str(self) -> &'static str {
        match self {
            Ep::Single => "Single",
            Ep::Double => "Double",
            Ep::Gated => "Gated",
            Ep::Weighted => "Weighted",
        }
    }
    fn method(self) -> &'static str {
        "POST"
    }
    fn path(self) -> &'static str {
        "/"
    }
    fn params(self) -> &'static [&'static str] {
        &[]
    }
    fn cost(self) -> Cost {
        match self {
            Ep::Weighted => Cost::Recipient,
            _ => Cost::Call,
        }
    }
    /// A limits-only fixture: no documented paths to route.
    fn route<'a>(_method: &str, _target: &'a str) -> Route<'a, Self> {
        Route::NotFound
    }
}

/// Every interleaving of two threads (exhaustive, well under a second).
fn model(f: impl Fn() + Sync + Send + 'static) {
    loom::model::Builder::new().check(f);
}

/// Interleavings of three threads with at most `bound` preemptions: exhaustive takes
/// minutes, and the bugs loom finds need few preemptions.
fn bounded(bound: usize, f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(bound);
    builder.check(f);
}

/// The window end of an admission (both windows of `Double` end together at 60 s), or
/// `None` for a refusal, which must be a plain denial.
fn admitted(r: Result<crate::Permit, Refusal>) -> Option<u64> {
    match r {
        Ok(p) => Some(p.reset_at_unix_ms()),
        Err(Refusal::Denied(_)) => None,
        Err(e) => panic!("unexpected refusal {e:?}"),
    }
}

#[test]
fn loom_one_slot_never_over_admits() {
    model(|| {
        let limiter = Arc::new(Limiter::<Ep, _>::with_clock(ManualClock::new(500)));
        let other = limiter.clone();
        let t = thread::spawn(move || other.try_acquire(Ep::Single).is_ok());
        let mine = limiter.try_acquire(Ep::Single).is_ok();
        let theirs = t.join().unwrap();
        assert!(mine ^ theirs, "exactly one of two calls fits 1/s");
        assert_eq!(limiter.remaining(Ep::Single), 0);
    });
}

#[test]
fn loom_a_later_window_refusing_rolls_back_the_earlier_charge() {
    model(|| {
        let limiter = Arc::new(Limiter::<Ep, _>::with_clock(ManualClock::new(500)));
        let other = limiter.clone();
        let t = thread::spawn(move || admitted(other.try_acquire(Ep::Double)).is_some());
        let mine = admitted(limiter.try_acquire(Ep::Double)).is_some();
        let theirs = t.join().unwrap();
        assert!(mine ^ theirs, "exactly one of two calls fits 1/min");
        // The refused call charged the second window first: its refund must have landed.
        assert_eq!(limiter.remaining_in(Ep::Double, Per::Second), Some(1));
        assert_eq!(limiter.remaining_in(Ep::Double, Per::Minute), Some(0));
    });
}

#[test]
fn loom_no_charge_is_lost_or_misplaced_at_a_window_boundary() {
    model(|| {
        // 1 ms before the minute (and second) boundary; the other thread moves the clock.
        let clock = ManualClock::new(59_999);
        let limiter = Arc::new(Limiter::<Ep, _>::with_clock(clock.clone()));
        let other = limiter.clone();
        let t = thread::spawn(move || {
            clock.advance(std::time::Duration::from_millis(1));
            admitted(other.try_acquire(Ep::Double))
        });
        let mine = admitted(limiter.try_acquire(Ep::Double));
        let theirs = t.join().unwrap();
        // Window ends tell where each admission was charged: 60 s for both old windows,
        // 61 s for the new second with the old minute (the call read the time before the
        // move, then found the second already reopened), 120 s for both new windows.
        let ends = [mine, theirs];
        for end in ends.iter().flatten() {
            assert!(matches!(end, 60_000 | 61_000 | 120_000), "{ends:?}");
        }
        let new_minute = ends.iter().filter(|e| **e == Some(120_000)).count() as u64;
        let new_second = ends
            .iter()
            .filter(|e| matches!(e, Some(61_000 | 120_000)))
            .count() as u64;
        // The mover always reads the new minute, so its single unit is taken exactly once:
        // never twice (over-admission), never lost to a refund of a refused call.
        assert_eq!(new_minute, 1, "{ends:?}");
        // The new windows' counters hold exactly the admissions charged to them: a reset
        // dropped no charge and a refund reached into no later window.
        assert_eq!(limiter.remaining_in(Ep::Double, Per::Minute), Some(0));
        assert_eq!(
            limiter.remaining_in(Ep::Double, Per::Second),
            Some(2 - new_second),
            "{ends:?}"
        );
    });
}

#[test]
fn loom_three_callers_with_rollbacks_admit_exactly_one() {
    bounded(3, || {
        let limiter = Arc::new(Limiter::<Ep, _>::with_clock(ManualClock::new(500)));
        let spawn = |l: Arc<Limiter<Ep, ManualClock>>| {
            thread::spawn(move || admitted(l.try_acquire(Ep::Double)).is_some())
        };
        let a = spawn(limiter.clone());
        let b = spawn(limiter.clone());
        let mine = admitted(limiter.try_acquire(Ep::Double)).is_some();
        let total = [mine, a.join().unwrap(), b.join().unwrap()]
            .iter()
            .filter(|x| **x)
            .count();
        // 2/s would let two in; 1/min lets one: refused calls must not starve the winner
        // with a transient charge left behind, nor let a second one in.
        assert_eq!(total, 1);
        assert_eq!(limiter.remaining_in(Ep::Double, Per::Second), Some(1));
        assert_eq!(limiter.remaining_in(Ep::Double, Per::Minute), Some(0));
    });
}

#[test]
fn loom_a_refusal_shortcut_never_outlives_a_transient_charge() {
    bounded(3, || {
        let limiter = Arc::new(Limiter::<Ep, _>::with_clock(ManualClock::new(500)));
        let spawn = |l: Arc<Limiter<Ep, ManualClock>>| {
            thread::spawn(move || admitted(l.try_acquire(Ep::Gated)).is_some())
        };
        // Two callers race for the one unit of the second; the loser may fill the minute
        // for a moment before it is refused by the second and takes its unit back. A third
        // call can see that moment and record the minute as the full window that ends last.
        let a = spawn(limiter.clone());
        let b = spawn(limiter.clone());
        let observer = admitted(limiter.try_acquire(Ep::Gated)).is_some();
        let total = [observer, a.join().unwrap(), b.join().unwrap()]
            .iter()
            .filter(|x| **x)
            .count();
        assert_eq!(total, 1);
        assert_eq!(limiter.remaining_in(Ep::Gated, Per::Minute), Some(1));
        // Once the race is over only the second is full: a refusal must name it, whatever
        // the refusals during the race recorded.
        match limiter.try_acquire(Ep::Gated) {
            Err(Refusal::Denied(d)) => {
                assert_eq!(d.window.per, Per::Second, "{d:?}");
                assert_eq!(d.retry_after, std::time::Duration::from_millis(500));
            }
            other => panic!("expected the second to refuse, got {other:?}"),
        }
    });
}

#[test]
fn loom_a_rollback_refunds_each_window_the_units_it_was_charged() {
    model(|| {
        // Two requests of 2 recipients: both fit the call window (1 each of 2), only one
        // fits the 3 recipients. The refused one takes back 1 call, not 2.
        let limiter = Arc::new(Limiter::<Ep, _>::with_clock(ManualClock::new(500)));
        let other = limiter.clone();
        let t = thread::spawn(move || other.try_acquire_n(Ep::Weighted, 2).is_ok());
        let mine = limiter.try_acquire_n(Ep::Weighted, 2).is_ok();
        let theirs = t.join().unwrap();
        assert!(mine != theirs, "exactly one admitted: {mine} {theirs}");
        let calls = crate::Length::new(10, Per::Minute);
        let recipients = crate::Length::new(10, Per::Second);
        assert_eq!(limiter.remaining_in(Ep::Weighted, calls), Some(1));
        assert_eq!(limiter.remaining_in(Ep::Weighted, recipients), Some(1));
    });
}
