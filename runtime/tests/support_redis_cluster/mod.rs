//! A private Redis Cluster per test: three masters and one replica each, on free loopback
//! ports, created with `redis-cli --cluster create`, killed (and its files removed) on drop.
//!
//! Missing `redis-server` or `redis-cli` fails the test (never skips it).
#![allow(dead_code)]

use crate::support_redis::RedisServer;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

const INSTALL: &str = "redis-cli is needed by the Redis Cluster tests: install it with \
                       `apt-get install -y redis-server` (Debian/Ubuntu; its dependency \
                       redis-tools has redis-cli)";

/// How long a node may be unreachable before the others count it as failed. Short, so a
/// failover takes about two seconds.
pub const NODE_TIMEOUT_MS: u64 = 1_000;

/// The next port to try, below Linux's ephemeral range (32768-60999), where no outgoing
/// connection (the nodes' own, among them) can take a port between its choice and its bind.
static NEXT_PORT: AtomicU16 = AtomicU16::new(0);

/// A port free now, distinct from the others this process chose; from an offset by process
/// id, so that test binaries running at once mostly try different ports.
fn cluster_port() -> u16 {
    const FIRST: u16 = 20_000;
    const SPAN: u16 = 12_000;
    let _ = NEXT_PORT.compare_exchange(
        0,
        (std::process::id() % u32::from(SPAN)) as u16,
        Ordering::Relaxed,
        Ordering::Relaxed,
    );
    loop {
        let port = FIRST + NEXT_PORT.fetch_add(1, Ordering::Relaxed) % SPAN;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// One node of the cluster, as `CLUSTER NODES` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub port: u16,
    pub flags: String,
    /// The id of its master, for a replica.
    pub master_id: Option<String>,
    /// Inclusive slot ranges served, for a master.
    pub slots: Vec<(u16, u16)>,
}

impl Node {
    pub fn is_master(&self) -> bool {
        self.flags.split(',').any(|f| f == "master")
    }

    pub fn failed(&self) -> bool {
        self.flags.split(',').any(|f| f == "fail" || f == "fail?")
    }

    pub fn serves(&self, slot: u16) -> bool {
        self.slots.iter().any(|&(a, b)| (a..=b).contains(&slot))
    }
}

/// A running cluster owned by the test.
pub struct RedisCluster {
    /// Every node started, by port; `None` once killed.
    nodes: Vec<(u16, Option<RedisServer>)>,
    dir: PathBuf,
}

impl RedisCluster {
    /// Three masters, one replica each, every slot served and every replica in sync.
    pub fn start() -> RedisCluster {
        let port = cluster_port();
        let dir =
            std::env::temp_dir().join(format!("ratespec-cluster-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the cluster's directory");
        // Built first, so that a panic below still removes what was started.
        let mut cluster = RedisCluster {
            nodes: Vec::new(),
            dir,
        };
        while cluster.nodes.len() < 6 {
            let node = cluster.start_node();
            cluster.nodes.push(node);
        }
        let addresses: Vec<String> = cluster
            .ports()
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect();
        let out = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run redis-cli ({e}). {INSTALL}"));
        assert!(
            out.status.success(),
            "redis-cli --cluster create failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        cluster.wait_until_ok(Duration::from_secs(20));
        cluster
    }

    /// One node on free ports, trying others while a port is taken meanwhile (by another
    /// test binary starting its servers, say).
    fn start_node(&self) -> (u16, Option<RedisServer>) {
        let mut failures = Vec::new();
        while failures.len() < 5 {
            // The bus port is chosen too: the default (port + 10000) may be taken or beyond
            // 65535.
            let (port, bus) = (cluster_port(), cluster_port());
            let config = self.dir.join(format!("nodes-{port}.conf"));
            let started = RedisServer::try_start_with(
                port,
                &[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-port",
                    &bus.to_string(),
                    "--cluster-config-file",
                    config.to_str().expect("a UTF-8 temporary directory"),
                    "--cluster-node-timeout",
                    &NODE_TIMEOUT_MS.to_string(),
                    "--dir",
                    self.dir.to_str().expect("a UTF-8 temporary directory"),
                    // A replica's first sync starts at once, not after the default 5 s wait
                    // for more replicas to share the transfer.
                    "--repl-diskless-sync-delay",
                    "0",
                ],
            );
            match started {
                Ok(server) => return (port, Some(server)),
                Err(e) => failures.push(e),
            }
        }
        panic!("no cluster node could start: {failures:?}");
    }

    /// The ports of every node started (killed ones included).
    pub fn ports(&self) -> Vec<u16> {
        self.nodes.iter().map(|(p, _)| *p).collect()
    }

    /// The nodes still running.
    pub fn live(&self) -> impl Iterator<Item = &RedisServer> {
        self.nodes.iter().filter_map(|(_, s)| s.as_ref())
    }

    /// The running node on `port`.
    pub fn node(&self, port: u16) -> &RedisServer {
        self.nodes
            .iter()
            .find(|(p, _)| *p == port)
            .and_then(|(_, s)| s.as_ref())
            .unwrap_or_else(|| panic!("no running node on port {port}"))
    }

    /// Every node's URL, for `ClusterClient::new`.
    pub fn urls(&self) -> Vec<String> {
        self.ports()
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}/"))
            .collect()
    }

    pub fn client(&self) -> ratespec::redis::ClusterClientBuilder {
        ratespec::redis::ClusterClient::builder(self.urls())
    }

    /// The cluster as a live node sees it.
    pub fn topology(&self) -> Vec<Node> {
        let reply = self
            .live()
            .next()
            .expect("a running node")
            .command(&["CLUSTER", "NODES"]);
        // A bulk string: `$len`, then one line per node.
        reply.lines().skip(1).filter_map(parse_node).collect()
    }

    /// The slot of `key` (`CLUSTER KEYSLOT`).
    pub fn slot(&self, key: &str) -> u16 {
        let n = self
            .live()
            .next()
            .expect("a running node")
            .integer(&["CLUSTER", "KEYSLOT", key]);
        n.expect("a slot") as u16
    }

    /// The port of the master serving `key`'s slot, as a live node sees it now.
    pub fn master_of(&self, key: &str) -> u16 {
        let slot = self.slot(key);
        self.topology()
            .into_iter()
            .find(|n| n.is_master() && !n.failed() && n.serves(slot))
            .unwrap_or_else(|| panic!("no live master serves slot {slot}"))
            .port
    }

    /// The port of the replica of the master on `port`. Polled: the node asked may learn
    /// whom a replica follows a moment after the replica's link is up.
    pub fn replica_of(&self, port: u16) -> u16 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let nodes = self.topology();
            let master = nodes.iter().find(|n| n.port == port).expect("the master");
            if let Some(replica) = nodes
                .iter()
                .find(|n| n.master_id.as_deref() == Some(&master.id))
            {
                return replica.port;
            }
            assert!(
                Instant::now() < deadline,
                "no replica of {port} after 10 s: {nodes:?}"
            );
            sleep(Duration::from_millis(50));
        }
    }

    /// Kills the node on `port` (SIGKILL): a crashed master.
    pub fn kill(&mut self, port: u16) {
        if let Some((_, server)) = self.nodes.iter_mut().find(|(p, _)| *p == port)
            && let Some(mut server) = server.take()
        {
            server.kill();
        }
    }

    /// Polls until every live node reports `cluster_state:ok` and every live replica's link
    /// to its master is up; panics with what it saw at `within`.
    pub fn wait_until_ok(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let pending: Vec<String> = self
                .live()
                .filter_map(|node| {
                    let info = node.command(&["CLUSTER", "INFO"]);
                    if !info.contains("cluster_state:ok") {
                        return Some(format!("{}: not ok", node.port));
                    }
                    let replication = node.command(&["INFO", "replication"]);
                    (replication.contains("role:slave")
                        && !replication.contains("master_link_status:up"))
                    .then(|| format!("{}: replica not in sync", node.port))
                })
                .collect();
            if pending.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the cluster is not ok after {within:?}: {pending:?}"
            );
            sleep(Duration::from_millis(50));
        }
    }
}

/// `<id> <ip:port@bus[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slot>...`
fn parse_node(line: &str) -> Option<Node> {
    let mut fields = line.split(' ');
    let id = fields.next()?.to_owned();
    let address = fields.next()?;
    let port = address
        .split('@')
        .next()?
        .rsplit(':')
        .next()?
        .parse()
        .ok()?;
    let flags = fields.next()?.to_owned();
    let master_id = Some(fields.next()?.to_owned()).filter(|m| m != "-");
    let slots = fields
        .skip(4)
        .filter(|s| !s.starts_with('['))
        .filter_map(|s| match s.split_once('-') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => s.parse().ok().map(|a| (a, a)),
        })
        .collect();
    Some(Node {
        id,
        port,
        flags,
        master_id,
        slots,
    })
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for (_, server) in &mut self.nodes {
            if let Some(mut server) = server.take() {
                server.kill();
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
