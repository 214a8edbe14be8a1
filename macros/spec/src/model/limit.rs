//! What one limit phrase means: windows, unit, cost basis, flags and sub-limits.

use serde::Serialize;

/// The length of a fixed window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    /// `秒`, `second`.
    Second,
    /// `分钟`, `minute`.
    Minute,
    /// `小时`, `hour`.
    Hour,
    /// `天`, `日`, `自然日`, `day`: a calendar day in the document's UTC offset.
    Day,
}

impl Per {
    /// `second`, `minute`, `hour` or `day`.
    pub fn as_str(self) -> &'static str {
        match self {
            Per::Second => "second",
            Per::Minute => "minute",
            Per::Hour => "hour",
            Per::Day => "day",
        }
    }
}

/// At most `max` units per window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Window {
    /// The most units admitted in one window.
    pub max: u64,
    /// The window's length.
    pub per: Per,
}

/// What one unit of quota counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cost {
    /// One per call (`次`, `calls`): the default.
    Call,
    /// One per recipient (`按收件人数量计算条数`).
    Recipient,
    /// One per target group (`按目标群组数量计算条数`).
    TargetGroup,
    /// One per target chatroom (`按目标聊天室数量计算条数`).
    TargetChatroom,
    /// One per user (`100 用户/每秒`).
    User,
    /// One per attribute (`100 个属性/每秒`).
    Attribute,
}

impl Cost {
    /// The snake-case name: `call`, `recipient`, `target_group`, ...
    pub fn as_str(self) -> &'static str {
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

/// Whose quota a limit is (`/App Key`, `/App ID`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// `/App Key`: one quota per application key.
    AppKey,
    /// `/App ID`: one quota per application id.
    AppId,
}

/// A narrower limit inside an endpoint's limit.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum SubLimit {
    /// Recognised: `单个频道限 20 条/每秒` → scope `单个频道`, 20 per second, unit `条`.
    Structured {
        /// What the sub-limit applies to, as written (`单个频道`, `群聊消息扩展`).
        scope: String,
        /// The most units in one window.
        max: u64,
        /// The window; inherited from the main limit when the phrase gives none.
        per: Per,
        /// The unit as written.
        unit: String,
    },
    /// A clause that is clearly a narrower limit but whose shape is not recognised.
    Text {
        /// The clause as written.
        text: String,
    },
}

/// The meaning of one limit phrase, e.g. `2 次/每小时，3 次/每自然日（共享），可调频`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Limit {
    /// The phrase as written in the document.
    pub text: String,
    /// Every window, all of which apply at once.
    pub windows: Vec<Window>,
    /// The unit as written (`次`, `条消息`, `个属性`, `calls`).
    pub unit: String,
    /// What one unit counts.
    pub cost: Cost,
    /// `可调频`: the vendor raises the limit on request.
    pub adjustable: bool,
    /// `共享`: the quota is shared with other endpoints.
    pub shared: bool,
    /// `已废弃` in the phrase.
    pub deprecated: bool,
    /// Narrower limits inside this one.
    pub sub_limits: Vec<SubLimit>,
    /// Whose quota it is, when the phrase says (`/App Key`).
    pub scope: Option<Scope>,
}
