//! Several OS processes sharing one quota through one Redis admit exactly the limit in total.
//!
//! `harness = false`: `main` is the test (the parent), or, with `RATESPEC_REDIS_CHILD` set,
//! one of the child processes it spawns from this same binary. Every process reads the same
//! manual time, so the expected totals are exact whatever the scheduling.

mod support_redis;

use ratespec::ManualClock;
use ratespec::Refusal;
use ratespec::redis::{Client, FailurePolicy, RedisLimiter};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use support_redis::RedisServer;

mod specs {
    ratespec::include_limits!("specs/");
}
use specs::rongcloud::Endpoint;

/// `port,unix_ms,short_circuit` for a child process.
const CHILD: &str = "RATESPEC_REDIS_CHILD";
const PROCESSES: usize = 4;
const TASKS: usize = 32;
const CALLS_PER_TASK: usize = 10;
/// 2024-03-02T00:00:00+08:00.
const BEIJING_MIDNIGHT: u64 = 1_709_308_800_000;

fn main() {
    match std::env::var(CHILD) {
        Ok(spec) => child(&spec),
        Err(_) => parent(),
    }
}

fn parent() {
    let server = RedisServer::start();
    let exe = std::env::current_exe().expect("the test binary's path");
    // Round 2 is a new second (fresh 200) in the same hour (the 2 pushes are gone).
    for (round, (now, short_circuit, expected)) in [
        (BEIJING_MIDNIGHT + 500, false, (200, 2)),
        (BEIJING_MIDNIGHT + 1_500, true, (200, 0)),
    ]
    .into_iter()
    .enumerate()
    {
        let children: Vec<_> = (0..PROCESSES)
            .map(|_| {
                Command::new(&exe)
                    .env(CHILD, format!("{},{now},{short_circuit}", server.port))
                    .stdout(Stdio::piped())
                    .spawn()
                    .expect("spawn a child process")
            })
            .collect();
        let mut total = (0, 0);
        for child in children {
            let out = child.wait_with_output().expect("child output");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "child failed: {}\n{stdout}",
                out.status
            );
            let line = stdout
                .lines()
                .find_map(|l| l.strip_prefix("admitted "))
                .unwrap_or_else(|| panic!("no result line in {stdout:?}"));
            let mut n = line.split(' ').map(|n| n.parse::<u64>().expect("a count"));
            total.0 += n.next().expect("user_get_token count");
            total.1 += n.next().expect("push count");
        }
        assert_eq!(
            total, expected,
            "round {round}: {PROCESSES} processes admitted (UserGetToken, Push)"
        );
        println!(
            "round {round}: {PROCESSES} processes x {TASKS} tasks admitted {total:?}, expected {expected:?}: ok"
        );
    }
}

fn child(spec: &str) {
    let mut parts = spec.split(',');
    let port: u16 = parts.next().and_then(|p| p.parse().ok()).expect("port");
    let now: u64 = parts.next().and_then(|p| p.parse().ok()).expect("unix ms");
    let short_circuit: bool = parts.next().and_then(|p| p.parse().ok()).expect("bool");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(async {
        let client = Client::open(format!("redis://127.0.0.1:{port}/")).expect("URL");
        let limiter = Arc::new(
            RedisLimiter::<Endpoint>::builder(client)
                .clock(ManualClock::new(now))
                .failure_policy(FailurePolicy::Closed)
                .timeout(Duration::from_secs(5))
                .short_circuit(short_circuit)
                .build()
                .expect("build"),
        );
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let limiter = limiter.clone();
                tokio::spawn(async move {
                    let (mut tokens, mut pushes) = (0u64, 0u64);
                    for _ in 0..CALLS_PER_TASK {
                        for (ep, n) in [
                            (Endpoint::UserGetToken, &mut tokens),
                            (Endpoint::Push, &mut pushes),
                        ] {
                            match limiter.try_acquire(ep).await {
                                Ok(_) => *n += 1,
                                Err(Refusal::Denied(_)) => {}
                                Err(e) => panic!("Redis failed in a child: {e}"),
                            }
                        }
                    }
                    (tokens, pushes)
                })
            })
            .collect();
        let (mut tokens, mut pushes) = (0, 0);
        for t in tasks {
            let (a, b) = t.await.expect("no task panics");
            tokens += a;
            pushes += b;
        }
        println!("admitted {tokens} {pushes}");
    });
}
