//! The connection: one multiplexed connection (every concurrent call pipelined on it) that
//! reconnects by itself after I/O errors, and is replaced after repeated timeouts.
//!
//! The redis crate's `ConnectionManager` reconnects when the connection breaks, but a
//! connection whose peer stops answering without closing (a host gone, a failover behind a
//! virtual IP) only times out. After [`TIMEOUTS_BEFORE_REPLACING`] timeouts in a row the
//! manager is replaced by a fresh, lazily connecting one, at most once per
//! [`REPLACE_EVERY`].

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{Client, ErrorKind, RedisError, RedisResult};
use std::sync::RwLock;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Timeouts in a row after which the connection is replaced.
const TIMEOUTS_BEFORE_REPLACING: u32 = 3;
/// The least time between two replacements.
const REPLACE_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub(crate) struct Conn {
    client: Client,
    config: ConnectionManagerConfig,
    current: RwLock<ConnectionManager>,
    timeouts: AtomicU32,
    start: Instant,
    /// Milliseconds since `start` of the last replacement.
    replaced_ms: AtomicU64,
}

impl Conn {
    /// A lazily connecting manager: building never waits for (nor fails because of) Redis.
    /// Needs a Tokio runtime, where the manager spawns its reconnection tasks.
    pub(crate) fn new(client: Client, timeout: Duration) -> RedisResult<Self> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(RedisError::from((
                ErrorKind::InvalidClientConfig,
                "ratespec::redis::RedisLimiter must be built inside a Tokio runtime",
            )));
        }
        // Connecting may take longer than one call's timeout: it continues in the background
        // while calls apply the failure policy.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout.max(Duration::from_secs(1))))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(10))
            .set_max_delay(Duration::from_millis(500));
        let manager = ConnectionManager::new_lazy_with_config(client.clone(), config.clone())?;
        Ok(Conn {
            client,
            config,
            current: RwLock::new(manager),
            timeouts: AtomicU32::new(0),
            start: Instant::now(),
            replaced_ms: AtomicU64::new(0),
        })
    }

    /// A handle on the current connection (a cheap clone of an `Arc`).
    pub(crate) fn get(&self) -> ConnectionManager {
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
        let Ok(fresh) =
            ConnectionManager::new_lazy_with_config(self.client.clone(), self.config.clone())
        else {
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
