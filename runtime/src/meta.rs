//! Limit metadata shared by generated code and the limiters.
//!
//! These types are what `include_limits!` emits as `const` data; they carry no behaviour
//! beyond small `const fn` helpers so that they stay usable in `const` context.

/// The length of a fixed window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Per {
    /// One second, aligned to the Unix epoch.
    Second,
    /// One minute, aligned to the Unix epoch.
    Minute,
    /// One hour, aligned to the Unix epoch.
    Hour,
    /// One calendar day, from midnight to midnight in the document's UTC offset
    /// (自然日 in the vendors' documents).
    Day,
}

impl Per {
    /// The window's length in seconds.
    pub const fn seconds(self) -> u64 {
        match self {
            Per::Second => 1,
            Per::Minute => 60,
            Per::Hour => 3_600,
            Per::Day => 86_400,
        }
    }

    /// The lower-case English name used in JSON and Redis keys: `second`, `minute`, `hour`, `day`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Per::Second => "second",
            Per::Minute => "minute",
            Per::Hour => "hour",
            Per::Day => "day",
        }
    }
}

/// One documented limit: at most `max` units per window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// The most units admitted in one window.
    pub max: u64,
    /// The window's length.
    pub per: Per,
}

/// What one unit of an endpoint's quota counts, as the document defines it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cost {
    /// Each call counts one (`次`).
    Call,
    /// Each recipient of a message counts one (`按收件人数量计算条数`).
    Recipient,
    /// Each target group counts one (`按目标群组数量计算条数`).
    TargetGroup,
    /// Each target chatroom counts one (`按目标聊天室数量计算条数`).
    TargetChatroom,
    /// Each user acted on counts one (`100 用户/每秒`).
    User,
    /// Each attribute written counts one (`100 个属性/每秒`).
    Attribute,
}

impl Cost {
    /// The snake-case name used in JSON: `call`, `recipient`, `target_group`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Cost::Call => "call",
            Cost::Recipient => "recipient",
            Cost::TargetGroup => "target_group",
            Cost::TargetChatroom => "target_chatroom",
            Cost::User => "user",
            Cost::Attribute => "attribute",
        }
    }
}

/// A quota: the windows that one or more endpoints draw on together.
///
/// Endpoints that the document marks as sharing a quota (共享) map to the same bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Bucket {
    /// A stable name, independent of enum discriminants (used for Redis keys and logs).
    pub name: &'static str,
    /// Every window the bucket enforces, all-or-nothing.
    pub windows: &'static [Window],
}

/// A narrower limit inside an endpoint's limit, as the document states it
/// (`单个频道限 20 条/每秒`: at most 20 per second in any one channel).
///
/// The limiters enforce an endpoint's main windows; a sub-limit applies to a part of the
/// traffic (a channel, a group's message extensions) that only the caller can tell apart, so
/// it is metadata for the caller to enforce, e.g. with a [`KeyedLimiter`](crate::KeyedLimiter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubLimit {
    /// A recognised sub-limit.
    Structured {
        /// What it applies to, as written (`单个频道`, `群聊消息扩展`).
        scope: &'static str,
        /// The limit and its window (the main limit's window when the phrase gives none).
        window: Window,
        /// The unit as written.
        unit: &'static str,
    },
    /// A clause that is clearly a narrower limit but whose shape was not recognised, as written.
    Text {
        /// The clause.
        text: &'static str,
    },
}
