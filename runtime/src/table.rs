//! The counters of one set of endpoints and the all-or-nothing charge across windows.
//!
//! The table knows nothing of clocks: callers pass the time, so the direct limiter, the keyed
//! limiter and the async waiter share this code.

use crate::clock::Reading;
use crate::endpoints::Endpoints;
use crate::meta::{Cost, Window};
use crate::outcome::{Denied, ExceedsLimit, LimitError, OverCap, Permit, Refusal};
use crate::shortcut::Shortcuts;
use crate::slot::{Charge, Slot};
use crate::units::Units;
use crate::window::{self, Layout, Length, MAX_LIMIT};
use std::marker::PhantomData;
use std::time::Duration;

/// One slot per enforced window of each bucket (see [`Layout`]), buckets one after another.
#[derive(Debug)]
pub(crate) struct Table<E> {
    slots: Box<[Slot]>,
    /// The windows of the slots, in the same order.
    layout: Layout,
    /// Per bucket of several windows: the window a refusal last found full and its end, so
    /// that later refusals check that one slot instead of every window (see [`Table::gated`]).
    gates: Shortcuts,
    _endpoints: PhantomData<fn() -> E>,
}

/// Windows and their slots, in the same order.
pub(crate) type Part<'a> = (&'a [Window], &'a [Slot]);

/// No windows.
const NONE: Part<'static> = (&[], &[]);

/// The end of the window in force: the caller's window `id`, or a later one whose
/// truncated tag is `tag`.
#[inline]
fn end_of<E: Endpoints>(w: &Window, id: u64, tag: u32) -> u64 {
    let id = id + u64::from(tag.wrapping_sub(id as u32));
    window::end_ms(w, E::UTC_OFFSET_SECS, id)
}

/// What a permit reports: the units left in the tightest window, its end, and the window.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tightest {
    pub(crate) remaining: u64,
    pub(crate) reset_ms: u64,
    pub(crate) window: Option<Window>,
}

impl Tightest {
    /// Nothing charged yet: no window, unlimited.
    pub(crate) const fn none(now_ms: u64) -> Self {
        Tightest {
            remaining: u64::MAX,
            reset_ms: now_ms,
            window: None,
        }
    }

    /// The tighter of two: fewer units left wins; on a tie, the later reset, since the
    /// remaining count only grows once both windows have ended; on a tie of both, `self`
    /// (callers pass the earlier window of the bucket as `self`).
    #[inline]
    pub(crate) fn tighter(self, other: Tightest) -> Tightest {
        if self.remaining < other.remaining
            || (self.remaining == other.remaining && self.reset_ms >= other.reset_ms)
        {
            self
        } else {
            other
        }
    }

    pub(crate) const fn permit(self, now_ms: u64) -> Permit {
        Permit {
            remaining: self.remaining,
            reset_ms: self.reset_ms,
            now_ms,
            window: self.window,
        }
    }
}

impl<E: Endpoints> Table<E> {
    /// Empty counters at the documented limits, opened at `now_ms`.
    pub(crate) fn new(now_ms: u64) -> Self {
        let layout = Layout::new(E::BUCKETS);
        let slots = layout
            .all()
            .iter()
            .map(|w| Slot::new(w.max, window::id(w, E::UTC_OFFSET_SECS, now_ms) as u32))
            .collect();
        Table {
            slots,
            layout,
            gates: Shortcuts::new(E::BUCKETS.len()),
            _endpoints: PhantomData,
        }
    }

    /// The endpoint's windows and their slots.
    #[inline]
    fn bucket(&self, ep: E) -> (&[Window], &[Slot]) {
        self.bucket_at(ep.bucket())
    }

    /// Bucket `b`'s enforced windows and their slots.
    #[inline]
    fn bucket_at(&self, b: usize) -> (&[Window], &[Slot]) {
        let range = self.layout.range(b);
        (&self.layout.all()[range.clone()], &self.slots[range])
    }

    /// Refuses `units` if they are above one of `ep`'s per-request caps.
    #[inline]
    pub(crate) fn check_caps(ep: E, units: &Units) -> Result<(), Refusal> {
        match units.over(ep.caps(), ep.cost()) {
            Some((cap, n)) => Err(over_cap(cap, n)),
            None => Ok(()),
        }
    }

