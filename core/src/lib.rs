//! The vocabulary of rate limits, defined once for every part of ratespec.
//!
//! The parser builds these values from vendors' documents, the code generator emits them as
//! `const` data, the CLI prints them and the runtime enforces them. They are plain data with
//! no dependencies: strings and lists are [`Cow<'static, _>`](Cow), borrowed in generated
//! `const` tables and owned where a document was read at run time.
//!
//! ```
//! use ratespec_core::{Cost, Per, Scope, Window};
//!
//! // `10 次/10 秒/App Key`: at most 10 calls in every 10-second window of one App Key.
//! const W: Window = Window::new(10, Per::Second).every(10);
//! assert_eq!(W.seconds(), 10);
//! assert_eq!((W.cost, W.scope), (Cost::Call, Scope::Tenant));
//! // Windows are aligned to the Unix epoch: 12.5 s falls in the second window, [10 s, 20 s).
//! assert_eq!(W.id(0, 12_500), 1);
//! assert_eq!(W.end_ms(0, 1), 20_000);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::borrow::Cow;
use std::fmt;

/// Text that generated code borrows from `'static` data and the parser owns.
pub type Text = Cow<'static, str>;

/// The unit of time a window is counted in.
///
/// Exhaustive on purpose: every unit has a fixed length ([`Per::seconds`], a `const fn` the
/// window arithmetic relies on), and longer windows are a number of these (`3 次/2 天` is
/// two days). A unit without a fixed length, such as a calendar month, would need more than a
/// new variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Per {
    /// `秒`, `second`, `s`.
    Second,
    /// `分钟`, `minute`, `min`.
    Minute,
    /// `小时`, `hour`, `h`.
    Hour,
    /// `天`, `日`, `自然日`, `day`: calendar days, from midnight in the document's UTC offset.
    Day,
}

impl Per {
    /// Every unit, shortest first.
    pub const ALL: [Per; 4] = [Per::Second, Per::Minute, Per::Hour, Per::Day];

    /// The unit's length in seconds.
    pub const fn seconds(self) -> u64 {
        match self {
            Per::Second => 1,
            Per::Minute => 60,
            Per::Hour => 3_600,
            Per::Day => 86_400,
        }
    }

    /// The lower-case English name used in JSON, logs and headers: `second`, `minute`,
    /// `hour`, `day`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Per::Second => "second",
            Per::Minute => "minute",
            Per::Hour => "hour",
            Per::Day => "day",
        }
    }

    /// The one-letter suffix of a window's label (`10s`, `30m`, `1h`, `2d`).
    pub const fn suffix(self) -> char {
        match self {
            Per::Second => 's',
            Per::Minute => 'm',
            Per::Hour => 'h',
            Per::Day => 'd',
        }
    }
}

impl fmt::Display for Per {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one unit of a window's quota counts: the cost basis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Cost {
    /// One per call (`次`, `calls`, `requests`): the default.
    Call,
    /// One per message sent (`messages`; a message to 600 users counts as 600 when the
    /// document says so, see [`Cost::Recipient`]).
    Message,
    /// One per recipient (`按收件人数量计算条数`, `users/request`).
    Recipient,
    /// One per target group (`按目标群组数量计算条数`, `chat groups`).
    TargetGroup,
    /// One per target chatroom (`按目标聊天室数量计算条数`, `chat rooms`).
    TargetChatroom,
    /// One per user acted on (`100 用户/每秒`).
    User,
    /// One per attribute written (`100 个属性/每秒`).
    Attribute,
}

impl Cost {
    /// Every basis, in declaration order: `Cost::ALL[c.index()] == c`.
    pub const ALL: [Cost; 7] = [
        Cost::Call,
        Cost::Message,
        Cost::Recipient,
        Cost::TargetGroup,
        Cost::TargetChatroom,
        Cost::User,
        Cost::Attribute,
    ];

