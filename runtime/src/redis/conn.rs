//! The connection: one multiplexed connection (every concurrent call pipelined on it) that
//! reconnects by itself after I/O errors, and is replaced after repeated timeouts. To one
//! Redis (a `ConnectionManager`) or, with feature `redis-cluster`, to a Redis Cluster (the
//! redis crate's async `ClusterConnection`, which routes each command to the master of its
//! keys' slot, follows MOVED/ASK and refreshes the slot map after a failover). The limiter
//! above sees one [`Handle`] either way.
//!
//! The redis crate's `ConnectionManager` reconnects when the connection breaks, but a
//! connection whose peer stops answering without closing (a host gone, a failover behind a
//! virtual IP) only times out. After [`TIMEOUTS_BEFORE_REPLACING`] timeouts in a row the
//! connection is replaced by a fresh, lazily connecting one, at most once per
//! [`REPLACE_EVERY`].

use ::redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
#[cfg(feature = "redis-cluster")]
use ::redis::cluster::{ClusterClient, ClusterClientBuilder, ClusterConfig};
#[cfg(feature = "redis-cluster")]
use ::redis::cluster_async::ClusterConnection;
#[cfg(feature = "redis-cluster")]
use ::redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
use ::redis::{Client, Cmd, ErrorKind, Pipeline, RedisError, RedisFuture, RedisResult, Value};
use std::fmt;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Timeouts in a row after which the connection is replaced.
const TIMEOUTS_BEFORE_REPLACING: u32 = 3;
/// The least time between two replacements.
const REPLACE_EVERY: Duration = Duration::from_secs(1);

/// Where connections come from: one Redis, or a Redis Cluster.
#[derive(Debug)]
pub(crate) enum Backend {
    Single(Client),
    /// Boxed: the cluster builder is twice the size of the single client, and built once.
    #[cfg(feature = "redis-cluster")]
    Cluster(Box<ClusterClientBuilder>),
}

/// A backend with the connection settings derived from the limiter's timeout.
enum Factory {
    Single(Client, ConnectionManagerConfig),
    #[cfg(feature = "redis-cluster")]
    Cluster(ClusterClient, ClusterConfig),
}

impl Factory {
    fn new(backend: Backend, timeout: Duration) -> RedisResult<Self> {
        // Connecting may take longer than one call's timeout: it continues in the background
        // while calls apply the failure policy.
        let connect = timeout.max(Duration::from_secs(1));
        Ok(match backend {
            Backend::Single(client) => Factory::Single(
                client,
                ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(connect))
                    .set_number_of_retries(2)
                    .set_min_delay(Duration::from_millis(10))
                    .set_max_delay(Duration::from_millis(500)),
            ),
            // A response timeout too (twice the call's, so that the call's own timeout
            // fires first), so that the cluster connection itself gives up on a frozen node
            // instead of queueing behind it. A retry after CLUSTERDOWN or TRYAGAIN
            // (a failover) or for a slot missing from the map waits 1.28 s at least by
            // default, far beyond a call's timeout: here 10 ms, doubling, so that several
            // fit in one call while the cluster changes.
            #[cfg(feature = "redis-cluster")]
            Backend::Cluster(builder) => Factory::Cluster(
                builder
                    .connection_timeout(connect)
                    .response_timeout(2 * timeout)
                    .min_retry_wait(10)
                    .max_retry_wait(500)
                    .retry_wait_formula(10, 2)
                    .build()?,
                ClusterConfig::new()
                    .set_connection_timeout(connect)
                    .set_response_timeout(2 * timeout),
            ),
        })
    }

    /// A lazily connecting connection: never waits for (nor fails because of) Redis.
    fn connect(&self) -> RedisResult<Handle> {
        match self {
            Factory::Single(client, config) => Ok(Handle::Single(
                ConnectionManager::new_lazy_with_config(client.clone(), config.clone())?,
            )),
            #[cfg(feature = "redis-cluster")]
            Factory::Cluster(client, config) => Ok(Handle::Cluster(
                client.get_pending_async_connection_with_config(config.clone()),
            )),
        }
    }
}

