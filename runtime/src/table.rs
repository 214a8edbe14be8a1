//! The counters of one set of endpoints and the all-or-nothing charge across windows.
//!
//! The table knows nothing of clocks: callers pass the time, so the direct limiter, the keyed
//! limiter and the async waiter share this code.

use crate::endpoints::Endpoints;
use crate::meta::{Per, Window};
use crate::outcome::{Denied, ExceedsLimit, LimitError, Permit, Refusal};
use crate::slot::{Charge, MAX_LIMIT, Slot};
use crate::window;
use std::marker::PhantomData;
use std::time::Duration;

/// One slot per (bucket, window), buckets laid out one after another.
#[derive(Debug)]
pub(crate) struct Table<E> {
    slots: Box<[Slot]>,
    /// The index of each bucket's first slot.
    first: Box<[u32]>,
    _endpoints: PhantomData<fn() -> E>,
}

/// The end of the window in force: the caller's window `id`, or a later one whose
/// truncated tag is `tag`.
#[inline]
fn end_of<E: Endpoints>(per: Per, id: u64, tag: u32) -> u64 {
    let id = id + u64::from(tag.wrapping_sub(id as u32));
    window::end_ms(per, E::UTC_OFFSET_SECS, id)
}

/// The tighter of two (remaining, reset) pairs: fewer units left wins; on a tie, the later
/// reset, since the remaining count only grows once both windows have ended.
#[inline]
fn tighter(a: (u64, u64), b: (u64, u64)) -> (u64, u64) {
    if a.0 < b.0 || (a.0 == b.0 && a.1 > b.1) {
        a
    } else {
        b
    }
}

impl<E: Endpoints> Table<E> {
    /// Empty counters at the documented limits, opened at `now_ms`.
    pub(crate) fn new(now_ms: u64) -> Self {
        let mut first = Vec::with_capacity(E::BUCKETS.len());
        let mut slots = Vec::new();
        for bucket in E::BUCKETS {
            first.push(slots.len() as u32);
            for w in bucket.windows {
                let id = window::id(w.per, E::UTC_OFFSET_SECS, now_ms);
                slots.push(Slot::new(w.max, id as u32));
            }
        }
        Table {
            slots: slots.into_boxed_slice(),
            first: first.into_boxed_slice(),
            _endpoints: PhantomData,
        }
    }

    /// The endpoint's windows and their slots.
    #[inline]
    fn bucket(&self, ep: E) -> (&'static [Window], &[Slot]) {
        let b = ep.bucket();
        let windows = E::BUCKETS[b].windows;
        let first = self.first[b] as usize;
        (windows, &self.slots[first..first + windows.len()])
    }

    /// Charges `cost` to every window of the endpoint's bucket, or to none.
    #[inline]
    pub(crate) fn try_acquire_n(&self, ep: E, cost: u64, now_ms: u64) -> Result<Permit, Refusal> {
        let (windows, slots) = self.bucket(ep);
        let (remaining, reset_ms) = match (windows, slots) {
            // Most endpoints have one window: one compare-and-swap, nothing to roll back.
            ([w], [slot]) => {
                let id = window::id(w.per, E::UTC_OFFSET_SECS, now_ms);
                match slot.charge(id as u32, cost) {
                    Charge::Done { tag, count, max } => (max - count, end_of::<E>(w.per, id, tag)),
                    refused => return Err(refusal::<E>(refused, w.per, id, cost, now_ms)),
                }
            }
            _ => {
                self.precheck(windows, slots, cost, now_ms)?;
                charge_from::<E>(windows, slots, cost, now_ms)?
            }
        };
        Ok(Permit {
            remaining,
            reset_ms,
            now_ms,
        })
    }

    /// Refuses without writing anything when a window would refuse now, so refused calls
    /// neither charge-and-roll-back nor make other callers see a transient charge.
    #[inline]
    fn precheck(
        &self,
        windows: &[Window],
        slots: &[Slot],
        cost: u64,
        now_ms: u64,
    ) -> Result<(), Refusal> {
        // The denial is kept in scalars, not an `Option<Denied>`: rebuilding that struct on
        // the stack each round cost store-forwarding stalls worth a third of a refusal.
        let mut denied: Option<usize> = None;
        let mut retry_ms = 0;
        let mut denied_max = 0;
        for (i, (w, slot)) in windows.iter().zip(slots).enumerate() {
            let id = window::id(w.per, E::UTC_OFFSET_SECS, now_ms);
            let v = slot.view(id as u32);
            if cost > v.max {
                return Err(Refusal::Exceeds(ExceedsLimit {
                    cost,
                    window: Window {
                        max: v.max,
                        per: w.per,
                    },
                }));
            }
            if v.count + cost > v.max {
                let retry = end_of::<E>(w.per, id, v.tag).saturating_sub(now_ms);
                // The full window that ends last: no retry passes before it ends.
                if denied.is_none() || retry > retry_ms {
                    (denied, retry_ms, denied_max) = (Some(i), retry, v.max);
                }
            }
        }
        match denied {
            None => Ok(()),
            Some(i) => Err(Refusal::Denied(Denied {
                retry_after: Duration::from_millis(retry_ms),
                window: Window {
                    max: denied_max,
                    per: windows[i].per,
                },
            })),
        }
    }

