//! `RedisLimiter` throughput from one process on loopback, against `redis-benchmark` running
//! the same script with the same key and arguments on the same server.
//!
//!     cargo bench -p ratespec --all-features --bench redis
//!
//! Every call is admitted (the limit is raised to `MAX_LIMIT` and the clock stands still), so
//! both sides run the script's charging path: GET, INCRBY (and PEXPIRE once). After the
//! criterion groups, `redis-benchmark` runs three times (medians go to BENCHMARKS.md).

#[path = "../tests/support_redis/mod.rs"]
mod support_redis;

use criterion::{Criterion, Throughput};
use ratespec::redis::RedisLimiter;
use ratespec::window::MAX_LIMIT;
use ratespec::{ManualClock, Per};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support_redis::RedisServer;

mod specs {
    ratespec::include_limits!("specs/");
}
use specs::rongcloud::Endpoint;

/// 2024-03-02T00:00:00.250+08:00: every call lands in one second window.
const NOW: u64 = 1_709_308_800_250;

type Shared = RedisLimiter<Endpoint, ManualClock>;

fn limiter(server: &RedisServer) -> Shared {
    let limiter = RedisLimiter::builder(server.client())
        .clock(ManualClock::new(NOW))
        .short_circuit(false)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("build");
    limiter
        .set_limit(Endpoint::UserGetToken, Per::Second, MAX_LIMIT)
        .expect("raise the limit");
    limiter
}

/// `n` acquires from `tasks` tasks at once, all on the limiter's one multiplexed connection.
async fn run(limiter: &Arc<Shared>, tasks: u64, n: u64) -> Duration {
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for t in 0..tasks {
        let limiter = limiter.clone();
        let share = n / tasks + u64::from(t < n % tasks);
        set.spawn(async move {
            for _ in 0..share {
                let permit = limiter.try_acquire(Endpoint::UserGetToken).await;
                assert!(permit.is_ok_and(|p| p.remaining() != u64::MAX), "counted");
            }
        });
    }
    while let Some(done) = set.join_next().await {
        done.expect("no task panics");
    }
    start.elapsed()
}

fn bench(c: &mut Criterion, server: &RedisServer) {
    for (name, runtime) in [
        (
            "current_thread",
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime"),
        ),
        (
            "multi_thread_2",
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime"),
        ),
    ] {
        let shared = runtime.block_on(async { Arc::new(limiter(server)) });
        let mut group = c.benchmark_group(format!("redis_acquire/{name}"));
        group.throughput(Throughput::Elements(1));
        for tasks in [1u64, 16, 64, 256] {
            group.bench_function(format!("in_flight_{tasks}"), |b| {
                b.iter_custom(|iters| runtime.block_on(run(&shared, tasks, iters)))
            });
        }
        group.finish();
    }
}

/// The EVALSHA that one acquire of `UserGetToken` sends, as `redis-benchmark` arguments.
fn evalsha_args(limiter: &Shared) -> Vec<String> {
    let key = format!("ratespec:{{rongcloud:UserGetToken}}:1s:{}", NOW / 1000);
    let ttl = (NOW / 1000 + 1) * 1000 - NOW + 60_000;
    [
        "EVALSHA",
        limiter.script_sha(),
        "1",
        &key,
        "1",
        &MAX_LIMIT.to_string(),
        &ttl.to_string(),
    ]
    .map(str::to_owned)
    .to_vec()
}

fn redis_benchmark(server: &RedisServer, args: &[String]) {
    for (clients, pipeline) in [(1, 1), (50, 1), (50, 16)] {
        for run in 1..=3 {
            let out = Command::new("redis-benchmark")
                .args(["-p", &server.port.to_string(), "-n", "500000", "-q"])
                .args(["-c", &clients.to_string(), "-P", &pipeline.to_string()])
                .args(args)
                .output()
                .expect("run redis-benchmark (apt-get install -y redis-server)");
            let text = String::from_utf8_lossy(&out.stdout);
            let line = text.rsplit('\r').next().unwrap_or("").trim();
            println!("redis-benchmark -c {clients} -P {pipeline} run {run}: {line}");
        }
    }
}

fn main() {
    let server = RedisServer::start();
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    bench(&mut c, &server);
    c.final_summary();
    let args = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async { evalsha_args(&limiter(&server)) });
    println!(
        "same script: redis-benchmark -p {} -n 500000 -q -c C -P P {}",
        server.port,
        args.join(" ")
    );
    // `cargo test --benches` runs each benchmark once as a test: no need to compare.
    if std::env::args().any(|a| a == "--bench") {
        redis_benchmark(&server, &args);
    }
}
