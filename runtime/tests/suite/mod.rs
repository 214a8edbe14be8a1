//! The behaviour every limiter shares, written once: each body is generic over a
//! [`Backend`] (an adapter over `Limiter`, `KeyedLimiter` or `RedisLimiter`), and
//! [`behaviour_suite!`] instantiates them all as tests for one backend. Clocks are manual:
//! no assertion depends on timing.
#![allow(dead_code, async_fn_in_trait)]

use crate::fixture::{BEIJING_MIDNIGHT, DAY, Ep, RECIPIENTS_CAP, TWO_DAY_BOUNDARY};
use ratespec::{
    Clock, Cost, Denied, ExceedsLimit, Length, LimitError, ManualClock, OverCap, Per, Permit,
    Refusal, Scope, Units, Window,
};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One limiter, seen through the methods all three offer (async where Redis needs I/O).
pub trait Backend: Sized {
    /// A limiter of [`Ep`] at its documented limits on `clock` (and, for Redis, the server
    /// it talks to).
    async fn start(clock: ManualClock) -> Self;
    /// The clock the limiter reads, which the bodies move.
    fn clock(&self) -> &ManualClock;
    async fn try_acquire_n(&self, ep: Ep, n: u64) -> Result<Permit, Refusal>;
    async fn try_acquire_units(&self, ep: Ep, units: Units) -> Result<Permit, Refusal>;
    async fn try_acquire_scoped(&self, ep: Ep, key: &str, units: Units) -> Result<Permit, Refusal>;
    fn batch_size(&self, ep: Ep) -> u64;
    async fn acquire_scoped(&self, ep: Ep, key: &str, units: Units) -> Result<Permit, Refusal>;
    async fn acquire(&self, ep: Ep, n: u64) -> Result<Permit, Refusal>;
    async fn remaining(&self, ep: Ep) -> u64;
    async fn remaining_in(&self, ep: Ep, len: Length) -> Option<u64>;
    async fn reset_at(&self, ep: Ep) -> SystemTime;
    fn set_limit(&self, ep: Ep, len: Length, max: u64) -> Result<(), LimitError>;
    fn limit(&self, ep: Ep, len: Length) -> Option<u64>;
}

/// Instantiates every body of this module as a `#[tokio::test]` for `$backend`, in a
/// module `behaviour`.
macro_rules! behaviour_suite {
    ($backend:ty) => {
        mod behaviour {
            use super::*;
            behaviour_suite!(@tests $backend;
                a_ten_second_window_admits_its_limit_and_turns_exactly_at_its_boundary,
                a_thirty_minute_window_spans_many_ten_second_windows,
                a_two_day_window_turns_at_every_other_beijing_midnight,
                a_call_window_of_a_weighted_endpoint_counts_requests_not_units,
                a_per_user_window_is_not_enforced_without_a_user_key,
                six_hundred_recipients_are_one_call_and_six_hundred_messages,
                a_request_above_the_cap_is_refused_before_any_charge,
                a_named_basis_is_charged_its_own_count,
                batches_of_a_five_thousand_user_list_all_fit,
                a_per_user_window_is_kept_per_user_beside_the_app_key_window,
                a_per_channel_window_is_kept_per_channel,
                limits_are_named_by_the_windows_length,
                a_refusal_by_one_window_charges_no_other,
                a_shared_bucket_is_one_quota_and_permits_name_the_tightest_window,
                acquire_fails_at_once_when_the_cost_can_never_pass,
                acquire_scoped_admits_at_once_with_room_and_fails_at_once_over_a_cap,
            );
        }
    };
    (@tests $backend:ty; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let clock = ratespec::ManualClock::new(crate::suite::start_of(stringify!($name)));
                let backend = <$backend as crate::suite::Backend>::start(clock).await;
                crate::suite::$name(&backend).await;
            }
        )*
    };
}

/// Where each body's clock starts (Unix ms).
pub fn start_of(name: &str) -> u64 {
    match name {
        // 2.5 s into a 10-second window (window ids count from the epoch).
        "a_ten_second_window_admits_its_limit_and_turns_exactly_at_its_boundary" => {
            BEIJING_MIDNIGHT + 2_500
        }
        "a_two_day_window_turns_at_every_other_beijing_midnight" => BEIJING_MIDNIGHT + 9 * HOUR,
        _ => BEIJING_MIDNIGHT + 100,
    }
}

