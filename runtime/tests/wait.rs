//! `Limiter::acquire`: waiting until admitted, in order, cancellation-safe.
#![cfg(feature = "tokio")]

mod support;

use ratespec::{Clock, Limiter, Per};
use std::sync::Arc;
use std::time::Duration;
use support::{BEIJING_MIDNIGHT, Endpoint};
use tokio::time::Instant;

/// Unix time that follows tokio's clock, so paused tests move both together.
struct TokioClock {
    start: Instant,
    start_unix_ms: u64,
}

impl Clock for TokioClock {
    fn now_ms(&self) -> u64 {
        self.start_unix_ms + self.start.elapsed().as_millis() as u64
    }
}

fn limiter() -> Arc<Limiter<Endpoint, TokioClock>> {
    let limiter = Limiter::with_clock(TokioClock {
        start: Instant::now(),
        start_unix_ms: BEIJING_MIDNIGHT + 400,
    });
    limiter
        .set_limit(Endpoint::UserGetToken, Per::Second, 2)
        .unwrap();
    Arc::new(limiter)
}

#[tokio::test(start_paused = true)]
async fn waits_for_the_next_window_then_admits() {
    let limiter = limiter();
    let start = Instant::now();
    for _ in 0..2 {
        limiter.acquire(Endpoint::UserGetToken, 1).await.unwrap();
    }
    assert_eq!(start.elapsed(), Duration::ZERO);
    let permit = limiter.acquire(Endpoint::UserGetToken, 1).await.unwrap();
    // The window ended 600 ms after the start.
    assert_eq!(start.elapsed(), Duration::from_millis(600));
    assert_eq!(permit.remaining(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_cost_that_can_never_pass_fails_at_once() {
    let limiter = limiter();
    let err = limiter
        .acquire(Endpoint::UserGetToken, 3)
        .await
        .unwrap_err();
    let ratespec::Refusal::Exceeds(err) = err else {
        panic!("expected Exceeds, got {err:?}")
    };
    assert_eq!(err.cost, 3);
    assert_eq!(err.window.max, 2);
}

#[tokio::test(start_paused = true)]
async fn waiters_are_served_first_come_first_served() {
    let limiter = limiter();
    limiter.acquire(Endpoint::UserGetToken, 1).await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    // A request for 2 waits for the next window; the requests for 1 arriving after it
    // would fit now, but must queue behind it, or a stream of small requests could starve
    // the big one forever.
    let mut tasks = Vec::new();
    for (i, cost) in [(0, 2), (1, 1), (2, 1), (3, 1)] {
        let (limiter, tx) = (limiter.clone(), tx.clone());
        tasks.push(tokio::spawn(async move {
            limiter.acquire(Endpoint::UserGetToken, cost).await.unwrap();
            tx.send(i).unwrap();
        }));
        // Let each task queue before the next one starts.
        tokio::task::yield_now().await;
    }
    for t in tasks {
        t.await.unwrap();
    }
    drop(tx);
    let mut order = Vec::new();
    while let Some(i) = rx.recv().await {
        order.push(i);
    }
    assert_eq!(order, [0, 1, 2, 3]);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_waiter_leaves_no_charge_and_does_not_block_the_queue() {
    let limiter = limiter();
    limiter.acquire(Endpoint::UserGetToken, 2).await.unwrap();
    // Give up after 100 ms, before the window ends at 600 ms.
    let gave_up = tokio::time::timeout(
        Duration::from_millis(100),
        limiter.acquire(Endpoint::UserGetToken, 2),
    )
    .await;
    assert!(gave_up.is_err());
    let start = Instant::now();
    let permit = limiter.acquire(Endpoint::UserGetToken, 2).await.unwrap();
    // The next waiter gets the whole new window: the cancelled one charged nothing.
    assert_eq!(start.elapsed(), Duration::from_millis(500));
    assert_eq!(permit.remaining(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_of_two_seconds_from_the_vendor_pauses_every_waiter() {
    let limiter = limiter();
    limiter
        .set_limit(Endpoint::UserGetToken, Per::Second, 200)
        .unwrap();
    let start = Instant::now();
    limiter.vendor_refused(Endpoint::UserGetToken, Some(Duration::from_secs(2)));
    let waiters: Vec<_> = (0..20)
        .map(|_| {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                limiter.acquire(Endpoint::UserGetToken, 1).await.unwrap();
                start.elapsed()
            })
        })
        .collect();
    for w in waiters {
        let sent_after = w.await.unwrap();
        assert!(sent_after >= Duration::from_secs(2), "{sent_after:?}");
        assert!(sent_after < Duration::from_millis(2_100), "{sent_after:?}");
    }
}
