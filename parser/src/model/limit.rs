//! What one limit phrase means: windows, unit, cost basis, caps, flags and sub-limits, in
//! the vocabulary of `ratespec-core`.

pub use ratespec_core::{Cap, Cost, Per, Scope, SubLimit, Window};

/// The meaning of one limit phrase, e.g. `2 次/每小时，3 次/每自然日（共享），可调频`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Limit {
    /// The phrase as written in the document.
    pub text: String,
    /// Every window, all of which apply at once, each with its own basis and scope.
    pub windows: Vec<Window>,
    /// The unit of the first window as written (`次`, `条消息`, `个属性`, `calls`).
    pub unit: String,
    /// What the caller's count measures: the basis of the windows that do not count calls,
    /// else [`Cost::Call`].
    pub cost: Cost,
    /// Per-request caps (`600 users/request`).
    pub caps: Vec<Cap>,
    /// `可调频`: the vendor raises the limit on request.
    pub adjustable: bool,
    /// `共享`: the quota is shared with other endpoints.
    pub shared: bool,
    /// `已废弃` in the phrase.
    pub deprecated: bool,
    /// Narrower limits inside this one.
    pub sub_limits: Vec<SubLimit>,
    /// Clauses kept as text: notes that state no number to enforce (`（说明：…）`,
    /// `Contact the … business manager`).
    pub notes: Vec<String>,
}
