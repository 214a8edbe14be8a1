//! The limiter's semantics, one behaviour per test, on a manual clock.

mod fixture;
mod support;
#[macro_use]
mod suite;

use ratespec::{
    Cost, Denied, ExceedsLimit, LimitError, Limiter, ManualClock, Per, Refusal, Units, Window,
};
use std::time::{Duration, UNIX_EPOCH};
use support::{BEIJING_MIDNIGHT, DAY, Endpoint, HOUR};

fn limiter_at(unix_ms: u64) -> (Limiter<Endpoint, ManualClock>, ManualClock) {
    let clock = ManualClock::new(unix_ms);
    (Limiter::with_clock(clock.clone()), clock)
}

fn denied(r: Result<ratespec::Permit, Refusal>) -> Denied {
    match r {
        Err(Refusal::Denied(d)) => d,
        other => panic!("expected a denial, got {other:?}"),
    }
}

#[test]
fn a_second_window_admits_its_limit_and_resets_at_the_boundary_to_the_millisecond() {
    let (limiter, clock) = limiter_at(BEIJING_MIDNIGHT + 250);
    for i in 0..200 {
        let permit = limiter.try_acquire(Endpoint::UserGetToken).unwrap();
        assert_eq!(permit.remaining(), 199 - i);
        assert_eq!(permit.reset_after(), Duration::from_millis(750));
    }
    let d = denied(limiter.try_acquire(Endpoint::UserGetToken));
    assert_eq!(d.retry_after, Duration::from_millis(750));
    assert_eq!(d.window, Window::new(200, Per::Second));
    clock.advance(Duration::from_millis(749));
    assert!(limiter.try_acquire(Endpoint::UserGetToken).is_err());
    clock.advance(Duration::from_millis(1));
    assert_eq!(
        limiter
            .try_acquire(Endpoint::UserGetToken)
            .unwrap()
            .remaining(),
        199
    );
}

#[test]
fn a_cost_is_charged_whole_and_a_cost_above_the_limit_is_a_distinct_error() {
    let (limiter, _) = limiter_at(BEIJING_MIDNIGHT);
    let ep = Endpoint::MessagePrivatePublish;
    assert_eq!(limiter.try_acquire_n(ep, 5_999).unwrap().remaining(), 1);
    assert!(matches!(
        limiter.try_acquire_n(ep, 2),
        Err(Refusal::Denied(_))
    ));
    assert_eq!(
        limiter.try_acquire_n(ep, 6_001),
        Err(Refusal::Exceeds(ExceedsLimit {
            cost: 6_001,
            window: Window::new(6000, Per::Minute).counting(Cost::Recipient)
        }))
    );
    assert_eq!(limiter.try_acquire_n(ep, 1).unwrap().remaining(), 0);
}

#[test]
fn the_calendar_day_turns_at_beijing_midnight_not_utc_midnight() {
    // 23:00 Beijing on 1 March: the hour window has room, the day's 3 are used by 3 hours.
    let (limiter, clock) = limiter_at(BEIJING_MIDNIGHT + 20 * HOUR);
    limiter.try_acquire(Endpoint::Push).unwrap();
    limiter.try_acquire(Endpoint::Push).unwrap();
    clock.advance(Duration::from_millis(HOUR));
    limiter.try_acquire(Endpoint::Push).unwrap();
    clock.advance(Duration::from_millis(HOUR));
    let d = denied(limiter.try_acquire(Endpoint::Push));
    // 22:00 Beijing: the day is full and ends in two hours, at Beijing midnight (16:00 UTC).
    assert_eq!(d.window.per, Per::Day);
    assert_eq!(d.retry_after, Duration::from_millis(2 * HOUR));
    assert_eq!(
        limiter.reset_at(Endpoint::Push),
        UNIX_EPOCH + Duration::from_millis(BEIJING_MIDNIGHT + DAY)
    );
    clock.set_ms(BEIJING_MIDNIGHT + DAY - 1);
    assert!(limiter.try_acquire(Endpoint::Push).is_err());
    clock.set_ms(BEIJING_MIDNIGHT + DAY);
    assert!(limiter.try_acquire(Endpoint::Push).is_ok());
}

