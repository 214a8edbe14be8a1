//! `RedisLimiter` over a real Redis Cluster (three masters, one replica each) started by each
//! test: exact admission across masters, from several OS processes, and through the SIGKILL of
//! a master until its replica is promoted. Clocks are manual: the counts are exact whatever
//! the scheduling; only the failover is waited for (polled, with a deadline).

mod support_redis;
mod support_redis_cluster;

use ratespec::redis::{ClusterClient, ClusterClientBuilder, FailurePolicy, RedisLimiter};
use ratespec::{Endpoints, ManualClock, Refusal, UnavailableKind};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support_redis_cluster::RedisCluster;

mod specs {
    ratespec::include_limits!("specs/", include_commented = true);
}
use specs::rongcloud::Endpoint;

/// 2024-03-02T00:00:00+08:00: a Beijing midnight, and a second, minute and hour boundary.
const BEIJING_MIDNIGHT: u64 = 1_709_308_800_000;
const HOUR: u64 = 3_600_000;
/// Three buckets whose hash tags fall in the slots of the three masters (`redis-cli` splits
/// the slots in thirds): `UserGetToken` 200/s, `chatroom_entry_set` 100/s, `Push` 2/h.
const BUCKETS: [(Endpoint, u64); 3] = [
    (Endpoint::UserGetToken, 200),
    (Endpoint::ChatroomEntrySet, 100),
    (Endpoint::Push, 2),
];

type Shared = RedisLimiter<Endpoint, ManualClock>;

fn limiter(client: ClusterClientBuilder, clock: &ManualClock, policy: FailurePolicy) -> Shared {
    RedisLimiter::builder_cluster(client)
        .clock(clock.clone())
        .failure_policy(policy)
        .timeout(Duration::from_secs(2))
        .build()
        .expect("build inside a Tokio runtime")
}

fn bucket_name(ep: Endpoint) -> &'static str {
    &Endpoint::BUCKETS[Endpoints::bucket(ep)].name
}

/// The key of `ep`'s per-second window containing `now`.
fn second_key(ep: Endpoint, now: u64) -> String {
    format!(
        "ratespec:{{rongcloud:{}}}:1s:{}",
        bucket_name(ep),
        now / 1000
    )
}

fn push_keys(now: u64) -> [String; 2] {
    let push = bucket_name(Endpoint::Push);
    let day = (now + 8 * HOUR) / (24 * HOUR);
    [
        format!("ratespec:{{rongcloud:{push}}}:1d:{day}"),
        format!("ratespec:{{rongcloud:{push}}}:1h:{}", now / HOUR),
    ]
}