    /// The basis's position in [`Cost::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The snake-case name used in JSON: `call`, `message`, `recipient`, `target_group`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Cost::Call => "call",
            Cost::Message => "message",
            Cost::Recipient => "recipient",
            Cost::TargetGroup => "target_group",
            Cost::TargetChatroom => "target_chatroom",
            Cost::User => "user",
            Cost::Attribute => "attribute",
        }
    }
}

impl fmt::Display for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whose quota a window is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Scope {
    /// The tenant the request authenticates as (`/App Key`, `/App ID`, or unstated): one
    /// quota per application.
    Tenant,
    /// One quota per user the request acts on (`/单用户 ID`, `/single user ID`).
    User,
    /// One quota per channel the request posts to (`单个频道限 20 条/每秒`).
    Channel,
    /// One quota per client IP address the vendor sees (`20 次/秒/IP`, `单 IP 100 次/分钟`,
    /// `per IP`). Counted per scope key like the others: the caller's egress address, or one
    /// constant key for a fleet behind one address.
    Ip,
}

impl Scope {
    /// The snake-case name used in JSON: `tenant`, `user`, `channel`, `ip`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::Tenant => "tenant",
            Scope::User => "user",
            Scope::Channel => "channel",
            Scope::Ip => "ip",
        }
    }
}

/// At most `max` units per `every` × `per`, counted in fixed windows.
///
/// Windows are aligned to the Unix epoch; windows counted in days are aligned to midnight in
/// the document's UTC offset (自然日), so `3 次/2 天` resets every other local midnight.
/// Every method is exact to the millisecond at the boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// The most units admitted in one window.
    pub max: u64,
    /// How many `per` units one window lasts (`10` in `10 次/10 秒`); at least 1.
    pub every: u32,
    /// The unit of time.
    pub per: Per,
    /// What one unit of `max` counts.
    pub cost: Cost,
    /// Whose quota it is.
    pub scope: Scope,
}

impl Window {
    /// `max` calls per one `per`, for the tenant: `Window::new(200, Per::Second)` is
    /// `200 次/每秒`.
    pub const fn new(max: u64, per: Per) -> Window {
        Window {
            max,
            every: 1,
            per,
            cost: Cost::Call,
            scope: Scope::Tenant,
        }
    }

    /// The same limit over `every` units of time (`every` below 1 is taken as 1).
    pub const fn every(self, every: u32) -> Window {
        Window {
            every: if every == 0 { 1 } else { every },
            ..self
        }
    }

    /// The same window counting `cost`.
    pub const fn counting(self, cost: Cost) -> Window {
        Window { cost, ..self }
    }

    /// The same window kept per `scope`.
    pub const fn scoped(self, scope: Scope) -> Window {
        Window { scope, ..self }
    }

    /// The same window with another maximum.
    pub const fn with_max(self, max: u64) -> Window {
        Window { max, ..self }
    }

    /// The window's length in seconds: `every` × the unit's length.
    pub const fn seconds(&self) -> u64 {
        self.every as u64 * self.per.seconds()
    }

    /// The window's length in milliseconds.
    pub const fn len_ms(&self) -> u64 {
        self.seconds() * 1000
    }

    /// Whether two windows have the same length (and so share boundaries): the identity
    /// of a window inside one bucket.
    pub const fn same_length(&self, other: &Window) -> bool {
        self.every == other.every && self.per as u8 == other.per as u8
    }

    /// The id of the window holding `now_ms` (Unix milliseconds): windows since the epoch,
    /// or, for windows counted in days, since midnight of 1970-01-01 in the document's UTC
    /// offset (`utc_offset_secs` east of UTC).
    #[inline]
    pub fn id(&self, utc_offset_secs: i32, now_ms: u64) -> u64 {
        let local = self.local_ms(utc_offset_secs, now_ms);
        // Literal divisors for the one-unit windows every document has: the compiler turns
        // them into a multiplication, a hardware division costs ~10x more on the hot path.
        match (self.every, self.per) {
            (1, Per::Second) => local / 1_000,
            (1, Per::Minute) => local / 60_000,
            (1, Per::Hour) => local / 3_600_000,
            (1, Per::Day) => local / 86_400_000,
            _ => local / self.len_ms(),
        }
    }

