//! GFM tables: cells collected from pulldown-cmark events, columns mapped by the meaning of
//! their header rather than by position.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

/// One table cell.
#[derive(Clone, Debug)]
pub struct Cell {
    /// The cell as a reader sees it: links reduced to their text, markup dropped.
    pub text: String,
    /// The cell's source text, trimmed (for paths, where Markdown could eat `_` or `*`).
    pub raw: String,
    /// Where the trimmed source text is, in bytes from the document's start.
    pub span: Range<usize>,
}

/// Collects the rows of a table (the header first) from the events after `Start(Table)`.
pub fn collect<'e>(
    events: &mut impl Iterator<Item = (Event<'e>, Range<usize>)>,
    text: &str,
    base: usize,
) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    let mut row: Vec<Cell> = Vec::new();
    let mut cell: Option<Cell> = None;
    for (event, span) in events {
        let span = span.start + base..span.end + base;
        match event {
            Event::End(TagEnd::Table) => break,
            Event::Start(Tag::TableCell) => {
                let raw = &text[span.clone()];
                let leading = raw.len() - raw.trim_start().len();
                let start = span.start + leading;
                let raw = raw.trim();
                cell = Some(Cell {
                    text: String::new(),
                    raw: raw.to_string(),
                    span: start..start + raw.len(),
                });
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(cell) = &mut cell {
                    cell.text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(cell) = &mut cell {
                    cell.text.push(' ');
                }
            }
            Event::End(TagEnd::TableCell) => row.extend(cell.take()),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => rows.push(std::mem::take(&mut row)),
            _ => {}
        }
    }
    rows
}

/// Which column holds what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns {
    /// The documented name, if a column has it.
    pub name: Option<usize>,
    /// The HTTP method, if a column has it.
    pub method: Option<usize>,
    /// The path or URL.
    pub url: usize,
    /// The limit phrase.
    pub limit: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Meaning {
    Limit,
    Url,
    Method,
    Name,
}

/// Header words by meaning, most specific first: `接口 URL` is a URL and `接口最高调用频率` a
/// limit although both say `接口`.
const MEANINGS: &[(Meaning, &[&str])] = &[
    (
        Meaning::Limit,
        &["频率", "限制", "限流", "limit", "rate", "quota", "qps"],
    ),
    (Meaning::Url, &["url", "uri", "路径", "path", "endpoint"]),
    (Meaning::Method, &["方法", "请求方式", "method", "verb"]),
    (
        Meaning::Name,
        &["接口", "名称", "功能", "api", "name", "操作"],
    ),
];

impl Columns {
    /// Maps a header row; the error names the missing column (`URL` or `limit`).
    pub fn map(header: &[Cell]) -> Result<Columns, &'static str> {
        let find = |wanted: Meaning| {
            header.iter().position(|cell| {
                let lower = cell.text.to_lowercase();
                MEANINGS
                    .iter()
                    .find(|(_, words)| words.iter().any(|w| lower.contains(w)))
                    .is_some_and(|&(meaning, _)| meaning == wanted)
            })
        };
        Ok(Columns {
            name: find(Meaning::Name),
            method: find(Meaning::Method),
            url: find(Meaning::Url).ok_or("URL")?,
            limit: find(Meaning::Limit).ok_or("limit")?,
        })
    }
}

/// The path in a URL cell: backticks dropped, `scheme://host` dropped.
pub fn path_of(raw: &str) -> &str {
    let raw = raw.trim().trim_matches('`').trim();
    raw.strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(raw)
}