#[test]
fn a_refusal_by_one_window_leaves_the_other_uncharged() {
    let (limiter, clock) = limiter_at(BEIJING_MIDNIGHT);
    limiter.try_acquire(Endpoint::Push).unwrap();
    limiter.try_acquire(Endpoint::Push).unwrap();
    // The hour is full: the day window must still hold exactly 2.
    let d = denied(limiter.try_acquire(Endpoint::Push));
    assert_eq!(d.window.per, Per::Hour);
    assert_eq!(limiter.remaining_in(Endpoint::Push, Per::Day), Some(1));
    // Cost 2 passes the fresh hour but not the day: neither is charged.
    clock.advance(Duration::from_millis(HOUR));
    let d = denied(limiter.try_acquire_n(Endpoint::Push, 2));
    assert_eq!(d.window.per, Per::Day);
    assert_eq!(limiter.remaining_in(Endpoint::Push, Per::Hour), Some(2));
    assert_eq!(limiter.remaining_in(Endpoint::Push, Per::Day), Some(1));
    let permit = limiter.try_acquire(Endpoint::Push).unwrap();
    assert_eq!(permit.remaining(), 0);
}

#[test]
fn repeated_refusals_follow_the_counters_not_a_remembered_answer() {
    // After the first refusal of a several-window bucket, later ones take a shortcut that
    // reads one counter: it must answer exactly as the full check and let go as soon as the
    // counters or limits change.
    let minute = Duration::from_secs(60);
    let (limiter, clock) = limiter_at(BEIJING_MIDNIGHT + 10 * HOUR);
    limiter.try_acquire(Endpoint::Push).unwrap();
    limiter.try_acquire(Endpoint::Push).unwrap();
    for step in 0..3 {
        let d = denied(limiter.try_acquire(Endpoint::Push));
        assert_eq!(d.retry_after, Duration::from_millis(HOUR) - minute * step);
        assert_eq!(d.window, Window::new(2, Per::Hour));
        clock.advance(minute);
    }
    // Cost 2: the day (2 of 3 used) refuses it too and ends later, so it is the answer.
    let d = denied(limiter.try_acquire_n(Endpoint::Push, 2));
    assert_eq!(d.window, Window::new(3, Per::Day));
    assert_eq!(d.retry_after, Duration::from_millis(14 * HOUR) - minute * 3);
    // Lowering the day's limit to what it holds fills it, and it ends after the hour.
    limiter.set_limit(Endpoint::Push, Per::Day, 2).unwrap();
    assert_eq!(
        denied(limiter.try_acquire(Endpoint::Push)).window,
        Window::new(2, Per::Day)
    );
    limiter.set_limit(Endpoint::Push, Per::Day, 3).unwrap();
    assert_eq!(
        denied(limiter.try_acquire(Endpoint::Push)).window.per,
        Per::Hour
    );
    // A raised limit reopens the hour at once; the last unit of the day fills the day.
    limiter.set_limit(Endpoint::Push, Per::Hour, 3).unwrap();
    limiter.try_acquire(Endpoint::Push).unwrap();
    let d = denied(limiter.try_acquire(Endpoint::Push));
    assert_eq!(d.window, Window::new(3, Per::Day));
    // Both windows are full and the day ends later, whatever the hour's limit; a limit of
    // zero makes a single unit impossible, a distinct error.
    limiter.set_limit(Endpoint::Push, Per::Hour, 1).unwrap();
    assert_eq!(
        denied(limiter.try_acquire(Endpoint::Push)).window.per,
        Per::Day
    );
    limiter.set_limit(Endpoint::Push, Per::Hour, 0).unwrap();
    assert!(matches!(
        limiter.try_acquire(Endpoint::Push),
        Err(Refusal::Exceeds(ExceedsLimit { cost: 1, .. }))
    ));
    // At Beijing midnight both windows are new.
    limiter.set_limit(Endpoint::Push, Per::Hour, 2).unwrap();
    clock.set_ms(BEIJING_MIDNIGHT + DAY);
    assert_eq!(limiter.try_acquire(Endpoint::Push).unwrap().remaining(), 1);
}