    /// The Unix time in milliseconds at which window `id` ends (and the next one starts).
    #[inline]
    pub fn end_ms(&self, utc_offset_secs: i32, id: u64) -> u64 {
        self.start_ms(utc_offset_secs, id.saturating_add(1))
    }

    /// The Unix time in milliseconds at which window `id` starts.
    #[inline]
    pub fn start_ms(&self, utc_offset_secs: i32, id: u64) -> u64 {
        let local = id.saturating_mul(self.len_ms());
        (local as i128 - self.offset_ms(utc_offset_secs) as i128).clamp(0, u64::MAX as i128) as u64
    }

    /// The end of the window holding `now_ms`.
    #[inline]
    pub fn end_of(&self, utc_offset_secs: i32, now_ms: u64) -> u64 {
        self.end_ms(utc_offset_secs, self.id(utc_offset_secs, now_ms))
    }

    /// A short label naming the window's length, for keys and logs: `1s`, `10s`, `30m`,
    /// `1h`, `1d`, `2d`.
    pub fn label(&self) -> String {
        format!("{}{}", self.every, self.per.suffix())
    }

    /// Only day windows move with the document's offset: seconds, minutes and hours are
    /// counted from the epoch everywhere.
    const fn offset_ms(&self, utc_offset_secs: i32) -> i64 {
        match self.per {
            Per::Day => utc_offset_secs as i64 * 1000,
            _ => 0,
        }
    }

    #[inline]
    fn local_ms(&self, utc_offset_secs: i32, now_ms: u64) -> u64 {
        // Before the first local midnight after the epoch, count from window 0.
        (now_ms as i128 + self.offset_ms(utc_offset_secs) as i128).clamp(0, u64::MAX as i128) as u64
    }
}

impl fmt::Display for Window {
    /// `200/second`, `10/10 seconds`, `3/2 days`, with the basis when it is not calls and
    /// the scope when it is not the tenant: `6000 recipient/minute`, `5/minute per user`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.max)?;
        if self.cost != Cost::Call {
            write!(f, " {}", self.cost)?;
        }
        if self.every == 1 {
            write!(f, "/{}", self.per)?;
        } else {
            write!(f, "/{} {}s", self.every, self.per)?;
        }
        if self.scope != Scope::Tenant {
            write!(f, " per {}", self.scope.as_str())?;
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Window {
    /// `{"max": 10, "every": 10, "per": "second", "seconds": 10, "cost": "call", "scope": "tenant"}`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Window", 6)?;
        s.serialize_field("max", &self.max)?;
        s.serialize_field("every", &self.every)?;
        s.serialize_field("per", &self.per)?;
        s.serialize_field("seconds", &self.seconds())?;
        s.serialize_field("cost", &self.cost)?;
        s.serialize_field("scope", &self.scope)?;
        s.end()
    }
}

/// The most units one request may carry (`600 人/次`, `3 个群/次`, `600 users/request`):
/// a larger request is refused whatever the windows hold.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Cap {
    /// The most units in one request.
    pub max: u64,
    /// What the units count.
    pub cost: Cost,
    /// The unit as written (`人`, `users`).
    pub unit: Text,
}

/// A narrower limit inside an endpoint's limit, as the document states it, for a part of
/// the traffic that only the caller can tell apart (`单个频道限 20 条/每秒`: at most 20 per
/// second in any one channel).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(untagged))]
#[non_exhaustive]
pub enum SubLimit {
    /// A recognised sub-limit.
    Structured {
        /// What it applies to, as written (`单个频道`, `群聊消息扩展`).
        scope: Text,
        /// The limit (the main limit's window length when the phrase gives none).
        window: Window,
        /// The unit as written.
        unit: Text,
    },
    /// A clause that is clearly a narrower limit but whose shape is not recognised, as written.
    Text {
        /// The clause.
        text: Text,
    },
}

