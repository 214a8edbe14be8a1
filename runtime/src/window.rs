//! Naming a window inside a bucket, and the windows the limiters enforce.
//!
//! A window's identity inside a bucket is its length ([`Window::same_length`]): `every` ×
//! `per`. Every limiter names windows by a [`Length`] (`set_limit(ep, Per::Second, 500)`,
//! `limit(ep, Length::new(10, Per::Second))`); a [`Per`] converts to the one-unit length.
//!
//! The arithmetic (window ids, starts and ends, calendar days in the document's offset)
//! lives on [`Window`] in `ratespec-core`.

use crate::meta::{Bucket, Per, Scope, Window};
use std::fmt;
use std::ops::Range;

/// The largest per-window limit a limiter holds: a window's count has 32 bits.
pub const MAX_LIMIT: u64 = u32::MAX as u64;

/// The length of a window, `every` × `per` (`10 s`, `30 min`, `2 days`): how the limiters
/// name one window of an endpoint's bucket.
///
/// A bucket may count a window of the same length per tenant and per user (Easemob's
/// `5 calls/minute/single user ID` beside `100 calls/minute`): a plain length names the
/// tenant's window first, [`Length::scoped`] names the other.
///
/// ```
/// use ratespec::{Length, Per, Window};
///
/// let ten_seconds = Length::new(10, Per::Second);
/// assert!(ten_seconds.matches(&Window::new(10, Per::Second).every(10)));
/// assert!(!ten_seconds.matches(&Window::new(10, Per::Second)));
/// assert_eq!(Length::from(Per::Hour), Length::new(1, Per::Hour));
/// assert_eq!(ten_seconds.label(), "10s");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Length {
    every: u32,
    per: Per,
    scope: Option<Scope>,
}

impl Length {
    /// `every` units of `per` (`every` below 1 is taken as 1, as [`Window::every`] does).
    pub const fn new(every: u32, per: Per) -> Length {
        Length {
            every: if every == 0 { 1 } else { every },
            per,
            scope: None,
        }
    }

    /// The same length, naming only a window counted per `scope`
    /// (`Length::from(Per::Minute).scoped(Scope::User)`).
    pub const fn scoped(self, scope: Scope) -> Length {
        Length {
            scope: Some(scope),
            ..self
        }
    }

    /// The scope this length is restricted to, if any.
    pub const fn scope(&self) -> Option<Scope> {
        self.scope
    }

    /// The length of `window` (any scope).
    pub const fn of(window: &Window) -> Length {
        Length::new(window.every, window.per)
    }

    /// How many units one window lasts.
    pub const fn every(&self) -> u32 {
        self.every
    }

    /// The unit of time.
    pub const fn per(&self) -> Per {
        self.per
    }

    /// The length in seconds.
    pub const fn seconds(&self) -> u64 {
        self.every as u64 * self.per.seconds()
    }

    /// Whether `window` has this length (and this scope, for a [`scoped`](Length::scoped) one).
    pub const fn matches(&self, window: &Window) -> bool {
        let scope = match self.scope {
            Some(scope) => scope as u8 == window.scope as u8,
            None => true,
        };
        window.every == self.every && window.per as u8 == self.per as u8 && scope
    }

    /// The short form used in Redis keys and logs: `1s`, `10s`, `30m`, `1h`, `2d`.
    pub fn label(&self) -> String {
        format!("{}{}", self.every, self.per.suffix())
    }
}

impl From<Per> for Length {
    /// One unit: `Per::Second` is the one-second window.
    fn from(per: Per) -> Length {
        Length::new(1, per)
    }
}

impl From<Window> for Length {
    fn from(window: Window) -> Length {
        Length::of(&window)
    }
}

impl From<&Window> for Length {
    fn from(window: &Window) -> Length {
        Length::of(window)
    }
}

impl fmt::Display for Length {
    /// `second`, `10 seconds`, `2 days`, `minute per user`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.every == 1 {
            f.write_str(self.per.as_str())?;
        } else {
            write!(f, "{} {}s", self.every, self.per)?;
        }
        match self.scope {
            Some(scope) if scope != Scope::Tenant => write!(f, " per {}", scope.as_str()),
            _ => Ok(()),
        }
    }
}

/// The id of the window of `w` holding `now_ms`.
#[inline]
pub(crate) fn id(w: &Window, utc_offset_secs: i32, now_ms: u64) -> u64 {
    w.id(utc_offset_secs, now_ms)
}

/// The Unix time in milliseconds at which window `id` of `w` ends.
#[inline]
pub(crate) fn end_ms(w: &Window, utc_offset_secs: i32, id: u64) -> u64 {
    w.end_ms(utc_offset_secs, id)
}

/// Whether `w` is counted once per tenant (App Key): the windows of a limiter's own table.
/// The others ([`Scope::User`], [`Scope::Channel`], [`Scope::Ip`]) are counted per scope key, for the
/// calls that name one (`try_acquire_scoped`).
pub(crate) const fn enforced(w: &Window) -> bool {
    matches!(w.scope, Scope::Tenant)
}

