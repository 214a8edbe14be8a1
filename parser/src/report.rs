//! The endpoint table as rows of plain values: what `ratespec check --json` prints and what
//! generated code is compared against.

use serde::Serialize;

use ratespec_core::LimitSource;

use crate::Load;
use crate::model::{Catalog, Document, Endpoint};
use ratespec_core::{Cap, Cost, SubLimit, Window};

/// One endpoint, flattened; serialises with exactly the keys of `ratespec check --json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EndpointRow {
    /// The module name (`rongcloud`).
    pub provider: String,
    /// The variant name (`UserGetToken`).
    pub endpoint: String,
    /// The HTTP method.
    pub method: String,
    /// The path template.
    pub path: String,
    /// The host, when the document writes full URLs.
    pub host: Option<String>,
    /// Every documented name.
    pub names: Vec<String>,
    /// The section title, if any.
    pub section: Option<String>,
    /// Every window.
    pub windows: Vec<Window>,
    /// The unit as written.
    pub unit: String,
    /// What one unit counts.
    pub cost: Cost,
    /// Per-request caps.
    pub caps: Vec<Cap>,
    /// 可调频.
    pub adjustable: bool,
    /// 已废弃.
    pub deprecated: bool,
    /// Outside HTML comments.
    pub published: bool,
    /// The quota bucket's name.
    pub bucket: String,
    /// Narrower limits.
    pub sub_limits: Vec<SubLimit>,
    /// `file:line` of the first row.
    pub source: String,
    /// Where the limit was read: `{"origin": "row" | "prose" | "heading" | "default" | "config", "at": "file:line"}`.
    pub limit_source: LimitSource,
}

impl EndpointRow {
    /// The row for one endpoint of `document`.
    pub fn new(document: &Document, endpoint: &Endpoint) -> Self {
        EndpointRow {
            provider: document.module.clone(),
            endpoint: endpoint.variant.clone(),
            method: endpoint.method.clone(),
            path: endpoint.path().to_string(),
            host: endpoint.host.clone(),
            names: endpoint.names.clone(),
            section: endpoint.section.clone(),
            windows: endpoint.limit.windows.clone(),
            unit: endpoint.limit.unit.clone(),
            cost: endpoint.limit.cost,
            caps: endpoint.limit.caps.clone(),
            adjustable: endpoint.limit.adjustable,
            deprecated: endpoint.deprecated,
            published: endpoint.published,
            bucket: document.buckets[endpoint.bucket].name.clone(),
            sub_limits: endpoint.limit.sub_limits.clone(),
            source: format!("{}:{}", document.file.display(), endpoint.sources[0].line),
            limit_source: endpoint.limit_source.clone(),
        }
    }
}

/// Every endpoint of every document whose limit could be read, in order.
pub fn rows(catalog: &Catalog) -> Vec<EndpointRow> {
    catalog
        .documents
        .iter()
        .flat_map(|d| {
            d.endpoints
                .iter()
                .filter(|e| e.limit_read)
                .map(move |e| EndpointRow::new(d, e))
        })
        .collect()
}

/// What `check` says last: how many rows with a path were read and how many diagnosed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Rows that carry a path and count (outside comments, or with `include_commented`).
    pub rows: usize,
    /// Of those, rows with a diagnostic at their line.
    pub diagnosed: usize,
    /// Diagnostics that fail a build.
    pub errors: usize,
    /// Diagnostics that do not.
    pub warnings: usize,
}

impl Summary {
    /// Counts `load`'s rows and diagnostics.
    pub fn of(load: &Load) -> Summary {
        let mut summary = Summary::default();
        for document in &load.catalog.documents {
            summary.rows += document.row_lines.len();
            summary.diagnosed += document
                .row_lines
                .iter()
                .filter(|&&line| {
                    load.diagnostics
                        .iter()
                        .any(|d| d.at.line == line && d.file == document.file)
                })
                .count();
        }
        summary.errors = load.diagnostics.iter().filter(|d| d.is_error()).count();
        summary.warnings = load.diagnostics.len() - summary.errors;
        summary
    }
}

impl std::fmt::Display for Summary {
    /// `165 rows with a path: 160 read, 5 diagnosed; 5 errors, 1 warning`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        write!(
            f,
            "{} with a path: {} read, {} diagnosed; {}, {}",
            plural(self.rows, "row"),
            self.rows - self.diagnosed,
            self.diagnosed,
            plural(self.errors, "error"),
            plural(self.warnings, "warning")
        )
    }
}
