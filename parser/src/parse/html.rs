//! Raw HTML tables inside Markdown (`<table><tr><th>…</th></tr><tr><td>…</td></tr></table>`),
//! read into the same cells as GFM tables.

use std::ops::Range;

use super::table::Cell;

/// The rows of the HTML table that starts at byte `start` of `text` (at `<table`), and the
/// byte where it ends (after `</table>`, or the text's end when it is not closed).
///
/// A cell with `rowspan="n"` stands in its column in the n - 1 rows below it too, as a
/// reader sees it (`<td rowspan="2">50 次/秒</td>`: both rows' limit); there it is placed
/// at the start of its row's `<tr>`, so that what is reported about that row names its line.
pub fn table_at(text: &str, start: usize) -> (Vec<Vec<Cell>>, usize) {
    let end = find_ci(text, start, "</table>").map_or(text.len(), |i| i + "</table>".len());
    let mut rows = Vec::new();
    // Per column, a cell spanning rows below its own and how many of them are left.
    let mut spanning: Vec<Option<(Cell, usize)>> = Vec::new();
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
            carry(&mut row, &mut spanning, tr);
            let read = cell(text, inner_start..inner_end);
            if let Some(below) = rowspan(&text[open..inner_start]).and_then(|n| n.checked_sub(1))
                && below > 0
            {
                if spanning.len() <= row.len() {
                    spanning.resize(row.len() + 1, None);
                }
                spanning[row.len()] = Some((read.clone(), below));
            }
            row.push(read);
            cell_at = inner_end + close.len().min(text.len() - inner_end);
        }
        carry(&mut row, &mut spanning, tr);
        if !row.is_empty() {
            rows.push(row);
        }
        at = row_end + 1;
    }
    (rows, end)
}

/// Puts the cells that span into this row from above (its `<tr>` at `tr`) in their columns,
/// from column `row.len()` on, until a column has none.
fn carry(row: &mut Vec<Cell>, spanning: &mut [Option<(Cell, usize)>], tr: usize) {
    while let Some(slot) = spanning.get_mut(row.len())
        && let Some((cell, left)) = slot
    {
        row.push(Cell {
            span: tr..tr,
            ..cell.clone()
        });
        *left -= 1;
        if *left == 0 {
            *slot = None;
        }
    }
}

/// The `rowspan` of a cell's opening tag (`<td rowspan="2">`), if it has one.
fn rowspan(tag: &str) -> Option<usize> {
    let at = find_ci(tag, 0, "rowspan")?;
    let value = tag[at + "rowspan".len()..].trim_start().strip_prefix('=')?;
    let value = value.trim_start().trim_start_matches(['"', '\'']);
    let digits = value.len() - value.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    value[..digits].parse().ok()
}

/// A cell from its inner HTML: tags dropped, `<br>` and `<li>` kept as `<br/>` (the
/// clause separator of limit phrases), entities decoded, white space folded.
fn cell(text: &str, inner: Range<usize>) -> Cell {
    let raw = &text[inner.clone()];
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
    // What paths are read from: the source with its markup blanked (`<code>v4/x</code>`),
    // where every offset is the source's.
    let blanked = blank_tags(raw);
    let blanked_leading = blanked.len() - blanked.trim_start().len();
    let source = blanked.trim();
    let start = inner.start + blanked_leading;
    Cell {
        text: plain.split_whitespace().collect::<Vec<_>>().join(" "),
        raw: source.to_string(),
        span: start..start + source.len(),
    }
}

/// `html` with its markup blanked: every tag, and the contents of `<script>`, `<style>` and
/// `<head>`, become spaces (but for a backtick in place of `<code>` and `</code>`), and the
/// common entities (`&nbsp;`, `&amp;`, `&lt;`, `&gt;`,
/// `&quot;`, `&#39;`) their character and spaces, so that the text keeps every byte offset
/// and line of the original.
pub fn blank_tags(html: &str) -> String {
    const ENTITIES: &[(&str, char)] = &[
        ("&nbsp;", ' '),
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
    ];
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    while at < html.len() {
        let rest = &html[at..];
        if bytes[at] == b'<' {
            // The contents of elements that are no text go with their tags.
            let skipped = ["script", "style", "head"].iter().find_map(|name| {
                opens_tag(rest, &format!("<{name}")).then(|| {
                    let close = format!("</{name}>");
                    find_ci(html, at, &close).map_or(html.len(), |i| i + close.len())
                })
            });
            let end = skipped.unwrap_or_else(|| rest.find('>').map_or(html.len(), |i| at + i + 1));
            // `<code>` and `</code>` end and start with the backticks of a code span, as
            // Markdown writes one, right beside its text (`v4/openim/sendmsg` in a code span
            // is a path).
            let tag = &html[at..end];
            if opens_tag(tag, "<code") {
                blank_bytes(&mut out, &tag[1..]);
                out.push('`');
            } else if opens_tag(tag, "</code") {
                out.push('`');
                blank_bytes(&mut out, &tag[1..]);
            } else {
                blank_bytes(&mut out, tag);
            }
            at = end;
            continue;
        }
        if bytes[at] == b'&'
            && let Some(&(entity, c)) = ENTITIES.iter().find(|(entity, _)| {
                rest.get(..entity.len())
                    .is_some_and(|e| e.eq_ignore_ascii_case(entity))
            })
        {
            out.push(c);
            out.extend(std::iter::repeat_n(' ', entity.len() - 1));
            at += entity.len();
            continue;
        }
        let c = rest.chars().next().expect("not at the end");
        out.push(c);
        at += c.len_utf8();
    }
    out
}

