//! The Lua script that charges one bucket in one round trip, and its reply.
//!
//! The client names the current window of each of the bucket's windows (from its own clock)
//! and passes the limits and key TTLs as arguments; the script only reads the counters and,
//! when every window has room, increments them all. It reads no time and draws no random
//! number, so it replicates and replays deterministically. It runs by EVALSHA; after a
//! `SCRIPT FLUSH` or a restart the server answers NOSCRIPT, and the script is loaded again
//! (`SCRIPT LOAD`) and re-run, once, within the same call's timeout. On a cluster the
//! script's keys share one hash tag, so EVALSHA runs on the master of that one slot, and so
//! does the `SCRIPT LOAD` after a NOSCRIPT (a replica promoted by a failover starts without
//! the script: Redis does not replicate its script cache).

use super::conn::Handle;
use ::redis::{Cmd, ErrorKind, RedisResult, ServerErrorKind};

/// The script's source (`script.lua`).
pub(crate) const SOURCE: &str = include_str!("script.lua");

/// The script and its SHA-1, computed once.
#[derive(Debug)]
pub(crate) struct ChargeScript {
    sha: String,
}

impl ChargeScript {
    pub(crate) fn new() -> Self {
        ChargeScript {
            sha: ::redis::Script::new(SOURCE).get_hash().to_owned(),
        }
    }

    /// The SHA-1 that EVALSHA names.
    pub(crate) fn sha(&self) -> &str {
        &self.sha
    }

    /// `EVALSHA sha n key_1..key_n cost_1 max_1 ttl_1 .. cost_n max_n ttl_n`.
    fn cmd(&self, keys: &[String], args: &[u64]) -> Cmd {
        let mut cmd = ::redis::cmd("EVALSHA");
        cmd.arg(&self.sha).arg(keys.len()).arg(keys).arg(args);
        cmd
    }

    /// Runs the script: one round trip, or three after the server lost the script.
    pub(crate) async fn eval(
        &self,
        con: &mut Handle,
        keys: &[String],
        args: &[u64],
    ) -> RedisResult<Vec<i64>> {
        let cmd = self.cmd(keys, args);
        match cmd.query_async(con).await {
            Err(e) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                con.load_script(SOURCE, keys.first().map(String::as_str))
                    .await?;
                cmd.query_async(con).await
            }
            other => other,
        }
    }
}

/// The script's answer: whether it charged, and each window's count (after the charge, or
/// as found when nothing was charged).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) admitted: bool,
    pub(crate) counts: Vec<u64>,
}

impl Reply {
    /// Checks the shape of `{admitted, count_1, ..., count_n}` for `windows` windows.
    pub(crate) fn decode(values: Vec<i64>, windows: usize) -> Result<Reply, String> {
        let bad = || format!("{values:?} for {windows} window(s)");
        let (&flag, counts) = values.split_first().ok_or_else(bad)?;
        if counts.len() != windows || !(flag == 0 || flag == 1) {
            return Err(bad());
        }
        let counts = counts
            .iter()
            .map(|&c| u64::try_from(c).map_err(|_| bad()))
            .collect::<Result<Vec<u64>, String>>()?;
        Ok(Reply {
            admitted: flag == 1,
            counts,
        })
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn replies_of_the_wrong_shape_are_errors_not_panics() {
        assert_eq!(
            Reply::decode(vec![1, 3, 4], 2),
            Ok(Reply {
                admitted: true,
                counts: vec![3, 4]
            })
        );
        assert!(Reply::decode(vec![], 1).is_err());
        assert!(Reply::decode(vec![1], 1).is_err());
        assert!(Reply::decode(vec![2, 1], 1).is_err());
        assert!(Reply::decode(vec![0, -1], 1).is_err());
    }

    #[test]
    fn the_sha_is_that_of_the_source() {
        assert_eq!(ChargeScript::new().sha().len(), 40);
        assert!(SOURCE.contains("INCRBY"));
    }
}
