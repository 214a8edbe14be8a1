//! Raw HTML tables inside Markdown (`<table><tr><th>…</th></tr><tr><td>…</td></tr></table>`),
//! read into the same cells as GFM tables.

use std::ops::Range;

use super::table::Cell;

/// The rows of the HTML table that starts at byte `start` of `text` (at `<table`), and the
/// byte where it ends (after `</table>`, or the text's end when it is not closed).
pub fn table_at(text: &str, start: usize) -> (Vec<Vec<Cell>>, usize) {
    let end = find_ci(text, start, "</table>").map_or(text.len(), |i| i + "</table>".len());
    let mut rows = Vec::new();
    let mut at = start;
    while let Some(tr) = find_ci(text, at, "<tr").filter(|&i| i < end) {
        let row_end = find_ci(text, tr, "</tr>")
            .filter(|&i| i < end)
            .unwrap_or(end);
        let mut row = Vec::new();
        let mut cell_at = tr + 3;
        loop {
            let th = find_ci(text, cell_at, "<th").filter(|&i| i < row_end);
            let td = find_ci(text, cell_at, "<td").filter(|&i| i < row_end);
            let Some((open, tag)) = [th.map(|i| (i, "th")), td.map(|i| (i, "td"))]
                .into_iter()
                .flatten()
                .min()
            else {
                break;
            };
            let Some(inner_start) = text[open..row_end].find('>').map(|i| open + i + 1) else {
                break;
            };
            let close = format!("</{tag}>");
            let inner_end = find_ci(text, inner_start, &close)
                .filter(|&i| i <= row_end)
                .unwrap_or(row_end);
            row.push(cell(text, inner_start..inner_end));
            cell_at = inner_end + close.len().min(text.len() - inner_end);
        }
        if !row.is_empty() {
            rows.push(row);
        }
        at = row_end + 1;
    }
    (rows, end)
}

/// A cell from its inner HTML: tags dropped, `<br>` and `<li>` kept as `<br/>` (the
/// clause separator of limit phrases), entities decoded, white space folded.
fn cell(text: &str, inner: Range<usize>) -> Cell {
    let raw = &text[inner.clone()];
    let leading = raw.len() - raw.trim_start().len();
    let trimmed = raw.trim();
    let mut plain = String::new();
    let mut rest = trimmed;
    while let Some(open) = rest.find('<') {
        plain.push_str(&rest[..open]);
        let close = rest[open..].find('>').map_or(rest.len(), |i| open + i + 1);
        let tag = rest[open..close].to_ascii_lowercase();
        if tag.starts_with("<br") || tag.starts_with("<li") {
            plain.push_str(" <br/> ");
        }
        rest = &rest[close..];
    }
    plain.push_str(rest);
    let plain = plain
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let start = inner.start + leading;
    Cell {
        text: plain.split_whitespace().collect::<Vec<_>>().join(" "),
        raw: trimmed.to_string(),
        span: start..start + trimmed.len(),
    }
}

/// The byte offset of `needle` (ASCII, matched ignoring case) at or after `from`.
pub fn find_ci(text: &str, from: usize, needle: &str) -> Option<usize> {
    let hay = text.as_bytes();
    let needle = needle.as_bytes();
    (from..hay.len().saturating_sub(needle.len() - 1))
        .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_body_cells_with_markup_dropped() {
        let text = "<table border=\"1\">\n  <tr>\n    <th>Interface</th>\n    <th>Limit </th>\n  </tr>\n  <tr>\n    <td><a href=\"/x.html\"> Download </a></td>\n    <td>10 times/s<br>30 times/s</td>\n  </tr>\n</table>\nafter";
        let (rows, end) = table_at(text, 0);
        assert_eq!(&text[end..], "\nafter");
        let texts: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(|c| c.text.as_str()).collect())
            .collect();
        assert_eq!(
            texts,
            vec![
                vec!["Interface", "Limit"],
                vec!["Download", "10 times/s <br/> 30 times/s"]
            ]
        );
        assert_eq!(&text[rows[1][1].span.clone()], "10 times/s<br>30 times/s");
    }

    #[test]
    fn an_unclosed_table_ends_with_the_text() {
        let (rows, end) = table_at("<table><tr><td>a", 0);
        assert_eq!(end, 16);
        assert_eq!(rows[0][0].text, "a");
    }
}
