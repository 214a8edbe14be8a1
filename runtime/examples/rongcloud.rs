//! A client that stays under RongCloud's documented limits.
//!
//! Run: `cargo run -p ratespec --example rongcloud`
//!
//! The `Endpoint` enum below is hand-written in the shape `include_limits!` generates from
//! `specs/rongcloud-server.md`; generated code replaces it.

use ratespec::{Bucket, Endpoints, Limiter, Per, Refusal, Window};
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
enum Endpoint {
    /// 注册用户 `/user/getToken.json`: 200 次/每秒，可调频.
    UserGetToken,
    /// 发送全量用户不落地通知 `/push.json`: 2 次/每小时，3 次/每自然日（共享）.
    Push,
}

impl Endpoints for Endpoint {
    const PROVIDER: &'static str = "rongcloud";
    const ALL: &'static [Self] = &[Endpoint::UserGetToken, Endpoint::Push];
    const BUCKETS: &'static [Bucket] = &[
        Bucket {
            name: "user_get_token",
            windows: &[Window {
                max: 200,
                per: Per::Second,
            }],
        },
        Bucket {
            name: "push",
            windows: &[
                Window {
                    max: 2,
                    per: Per::Hour,
                },
                Window {
                    max: 3,
                    per: Per::Day,
                },
            ],
        },
    ];
    const UTC_OFFSET_SECS: i32 = 8 * 3600;
    fn index(self) -> usize {
        self as usize
    }
    fn bucket(self) -> usize {
        self as usize
    }
    fn as_str(self) -> &'static str {
        match self {
            Endpoint::UserGetToken => "UserGetToken",
            Endpoint::Push => "Push",
        }
    }
}

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
                Err(Refusal::Exceeds(e)) => panic!("{e}"),
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