    /// Charges `units` to every window of the endpoint's bucket, each in its own basis, or to
    /// none, at the time of `reading` (the caller has checked the caps: [`Table::check_caps`]); `exact_ms` turns the reading into the time to charge at (exact near window
    /// boundaries), and is only called when the bucket's gate does not refuse first.
    ///
    /// Always inlined, with the several-window case out of line: inlined into the caller, the
    /// permit is built in registers. Returned through memory, it is written field by field
    /// and read back whole, and that store-forwarding stall cost a third of a call.
    #[inline(always)]
    pub(crate) fn try_acquire_n(
        &self,
        ep: E,
        units: Units,
        reading: Reading,
        exact_ms: impl FnOnce(Reading) -> u64,
    ) -> Result<Permit, Refusal> {
        let basis = ep.cost();
        let b = ep.bucket();
        let (windows, slots) = self.bucket_at(b);
        if let Some(refused) = self.gated(b, windows, slots, &units, reading) {
            return Err(refused);
        }
        let now_ms = exact_ms(reading);
        let tightest = match (windows, slots) {
            // Most endpoints have one window: one compare-and-swap, nothing to roll back.
            ([w], [slot]) => {
                let id = window::id(w, E::UTC_OFFSET_SECS, now_ms);
                let cost = units.of(w.cost, basis);
                match slot.charge(id as u32, cost) {
                    Charge::Done { tag, count, max } => Tightest {
                        remaining: max - count,
                        reset_ms: end_of::<E>(w, id, tag),
                        window: Some(w.with_max(max)),
                    },
                    refused => return Err(refusal::<E>(refused, w, id, cost, now_ms)),
                }
            }
            _ => self.charge_all(b, windows, slots, basis, &units, now_ms)?,
        };
        Ok(tightest.permit(now_ms))
    }

    /// Charges a bucket of several windows (or none): checks first, then charges in order.
    #[inline(never)]
    fn charge_all(
        &self,
        b: usize,
        windows: &[Window],
        slots: &[Slot],
        basis: Cost,
        units: &Units,
        now_ms: u64,
    ) -> Result<Tightest, Refusal> {
        self.precheck(b, (windows, slots), NONE, basis, units, now_ms)?;
        charge_from::<E>((windows, slots), NONE, basis, units, now_ms)
    }

    /// Charges `units` to `scoped` alone (the windows and slots of one scope key), all or
    /// nothing, for a limiter whose tenant windows are counted elsewhere.
    pub(crate) fn charge_part(
        scoped: Part<'_>,
        basis: Cost,
        units: &Units,
        now_ms: u64,
    ) -> Result<Tightest, Refusal> {
        charge_from::<E>(scoped, NONE, basis, units, now_ms)
    }

    /// Charges `units` to every window of the endpoint's bucket and to `scoped`, the windows
    /// and slots of one scope key of the same bucket, all or nothing, after checking the
    /// endpoint's per-request caps. No gate shortcut: scoped calls take the full path.
    pub(crate) fn try_acquire_with(
        &self,
        ep: E,
        units: &Units,
        now_ms: u64,
        scoped: Part<'_>,
    ) -> Result<Permit, Refusal> {
        let basis = ep.cost();
        if let Some((cap, n)) = units.over(ep.caps(), basis) {
            return Err(over_cap(cap, n));
        }
        let b = ep.bucket();
        let own = self.bucket_at(b);
        self.precheck(b, own, scoped, basis, units, now_ms)?;
        let tightest = charge_from::<E>(own, scoped, basis, units, now_ms)?;
        Ok(tightest.permit(now_ms))
    }

