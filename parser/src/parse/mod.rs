//! Documents → rows: the block structure comes from pulldown-cmark; GFM tables are mapped by
//! the meaning of their header, text rows (a web page copied as text) by a header line and a
//! path token followed by a limit phrase. Text inside HTML comments is read as Markdown again,
//! with its rows marked unpublished.

pub mod phrase;
mod table;
mod text;

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::diagnostic::Diagnostic;
use crate::source::{Position, Source};

/// One documented row: a name, a route and a limit phrase, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The documented name (`注册用户`), link markup reduced to its text; may be empty.
    pub name: String,
    /// The method as written, when the document gives one.
    pub method: Option<String>,
    /// The path template as written (`/user/getToken.json`, `/{org_name}/{app_name}/push/label`).
    pub path: String,
    /// The limit phrase as written.
    pub phrase: String,
    /// The section title the row stands under, if any.
    pub section: Option<String>,
    /// False for rows inside HTML comments.
    pub published: bool,
    /// Where the row starts.
    pub at: Position,
    /// Where the method is written (the row's start when it is not written).
    pub method_at: Position,
    /// Where the path is written.
    pub path_at: Position,
    /// Where the limit phrase is written.
    pub phrase_at: Position,
}

/// What reading one document gives: its rows in document order, and what could not be read.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// Every row, published or not.
    pub rows: Vec<Row>,
    /// Everything that could not be read.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads every row of `source`. Lines listed in `skip_lines` are not read (a table's header
/// line skips the whole table).
pub fn parse_document(source: &Source, skip_lines: &[usize]) -> Parsed {
    let mut reader = Reader {
        source,
        skip_lines,
        section: None,
        text_header: None,
        last_text_line: 0,
        parsed: Parsed::default(),
    };
    reader.read_markdown(0..source.text().len(), true);
    reader.parsed
}

/// The parser's state while it walks a document; comments are read with the same state, so
/// rows after a comment keep the last header and section.
struct Reader<'a> {
    source: &'a Source,
    skip_lines: &'a [usize],
    section: Option<String>,
    text_header: Option<text::Header>,
    /// The last line read as text, so that a line holding several text events is read once.
    last_text_line: usize,
    parsed: Parsed,
}