#[test]
fn permits_report_the_tightest_window() {
    let (limiter, _) = limiter_at(BEIJING_MIDNIGHT + 30 * 60_000);
    let permit = limiter.try_acquire(Endpoint::Push).unwrap();
    // Hour: 1 left until 00:59:59.999+1; day: 2 left.
    assert_eq!(permit.remaining(), 1);
    assert_eq!(permit.reset_at_unix_ms(), BEIJING_MIDNIGHT + HOUR);
    let permit = limiter.try_acquire(Endpoint::Push).unwrap();
    // The hour has 0 left and the day 1: the hour decides.
    assert_eq!(permit.remaining(), 0);
    assert_eq!(permit.reset_after(), Duration::from_millis(30 * 60_000));
}

#[test]
fn endpoints_of_one_shared_quota_draw_on_the_same_counter() {
    let (limiter, _) = limiter_at(BEIJING_MIDNIGHT);
    limiter
        .try_acquire_n(Endpoint::ChatroomEntryBatchSet, 60)
        .unwrap();
    assert_eq!(limiter.remaining(Endpoint::ChatroomEntrySet), 40);
    assert!(
        limiter
            .try_acquire_n(Endpoint::ChatroomEntrySet, 41)
            .is_err()
    );
    assert!(
        limiter
            .try_acquire_n(Endpoint::ChatroomEntrySet, 40)
            .is_ok()
    );
    // Other quotas are untouched.
    assert_eq!(limiter.remaining(Endpoint::UserGetToken), 200);
}

#[test]
fn limits_can_be_raised_and_lowered_at_run_time() {
    let (limiter, clock) = limiter_at(BEIJING_MIDNIGHT);
    let ep = Endpoint::UserGetToken;
    limiter.try_acquire_n(ep, 200).unwrap();
    assert!(limiter.try_acquire(ep).is_err());
    // 可调频: the vendor raised the quota to 500/s; the current window gets the difference.
    limiter.set_limit(ep, Per::Second, 500).unwrap();
    assert_eq!(limiter.limit(ep, Per::Second), Some(500));
    assert_eq!(limiter.try_acquire_n(ep, 300).unwrap().remaining(), 0);
    // Lowered below what was admitted: refused until the window ends, without underflow.
    limiter.set_limit(ep, Per::Second, 100).unwrap();
    assert_eq!(limiter.remaining(ep), 0);
    assert!(matches!(limiter.try_acquire(ep), Err(Refusal::Denied(_))));
    clock.advance(Duration::from_secs(1));
    assert_eq!(limiter.try_acquire(ep).unwrap().remaining(), 99);
    // A shared quota changes for every endpoint of the bucket.
    limiter
        .set_limit(Endpoint::ChatroomEntrySet, Per::Second, 7)
        .unwrap();
    assert_eq!(limiter.remaining(Endpoint::ChatroomEntryBatchSet), 7);
}

#[test]
fn bad_limit_changes_are_errors_naming_what_is_wrong() {
    let (limiter, _) = limiter_at(BEIJING_MIDNIGHT);
    assert_eq!(
        limiter.set_limit(Endpoint::UserGetToken, Per::Day, 10),
        Err(LimitError::NoSuchWindow {
            endpoint: "UserGetToken",
            length: Per::Day.into()
        })
    );
    assert_eq!(
        limiter.set_limit(Endpoint::UserGetToken, Per::Second, u64::MAX),
        Err(LimitError::TooLarge { max: u64::MAX })
    );
    assert_eq!(
        limiter.limit(Endpoint::UserGetToken, Per::Second),
        Some(200)
    );
}