    /// The refusal of `units` from bucket `b` at the time of `reading` that the
    /// bucket's gate proves without working out its windows, if any.
    ///
    /// The gate names the window a refusal last found full and its end; if that slot is still
    /// full and the end has certainly not come (`reading`'s latest time is before it), the call
    /// is refused until then, as [`Table::try_acquire_n`] would refuse it. Why that is exact:
    /// - The slot is read now, so a full window that a refund or a raised limit has since
    ///   reopened fails the check and the call takes the full path.
    /// - A slot never moves back to an earlier window, and the caller's time is before the end
    ///   of the window the gate recorded, so the slot's latest window is the one in force.
    /// - While that window is full, nothing is admitted to the bucket, so no other window
    ///   fills up; the gate already named the full window that ends last. Lowering a limit
    ///   (which can fill a window) and any admission (after which the gate may be stale)
    ///   forget the gate.
    /// - Only single units take the shortcut: for them the windows that refuse are exactly
    ///   the full ones, and the gate names the full one that ends last. A larger cost can also
    ///   be refused by a window that is merely too full for it and ends later, which only the
    ///   full path sees. (A single unit is one unit in every window: a window counting calls
    ///   is charged one per request, see [`Units::of`].) A limit of zero, which refuses a single unit as
    ///   [`Refusal::Exceeds`], is also left to the full path.
    ///
    /// The retry is counted from `reading.ms`, the time the full path also uses away from
    /// window boundaries.
    #[inline(always)]
    fn gated(
        &self,
        b: usize,
        windows: &[Window],
        slots: &[Slot],
        units: &Units,
        reading: Reading,
    ) -> Option<Refusal> {
        // Single-window buckets never set a gate: their refusal is one read already.
        if !units.is_one() || windows.len() < 2 {
            return None;
        }
        let latest_ms = reading.ms.saturating_add(reading.slack_ms);
        let (deadline, i) = self.gates.full(b, latest_ms)?;
        let (w, slot) = (windows.get(i)?, slots.get(i)?);
        let max = slot.max();
        if slot.latest_count() < max || slots.iter().any(|s| s.max() == 0) {
            return None;
        }
        Some(Refusal::Denied(Denied {
            retry_after: Duration::from_millis(deadline - reading.ms),
            window: w.with_max(max),
        }))
    }