/// `calls` rounds of one call to each bucket from each of `tasks` tasks; admissions per
/// bucket. Anything but an admission or a denial fails the test.
async fn hammer(shared: &Arc<Shared>, tasks: usize, calls: usize) -> [u64; 3] {
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let shared = shared.clone();
            tokio::spawn(async move {
                let mut admitted = [0u64; 3];
                for _ in 0..calls {
                    for (i, (ep, _)) in BUCKETS.iter().enumerate() {
                        match shared.try_acquire(*ep).await {
                            Ok(p) => {
                                assert_ne!(p.remaining(), u64::MAX, "an uncounted admission");
                                admitted[i] += 1;
                            }
                            Err(Refusal::Denied(_)) => {}
                            Err(e) => panic!("{ep}: {e}"),
                        }
                    }
                }
                admitted
            })
        })
        .collect();
    let mut total = [0; 3];
    for h in handles {
        let admitted = h.await.expect("no task panics");
        for (t, a) in total.iter_mut().zip(admitted) {
            *t += a;
        }
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_tasks_admit_exactly_each_limit_with_buckets_on_three_masters() {
    let cluster = RedisCluster::start();
    let now = BEIJING_MIDNIGHT + 250;
    let clock = ManualClock::new(now);
    let shared = Arc::new(limiter(cluster.client(), &clock, FailurePolicy::Closed));

    let total = hammer(&shared, 64, 10).await;
    assert_eq!(total, BUCKETS.map(|(_, max)| max), "admitted per bucket");

    // Each bucket's keys are on one master, a different one per bucket, holding its count.
    let owners = BUCKETS.map(|(ep, _)| cluster.master_of(&second_key(ep, now)));
    assert!(
        owners[0] != owners[1] && owners[1] != owners[2] && owners[0] != owners[2],
        "three buckets, three masters: {owners:?}"
    );
    for ((ep, max), port) in BUCKETS.iter().zip(owners) {
        let node = cluster.node(port);
        let mut expected = match ep {
            Endpoint::Push => push_keys(now).to_vec(),
            _ => vec![second_key(*ep, now)],
        };
        expected.sort();
        assert_eq!(node.keys(), expected, "the keys on master {port}");
        assert_eq!(
            node.integer(&["GET", expected.last().unwrap()]),
            Some(*max as i64)
        );
    }
    // The reads (MGET of a bucket's keys, one slot) go to the owning master too.
    assert_eq!(shared.remaining(Endpoint::Push).await, Ok(0));
    assert_eq!(shared.remaining(Endpoint::ChatroomEntrySet).await, Ok(0));

    // Masters that lost the script (SCRIPT FLUSH) are sent it again (SCRIPT LOAD on the
    // master of the call's slot) within the call.
    for port in owners {
        cluster.node(port).command(&["SCRIPT", "FLUSH"]);
    }
    clock.advance(Duration::from_millis(HOUR)); // fresh windows, but Push's 3/day
    for ((ep, _), remaining) in BUCKETS.iter().zip([199, 99, 0]) {
        let permit = shared
            .try_acquire(*ep)
            .await
            .expect("admitted after a flush");
        assert_eq!(permit.remaining(), remaining, "{ep}");
    }
    for port in owners {
        let sha = shared.script_sha();
        assert_eq!(
            cluster.node(port).command(&["SCRIPT", "EXISTS", sha]),
            "*1\n:1\n"
        );
    }
}

/// `ports;unix_ms` for a child process.
const CHILD: &str = "RATESPEC_REDIS_CLUSTER_CHILD";
const PROCESSES: usize = 4;

#[test]
fn several_processes_share_the_cluster_and_admit_exactly_each_limit_in_total() {
    let cluster = RedisCluster::start();
    let exe = std::env::current_exe().expect("the test binary's path");
    let ports: Vec<String> = cluster.ports().iter().map(u16::to_string).collect();
    let now = BEIJING_MIDNIGHT + 500;
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "child_process",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD, format!("{};{now}", ports.join(",")))
                .stdout(Stdio::piped())
                .spawn()
                .expect("spawn a child process")
        })
        .collect();
    let mut total = [0u64; 3];
    let mut each = Vec::new();
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
            // After libtest's `test child_process ... ` on the same line.
            .find_map(|l| l.split_once("admitted ").map(|(_, counts)| counts))
            .unwrap_or_else(|| panic!("no result line in {stdout:?}"));
        let counts: Vec<u64> = line
            .split(' ')
            .map(|n| n.parse().expect("a count"))
            .collect();
        for (t, c) in total.iter_mut().zip(&counts) {
            *t += c;
        }
        each.push(counts);
    }
    assert_eq!(
        total,
        BUCKETS.map(|(_, max)| max),
        "{PROCESSES} processes admitted {each:?}"
    );
    println!("admitted per process (per bucket): {each:?}");
}

/// The body of a child process of the test above; does nothing when run as a test.
#[test]
fn child_process() {
    let Ok(spec) = std::env::var(CHILD) else {
        return;
    };
    let (ports, now) = spec.split_once(';').expect("ports;now");
    let now: u64 = now.parse().expect("unix ms");
    let urls: Vec<String> = ports
        .split(',')
        .map(|p| format!("redis://127.0.0.1:{p}/"))
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(async {
        let client = ClusterClient::builder(urls);
        let shared = Arc::new(limiter(
            client,
            &ManualClock::new(now),
            FailurePolicy::Closed,
        ));
        let [a, b, c] = hammer(&shared, 32, 10).await;
        println!("admitted {a} {b} {c}");
    });
}