/// A quota: the windows that one or more endpoints draw on together. Endpoints that share
/// a quota (共享) have the same bucket.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Bucket {
    /// A stable name, independent of enum discriminants (Redis keys and logs use it).
    pub name: Text,
    /// Every window of the quota, all-or-nothing.
    pub windows: Cow<'static, [Window]>,
}

impl Bucket {
    /// A bucket of `'static` data, as generated code and tests write it.
    pub const fn new(name: &'static str, windows: &'static [Window]) -> Bucket {
        Bucket {
            name: Cow::Borrowed(name),
            windows: Cow::Borrowed(windows),
        }
    }

    /// The name, usable in `const` context.
    pub const fn name(&self) -> &str {
        text(&self.name)
    }

    /// The windows, usable in `const` context:
    /// `const N: usize = Endpoint::BUCKETS[0].windows().len();`.
    pub const fn windows(&self) -> &[Window] {
        match &self.windows {
            Cow::Borrowed(windows) => windows,
            Cow::Owned(windows) => windows.as_slice(),
        }
    }
}

/// The string of a [`Text`], usable in `const` context (where `Deref` is not).
pub const fn text(text: &Text) -> &str {
    match text {
        Cow::Borrowed(s) => s,
        Cow::Owned(s) => s.as_str(),
    }
}

/// Where an endpoint's limit was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Origin {
    /// The endpoint's own row.
    Row,
    /// A sentence about the rows above it (`以上两个接口…为 100 次/秒`).
    Prose,
    /// A heading above the rows, for those that state no limit (`## 消息接口（100 次/分钟）`).
    Heading,
    /// The document's default (`Unless otherwise specified…, 100 calls/second`).
    Default,
    /// `limits.toml`.
    Config,
}

impl Origin {
    /// The snake-case name: `row`, `prose`, `heading`, `default`, `config`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Origin::Row => "row",
            Origin::Prose => "prose",
            Origin::Heading => "heading",
            Origin::Default => "default",
            Origin::Config => "config",
        }
    }
}

/// Where an endpoint's limit came from: what kind of text, in which file, at which line.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LimitSource {
    /// What kind of text stated it.
    pub origin: Origin,
    /// The file (a document or `limits.toml`), as shown to users.
    pub file: Text,
    /// The 1-based line.
    pub line: u32,
}

impl fmt::Display for LimitSource {
    /// `specs/rongcloud.md:12 (row)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} ({})", self.file, self.line, self.origin.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for LimitSource {
    /// `{"origin": "prose", "at": "specs/x.md:12"}`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("LimitSource", 2)?;
        s.serialize_field("origin", &self.origin)?;
        s.serialize_field("at", &format!("{}:{}", self.file, self.line))?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEIJING: i32 = 8 * 3600;
    /// 2024-03-01T15:59:59.999Z = 2024-03-01T23:59:59.999+08:00.
    const BEFORE_BEIJING_MIDNIGHT: u64 = 1_709_308_799_999;

    #[test]
    fn one_unit_windows_are_aligned_to_the_unix_epoch() {
        let second = Window::new(1, Per::Second);
        assert_eq!(second.id(BEIJING, 1_999), 1);
        assert_eq!(second.id(BEIJING, 2_000), 2);
        assert_eq!(second.end_ms(BEIJING, 1), 2_000);
        let minute = Window::new(1, Per::Minute);
        assert_eq!(minute.id(BEIJING, 59_999), 0);
        assert_eq!(minute.id(BEIJING, 60_000), 1);
        let hour = Window::new(1, Per::Hour);
        assert_eq!(hour.id(BEIJING, 3_600_000), 1);
        assert_eq!(hour.end_ms(BEIJING, 0), 3_600_000);
    }

