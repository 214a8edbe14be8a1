//! What changed between two versions of a document: what a user reads when the vendor
//! updates its docs.

use std::fmt;

use crate::model::{Document, Endpoint};

/// One difference between two versions of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A route only the new version has.
    Added {
        /// `METHOD /path`.
        route: String,
        /// The limit phrase.
        limit: String,
    },
    /// A route only the old version has.
    Removed {
        /// `METHOD /path`.
        route: String,
        /// The limit phrase.
        limit: String,
    },
    /// A route both have, with a field that changed.
    Changed {
        /// `METHOD /path`.
        route: String,
        /// The field (`windows`, `adjustable`, ...).
        field: &'static str,
        /// The old value, as text.
        old: String,
        /// The new value, as text.
        new: String,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Added { route, limit } => write!(f, "+ {route}  {limit}"),
            Change::Removed { route, limit } => write!(f, "- {route}  {limit}"),
            Change::Changed {
                route,
                field,
                old,
                new,
            } => write!(f, "~ {route}  {field}: {old} → {new}"),
        }
    }
}

/// The changes from `old` to `new`, routes in the new document's order, removals last.
/// A route whose limit one version could not read is left out: its diagnostic says why,
/// and listing it as changed or removed would report a reading problem as a vendor change.
pub fn diff(old: &Document, new: &Document) -> Vec<Change> {
    let find = |document: &'_ Document, endpoint: &Endpoint| {
        document
            .endpoints
            .iter()
            .position(|e| e.method == endpoint.method && e.path() == endpoint.path())
    };
    let mut changes = Vec::new();
    for endpoint in new.endpoints.iter().filter(|e| e.limit_read) {
        match find(old, endpoint) {
            None => changes.push(Change::Added {
                route: endpoint.route(),
                limit: endpoint.limit.text.clone(),
            }),
            Some(i) if !old.endpoints[i].limit_read => {}
            Some(i) => compare(old, &old.endpoints[i], new, endpoint, &mut changes),
        }
    }
    for endpoint in old.endpoints.iter().filter(|e| e.limit_read) {
        if find(new, endpoint).is_none() {
            changes.push(Change::Removed {
                route: endpoint.route(),
                limit: endpoint.limit.text.clone(),
            });
        }
    }
    changes
}

fn compare(
    old_doc: &Document,
    old: &Endpoint,
    new_doc: &Document,
    new: &Endpoint,
    changes: &mut Vec<Change>,
) {
    let windows = |e: &Endpoint| {
        e.limit
            .windows
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let bucket = |d: &Document, e: &Endpoint| d.buckets[e.bucket].name.clone();
    let fields: [(&'static str, String, String); 8] = [
        ("windows", windows(old), windows(new)),
        ("unit", old.limit.unit.clone(), new.limit.unit.clone()),
        (
            "cost",
            old.limit.cost.as_str().into(),
            new.limit.cost.as_str().into(),
        ),
        (
            "adjustable",
            old.limit.adjustable.to_string(),
            new.limit.adjustable.to_string(),
        ),
        (
            "deprecated",
            old.deprecated.to_string(),
            new.deprecated.to_string(),
        ),
        (
            "published",
            old.published.to_string(),
            new.published.to_string(),
        ),
        ("bucket", bucket(old_doc, old), bucket(new_doc, new)),
        ("names", old.names.join("、"), new.names.join("、")),
    ];
    for (field, old_value, new_value) in fields {
        if old_value != new_value {
            changes.push(Change::Changed {
                route: new.route(),
                field,
                old: old_value,
                new: new_value,
            });
        }
    }
}
