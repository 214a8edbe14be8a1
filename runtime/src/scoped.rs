//! The windows counted per scope key (one user, one channel), in bounded memory.
//!
//! A request that names its scope key (`try_acquire_scoped(ep, "alice", 1)`) is charged in
//! the tenant's windows and in that key's windows of the same bucket, all or nothing. Each
//! key's counters live in one entry of a map holding at most `capacity` entries:
//!
//! - **Keys are hashed, not stored**: an entry is named by a 64-bit hash of the key under a
//!   random seed (std's SipHash `RandomState`), so a key of any length costs the same few
//!   bytes and chosen keys cannot force collisions.
//! - **Only admitted keys take room**: a new key's entry is inserted when its first charge is
//!   admitted, so keys refused by the tenant's own windows never enter the map. A key's
//!   entry can only be kept by charges the tenant windows admitted.
//! - **Expired entries are dropped** when room is needed: an entry whose charges have all
//!   expired reads exactly as a new one. When every entry still holds live charges, a new
//!   key is refused with [`Refusal::Unavailable`] of kind
//!   [`NoRoom`](crate::UnavailableKind::NoRoom) until the first of them expires (within one
//!   window), rather than evicting live counters, which would let that key exceed its limit.

use crate::meta::{Bucket, Window};
use crate::outcome::{Refusal, Unavailable};
use crate::slot::Slot;
use crate::window::{self, Layout, Length, MAX_LIMIT};
use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

/// How many scope keys a limiter holds by default.
pub const DEFAULT_SCOPE_CAPACITY: usize = 10_000;

/// The per-scope-key windows of every bucket, and the entries of the keys seen.
#[derive(Debug)]
pub(crate) struct Scoped {
    layout: Layout,
    /// The current limit of each window of `layout` (new entries start from it).
    limits: Box<[AtomicU64]>,
    entries: RwLock<Entries>,
    capacity: usize,
    seed: RandomState,
    utc_offset_secs: i32,
}

#[derive(Debug, Default)]
struct Entries {
    /// (bucket, hash of the key) → the key's slots, one per window of the bucket's layout.
    map: HashMap<(u32, u64), Box<[Slot]>>,
    /// No entry can have expired before this time (see the keyed limiter's sweep).
    sweep_after_ms: u64,
}

impl Scoped {
    pub(crate) fn new(buckets: &[Bucket], utc_offset_secs: i32, capacity: usize) -> Self {
        let layout = Layout::scoped(buckets);
        let limits = layout
            .all()
            .iter()
            .map(|w| AtomicU64::new(w.max.min(MAX_LIMIT)))
            .collect();
        Scoped {
            layout,
            limits,
            entries: RwLock::new(Entries::default()),
            capacity,
            seed: RandomState::new(),
            utc_offset_secs,
        }
    }

    /// The same windows and limits, holding at most `capacity` keys, with no entries.
    pub(crate) fn with_capacity(&self, capacity: usize) -> Self {
        let limits = self
            .limits
            .iter()
            .map(|m| AtomicU64::new(m.load(Ordering::Relaxed)))
            .collect();
        Scoped {
            layout: self.layout.clone(),
            limits,
            entries: RwLock::new(Entries::default()),
            capacity,
            seed: RandomState::new(),
            utc_offset_secs: self.utc_offset_secs,
        }
    }

    /// The number of keys held now.
    pub(crate) fn len(&self) -> usize {
        self.read().map.len()
    }

    /// Bucket `b`'s windows counted per scope key.
    #[inline]
    pub(crate) fn windows(&self, b: usize) -> &[Window] {
        self.layout.windows(b)
    }

    /// The hash naming `key`'s entry (`key` may be a tuple, e.g. a tenant and a user).
    pub(crate) fn hash(&self, key: impl Hash) -> u64 {
        self.seed.hash_one(key)
    }