/// Spaces for every byte of `text` but its line breaks.
/// Whether `text` starts with the tag `open` (`<code`, `</code`; ASCII case ignored) and
/// its name ends there (`<code>`, `<code class="x">`, not `<codex>`).
fn opens_tag(text: &str, open: &str) -> bool {
    text.get(..open.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(open))
        && text[open.len()..].starts_with(['>', ' ', '\t', '\n'])
}

fn blank_bytes(out: &mut String, text: &str) {
    out.extend(text.bytes().map(|b| if b == b'\n' { '\n' } else { ' ' }));
}

/// The level of the heading a line of HTML opens (`<h2>` → 2, `<H3 id="x">` → 3).
pub fn heading_level(line: &str) -> Option<usize> {
    let at = find_ci(line, 0, "<h")?;
    let level = line.as_bytes().get(at + 2).copied()?;
    let after = line.as_bytes().get(at + 3).copied()?;
    ((b'1'..=b'6').contains(&level) && matches!(after, b'>' | b' ' | b'\t'))
        .then(|| usize::from(level - b'0'))
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
    fn blanked_markup_keeps_every_offset_and_line() {
        let html = "<p>The <code>GET /v1/a</code> API&nbsp;allows 5/s.</p>\n<style>\ntd { x: 1 }\n</style><li>POST /v1/b</li>";
        let blanked = blank_tags(html);
        assert_eq!(blanked.len(), html.len());
        assert_eq!(blanked.lines().count(), html.lines().count());
        assert_eq!(
            blanked.split_whitespace().collect::<Vec<_>>(),
            [
                "The", "`GET", "/v1/a`", "API", "allows", "5/s.", "POST", "/v1/b"
            ]
        );
        // `<code>` ends, and `</code>` starts, with a code span's backtick beside its text.
        assert_eq!(blank_tags("<code>v4/a</code>"), "     `v4/a`      ");
        assert_eq!(
            blank_tags("<CODE class=\"x\">v4/a</Code>"),
            "               `v4/a`      "
        );
        assert_eq!(blank_tags("<codex>a</codex>"), "       a        ");
        // The path stands where it was written.
        assert_eq!(blanked.find("/v1/a"), html.find("/v1/a"));
        // Text outside ASCII keeps its bytes; an unclosed tag blanks to the end.
        assert_eq!(blank_tags("频率 <b>100 次/秒"), "频率    100 次/秒");
        assert_eq!(blank_tags("a <b"), "a   ");
    }

    proptest::proptest! {
        #[test]
        fn blanking_any_text_keeps_its_length_and_lines(text in "[a-z<>&;#/!\n 中é-]{0,80}") {
            let blanked = blank_tags(&text);
            proptest::prop_assert_eq!(blanked.len(), text.len());
            proptest::prop_assert_eq!(blanked.matches('\n').count(), text.matches('\n').count());
        }
    }

    #[test]
    fn heading_levels_of_html_lines() {
        assert_eq!(heading_level("<h2>Users</h2>"), Some(2));
        assert_eq!(heading_level("  <H3 id=\"x\">Users</H3>"), Some(3));
        assert_eq!(heading_level("<hr>"), None);
        assert_eq!(heading_level("<head>"), None);
        assert_eq!(heading_level("<p>h2</p>"), None);
    }

    /// The cells' texts, row by row.
    fn texts(rows: &[Vec<Cell>]) -> Vec<Vec<&str>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn header_and_body_cells_with_markup_dropped() {
        let text = "<table border=\"1\">\n  <tr>\n    <th>Interface</th>\n    <th>Limit </th>\n  </tr>\n  <tr>\n    <td><a href=\"/x.html\"> Download </a></td>\n    <td>10 times/s<br>30 times/s</td>\n  </tr>\n</table>\nafter";
        let (rows, end) = table_at(text, 0);
        assert_eq!(&text[end..], "\nafter");
        let texts = texts(&rows);
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
    fn a_cell_spanning_rows_stands_in_each_of_them() {
        let text = "<table><tr><th>A</th><th>B</th><th>C</th></tr>\n\
            <tr><td rowspan=\"3\">a</td><td>b1</td><td rowspan='2'>c</td></tr>\n\
            <tr><td>b2</td></tr>\n\
            <tr><td>b3</td><td>c3</td></tr>\n\
            <tr><td>a4</td><td>b4</td><td>c4</td></tr></table>";
        let (rows, _) = table_at(text, 0);
        let texts = texts(&rows);
        assert_eq!(
            texts,
            vec![
                vec!["A", "B", "C"],
                vec!["a", "b1", "c"],
                vec!["a", "b2", "c"],
                vec!["a", "b3", "c3"],
                vec!["a4", "b4", "c4"],
            ]
        );
        // A cell carried into a row is placed at that row's `<tr>`: its line.
        let line = |at: usize| text[..at].matches('\n').count();
        assert_eq!(line(rows[2][0].span.start), 2);
        assert_eq!(line(rows[3][2].span.start), 3);
    }

    #[test]
    fn an_unclosed_table_ends_with_the_text() {
        let (rows, end) = table_at("<table><tr><td>a", 0);
        assert_eq!(end, 16);
        assert_eq!(rows[0][0].text, "a");
    }
}