    #[test]
    fn windows_of_several_units_turn_exactly_at_their_boundaries() {
        let ten = Window::new(10, Per::Second).every(10);
        assert_eq!(ten.id(0, 9_999), 0);
        assert_eq!(ten.id(0, 10_000), 1);
        assert_eq!(ten.start_ms(0, 1), 10_000);
        assert_eq!(ten.end_of(0, 10_000), 20_000);
        let half_hour = Window::new(1, Per::Minute).every(30);
        assert_eq!(half_hour.id(BEIJING, 1_800_000 - 1), 0);
        assert_eq!(half_hour.id(BEIJING, 1_800_000), 1);
        assert_eq!(half_hour.seconds(), 1_800);
        assert_eq!(half_hour.label(), "30m");
    }

    #[test]
    fn a_calendar_day_turns_at_the_documents_midnight_to_the_millisecond() {
        let day = Window::new(3, Per::Day);
        let before = day.id(BEIJING, BEFORE_BEIJING_MIDNIGHT);
        assert_eq!(day.id(BEIJING, BEFORE_BEIJING_MIDNIGHT + 1), before + 1);
        assert_eq!(day.end_ms(BEIJING, before), BEFORE_BEIJING_MIDNIGHT + 1);
        // In UTC the same instant is mid-afternoon: no turn.
        assert_eq!(
            day.id(0, BEFORE_BEIJING_MIDNIGHT),
            day.id(0, BEFORE_BEIJING_MIDNIGHT + 1)
        );
    }

    #[test]
    fn two_day_windows_turn_every_other_local_midnight() {
        let two_days = Window::new(3, Per::Day).every(2);
        let midnight = BEFORE_BEIJING_MIDNIGHT + 1;
        let id = two_days.id(BEIJING, midnight);
        let start = two_days.start_ms(BEIJING, id);
        let end = two_days.end_ms(BEIJING, id);
        assert_eq!(end - start, 2 * 86_400_000);
        // Both ends are Beijing midnights.
        assert_eq!((start + BEIJING as u64 * 1000) % 86_400_000, 0);
        assert_eq!((end + BEIJING as u64 * 1000) % 86_400_000, 0);
        assert!(start <= midnight && midnight < end);
    }

    #[test]
    fn negative_offsets_turn_at_their_own_midnight() {
        let new_york = -5 * 3600;
        let day = Window::new(1, Per::Day);
        // 1970-01-02T05:00:00Z is midnight in UTC-5.
        let midnight = 86_400_000 + 5 * 3_600_000;
        assert_eq!(
            day.id(new_york, midnight - 1) + 1,
            day.id(new_york, midnight)
        );
        assert_eq!(
            day.end_ms(new_york, day.id(new_york, midnight - 1)),
            midnight
        );
    }

    #[test]
    fn extreme_instants_do_not_overflow() {
        for window in [
            Window::new(1, Per::Second),
            Window::new(1, Per::Day).every(u32::MAX),
        ] {
            let id = window.id(14 * 3600, u64::MAX);
            assert!(window.end_ms(14 * 3600, id) >= window.start_ms(14 * 3600, id));
            assert_eq!(window.id(-12 * 3600, 0), 0);
        }
    }

    #[test]
    fn display_names_length_basis_and_scope() {
        assert_eq!(Window::new(200, Per::Second).to_string(), "200/second");
        assert_eq!(
            Window::new(10, Per::Second).every(10).to_string(),
            "10/10 seconds"
        );
        assert_eq!(
            Window::new(6000, Per::Minute)
                .counting(Cost::Recipient)
                .to_string(),
            "6000 recipient/minute"
        );
        assert_eq!(
            Window::new(5, Per::Minute).scoped(Scope::User).to_string(),
            "5/minute per user"
        );
    }
}

/// The README's example, run as a doc test so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