    /// Runs `charge` on bucket `b`'s windows and the slots of the key hashed `h`, creating
    /// its entry if `charge` admits; `charge` sees empty slices for a bucket without scoped
    /// windows. A new key finding no room is refused without running `charge`.
    pub(crate) fn with<T>(
        &self,
        b: usize,
        h: u64,
        now_ms: u64,
        charge: impl FnOnce(&[Window], &[Slot]) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        let windows = self.windows(b);
        if windows.is_empty() {
            return charge(&[], &[]);
        }
        let id = (b as u32, h);
        {
            let entries = self.read();
            if let Some(slots) = entries.map.get(&id) {
                return charge(windows, slots);
            }
        }
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(slots) = entries.map.get(&id) {
            return charge(windows, slots);
        }
        if entries.map.len() >= self.capacity {
            self.sweep(&mut entries, now_ms);
            if entries.map.len() >= self.capacity {
                let after = entries.sweep_after_ms.saturating_sub(now_ms);
                return Err(Refusal::Unavailable(Unavailable::no_room(
                    Duration::from_millis(after),
                )));
            }
        }
        let start = self.layout.range(b).start;
        let slots: Box<[Slot]> = windows
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let max = self.limits[start + i].load(Ordering::Relaxed);
                Slot::new(max, window::id(w, self.utc_offset_secs, now_ms) as u32)
            })
            .collect();
        let charged = charge(windows, &slots)?;
        let expires = live_until(windows, &slots, self.utc_offset_secs, now_ms).unwrap_or(now_ms);
        entries.sweep_after_ms = entries.sweep_after_ms.min(expires);
        entries.map.insert(id, slots);
        Ok(charged)
    }

    /// The current limit of bucket `b`'s per-key window of length `len`, if it has one.
    pub(crate) fn limit(&self, b: usize, len: Length) -> Option<u64> {
        let i = self.layout.find(b, len)?;
        let limit = self.limits.get(self.layout.range(b).start + i)?;
        Some(limit.load(Ordering::Relaxed))
    }

    /// Sets the limit of bucket `b`'s per-key window of length `len`, for every key held
    /// and to come; `false` if the bucket has no such window.
    pub(crate) fn set_limit(&self, b: usize, len: Length, max: u64) -> bool {
        let Some(i) = self.layout.find(b, len) else {
            return false;
        };
        let max = max.min(MAX_LIMIT);
        if let Some(limit) = self.limits.get(self.layout.range(b).start + i) {
            limit.store(max, Ordering::Relaxed);
        }
        let entries = self.read();
        for ((bucket, _), slots) in &entries.map {
            if *bucket as usize == b
                && let Some(slot) = slots.get(i)
            {
                slot.set_max(max);
            }
        }
        true
    }

    /// Drops every entry whose charges have all expired.
    fn sweep(&self, entries: &mut Entries, now_ms: u64) {
        if now_ms < entries.sweep_after_ms {
            return;
        }
        let mut first_expiry = u64::MAX;
        entries.map.retain(|(b, _), slots| {
            match live_until(
                self.windows(*b as usize),
                slots,
                self.utc_offset_secs,
                now_ms,
            ) {
                Some(until) => {
                    first_expiry = first_expiry.min(until);
                    true
                }
                None => false,
            }
        });
        entries.sweep_after_ms = first_expiry;
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Entries> {
        self.entries.read().unwrap_or_else(PoisonError::into_inner)
    }
}

/// When the last charge held in `slots` expires, or `None` if none is held.
fn live_until(
    windows: &[Window],
    slots: &[Slot],
    utc_offset_secs: i32,
    now_ms: u64,
) -> Option<u64> {
    windows
        .iter()
        .zip(slots)
        .filter_map(|(w, slot)| {
            let id = window::id(w, utc_offset_secs, now_ms);
            let v = slot.view(id as u32);
            (v.count > 0).then(|| {
                let id = id + u64::from(v.tag.wrapping_sub(id as u32));
                window::end_ms(w, utc_offset_secs, id)
            })
        })
        .max()
}
