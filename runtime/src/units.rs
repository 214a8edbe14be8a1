//! [`Units`]: what one request takes from an endpoint's quota, by cost basis.

use crate::endpoints::Endpoints;
use crate::meta::{Cap, Cost, Window};

/// What one request takes from an endpoint's quota: a size, and counts by cost basis where
/// the request names them.
///
/// Each window (and each per-request [`Cap`]) of the endpoint is charged in its own basis
/// ([`Window::cost`](crate::Window::cost)):
///
/// - a basis the request names with [`and`](Units::and) is charged that count;
/// - a window counting calls is charged one per request, unless the endpoint itself counts
///   calls, where the size is the number of calls;
/// - every other basis is charged the size: a message to 600 users is 600 messages and 600
///   recipients.
///
/// A bare number converts into a size, so the single-basis call stays short:
/// `limiter.try_acquire_n(Endpoint::MessagePrivatePublish, 600)`.
///
/// ```
/// use ratespec::{Cost, Units};
///
/// // Easemob's one-to-one message to 600 users: 1 call, 600 messages, 600 users.
/// let units = Units::from(600);
/// assert_eq!(units.of(Cost::Call, Cost::Message), 1);
/// assert_eq!(units.of(Cost::Message, Cost::Message), 600);
/// // Three groups, and a window that counts the messages in them as named.
/// let units = Units::new(3).and(Cost::Message, 12);
/// assert_eq!(units.of(Cost::TargetGroup, Cost::Message), 3);
/// assert_eq!(units.of(Cost::Message, Cost::Message), 12);
/// // An endpoint that counts calls: the size is the number of calls.
/// assert_eq!(Units::from(3).of(Cost::Call, Cost::Call), 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Units {
    size: u64,
    /// Bit `c.index()` is set when the request names basis `c`'s count.
    named: u8,
    counts: [u64; Cost::ALL.len()],
}

impl Units {
    /// One request of `size` (recipients, groups, users, ... as the endpoint counts them).
    pub const fn new(size: u64) -> Units {
        Units {
            size,
            named: 0,
            counts: [0; Cost::ALL.len()],
        }
    }

    /// The same request, with `count` units of `basis` named: every window and cap of that
    /// basis is charged `count` instead of the size.
    pub const fn and(mut self, basis: Cost, count: u64) -> Units {
        self.named |= 1 << basis.index();
        self.counts[basis.index()] = count;
        self
    }

    /// Whether every window and cap is charged exactly one unit: a plain `try_acquire`.
    #[inline]
    pub(crate) const fn is_one(&self) -> bool {
        self.size == 1 && self.named == 0
    }

    /// The request's size.
    pub const fn size(&self) -> u64 {
        self.size
    }

    /// The count the request names for `basis`, if it names one.
    pub const fn named(&self, basis: Cost) -> Option<u64> {
        if self.named & (1 << basis.index()) != 0 {
            Some(self.counts[basis.index()])
        } else {
            None
        }
    }

    /// The units charged to a window (or checked against a cap) counting `basis`, for an
    /// endpoint whose own basis is `endpoint`.
    #[inline]
    pub const fn of(&self, basis: Cost, endpoint: Cost) -> u64 {
        if let Some(count) = self.named(basis) {
            return count;
        }
        match (basis, endpoint) {
            (Cost::Call, Cost::Call) => self.size,
            (Cost::Call, _) => 1,
            _ => self.size,
        }
    }

    /// The first of `caps` this request is above, for an endpoint whose own basis is
    /// `endpoint`, with the units it asks of that cap's basis.
    #[inline]
    pub(crate) fn over<'a>(&self, caps: &'a [Cap], endpoint: Cost) -> Option<(&'a Cap, u64)> {
        caps.iter()
            .map(|cap| (cap, self.of(cap.cost, endpoint)))
            .find(|(cap, units)| *units > cap.max)
    }
}

/// The largest request size that fits every per-request cap of `ep` and every window of its
/// bucket charged by size, at the limits `limit_of` gives (at least 1).
pub(crate) fn batch_size<E: Endpoints>(ep: E, limit_of: impl Fn(&Window) -> u64) -> u64 {
    let basis = ep.cost();
    // A window or cap charged one per request (calls of a weighted endpoint) bounds no size.
    let by_size = |cost: Cost| Units::new(2).of(cost, basis) == 2;
    let caps = ep.caps().iter().filter(|c| by_size(c.cost)).map(|c| c.max);
    let windows = E::BUCKETS
        .get(ep.bucket())
        .map_or(&[][..], |b| b.windows())
        .iter()
        .filter(|w| by_size(w.cost))
        .map(limit_of);
    caps.chain(windows).min().unwrap_or(u64::MAX).max(1)
}

/// `items` in batches of at most [`batch_size`] (for `usize` lengths).
pub(crate) fn batches<T>(items: &[T], size: u64) -> std::slice::Chunks<'_, T> {
    items.chunks(usize::try_from(size).unwrap_or(usize::MAX))
}

impl From<u64> for Units {
    /// A request of this size: [`Units::new`].
    fn from(size: u64) -> Units {
        Units::new(size)
    }
}

impl Default for Units {
    /// One unit: what [`try_acquire`](crate::Limiter::try_acquire) charges.
    fn default() -> Units {
        Units::new(1)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn a_named_basis_overrides_the_size_and_calls_count_one_per_request() {
        let u = Units::new(600).and(Cost::TargetGroup, 3);
        assert_eq!(u.of(Cost::TargetGroup, Cost::Message), 3);
        assert_eq!(u.of(Cost::Recipient, Cost::Message), 600);
        assert_eq!(u.of(Cost::Call, Cost::Message), 1);
        assert_eq!(u.of(Cost::Call, Cost::Call), 600);
        assert_eq!(u.named(Cost::User), None);
        assert_eq!(
            Units::new(5).and(Cost::Call, 2).of(Cost::Call, Cost::Call),
            2
        );
    }

    #[test]
    fn caps_are_checked_in_their_own_basis() {
        let caps = [
            Cap {
                max: 600,
                cost: Cost::User,
                unit: Cow::Borrowed("users"),
            },
            Cap {
                max: 3,
                cost: Cost::TargetGroup,
                unit: Cow::Borrowed("groups"),
            },
        ];
        assert_eq!(
            Units::new(600)
                .and(Cost::TargetGroup, 3)
                .over(&caps, Cost::Message),
            None
        );
        let (cap, units) = Units::new(601).over(&caps, Cost::Message).unwrap();
        assert_eq!((cap.max, units), (600, 601));
        let (cap, units) = Units::new(2)
            .and(Cost::TargetGroup, 4)
            .over(&caps, Cost::Message)
            .unwrap();
        assert_eq!((cap.max, units), (3, 4));
    }
}