/// A handle on a connection (a cheap clone of an `Arc` or a channel sender).
#[derive(Clone)]
pub(crate) enum Handle {
    Single(ConnectionManager),
    #[cfg(feature = "redis-cluster")]
    Cluster(ClusterConnection),
}

impl Handle {
    /// `SCRIPT LOAD` on the server that runs the script for `key`: the one Redis, or the
    /// master of `key`'s slot. (Routed as it is, a cluster sends `SCRIPT LOAD` to every
    /// master and fails while any one of them is down, even one holding none of the keys.)
    pub(crate) async fn load_script(
        &mut self,
        source: &str,
        key: Option<&str>,
    ) -> RedisResult<String> {
        let mut cmd = ::redis::cmd("SCRIPT");
        cmd.arg("LOAD").arg(source);
        match (self, key) {
            #[cfg(feature = "redis-cluster")]
            (Handle::Cluster(con), Some(key)) => {
                let route = Route::with_key(key.as_bytes(), SlotAddr::Master);
                let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(route));
                Ok(::redis::from_redis_value(
                    con.route_command(cmd, routing).await?,
                )?)
            }
            (con, _) => cmd.query_async(con).await,
        }
    }
}

impl ConnectionLike for Handle {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Handle::Single(con) => con.req_packed_command(cmd),
            #[cfg(feature = "redis-cluster")]
            Handle::Cluster(con) => con.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Handle::Single(con) => con.req_packed_commands(pipeline, offset, count),
            #[cfg(feature = "redis-cluster")]
            Handle::Cluster(con) => con.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Handle::Single(con) => con.get_db(),
            #[cfg(feature = "redis-cluster")]
            Handle::Cluster(con) => con.get_db(),
        }
    }
}

impl fmt::Debug for Factory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Factory::Single(client, _) => f.debug_tuple("Single").field(client).finish(),
            #[cfg(feature = "redis-cluster")]
            Factory::Cluster(client, _) => f.debug_tuple("Cluster").field(client).finish(),
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Handle::Single(_) => "Handle::Single",
            #[cfg(feature = "redis-cluster")]
            Handle::Cluster(_) => "Handle::Cluster",
        })
    }
}

#[derive(Debug)]
pub(crate) struct Conn {
    factory: Factory,
    current: RwLock<Handle>,
    timeouts: AtomicU32,
    start: Instant,
    /// Milliseconds since `start` of the last replacement.
    replaced_ms: AtomicU64,
}

impl Conn {
    /// A lazily connecting connection: building never waits for (nor fails because of)
    /// Redis. Needs a Tokio runtime, where the connection spawns its reconnection tasks.
    pub(crate) fn new(backend: Backend, timeout: Duration) -> RedisResult<Self> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(RedisError::from((
                ErrorKind::InvalidClientConfig,
                "ratespec::redis::RedisLimiter must be built inside a Tokio runtime",
            )));
        }
        let factory = Factory::new(backend, timeout)?;
        let current = factory.connect()?;
        Ok(Conn {
            factory,
            current: RwLock::new(current),
            timeouts: AtomicU32::new(0),
            start: Instant::now(),
            replaced_ms: AtomicU64::new(0),
        })
    }

    /// A handle on the current connection (a cheap clone of an `Arc`).
    pub(crate) fn get(&self) -> Handle {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// A call got an answer.
    pub(crate) fn answered(&self) {
        if self.timeouts.load(Ordering::Relaxed) != 0 {
            self.timeouts.store(0, Ordering::Relaxed);
        }
    }

    /// A call timed out: after several in a row, replace the connection.
    pub(crate) fn timed_out(&self) {
        if self.timeouts.fetch_add(1, Ordering::Relaxed) + 1 < TIMEOUTS_BEFORE_REPLACING {
            return;
        }
        let now = self.start.elapsed().as_millis() as u64 + 1;
        let last = self.replaced_ms.load(Ordering::Relaxed);
        if (last != 0 && now.saturating_sub(last) < REPLACE_EVERY.as_millis() as u64)
            || self
                .replaced_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let Ok(fresh) = self.factory.connect() else {
            return;
        };
        let mut guard = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = fresh;
        self.timeouts.store(0, Ordering::Relaxed);
    }
}
