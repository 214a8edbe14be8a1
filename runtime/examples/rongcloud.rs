//! A client that stays under RongCloud's documented limits.
//!
//! Run: `cargo run -p ratespec --example rongcloud`
//!
//! The endpoints and their limits are generated from `specs/rongcloud-server.md` as
//! published: `/user/getToken.json` 200 per second (可调频), `/push.json` 2 per hour and 3 per
//! Beijing calendar day.

use ratespec::{Limiter, Per, Refusal};
use std::time::Instant;

ratespec::include_limits!("specs/");

use rongcloud::Endpoint;

/// Stands in for the HTTP call to the vendor.
fn call_rongcloud(_ep: Endpoint) {}

fn main() {
    let limiter = Limiter::<Endpoint>::new();

    // Register 450 users as fast as the quota allows: 200 per second, waiting at each
    // boundary instead of collecting 429s.
    let start = Instant::now();
    let mut waits = 0;
    for _ in 0..450 {
        loop {
            match limiter.try_acquire(Endpoint::UserGetToken) {
                Ok(_permit) => break call_rongcloud(Endpoint::UserGetToken),
                Err(Refusal::Denied(d)) => {
                    waits += 1;
                    std::thread::sleep(d.retry_after);
                }
                Err(other) => panic!("{other}"),
            }
        }
    }
    println!(
        "registered 450 users in {:.2?}, waiting {waits} times for the next second",
        start.elapsed()
    );

    // Broadcast pushes: 2 per hour, 3 per Beijing calendar day, all-or-nothing.
    for i in 1..=3 {
        match limiter.try_acquire(Endpoint::Push) {
            Ok(p) => {
                call_rongcloud(Endpoint::Push);
                println!(
                    "push {i} sent; {} left until {:?}",
                    p.remaining(),
                    p.reset_at()
                );
            }
            Err(r) => println!("push {i} refused: {r}"),
        }
    }

    // 可调频: RongCloud raised our quota to 500 per second; no rebuild needed.
    limiter
        .set_limit(Endpoint::UserGetToken, Per::Second, 500)
        .expect("getToken has a per-second limit");
    println!(
        "getToken limit now {:?} per second",
        limiter.limit(Endpoint::UserGetToken, Per::Second)
    );
}
