//! The endpoint table for a terminal: aligned columns, Chinese text measured by display width.

use ratespec_parser::report::EndpointRow;
use unicode_width::UnicodeWidthStr;

const HEADERS: [&str; 10] = [
    "ENDPOINT",
    "METHOD",
    "PATH",
    "LIMIT",
    "COST",
    "FLAGS",
    "BUCKET",
    "NAMES",
    "SOURCE",
    "LIMIT FROM",
];

/// Renders rows grouped by provider, one aligned table each.
pub fn table(rows: &[EndpointRow]) -> String {
    let mut out = String::new();
    let mut start = 0;
    while start < rows.len() {
        let provider = &rows[start].provider;
        let end = rows[start..]
            .iter()
            .position(|r| &r.provider != provider)
            .map_or(rows.len(), |i| start + i);
        let group = &rows[start..end];
        out.push_str(&format!("{provider}: {} endpoints\n", group.len()));
        let cells: Vec<[String; 10]> = group.iter().map(cells).collect();
        let mut widths = HEADERS.map(UnicodeWidthStr::width);
        for row in &cells {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.width());
            }
        }
        push_line(&mut out, &HEADERS.map(String::from), &widths);
        for row in &cells {
            push_line(&mut out, row, &widths);
        }
        out.push('\n');
        start = end;
    }
    out
}

fn cells(row: &EndpointRow) -> [String; 10] {
    // Windows counting what the first one counts are shown in the document's unit; the
    // others by their basis (`100 次/second + 6000 message/minute`).
    let first_cost = row.windows.first().map(|w| w.cost);
    let mut parts: Vec<String> = row
        .windows
        .iter()
        .map(|w| {
            let unit = if Some(w.cost) == first_cost {
                row.unit.clone()
            } else {
                w.cost.as_str().to_string()
            };
            let period = if w.every == 1 {
                w.per.as_str().to_string()
            } else {
                format!("{} {}s", w.every, w.per.as_str())
            };
            let scope = match w.scope {
                ratespec::Scope::User => " per user",
                ratespec::Scope::Channel => " per channel",
                ratespec::Scope::Ip => " per IP",
                _ => "",
            };
            // `10/second` when the phrase names no unit (`10/s`).
            let unit = if unit.is_empty() {
                String::new()
            } else {
                format!(" {unit}")
            };
            format!("{}{unit}/{period}{scope}", w.max)
        })
        .collect();
    parts.extend(
        row.caps
            .iter()
            .map(|cap| format!("{} {}/request", cap.max, cap.unit)),
    );
    let limit = parts.join(" + ");
    let mut flags = Vec::new();
    if row.adjustable {
        flags.push("adjustable");
    }
    if row.deprecated {
        flags.push("deprecated");
    }
    if !row.published {
        flags.push("unpublished");
    }
    if !row.sub_limits.is_empty() {
        flags.push("sub-limits");
    }
    [
        row.endpoint.clone(),
        row.method.clone(),
        row.path.clone(),
        limit,
        row.cost.as_str().to_string(),
        flags.join(","),
        if row.bucket == row.endpoint {
            String::new()
        } else {
            row.bucket.clone()
        },
        row.names.join("、"),
        row.source.clone(),
        // Where the limit was read, when it is not the row itself: `prose line 204`.
        match row.limit_source.origin {
            ratespec::Origin::Row => String::new(),
            origin => format!("{} line {}", origin.as_str(), row.limit_source.line),
        },
    ]
}

fn push_line(out: &mut String, cells: &[String; 10], widths: &[usize; 10]) {
    let mut line = String::new();
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        line.push_str(cell);
        if i + 1 < cells.len() {
            line.push_str(&" ".repeat(width - cell.width() + 2));
        }
    }
    out.push_str(line.trim_end());
    out.push('\n');
}