#[test]
fn a_clock_stepping_back_keeps_counting_in_the_later_window() {
    let (limiter, clock) = limiter_at(BEIJING_MIDNIGHT + 1_000);
    limiter.try_acquire_n(Endpoint::UserGetToken, 150).unwrap();
    // An NTP step back into the previous second must not reopen a fresh window there.
    clock.set_ms(BEIJING_MIDNIGHT + 999);
    assert_eq!(
        limiter
            .try_acquire_n(Endpoint::UserGetToken, 50)
            .unwrap()
            .remaining(),
        0
    );
    assert!(limiter.try_acquire(Endpoint::UserGetToken).is_err());
}

#[test]
fn remaining_and_reset_at_read_without_charging() {
    let (limiter, clock) = limiter_at(BEIJING_MIDNIGHT + 10_500);
    assert_eq!(limiter.remaining(Endpoint::MessagePrivatePublish), 6000);
    limiter
        .try_acquire_n(Endpoint::MessagePrivatePublish, 10)
        .unwrap();
    assert_eq!(limiter.remaining(Endpoint::MessagePrivatePublish), 5990);
    assert_eq!(limiter.remaining(Endpoint::MessagePrivatePublish), 5990);
    assert_eq!(
        limiter.reset_at(Endpoint::MessagePrivatePublish),
        UNIX_EPOCH + Duration::from_millis(BEIJING_MIDNIGHT + 60_000)
    );
    clock.advance(Duration::from_millis(49_500));
    assert_eq!(limiter.remaining(Endpoint::MessagePrivatePublish), 6000);
    assert_eq!(
        limiter.remaining_in(Endpoint::UserGetToken, Per::Hour),
        None
    );
}

#[test]
fn the_system_clock_limiter_admits_and_refuses() {
    let limiter = Limiter::<Endpoint>::new();
    limiter
        .set_limit(Endpoint::UserGetToken, Per::Second, 1)
        .unwrap();
    // Two calls in a row meet in one second unless a boundary falls between them; three
    // attempts cannot all straddle one.
    let refusal = (0..3).find_map(|_| {
        let _ = limiter.try_acquire(Endpoint::UserGetToken);
        limiter.try_acquire(Endpoint::UserGetToken).err()
    });
    let d = denied(Err(
        refusal.expect("1/s admitted two calls in a row three times")
    ));
    assert!(d.retry_after <= Duration::from_secs(1), "{d:?}");
}

/// The generated limits are the documented ones these tests (and the others sharing
/// `support`) rely on; checked once here rather than in every test binary.
#[test]
fn the_generated_limits_are_the_documented_ones_these_tests_rely_on() {
    use ratespec::{Cost, Per, Window};
    let second = |max| Window::new(max, Per::Second);
    assert_eq!(Endpoint::UserGetToken.windows(), &[second(200)]);
    assert_eq!(
        Endpoint::MessagePrivatePublish.windows(),
        &[Window::new(6000, Per::Minute).counting(Cost::Recipient)]
    );
    assert_eq!(
        Endpoint::Push.windows(),
        &[Window::new(2, Per::Hour), Window::new(3, Per::Day)]
    );
    assert_eq!(
        Endpoint::ChatroomEntrySet.windows(),
        &[second(100).counting(Cost::Attribute)]
    );
    assert_eq!(
        Endpoint::ChatroomEntrySet.bucket(),
        Endpoint::ChatroomEntryBatchSet.bucket()
    );
    assert_eq!(Endpoint::UTC_OFFSET_SECS, 8 * 3600);
}

