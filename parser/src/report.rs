//! The endpoint table as rows of plain values: what `ratespec check --json` prints and what
//! generated code is compared against.

use serde::Serialize;

use crate::model::limit::{Cost, SubLimit, Window};
use crate::model::{Catalog, Document, Endpoint};

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
}

impl EndpointRow {
    /// The row for one endpoint of `document`.
    pub fn new(document: &Document, endpoint: &Endpoint) -> Self {
        EndpointRow {
            provider: document.module.clone(),
            endpoint: endpoint.variant.clone(),
            method: endpoint.method.clone(),
            path: endpoint.path().to_string(),
            names: endpoint.names.clone(),
            section: endpoint.section.clone(),
            windows: endpoint.limit.windows.clone(),
            unit: endpoint.limit.unit.clone(),
            cost: endpoint.limit.cost,
            adjustable: endpoint.limit.adjustable,
            deprecated: endpoint.deprecated,
            published: endpoint.published,
            bucket: document.buckets[endpoint.bucket].name.clone(),
            sub_limits: endpoint.limit.sub_limits.clone(),
            source: format!("{}:{}", document.file.display(), endpoint.sources[0].line),
        }
    }
}

/// Every endpoint of every document, in order.
pub fn rows(catalog: &Catalog) -> Vec<EndpointRow> {
    catalog
        .documents
        .iter()
        .flat_map(|d| d.endpoints.iter().map(move |e| EndpointRow::new(d, e)))
        .collect()
}