    /// Refuses without writing anything when a window would refuse now, so refused calls
    /// neither charge-and-roll-back nor make other callers see a transient charge.
    ///
    /// A refusal by a window that admits nothing more (not merely too little for this cost)
    /// is recorded in the bucket's gate for [`Table::gated`], and an admission forgets it.
    ///
    /// `extra` are windows counted per scope key, checked after the bucket's own; a refusal
    /// by one of them sets no gate (the gate is the tenant's).
    #[inline]
    fn precheck(
        &self,
        b: usize,
        (windows, slots): Part<'_>,
        extra: Part<'_>,
        basis: Cost,
        units: &Units,
        now_ms: u64,
    ) -> Result<(), Refusal> {
        // The denial is kept in scalars, not an `Option<Denied>`: rebuilding that struct on
        // the stack each round cost store-forwarding stalls worth a third of a refusal.
        let mut denied: Option<usize> = None;
        let mut retry_ms = 0;
        let mut denied_max = 0;
        // The bucket's own window that is full (admits not even one unit) and ends last, for
        // the gate. Not always the one that refuses this call: a window this call charges
        // nothing (a recipient window, for a request of no recipients) refuses it even full.
        let mut full: Option<(usize, u64)> = None;
        let all = || windows.iter().zip(slots).chain(extra.0.iter().zip(extra.1));
        for (i, (w, slot)) in all().enumerate() {
            let id = window::id(w, E::UTC_OFFSET_SECS, now_ms);
            let v = slot.view(id as u32);
            let cost = units.of(w.cost, basis);
            if cost > v.max {
                return Err(Refusal::Exceeds(ExceedsLimit {
                    cost,
                    window: w.with_max(v.max),
                }));
            }
            let full_now = v.count >= v.max && i < windows.len();
            if v.count + cost > v.max || full_now {
                let retry = end_of::<E>(w, id, v.tag).saturating_sub(now_ms);
                if full_now && full.is_none_or(|(_, r)| retry > r) {
                    full = Some((i, retry));
                }
                // The refusing window that ends last: no retry passes before it ends.
                if v.count + cost > v.max && (denied.is_none() || retry > retry_ms) {
                    (denied, retry_ms, denied_max) = (Some(i), retry, v.max);
                }
            }
        }
        match denied {
            None => {
                // The bucket admits again: a gate left from a window that has reopened
                // would only send refusals down the full path.
                self.gates.clear(b);
                Ok(())
            }
            Some(i) => {
                if let Some((f, retry)) = full {
                    self.gates.set(b, f, now_ms + retry);
                }
                let window = all().nth(i).map_or(windows[0], |(w, _)| *w);
                Err(Refusal::Denied(Denied {
                    retry_after: Duration::from_millis(retry_ms),
                    window: window.with_max(denied_max),
                }))
            }
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
        let tightest = windows
            .iter()
            .zip(slots)
            .map(|(w, slot)| {
                let id = window::id(w, E::UTC_OFFSET_SECS, now_ms);
                let v = slot.view(id as u32);
                Tightest {
                    remaining: v.max.saturating_sub(v.count),
                    reset_ms: end_of::<E>(w, id, v.tag),
                    window: None,
                }
            })
            .fold(Tightest::none(now_ms), Tightest::tighter);
        (tightest.remaining, tightest.reset_ms)
    }

    /// Units available in the endpoint's window of length `len` now, if it has one.
    pub(crate) fn remaining_in(&self, ep: E, len: Length, now_ms: u64) -> Option<u64> {
        let b = ep.bucket();
        let i = self.layout.find(b, len)?;
        let (windows, slots) = self.bucket_at(b);
        let id = window::id(&windows[i], E::UTC_OFFSET_SECS, now_ms);
        let v = slots[i].view(id as u32);
        Some(v.max.saturating_sub(v.count))
    }

    /// The current limit of the endpoint's window of length `len`, if it has one.
    pub(crate) fn limit(&self, ep: E, len: Length) -> Option<u64> {
        let b = ep.bucket();
        let i = self.layout.find(b, len)?;
        Some(self.bucket_at(b).1[i].max())
    }

    /// Changes the limit of the endpoint's window of length `len`, for every endpoint of
    /// its bucket.
    pub(crate) fn set_limit(&self, ep: E, len: Length, max: u64) -> Result<(), LimitError> {
        if max > MAX_LIMIT {
            return Err(LimitError::TooLarge { max });
        }
        let b = ep.bucket();
        let i = self.layout.find(b, len).ok_or(LimitError::NoSuchWindow {
            endpoint: ep.as_str(),
            length: len,
        })?;
        self.set_limit_at(b, i, max);
        Ok(())
    }

    /// The current limit of window `i` of bucket `b` (0 if there is none).
    pub(crate) fn limit_at(&self, b: usize, i: usize) -> u64 {
        self.bucket_at(b).1.get(i).map_or(0, Slot::max)
    }

    /// Sets the limit of window `i` of bucket `b`.
    pub(crate) fn set_limit_at(&self, b: usize, i: usize, max: u64) {
        if let Some(slot) = self.bucket_at(b).1.get(i) {
            slot.set_max(max);
        }
        // A lowered limit can fill a window the gate does not name.
        self.gates.clear(b);
    }

    /// The layout of the table's windows.
    pub(crate) fn layout(&self) -> &Layout {
        &self.layout
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
        for (w, slot) in self.layout.all().iter().zip(&self.slots) {
            let id = window::id(w, E::UTC_OFFSET_SECS, now_ms);
            let v = slot.view(id as u32);
            if v.count > 0 {
                let end = end_of::<E>(w, id, v.tag);
                until = Some(until.map_or(end, |u: u64| u.max(end)));
            }
        }
        until
    }
}

/// A request above a documented cap.
#[cold]
fn over_cap(cap: &'static crate::meta::Cap, units: u64) -> Refusal {
    Refusal::OverCap(OverCap { units, cap })
}

/// Turns a slot's refusal into the caller's.
#[cold]
fn refusal<E: Endpoints>(charge: Charge, w: &Window, id: u64, cost: u64, now_ms: u64) -> Refusal {
    match charge {
        Charge::Full { tag, max, .. } => Refusal::Denied(Denied {
            retry_after: Duration::from_millis(end_of::<E>(w, id, tag).saturating_sub(now_ms)),
            window: w.with_max(max),
        }),
        Charge::Exceeds { max } => Refusal::Exceeds(ExceedsLimit {
            cost,
            window: w.with_max(max),
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
    (windows, slots): Part<'_>,
    extra: Part<'_>,
    basis: Cost,
    units: &Units,
    now_ms: u64,
) -> Result<Tightest, Refusal> {
    let (Some(w), Some(slot)) = (windows.first(), slots.first()) else {
        if extra.0.is_empty() {
            return Ok(Tightest::none(now_ms));
        }
        return charge_from::<E>(extra, NONE, basis, units, now_ms);
    };
    let id = window::id(w, E::UTC_OFFSET_SECS, now_ms);
    let cost = units.of(w.cost, basis);
    match slot.charge(id as u32, cost) {
        Charge::Done { tag, count, max } => {
            match charge_from::<E>((&windows[1..], &slots[1..]), extra, basis, units, now_ms) {
                Ok(rest) => Ok(Tightest {
                    remaining: max - count,
                    reset_ms: end_of::<E>(w, id, tag),
                    window: Some(w.with_max(max)),
                }
                .tighter(rest)),
                Err(refused) => {
                    slot.refund(tag, cost);
                    Err(refused)
                }
            }
        }
        refused => Err(refusal::<E>(refused, w, id, cost, now_ms)),
    }
}