impl suite::Backend for Limiter<fixture::Ep, ManualClock> {
    async fn start(clock: ManualClock) -> Self {
        Limiter::with_clock(clock)
    }
    fn clock(&self) -> &ManualClock {
        Limiter::clock(self)
    }
    async fn try_acquire_n(&self, ep: fixture::Ep, n: u64) -> Result<ratespec::Permit, Refusal> {
        Limiter::try_acquire_n(self, ep, n)
    }
    async fn try_acquire_units(
        &self,
        ep: fixture::Ep,
        units: Units,
    ) -> Result<ratespec::Permit, Refusal> {
        Limiter::try_acquire_n(self, ep, units)
    }
    async fn try_acquire_scoped(
        &self,
        ep: fixture::Ep,
        key: &str,
        units: Units,
    ) -> Result<ratespec::Permit, Refusal> {
        Limiter::try_acquire_scoped(self, ep, key, units)
    }
    async fn acquire_scoped(
        &self,
        ep: fixture::Ep,
        key: &str,
        units: Units,
    ) -> Result<ratespec::Permit, Refusal> {
        Limiter::acquire_scoped(self, ep, key, units).await
    }
    fn batch_size(&self, ep: fixture::Ep) -> u64 {
        Limiter::batch_size(self, ep)
    }
    async fn acquire(&self, ep: fixture::Ep, n: u64) -> Result<ratespec::Permit, Refusal> {
        Limiter::acquire(self, ep, n).await
    }
    async fn remaining(&self, ep: fixture::Ep) -> u64 {
        Limiter::remaining(self, ep)
    }
    async fn remaining_in(&self, ep: fixture::Ep, len: ratespec::Length) -> Option<u64> {
        Limiter::remaining_in(self, ep, len)
    }
    async fn reset_at(&self, ep: fixture::Ep) -> std::time::SystemTime {
        Limiter::reset_at(self, ep)
    }
    fn set_limit(
        &self,
        ep: fixture::Ep,
        len: ratespec::Length,
        max: u64,
    ) -> Result<(), LimitError> {
        Limiter::set_limit(self, ep, len, max)
    }
    fn limit(&self, ep: fixture::Ep, len: ratespec::Length) -> Option<u64> {
        Limiter::limit(self, ep, len)
    }
}

behaviour_suite!(Limiter<fixture::Ep, ManualClock>);

#[test]
fn shadow_mode_admits_everything_decides_as_usual_and_counts_what_it_would_have_refused() {
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 9 * HOUR);
    let limiter = Limiter::<Endpoint, _>::with_clock(clock.clone()).shadow();
    // `/push.json`: 2 per hour, 3 per day.
    let permits: Vec<_> = (0..5)
        .map(|_| limiter.try_acquire(Endpoint::Push).unwrap())
        .collect();
    let left: Vec<u64> = permits.iter().map(|p| p.remaining()).collect();
    assert_eq!(left, [1, 0, 0, 0, 0]);
    assert_eq!(limiter.shadow_denials(Endpoint::Push), 3);
    // The let-through calls charged nothing: the day still has its third call.
    assert_eq!(limiter.remaining_in(Endpoint::Push, Per::Day), Some(1));
    assert_eq!(permits[2].window(), Some(&Window::new(2, Per::Hour)));
    assert_eq!(permits[2].reset_after(), Duration::from_secs(3600));
    clock.advance(Duration::from_secs(3600));
    limiter.try_acquire(Endpoint::Push).unwrap();
    assert_eq!(
        limiter.shadow_denials(Endpoint::Push),
        3,
        "admitted in the new hour"
    );
    assert_eq!(limiter.shadow_denials(Endpoint::UserGetToken), 0);
    // A plain limiter refuses the same calls.
    let plain = Limiter::<Endpoint, _>::with_clock(ManualClock::new(BEIJING_MIDNIGHT));
    assert_eq!(plain.shadow_denials(Endpoint::Push), 0);
}
