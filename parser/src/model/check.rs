//! Checks across the finished endpoints of one document: what no single row shows.

use ratespec_core::Per;
use std::collections::HashMap;

use super::build::file_name;
use super::{Document, Endpoint};
use crate::config::Settings;
use crate::diagnostic::Diagnostic;
use crate::source::Source;

/// Every cross-endpoint check of `document`.
pub fn check_document(
    document: &Document,
    source: &Source,
    settings: &Settings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    check_shapes(&document.endpoints, source, diagnostics);
    check_calendar_days(&document.endpoints, settings, source, diagnostics);
}

/// Two templates that differ only in parameter names match the same requests.
fn check_shapes(endpoints: &[Endpoint], source: &Source, diagnostics: &mut Vec<Diagnostic>) {
    let mut shapes: HashMap<(String, String), usize> = HashMap::new();
    for (i, endpoint) in endpoints.iter().enumerate() {
        let key = (endpoint.method.clone(), endpoint.template.shape());
        if let Some(&other) = shapes.get(&key) {
            diagnostics.push(
                Diagnostic::new(
                    source,
                    endpoint.path_at,
                    format!(
                        "`{}` matches the same requests as `{}` (line {})",
                        endpoint.route(),
                        endpoints[other].route(),
                        endpoints[other].sources[0].line
                    ),
                    endpoint.path(),
                )
                .with_help(
                    "use the same parameter names in both rows, or list one line in `skip_lines`",
                ),
            );
        } else {
            shapes.insert(key, i);
        }
    }
}

/// Calendar-day windows need to know where the day starts.
fn check_calendar_days(
    endpoints: &[Endpoint],
    settings: &Settings,
    source: &Source,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if settings.utc_offset.is_some() {
        return;
    }
    if let Some(endpoint) = endpoints
        .iter()
        .find(|e| e.limit.windows.iter().any(|w| w.per == Per::Day))
    {
        diagnostics.push(
            Diagnostic::new(
                source,
                endpoint.sources[0],
                "a calendar-day limit, but the document's UTC offset is not set",
                endpoint.limit.text.clone(),
            )
            .with_help(format!(
                "add `utc_offset = \"+08:00\"` (where the vendor's day starts) to the [[document]] entry with file = \"{}\"",
                file_name(source)
            )),
        );
    }
}