/// Whether `w` is counted per scope key (a user, a channel) rather than per tenant.
pub(crate) const fn scoped(w: &Window) -> bool {
    !enforced(w)
}

/// The windows a limiter keeps in one kind of table, bucket after bucket, in document order:
/// the tenant's windows ([`Layout::new`]) or the per-scope-key ones ([`Layout::scoped`]).
/// Slots and limits are laid out in this order.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    windows: Box<[Window]>,
    /// Bucket `b`'s windows are `windows[first[b]..first[b + 1]]`.
    first: Box<[u32]>,
}

impl Layout {
    /// Every bucket's tenant windows.
    pub(crate) fn new(buckets: &[Bucket]) -> Self {
        Layout::of(buckets, enforced)
    }

    /// Every bucket's windows counted per scope key.
    pub(crate) fn scoped(buckets: &[Bucket]) -> Self {
        Layout::of(buckets, scoped)
    }

    fn of(buckets: &[Bucket], keep: fn(&Window) -> bool) -> Self {
        let mut first = Vec::with_capacity(buckets.len() + 1);
        let mut windows = Vec::new();
        for bucket in buckets {
            first.push(windows.len() as u32);
            windows.extend(bucket.windows.iter().filter(|w| keep(w)).copied());
        }
        first.push(windows.len() as u32);
        Layout {
            windows: windows.into_boxed_slice(),
            first: first.into_boxed_slice(),
        }
    }

    /// The number of buckets.
    pub(crate) fn buckets(&self) -> usize {
        self.first.len().saturating_sub(1)
    }

    /// Every enforced window, bucket after bucket.
    pub(crate) fn all(&self) -> &[Window] {
        &self.windows
    }

    /// The positions of bucket `b`'s windows in [`all`](Layout::all) (empty for a bucket
    /// out of range).
    #[inline]
    pub(crate) fn range(&self, b: usize) -> Range<usize> {
        match (self.first.get(b), self.first.get(b + 1)) {
            (Some(&start), Some(&end)) => start as usize..end as usize,
            _ => 0..0,
        }
    }

    /// Bucket `b`'s enforced windows.
    #[inline]
    pub(crate) fn windows(&self, b: usize) -> &[Window] {
        &self.windows[self.range(b)]
    }

    /// The index within bucket `b` of its window of length `len`.
    pub(crate) fn find(&self, b: usize, len: Length) -> Option<usize> {
        self.windows(b).iter().position(|w| len.matches(w))
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    const BUCKETS: &[Bucket] = &[
        Bucket::new(
            "mixed",
            &[
                Window::new(5, Per::Minute).scoped(Scope::User),
                Window::new(100, Per::Minute),
                Window::new(10, Per::Second).every(10),
            ],
        ),
        Bucket::new("empty", &[]),
    ];

    #[test]
    fn a_scoped_layout_keeps_the_other_windows() {
        let layout = Layout::scoped(BUCKETS);
        assert_eq!(
            layout.windows(0),
            &[Window::new(5, Per::Minute).scoped(Scope::User)]
        );
        assert_eq!(layout.find(0, Per::Minute.into()), Some(0));
        assert_eq!(layout.windows(1), &[]);
        // Every scope but the tenant's is counted per scope key, a client address too.
        for scope in [Scope::User, Scope::Channel, Scope::Ip] {
            let w = Window::new(20, Per::Second).scoped(scope);
            assert!(scoped(&w) && !enforced(&w), "{scope:?}");
        }
        assert!(enforced(&Window::new(20, Per::Second)));
    }

    #[test]
    fn a_layout_keeps_tenant_windows_and_finds_them_by_length() {
        let layout = Layout::new(BUCKETS);
        assert_eq!(
            layout.windows(0),
            &[
                Window::new(100, Per::Minute),
                Window::new(10, Per::Second).every(10)
            ]
        );
        assert_eq!(layout.find(0, Per::Minute.into()), Some(0));
        assert_eq!(layout.find(0, Length::new(10, Per::Second)), Some(1));
        assert_eq!(layout.find(0, Per::Second.into()), None);
        assert_eq!(layout.windows(1), &[]);
        assert_eq!(layout.range(7), 0..0);
    }

    #[test]
    fn lengths_print_and_label() {
        assert_eq!(Length::from(Per::Second).to_string(), "second");
        assert_eq!(Length::new(2, Per::Day).to_string(), "2 days");
        assert_eq!(Length::new(30, Per::Minute).label(), "30m");
        assert_eq!(Length::new(0, Per::Hour), Length::from(Per::Hour));
        assert_eq!(Length::new(10, Per::Second).seconds(), 10);
        let user = Length::from(Per::Minute).scoped(Scope::User);
        assert!(user.matches(&Window::new(5, Per::Minute).scoped(Scope::User)));
        assert!(!user.matches(&Window::new(5, Per::Minute)));
        assert!(
            Length::from(Per::Minute).matches(&Window::new(5, Per::Minute).scoped(Scope::User))
        );
    }
}