    /// Units available to the endpoint now: the least over its windows.
    pub(crate) fn remaining(&self, ep: E, now_ms: u64) -> u64 {
        self.tightest(ep, now_ms).0
    }

    /// When the endpoint's remaining units next grow, in Unix milliseconds.
    pub(crate) fn reset_at(&self, ep: E, now_ms: u64) -> u64 {
        self.tightest(ep, now_ms).1
    }

    fn tightest(&self, ep: E, now_ms: u64) -> (u64, u64) {
        let (windows, slots) = self.bucket(ep);
        windows
            .iter()
            .zip(slots)
            .map(|(w, slot)| {
                let id = window::id(w.per, E::UTC_OFFSET_SECS, now_ms);
                let v = slot.view(id as u32);
                (v.max.saturating_sub(v.count), end_of::<E>(w.per, id, v.tag))
            })
            .fold((u64::MAX, now_ms), tighter)
    }

    /// Units available in the endpoint's `per` window now, if it has one.
    pub(crate) fn remaining_in(&self, ep: E, per: Per, now_ms: u64) -> Option<u64> {
        let (windows, slots) = self.bucket(ep);
        let i = windows.iter().position(|w| w.per == per)?;
        let id = window::id(per, E::UTC_OFFSET_SECS, now_ms);
        let v = slots[i].view(id as u32);
        Some(v.max.saturating_sub(v.count))
    }

    /// The current limit of the endpoint's `per` window, if it has one.
    pub(crate) fn limit(&self, ep: E, per: Per) -> Option<u64> {
        let (windows, slots) = self.bucket(ep);
        let i = windows.iter().position(|w| w.per == per)?;
        Some(slots[i].max())
    }

    /// Changes the limit of the endpoint's `per` window, for every endpoint of its bucket.
    pub(crate) fn set_limit(&self, ep: E, per: Per, max: u64) -> Result<(), LimitError> {
        if max > MAX_LIMIT {
            return Err(LimitError::TooLarge { max });
        }
        let (windows, slots) = self.bucket(ep);
        let i = windows
            .iter()
            .position(|w| w.per == per)
            .ok_or(LimitError::NoSuchWindow {
                endpoint: ep.as_str(),
                per,
            })?;
        slots[i].set_max(max);
        Ok(())
    }

    /// Copies every current limit from `other`, so new tenants start at adjusted limits.
    pub(crate) fn copy_limits(&self, other: &Table<E>) {
        for (mine, theirs) in self.slots.iter().zip(other.slots.iter()) {
            mine.set_max(theirs.max());
        }
    }

    /// The moment all charges held now have expired, or `None` if nothing is charged:
    /// a table without charges is indistinguishable from a new one and can be dropped.
    pub(crate) fn live_until(&self, now_ms: u64) -> Option<u64> {
        let mut until = None;
        for (b, bucket) in E::BUCKETS.iter().enumerate() {
            let first = self.first[b] as usize;
            for (w, slot) in bucket.windows.iter().zip(&self.slots[first..]) {
                let id = window::id(w.per, E::UTC_OFFSET_SECS, now_ms);
                let v = slot.view(id as u32);
                if v.count > 0 {
                    let end = end_of::<E>(w.per, id, v.tag);
                    until = Some(until.map_or(end, |u: u64| u.max(end)));
                }
            }
        }
        until
    }
}

/// Turns a slot's refusal into the caller's.
#[cold]
fn refusal<E: Endpoints>(charge: Charge, per: Per, id: u64, cost: u64, now_ms: u64) -> Refusal {
    match charge {
        Charge::Full { tag, max, .. } => Refusal::Denied(Denied {
            retry_after: Duration::from_millis(end_of::<E>(per, id, tag).saturating_sub(now_ms)),
            window: Window { max, per },
        }),
        Charge::Exceeds { max } => Refusal::Exceeds(ExceedsLimit {
            cost,
            window: Window { max, per },
        }),
        Charge::Done { .. } => unreachable!("an admitted charge is not a refusal"),
    }
}

/// Charges the windows in order; when one refuses, refunds the ones charged before it, each
/// to the window it was charged in (a refund never reaches into a later window).
///
/// Recursion keeps each charged tag on the stack, so any number of windows needs no heap.
/// No count ever exceeds its limit: each charge is checked against the limit in its own
/// compare-and-swap, and a refund only lowers a count.
fn charge_from<E: Endpoints>(
    windows: &[Window],
    slots: &[Slot],
    cost: u64,
    now_ms: u64,
) -> Result<(u64, u64), Refusal> {
    let (Some(w), Some(slot)) = (windows.first(), slots.first()) else {
        return Ok((u64::MAX, now_ms));
    };
    let id = window::id(w.per, E::UTC_OFFSET_SECS, now_ms);
    match slot.charge(id as u32, cost) {
        Charge::Done { tag, count, max } => {
            match charge_from::<E>(&windows[1..], &slots[1..], cost, now_ms) {
                Ok(rest) => Ok(tighter((max - count, end_of::<E>(w.per, id, tag)), rest)),
                Err(refused) => {
                    slot.refund(tag, cost);
                    Err(refused)
                }
            }
        }
        refused => Err(refusal::<E>(refused, w.per, id, cost, now_ms)),
    }
}
