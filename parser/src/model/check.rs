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
    check_calendar_days(document, settings, source, diagnostics);
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

/// The offset from UTC at which the document's limits say their calendar days start, when
/// every limit with a day window says so and all say the same (`1000 次/天（北京时间）`).
pub fn stated_day_offset(endpoints: &[Endpoint]) -> Option<i32> {
    let mut offsets = day_endpoints(endpoints).map(|e| e.limit.day_offset);
    let first = offsets.next()??;
    offsets.all(|o| o == Some(first)).then_some(first)
}

/// The endpoints with a calendar-day window.
fn day_endpoints(endpoints: &[Endpoint]) -> impl Iterator<Item = &Endpoint> {
    endpoints
        .iter()
        .filter(|e| e.limit.windows.iter().any(|w| w.per == Per::Day))
}

/// An offset from UTC as `limits.toml` writes it: `+08:00`.
fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Calendar-day windows need to know where the day starts: `utc_offset` in limits.toml, or
/// what the limits say (`(UTC)`, `（北京时间）`), which must not contradict it.
fn check_calendar_days(
    document: &Document,
    settings: &Settings,
    source: &Source,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let endpoints = &document.endpoints[..];
    let entry = format!(
        "the [[document]] entry with file = \"{}\"",
        file_name(source)
    );
    if let Some(configured) = settings.utc_offset {
        for endpoint in day_endpoints(endpoints) {
            let Some(stated) = endpoint.limit.day_offset.filter(|&s| s != configured) else {
                continue;
            };
            diagnostics.push(
                Diagnostic::new(
                    source,
                    endpoint.sources[0],
                    format!(
                        "the limit says its days start at UTC{}, but limits.toml sets utc_offset = \"{}\"",
                        offset_text(stated),
                        offset_text(configured)
                    ),
                    endpoint.limit.text.clone(),
                )
                .with_help(format!(
                    "correct `utc_offset` in {entry}, or set this route's limit there"
                )),
            );
        }
        return;
    }
    // No offset in limits.toml, but every day window names the same zone.
    if document.utc_offset.is_some() {
        return;
    }
    // The first limit that states a time zone, and the first that states none or another.
    let stated = day_endpoints(endpoints).find_map(|e| Some((e, e.limit.day_offset?)));
    let Some(unclear) = day_endpoints(endpoints).find(|e| match (e.limit.day_offset, stated) {
        (None, _) => true,
        (Some(offset), Some((_, first))) => offset != first,
        (Some(_), None) => false,
    }) else {
        return;
    };
    let (message, help) = match (stated, unclear.limit.day_offset) {
        (Some((first, offset)), Some(other)) => (
            format!(
                "the limit says its days start at UTC{}, but line {} says UTC{}: one document has one",
                offset_text(other),
                first.sources[0].line,
                offset_text(offset)
            ),
            format!("add `utc_offset` to {entry}, and set the other routes' limits there"),
        ),
        (Some((first, offset)), None) => (
            "a calendar-day limit, but the document's UTC offset is not set".to_string(),
            format!(
                "line {} says its days start at UTC{}; if this one's do too, add `utc_offset = \"{}\"` to {entry}",
                first.sources[0].line,
                offset_text(offset),
                offset_text(offset)
            ),
        ),
        (None, _) => (
            "a calendar-day limit, but the document's UTC offset is not set".to_string(),
            format!("add `utc_offset = \"+08:00\"` (where the vendor's day starts) to {entry}"),
        ),
    };
    diagnostics.push(
        Diagnostic::new(
            source,
            unclear.sources[0],
            message,
            unclear.limit.text.clone(),
        )
        .with_help(help),
    );
}