impl Reader<'_> {
    fn read_markdown(&mut self, range: Range<usize>, published: bool) {
        let base = range.start;
        let slice = &self.source.text()[range];
        let mut events = Parser::new_ext(slice, Options::ENABLE_TABLES).into_offset_iter();
        while let Some((event, span)) = events.next() {
            let span = span.start + base..span.end + base;
            match event {
                Event::Start(Tag::Heading { .. }) => {
                    let mut title = String::new();
                    for (event, _) in events.by_ref() {
                        match event {
                            Event::End(TagEnd::Heading(_)) => break,
                            Event::Text(t) | Event::Code(t) => title.push_str(&t),
                            _ => {}
                        }
                    }
                    self.section = Some(title.trim().to_string());
                }
                Event::Start(Tag::Paragraph) => {
                    skip_to_end(&mut events, TagEnd::Paragraph);
                    self.read_text(span, published);
                }
                Event::Start(Tag::HtmlBlock) => {
                    let mut end = span.end;
                    for (event, html_span) in events.by_ref() {
                        if event == Event::End(TagEnd::HtmlBlock) {
                            break;
                        }
                        end = end.max(html_span.end + base);
                    }
                    self.read_html(span.start..end);
                }
                Event::Start(Tag::Table(_)) => {
                    let rows = table::collect(&mut events, self.source.text(), base);
                    self.read_table(rows, published);
                }
                Event::Start(Tag::CodeBlock(_)) => skip_to_end(&mut events, TagEnd::CodeBlock),
                // Text outside paragraphs: tight list items. Several events may share a line.
                Event::Text(_) => {
                    let line = self.source.position(span.start).line;
                    if line > self.last_text_line {
                        self.last_text_line = line;
                        self.read_text(span, published);
                    }
                }
                _ => {}
            }
        }
    }

    /// Reads the comments inside an HTML block as Markdown of their own, unpublished; the
    /// markup around them is not content.
    fn read_html(&mut self, range: Range<usize>) {
        let mut at = range.start;
        while let Some(open) = self.source.text()[at..range.end].find("<!--") {
            let inner_start = at + open + 4;
            let close = self.source.text()[inner_start..]
                .find("-->")
                .map_or(self.source.text().len(), |i| inner_start + i);
            self.read_markdown(inner_start..close, false);
            at = (close + 3).min(self.source.text().len());
            if at >= range.end {
                break;
            }
        }
    }

    /// Reads a run of text lines; inline `<!-- … -->` parts are read as unpublished.
    fn read_text(&mut self, range: Range<usize>, published: bool) {
        let text = self.source.text();
        let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[range.end..]
            .find('\n')
            .map_or(text.len(), |i| range.end + i);
        for (segment, segment_published) in comment_segments(text, line_start..line_end) {
            let mut offset = segment.start;
            for line in text[segment.clone()].split('\n') {
                self.read_text_line(line, offset, published && segment_published);
                offset += line.len() + 1;
            }
            self.last_text_line = self.source.position(segment.end).line;
        }
    }

    fn read_text_line(&mut self, line: &str, offset: usize, published: bool) {
        let at = self.source.position(offset);
        if self.skip_lines.contains(&at.line) {
            return;
        }
        match text::classify(line) {
            text::Line::Blank | text::Line::Prose => {}
            text::Line::Header(header) => self.text_header = Some(header),
            text::Line::Title(title) => self.section = Some(title),
            text::Line::Row(cells) => {
                let Some(header) = &self.text_header else {
                    let position = self.source.position(offset + cells.path.start);
                    self.parsed.diagnostics.push(
                        Diagnostic::new(
                            self.source,
                            position,
                            "a row-like line before any table header is not read",
                            line.trim(),
                        )
                        .with_help(
                            "put a header line such as `功能 API URL 频率限制` above the rows, \
                             or list this line in `skip_lines` in limits.toml",
                        ),
                    );
                    return;
                };
                let phrase = header.strip_trailing_cells(&line[cells.rest.clone()]);
                let row = Row {
                    name: line[cells.name].trim().to_string(),
                    method: None,
                    path: line[cells.path.clone()].to_string(),
                    phrase: phrase.to_string(),
                    section: self.section.clone(),
                    published,
                    at,
                    method_at: at,
                    path_at: self.source.position(offset + cells.path.start),
                    phrase_at: self.source.position(offset + cells.rest.start),
                };
                self.parsed.rows.push(row);
            }
        }
    }

    fn read_table(&mut self, rows: Vec<Vec<table::Cell>>, published: bool) {
        let Some((header, body)) = rows.split_first() else {
            return;
        };
        let header_at = header.first().map_or_else(Position::default, |cell| {
            self.source.position(cell.span.start)
        });
        if self.skip_lines.contains(&header_at.line) {
            return;
        }
        let columns = match table::Columns::map(header) {
            Ok(columns) => columns,
            Err(missing) => {
                let names: Vec<&str> = header.iter().map(|cell| cell.text.as_str()).collect();
                self.parsed.diagnostics.push(
                    Diagnostic::new(
                        self.source,
                        header_at,
                        format!(
                            "cannot map this table: no {missing} column among [{}]",
                            names.join(" | ")
                        ),
                        self.source.line_text(header_at.line).trim(),
                    )
                    .with_help(
                        "name the columns (URL: `URL`, `路径`, `Path`; limit: `频率`, `限制`, \
                         `Limit`; method: `方法`, `Method`), or list the header line in \
                         `skip_lines` in limits.toml if the table holds no limits",
                    ),
                );
                return;
            }
        };
        for cells in body {
            let Some(first) = cells.first() else { continue };
            let at = self.source.position(first.span.start);
            if self.skip_lines.contains(&at.line) {
                continue;
            }
            let cell = |index: Option<usize>| index.and_then(|i| cells.get(i));
            let (Some(path), Some(limit)) = (cell(Some(columns.url)), cell(Some(columns.limit)))
            else {
                continue;
            };
            let path_text = table::path_of(&path.raw);
            if path_text.is_empty() && limit.text.trim().is_empty() {
                continue;
            }
            let method = cell(columns.method);
            self.parsed.rows.push(Row {
                name: cell(columns.name).map_or_else(String::new, |c| c.text.trim().to_string()),
                method: method
                    .map(|c| c.text.trim().to_string())
                    .filter(|m| !m.is_empty()),
                path: path_text.to_string(),
                phrase: limit.text.trim().to_string(),
                section: self.section.clone(),
                published,
                at,
                method_at: method.map_or(at, |c| self.source.position(c.span.start)),
                path_at: self
                    .source
                    .position(path.span.start + path.raw.find(path_text).unwrap_or(0)),
                phrase_at: self.source.position(limit.span.start),
            });
        }
    }
}

fn skip_to_end<'e>(events: &mut impl Iterator<Item = (Event<'e>, Range<usize>)>, end: TagEnd) {
    for (event, _) in events {
        if event == Event::End(end) {
            break;
        }
    }
}

/// Splits `range` of `text` into parts outside and inside `<!-- … -->` (the markers dropped),
/// each with whether it is outside a comment.
fn comment_segments(text: &str, range: Range<usize>) -> Vec<(Range<usize>, bool)> {
    let mut segments = Vec::new();
    let mut at = range.start;
    while at < range.end {
        match text[at..range.end].find("<!--") {
            None => {
                segments.push((at..range.end, true));
                break;
            }
            Some(open) => {
                segments.push((at..at + open, true));
                let inner = at + open + 4;
                let close = text[inner..range.end]
                    .find("-->")
                    .map_or(range.end, |i| inner + i);
                segments.push((inner..close, false));
                at = (close + 3).min(range.end);
            }
        }
    }
    segments
}