const HOUR: u64 = 3_600_000;

fn denied(r: Result<Permit, Refusal>) -> Denied {
    match r {
        Err(Refusal::Denied(d)) => d,
        other => panic!("expected a denial, got {other:?}"),
    }
}

fn ten_seconds() -> Window {
    Window::new(4, Per::Second).every(10)
}

fn unix(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

pub async fn a_ten_second_window_admits_its_limit_and_turns_exactly_at_its_boundary<B: Backend>(
    b: &B,
) {
    let clock = clock_of(b);
    let boundary = BEIJING_MIDNIGHT + 10_000;
    for left in (0..4).rev() {
        let permit = b.try_acquire_n(Ep::Lengths, 1).await.unwrap();
        assert_eq!(permit.remaining(), left);
        assert_eq!(permit.reset_at_unix_ms(), boundary);
        assert_eq!(permit.window(), Some(&ten_seconds()));
    }
    let d = denied(b.try_acquire_n(Ep::Lengths, 1).await);
    assert_eq!(d.window, ten_seconds());
    assert_eq!(d.retry_after, Duration::from_millis(7_500));
    assert_eq!(b.reset_at(Ep::Lengths).await, unix(boundary));
    clock.set_ms(boundary - 1);
    assert!(b.try_acquire_n(Ep::Lengths, 1).await.is_err());
    clock.set_ms(boundary);
    assert_eq!(
        b.try_acquire_n(Ep::Lengths, 1).await.unwrap().remaining(),
        1
    );
    assert_eq!(
        b.remaining_in(Ep::Lengths, Length::new(10, Per::Second))
            .await,
        Some(3)
    );
    assert_eq!(
        b.remaining_in(Ep::Lengths, Length::new(30, Per::Minute))
            .await,
        Some(1)
    );
}

pub async fn a_thirty_minute_window_spans_many_ten_second_windows<B: Backend>(b: &B) {
    let clock = clock_of(b);
    // 4 in the first ten seconds, 2 in the next: the half hour's 6 are used.
    for _ in 0..4 {
        b.try_acquire_n(Ep::Lengths, 1).await.unwrap();
    }
    clock.advance(Duration::from_secs(10));
    b.try_acquire_n(Ep::Lengths, 1).await.unwrap();
    let last = b.try_acquire_n(Ep::Lengths, 1).await.unwrap();
    assert_eq!(last.remaining(), 0);
    assert_eq!(last.window(), Some(&Window::new(6, Per::Minute).every(30)));
    clock.advance(Duration::from_secs(10));
    let d = denied(b.try_acquire_n(Ep::Lengths, 1).await);
    assert_eq!(d.window, Window::new(6, Per::Minute).every(30));
    // The half hour began at Beijing midnight (a multiple of 30 minutes since the epoch).
    let end = BEIJING_MIDNIGHT + 30 * 60_000;
    assert_eq!(d.retry_after, Duration::from_millis(end - clock.now_ms()));
    clock.set_ms(end);
    assert_eq!(b.remaining(Ep::Lengths).await, 4);
}

pub async fn a_two_day_window_turns_at_every_other_beijing_midnight<B: Backend>(b: &B) {
    let clock = clock_of(b);
    for left in (0..3).rev() {
        assert_eq!(
            b.try_acquire_n(Ep::TwoDays, 1).await.unwrap().remaining(),
            left
        );
    }
    // 09:00 on 1 March in Beijing: the window began on 29 February and ends at midnight.
    let d = denied(b.try_acquire_n(Ep::TwoDays, 1).await);
    assert_eq!(
        d.retry_after,
        Duration::from_millis(TWO_DAY_BOUNDARY - clock.now_ms())
    );
    assert_eq!(d.window, Window::new(3, Per::Day).every(2));
    // The Beijing midnight in between (at the start of the day) was no boundary.
    clock.set_ms(TWO_DAY_BOUNDARY - 1);
    assert!(b.try_acquire_n(Ep::TwoDays, 1).await.is_err());
    clock.set_ms(TWO_DAY_BOUNDARY);
    let permit = b.try_acquire_n(Ep::TwoDays, 1).await.unwrap();
    assert_eq!(permit.remaining(), 2);
    assert_eq!(permit.reset_at_unix_ms(), TWO_DAY_BOUNDARY + 2 * DAY);
    clock.set_ms(TWO_DAY_BOUNDARY + DAY);
    assert_eq!(
        b.remaining(Ep::TwoDays).await,
        2,
        "one day in: the same window"
    );
}

pub async fn a_call_window_of_a_weighted_endpoint_counts_requests_not_units<B: Backend>(b: &B) {
    let calls = Window::new(3, Per::Second).every(10);
    let recipients = Window::new(10, Per::Minute).counting(Cost::Recipient);
    // 4 recipients: 4 of the minute's 10, 1 of the 3 calls.
    let first = b.try_acquire_n(Ep::Weighted, 4).await.unwrap();
    assert_eq!((first.remaining(), first.window()), (2, Some(&calls)));
    b.try_acquire_n(Ep::Weighted, 4).await.unwrap();
    assert_eq!(
        b.remaining_in(Ep::Weighted, Per::Minute.into()).await,
        Some(2)
    );
    // 3 recipients do not fit the minute, whose 2 left are fewer: refused there.
    let d = denied(b.try_acquire_n(Ep::Weighted, 3).await);
    assert_eq!(d.window, recipients);
    let third = b.try_acquire_n(Ep::Weighted, 1).await.unwrap();
    assert_eq!((third.remaining(), third.window()), (0, Some(&calls)));
    assert_eq!(denied(b.try_acquire_n(Ep::Weighted, 1).await).window, calls);
    // 11 recipients never fit the minute; the call window would take them as one call.
    assert_eq!(
        b.try_acquire_n(Ep::Weighted, 11).await.unwrap_err(),
        Refusal::Exceeds(ExceedsLimit {
            cost: 11,
            window: recipients
        })
    );
}

pub async fn six_hundred_recipients_are_one_call_and_six_hundred_messages<B: Backend>(b: &B) {
    let permit = b.try_acquire_n(Ep::Message, 600).await.unwrap();
    assert_eq!(
        b.remaining_in(Ep::Message, Per::Second.into()).await,
        Some(99)
    );
    assert_eq!(
        b.remaining_in(Ep::Message, Per::Minute.into()).await,
        Some(5_400)
    );
    // The permit names the tightest window: 99 calls left against 5400 messages.
    assert_eq!(permit.remaining(), 99);
    assert_eq!(permit.window(), Some(&Window::new(100, Per::Second)));
}

pub async fn a_request_above_the_cap_is_refused_before_any_charge<B: Backend>(b: &B) {
    let refused = b.try_acquire_n(Ep::Message, 601).await.unwrap_err();
    assert_eq!(
        refused,
        Refusal::OverCap(OverCap {
            units: 601,
            cap: &RECIPIENTS_CAP
        })
    );
    assert_eq!(refused.retry_after(), None, "it can never pass");
    assert_eq!(
        b.remaining_in(Ep::Message, Per::Second.into()).await,
        Some(100)
    );
    assert_eq!(
        b.remaining_in(Ep::Message, Per::Minute.into()).await,
        Some(6_000)
    );
    // A cap on users bounds a size in users, however the request names it.
    let named = Units::new(1).and(Cost::User, 700);
    assert!(matches!(
        b.try_acquire_units(Ep::Message, named).await,
        Err(Refusal::OverCap(_))
    ));
    assert_eq!(
        b.remaining_in(Ep::Message, Per::Minute.into()).await,
        Some(6_000)
    );
}

pub async fn a_named_basis_is_charged_its_own_count<B: Backend>(b: &B) {
    // Two calls' worth named on the call window, 50 messages on the message window.
    let units = Units::new(1).and(Cost::Call, 2).and(Cost::Message, 50);
    b.try_acquire_units(Ep::Message, units).await.unwrap();
    assert_eq!(
        b.remaining_in(Ep::Message, Per::Second.into()).await,
        Some(98)
    );
    assert_eq!(
        b.remaining_in(Ep::Message, Per::Minute.into()).await,
        Some(5_950)
    );
}

pub async fn batches_of_a_five_thousand_user_list_all_fit<B: Backend>(b: &B) {
    assert_eq!(b.batch_size(Ep::Message), 600);
    let users: Vec<u32> = (0..5_000).collect();
    let batches: Vec<&[u32]> = users.chunks(b.batch_size(Ep::Message) as usize).collect();
    assert_eq!(batches.len(), 9);
    for batch in &batches {
        b.try_acquire_n(Ep::Message, batch.len() as u64)
            .await
            .unwrap();
    }
    assert_eq!(
        b.remaining_in(Ep::Message, Per::Second.into()).await,
        Some(91)
    );
    assert_eq!(
        b.remaining_in(Ep::Message, Per::Minute.into()).await,
        Some(1_000)
    );
    // A window below the cap bounds the batch: 20 per second in one channel.
    assert_eq!(b.batch_size(Ep::Channel), 20);
    b.set_limit(Ep::Message, Per::Minute.into(), 500).unwrap();
    assert_eq!(
        b.batch_size(Ep::Message),
        500,
        "the current limit, not the documented one"
    );
    assert_eq!(b.batch_size(Ep::Single), 3);
}

pub async fn a_per_user_window_is_kept_per_user_beside_the_app_key_window<B: Backend>(b: &B) {
    let clock = clock_of(b);
    let user_window = Window::new(1, Per::Minute).scoped(Scope::User);
    b.try_acquire_scoped(Ep::PerUser, "alice", Units::new(1))
        .await
        .unwrap();
    let d = denied(
        b.try_acquire_scoped(Ep::PerUser, "alice", Units::new(1))
            .await,
    );
    assert_eq!(d.window, user_window);
    // Other users have their own minute; the App Key's 5/minute is shared by all of them,
    // and alice's refusal charged nothing to it.
    for user in ["bob", "carol", "dave", "erin"] {
        b.try_acquire_scoped(Ep::PerUser, user, Units::new(1))
            .await
            .unwrap();
    }
    assert_eq!(b.remaining(Ep::PerUser).await, 0);
    let d = denied(
        b.try_acquire_scoped(Ep::PerUser, "frank", Units::new(1))
            .await,
    );
    assert_eq!(d.window, Window::new(5, Per::Minute));
    clock.advance(Duration::from_secs(60));
    b.try_acquire_scoped(Ep::PerUser, "alice", Units::new(1))
        .await
        .unwrap();
}

pub async fn a_per_channel_window_is_kept_per_channel<B: Backend>(b: &B) {
    b.try_acquire_scoped(Ep::Channel, "c1", Units::new(20))
        .await
        .unwrap();
    let d = denied(b.try_acquire_scoped(Ep::Channel, "c1", Units::new(1)).await);
    assert_eq!(d.window.scope, Scope::Channel);
    b.try_acquire_scoped(Ep::Channel, "c2", Units::new(20))
        .await
        .unwrap();
    assert_eq!(
        b.remaining_in(Ep::Channel, Per::Second.into()).await,
        Some(60)
    );
}

pub async fn a_per_user_window_is_not_enforced_without_a_user_key<B: Backend>(b: &B) {
    // 1/minute per user would refuse the second call; the App Key's 5/minute decides.
    for left in (0..5).rev() {
        let permit = b.try_acquire_n(Ep::PerUser, 1).await.unwrap();
        assert_eq!(permit.remaining(), left);
        assert_eq!(permit.window(), Some(&Window::new(5, Per::Minute)));
    }
    assert_eq!(
        denied(b.try_acquire_n(Ep::PerUser, 1).await).window,
        Window::new(5, Per::Minute)
    );
    assert_eq!(b.limit(Ep::PerUser, Per::Minute.into()), Some(5));
}

pub async fn limits_are_named_by_the_windows_length<B: Backend>(b: &B) {
    let ten = Length::new(10, Per::Second);
    assert_eq!(b.limit(Ep::Lengths, ten), Some(4));
    assert_eq!(b.limit(Ep::Lengths, Per::Second.into()), None);
    b.set_limit(Ep::Lengths, ten, 1).unwrap();
    assert_eq!(b.limit(Ep::Lengths, ten), Some(1));
    assert_eq!(
        b.limit(Ep::Lengths, Length::new(30, Per::Minute)),
        Some(6),
        "the other window keeps its limit"
    );
    let permit = b.try_acquire_n(Ep::Lengths, 1).await.unwrap();
    assert_eq!(permit.window(), Some(&ten_seconds().with_max(1)));
    assert_eq!(
        denied(b.try_acquire_n(Ep::Lengths, 1).await).window,
        ten_seconds().with_max(1)
    );
    assert_eq!(
        b.set_limit(Ep::Lengths, Per::Second.into(), 1),
        Err(LimitError::NoSuchWindow {
            endpoint: "Lengths",
            length: Length::new(1, Per::Second)
        })
    );
    assert_eq!(
        b.set_limit(Ep::PerUser, Length::new(1, Per::Hour), 1),
        Err(LimitError::NoSuchWindow {
            endpoint: "PerUser",
            length: Per::Hour.into()
        })
    );
    assert_eq!(
        b.set_limit(Ep::Lengths, ten, u64::MAX),
        Err(LimitError::TooLarge { max: u64::MAX })
    );
    // Raised again, the window reopens at once.
    b.set_limit(Ep::Lengths, ten, 4).unwrap();
    assert_eq!(
        b.try_acquire_n(Ep::Lengths, 1).await.unwrap().remaining(),
        2
    );
}

pub async fn a_refusal_by_one_window_charges_no_other<B: Backend>(b: &B) {
    let clock = clock_of(b);
    b.try_acquire_n(Ep::Daily, 2).await.unwrap();
    assert_eq!(
        denied(b.try_acquire_n(Ep::Daily, 1).await).window.per,
        Per::Hour
    );
    assert_eq!(b.remaining_in(Ep::Daily, Per::Day.into()).await, Some(1));
    // A fresh hour, but 2 units do not fit the day: neither window is charged.
    clock.advance(Duration::from_millis(HOUR));
    let d = denied(b.try_acquire_n(Ep::Daily, 2).await);
    assert_eq!(d.window, Window::new(3, Per::Day));
    assert_eq!(b.remaining_in(Ep::Daily, Per::Hour.into()).await, Some(2));
    assert_eq!(b.remaining(Ep::Daily).await, 1);
}

pub async fn a_shared_bucket_is_one_quota_and_permits_name_the_tightest_window<B: Backend>(b: &B) {
    let a = b.try_acquire_n(Ep::SharedA, 1).await.unwrap();
    // 1 left in the second, 3 in the minute.
    assert_eq!(a.remaining(), 1);
    assert_eq!(a.window(), Some(&Window::new(2, Per::Second)));
    assert_eq!(b.remaining(Ep::SharedB).await, 1);
    b.try_acquire_n(Ep::SharedB, 1).await.unwrap();
    assert!(b.try_acquire_n(Ep::SharedA, 1).await.is_err());
    assert_eq!(b.remaining(Ep::Single).await, 3, "other buckets untouched");
}

pub async fn acquire_fails_at_once_when_the_cost_can_never_pass<B: Backend>(b: &B) {
    match b.acquire(Ep::Single, 4).await {
        Err(Refusal::Exceeds(e)) => assert_eq!(e.window, Window::new(3, Per::Second)),
        other => panic!("expected Exceeds, got {other:?}"),
    }
    let permit = b.acquire(Ep::Single, 3).await.unwrap();
    assert_eq!(permit.remaining(), 0);
}

pub async fn acquire_scoped_admits_at_once_with_room_and_fails_at_once_over_a_cap<B: Backend>(
    b: &B,
) {
    let permit = b
        .acquire_scoped(Ep::Channel, "c1", Units::new(20))
        .await
        .unwrap();
    assert_eq!(permit.remaining(), 0);
    assert_eq!(
        permit.window(),
        Some(
            &Window::new(20, Per::Second)
                .counting(Cost::TargetGroup)
                .scoped(Scope::Channel)
        )
    );
    match b.acquire_scoped(Ep::Message, "u", Units::new(601)).await {
        Err(Refusal::OverCap(over)) => assert_eq!(*over.cap, RECIPIENTS_CAP),
        other => panic!("expected OverCap, got {other:?}"),
    }
}

/// The manual clock a backend reads.
fn clock_of<B: Backend>(b: &B) -> ManualClock {
    b.clock().clone()
}