/// Log lines (`LEVEL message`) of the thread's tracing events.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<String>>>);

impl Logs {
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

impl tracing::Subscriber for Logs {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Line<'a>(&'a mut String);
        impl tracing::field::Visit for Line<'_> {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                use std::fmt::Write as _;
                let _ = write!(self.0, " {}={value:?}", field.name());
            }
        }
        let mut line = event.metadata().level().to_string();
        event.record(&mut Line(&mut line));
        self.0.lock().unwrap().push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Counts written to a master after its replica stopped receiving them, then lost with it.
const UNREPLICATED: u64 = 10;

// One thread (a current-thread runtime): the thread's tracing subscriber sees every call.
#[tokio::test]
async fn a_killed_master_fails_closed_or_open_until_its_replica_is_promoted_then_admits_exactly() {
    let logs = Logs::default();
    let _logging = tracing::subscriber::set_default(logs.clone());
    let mut cluster = RedisCluster::start();
    let now = BEIJING_MIDNIGHT + 250;
    let clock = ManualClock::new(now);
    let build = |policy| {
        RedisLimiter::<Endpoint>::builder_cluster(cluster.client())
            .clock(clock.clone())
            .failure_policy(policy)
            .timeout(Duration::from_millis(200))
            .build()
            .expect("build")
    };
    let (closed, open) = (build(FailurePolicy::Closed), build(FailurePolicy::Open));
    let (ep, max) = BUCKETS[0];
    let (other, _) = BUCKETS[1];
    let ugt = second_key(ep, now);
    for _ in 0..60 {
        closed.try_acquire(ep).await.expect("admitted");
        open.try_acquire(ep).await.expect("admitted");
    }
    let master = cluster.master_of(&ugt);
    let replica = cluster.replica_of(master);
    assert_ne!(cluster.master_of(&second_key(other, now)), master);
    wait_replicated(&cluster, master, replica);

    // The replica stops receiving (frozen, its link cut by the master), the master counts
    // UNREPLICATED more, then dies: those counts exist nowhere any more.
    cluster.node(replica).signal("-STOP");
    let cut = cluster
        .node(master)
        .integer(&["CLIENT", "KILL", "TYPE", "replica"]);
    for i in 0..UNREPLICATED {
        let limiter = if i % 2 == 0 { &closed } else { &open };
        let p = limiter.try_acquire(ep).await.expect("admitted");
        assert_eq!(p.remaining(), max - 121 - i);
    }
    cluster.kill(master);
    cluster.node(replica).signal("-CONT");
    assert_eq!(cut, Some(1), "one replica link cut");
    let killed = Instant::now();

    // Until the replica is promoted: Closed refuses as Unavailable, Open admits uncounted;
    // the other buckets' masters keep counting.
    let (mut refused, mut uncounted, mut counted_after) = (0u64, 0u64, 0u64);
    let (mut other_admitted, mut other_failed) = (0u64, 0u64);
    let first = loop {
        assert!(
            killed.elapsed() < Duration::from_secs(20),
            "no failover after 20 s: {refused} refused, topology {:?}",
            cluster.topology()
        );
        // Mostly answered; but while the cluster connection refreshes its slot map, every
        // call waits, and may time out, whatever its master.
        match closed.try_acquire(other).await {
            Ok(_) => other_admitted += 1,
            Err(Refusal::Unavailable(_)) => other_failed += 1,
            Err(e) => panic!("another master's bucket during the failover: {e}"),
        }
        match open.try_acquire(ep).await {
            Ok(p) if p.remaining() == u64::MAX => uncounted += 1,
            Ok(_) => counted_after += 1,
            Err(e) => panic!("fail open refused: {e}"),
        }
        match closed.try_acquire(ep).await {
            Err(Refusal::Unavailable(u)) => {
                assert!(
                    matches!(
                        u.kind(),
                        UnavailableKind::Backend | UnavailableKind::Timeout
                    ),
                    "{u}"
                );
                refused += 1;
            }
            Ok(p) => break p,
            Err(e) => panic!("expected Unavailable or a permit, got {e}"),
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    counted_after += 1;
    let failover = killed.elapsed();
    assert!(
        refused > 0 && uncounted > 0,
        "{refused} refused, {uncounted} admitted uncounted"
    );
    assert!(
        other_admitted > 0,
        "the other master answered none of {other_failed} calls"
    );
    assert_ne!(first.remaining(), u64::MAX);
    let promoted = cluster.node(replica);
    let role = promoted.command(&["INFO", "replication"]);
    assert!(
        role.contains("role:master"),
        "the replica was promoted: {role}"
    );

    // What the promoted replica holds: the 120 replicated counts and those charged since,
    // not the UNREPLICATED ones.
    let count = promoted.integer(&["GET", &ugt]).expect("a count") as u64;
    let lost = 120 + UNREPLICATED + counted_after - count;
    assert_eq!(lost, UNREPLICATED, "count {count} on the promoted replica");

    // Exact again on the new master: the window fills to its limit from what it holds,
    // so the window admitted `lost` more than its limit in total (plus the uncounted).
    // Exactness, not latency, from here: a call that times out may or may not have been
    // counted. So a limiter with a long timeout, built on the cluster as it is now; its one
    // first call loads the script and connects before 64 calls at once.
    let exact = Arc::new(
        RedisLimiter::<Endpoint>::builder_cluster(cluster.client())
            .clock(clock.clone())
            .failure_policy(FailurePolicy::Closed)
            .timeout(Duration::from_secs(10))
            .build()
            .expect("build"),
    );
    let warm_up = exact
        .try_acquire(ep)
        .await
        .expect("admitted on the new master");
    assert_eq!(warm_up.remaining(), max - count - 1);
    let before_exhausting = count + 1;
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let exact = exact.clone();
            tokio::spawn(async move {
                let mut admitted = 0;
                for _ in 0..10 {
                    match exact.try_acquire(ep).await {
                        Ok(_) => admitted += 1,
                        Err(Refusal::Denied(_)) => {}
                        Err(e) => panic!("after the failover: {e}"),
                    }
                }
                admitted
            })
        })
        .collect();
    let mut admitted = 0;
    for t in tasks {
        admitted += t.await.expect("no task panics");
    }
    assert_eq!(before_exhausting + admitted, max);
    assert_eq!(promoted.integer(&["GET", &ugt]), Some(max as i64));
    let counted_total = 120 + UNREPLICATED + counted_after + 1 + admitted;
    assert_eq!(counted_total, max + lost);
    println!(
        "failover after {failover:?}: {refused} refused (Closed), {uncounted} admitted \
         uncounted (Open); another master's bucket admitted {other_admitted}, failed \
         {other_failed}; {lost} counts lost with the master, so {counted_total} counted \
         admissions for a limit of {max}"
    );

    let lines = logs.lines();
    let has = |level: &str, text: &str| {
        lines
            .iter()
            .any(|l| l.starts_with(level) && l.contains(text))
    };
    assert!(has("ERROR", "fail closed"), "{lines:#?}");
    assert!(has("ERROR", "fail open"), "{lines:#?}");
    assert!(has("WARN", "answers again"), "{lines:#?}");
}

/// Polls until the replica on `replica` has processed everything the master on `master`
/// wrote (replication offsets equal).
fn wait_replicated(cluster: &RedisCluster, master: u16, replica: u16) {
    let offset = |port: u16, field: &str| -> Option<u64> {
        let info = cluster.node(port).command(&["INFO", "replication"]);
        info.lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().parse().ok())
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (m, r) = (
            offset(master, "master_repl_offset:"),
            offset(replica, "slave_repl_offset:"),
        );
        if m.is_some() && m == r {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "replica {replica} at {r:?}, master {master} at {m:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
