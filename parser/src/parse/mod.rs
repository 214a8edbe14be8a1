//! Documents → rows: the block structure comes from pulldown-cmark; tables (GFM and HTML)
//! are mapped by the meaning of their header, then by what their cells hold; text rows (a
//! web page copied as text) by a header line and a path token followed by a limit phrase.
//! Sentences that state the limit of a table without a limit column, or the document's
//! default, are read too. Text inside HTML comments is read as Markdown again, with its rows
//! marked unpublished.

mod html;
pub mod paths;
mod prose;
mod table;
mod text;

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use ratespec_core::Origin;

use crate::diagnostic::Diagnostic;
use crate::phrase::{self, Limit, PhraseError};
use crate::source::{Position, Source};

/// One documented row: a name, a route and a limit phrase, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The documented name (`注册用户`), link markup reduced to its text; may be empty.
    pub name: String,
    /// The method as written, when the document gives one.
    pub method: Option<String>,
    /// The path template, normalised from what is written (`/user/getToken.json`,
    /// `/{org_name}/{app_name}/push/label`; see [`paths`]).
    pub path: String,
    /// The host, when the document writes a full URL.
    pub host: Option<String>,
    /// The limit phrase as written; empty when the row states none (a table without a
    /// limit column), and the document's default applies.
    pub phrase: String,
    /// The phrase read, when there is one.
    pub limit: Option<Result<Limit, PhraseError>>,
    /// Where the phrase was written: the row itself, or a sentence about its table.
    pub origin: Origin,
    /// A quota that a sentence says the rows of one or more tables share (`…的总调用频率为…`),
    /// named by the line of that sentence.
    pub shared_group: Option<usize>,
    /// Which table the row is in (numbered in document order), if any.
    pub table: Option<usize>,
    /// A yes/no column (`是否可调`) says the vendor raises the limit on request.
    pub adjustable: bool,
    /// Why the row's cells do not line up with its header, when they do not: its route is
    /// read, its limit must come from `limits.toml`.
    pub shifted: Option<String>,
    /// The section title the row stands under, if any.
    pub section: Option<String>,
    /// False for rows inside HTML comments.
    pub published: bool,
    /// A route alone in a heading or a code block that no sentence gave a limit: a row of
    /// its own only when no other row of the document names its route.
    pub alone: bool,
    /// Where the row starts.
    pub at: Position,
    /// Where the method is written (the row's start when it is not written).
    pub method_at: Position,
    /// Where the path is written.
    pub path_at: Position,
    /// Where the limit phrase is written.
    pub phrase_at: Position,
}

impl Row {
    /// Takes the limit that a sentence or a heading about the row states, at `at`; a
    /// statement that the rows share it puts the row in the group of its line.
    fn take_statement(&mut self, statement: &prose::Statement, at: Position, origin: Origin) {
        self.phrase = statement.phrase.clone();
        self.phrase_at = at;
        self.origin = origin;
        if statement.shared {
            self.shared_group = Some(at.line);
        }
    }
}

/// A document-wide default limit (`Unless otherwise specified …, 100 calls/second`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefaultLimit {
    /// The limit phrase found in the sentence.
    pub phrase: String,
    /// The phrase read.
    pub limit: Result<Limit, PhraseError>,
    /// Where the phrase is written.
    pub at: Position,
}

/// What reading one document gives: its rows in document order, and what could not be read.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// Every row, published or not.
    pub rows: Vec<Row>,
    /// The document's default limit, for rows that state none.
    pub default: Option<DefaultLimit>,
    /// Lines of rows that carry a path but could not be read into a row (a diagnostic says
    /// why), and whether each is published.
    pub rejected: Vec<(usize, bool)>,
    /// Everything that could not be read.
    pub diagnostics: Vec<Diagnostic>,
}

/// How to read one document: what `limits.toml` says about its lines.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReadOptions<'a> {
    /// Lines not to read (a table's header line skips the whole table).
    pub skip_lines: &'a [usize],
    /// The plan whose column to read in tables with one limit column per plan.
    pub plan: Option<&'a str>,
}

/// Reads every row of `source`.
pub fn parse_document(source: &Source, options: ReadOptions) -> Parsed {
    let mut reader = Reader {
        source,
        options,
        section: None,
        text_header: None,
        last_text_line: 0,
        parsed: Parsed::default(),
        tables: Vec::new(),
        prose: prose::Pending::default(),
        seen_limits: Vec::new(),
        unread_paths: Vec::new(),
        pathless_tables: Vec::new(),
        html_until: 0,
        last_table: None,
        sections: vec![OpenSection::default()],
        heading_limits: Vec::new(),
        section_names: Vec::new(),
    };
    reader.read_markdown(0..source.text().len(), true);
    reader.end_sections(0);
    reader.end_headings(0);
    reader.finish();
    reader.parsed
}

/// How a table's columns read, kept so that a row cut off from its table (commented out on
/// its own) reads like its neighbours.
#[derive(Clone, Debug)]
struct TableLayout {
    columns: table::Columns,
    url: usize,
    /// Whether a path without its leading `/` is a path in the URL column.
    relative_paths: bool,
    limit_column: Option<usize>,
    /// The unit the limit column's header names (`调用频率（次/秒）`, `Limit (calls/second)`),
    /// for cells that write only the number.
    header_unit: Option<String>,
    /// The scope the limit column's header names (`Rate limit (per user)`), for every cell.
    header_scope: Option<String>,
    /// The table's other columns of windows, each with the unit and scope its header names.
    windows: Vec<WindowColumn>,
    header_len: usize,
    header_at: Position,
    gfm: bool,
    id: usize,
}

/// A column whose header names its window (`每日上限`), beside the limit column.
#[derive(Clone, Debug)]
struct WindowColumn {
    column: usize,
    /// The header as written, for diagnostics.
    header: String,
    unit: String,
    scope: Option<String>,
}

/// A table read so far: whether it has a limit column, and its rows.
#[derive(Clone, Debug)]
struct TableInfo {
    /// Rows (indices into `Parsed::rows`) that state no limit of their own.
    limitless_rows: Vec<usize>,
    /// Whether the table has no limit column (its limit is in a sentence, or the default).
    limitless: bool,
}

/// The parser's state while it walks a document; comments are read with the same state, so
/// rows after a comment keep the last header and section.
struct Reader<'a> {
    source: &'a Source,
    options: ReadOptions<'a>,
    section: Option<String>,
    text_header: Option<text::Header>,
    /// The last line read as text, so that a line holding several text events is read once.
    last_text_line: usize,
    parsed: Parsed,
    tables: Vec<TableInfo>,
    /// A sentence about the tables that follow it, waiting for them.
    prose: prose::Pending,
    /// Lines that state a limit, for the report on a document with no path.
    seen_limits: Vec<(usize, String)>,
    /// Lines that hold a path but were not read as rows, for the same report.
    unread_paths: Vec<UnreadPath>,
    /// Where the tables without a path that state limits start (their header).
    pathless_tables: Vec<Position>,
    /// The end of the last HTML table read, whose HTML blocks are not read again.
    html_until: usize,
    /// The last GFM table's layout.
    last_table: Option<TableLayout>,
    /// The sections the reader is in, outermost (the document, level 0) first.
    sections: Vec<OpenSection>,
    /// The limits stated in the headings the reader is under (`## 消息接口（100 次/分钟）`),
    /// outermost first.
    heading_limits: Vec<HeadingLimit>,
    /// Rows that were the one row of a section, with its title: the outermost section's
    /// title names the row if it has no name of its own.
    section_names: Vec<(usize, String)>,
}

/// A section open at a heading (the document itself at level 0): what it holds, and what
/// its subsections left unpaired.
#[derive(Debug, Default)]
struct OpenSection {
    level: usize,
    title: Option<String>,
    /// How many rows there were when it began.
    start: usize,
    own: SectionLimits,
    /// What its subsections held and did not pair (an API's `### HTTP request` and `###
    /// Rate limit`): paired here, or taken as it is.
    inherited: SectionLimits,
}

/// A limit stated in a heading: the limit of the rows under it that state none (in tables
/// without a limit column, on route lines) and that no sentence gives one; more specific
/// than the document's default.
#[derive(Debug)]
struct HeadingLimit {
    /// The heading's level (1 for `#`): it ends at the next heading of this level or above.
    level: usize,
    /// The statement and where its phrase is.
    statement: prose::Statement,
    at: Position,
    /// The rows under it that stated no limit when read (indices into `Parsed::rows`).
    rows: Vec<usize>,
}

/// What one section (from a heading to the next) holds that a page of one section per API
/// pairs: its routes on lines of their own that state no limit, and its sentences that
/// state a limit about nothing else ([`prose::Kind::Section`]).
#[derive(Debug, Default)]
struct SectionLimits {
    /// Rows (indices into `Parsed::rows`) read from route lines without a limit.
    rows: Vec<usize>,
    /// Routes in a heading (`### POST /v1/channels`) or alone in a one-line code block
    /// (`POST https://host/v4/openim/sendmsg`): rows only when a sentence of the section
    /// gives their limit.
    candidates: Vec<Row>,
    /// The sentences' phrases and where they are.
    limits: Vec<(String, Position)>,
    /// The method a line of its own gives the section's routes (`**请求方式**：DELETE`,
    /// `Method: GET`), for those that write none.
    method: Option<String>,
}

impl SectionLimits {
    /// Takes in what `other` holds (its method only where this has none).
    fn absorb(&mut self, mut other: SectionLimits) {
        self.rows.append(&mut other.rows);
        self.candidates.append(&mut other.candidates);
        self.limits.append(&mut other.limits);
        if self.method.is_none() {
            self.method = other.method;
        }
    }
}

impl Reader<'_> {
    fn read_markdown(&mut self, range: Range<usize>, published: bool) {
        let base = range.start;
        let slice = &self.source.text()[range];
        let mut events = Parser::new_ext(slice, Options::ENABLE_TABLES).into_offset_iter();
        while let Some((event, span)) = events.next() {
            let span = span.start + base..span.end + base;
            match event {
                Event::Start(Tag::Heading { level, .. }) => {
                    let level = level as usize;
                    let mut title = String::new();
                    for (event, _) in events.by_ref() {
                        match event {
                            Event::End(TagEnd::Heading(_)) => break,
                            Event::Text(t) | Event::Code(t) => title.push_str(&t),
                            _ => {}
                        }
                    }
                    let source = self.source.text();
                    let raw = source[span.clone()].lines().next().unwrap_or("");
                    let content = raw.trim_start().trim_start_matches('#').trim_start();
                    let offset = span.start + (raw.len() - content.len());
                    let content = content.trim_end().trim_end_matches('#').trim_end();
                    self.heading(level, title.trim(), content, offset, published);
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
                    // What an HTML table read already (it may run over several blocks)
                    // covers is not read again.
                    let start = span.start.max(self.html_until);
                    if start < end {
                        self.read_html_block(start..end, published);
                    }
                }
                Event::Start(Tag::Table(_)) => {
                    let rows = table::collect(&mut events, self.source.text(), base);
                    self.read_table(rows, published, true);
                }
                Event::Start(Tag::CodeBlock(_)) => {
                    // A route alone in a block of one line, for its section's sentence.
                    let mut lines = Vec::new();
                    for (event, text_span) in events.by_ref() {
                        match event {
                            Event::End(TagEnd::CodeBlock) => break,
                            Event::Text(text) => lines.push((text, text_span.start + base)),
                            _ => {}
                        }
                    }
                    if let [(text, offset)] = &lines[..]
                        && text.trim_end().lines().count() == 1
                    {
                        self.candidate_route(text.trim_end(), *offset, published);
                    } else {
                        self.read_code_block(&lines, published);
                    }
                }
                // Text outside paragraphs: tight list items, also of code alone
                // (`` - `GET /v1/x` ``). Several events may share a line.
                Event::Text(_) | Event::Code(_) => {
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

    /// A code block of several lines is an example (a request, a response), unless a line of
    /// it is a route and its limit (`POST /v1/messages   100/s`): then the block lists
    /// limits, and each of its lines is read as a line of text, so that one that does not
    /// read is reported.
    fn read_code_block(&mut self, texts: &[(CowStr<'_>, usize)], published: bool) {
        let lines: Vec<(&str, usize)> = texts
            .iter()
            .flat_map(|(text, offset)| {
                text.split_inclusive('\n').scan(*offset, |at, line| {
                    let start = *at;
                    *at += line.len();
                    Some((line.trim_end_matches(['\n', '\r']), start))
                })
            })
            .collect();
        let lists_limits = lines.iter().any(|(line, _)| match text::classify(line) {
            text::Line::Row(cells) => phrase::parse_phrase(line[cells.rest].trim()).is_ok(),
            _ => false,
        });
        if lists_limits {
            for (line, offset) in lines {
                self.read_text_line(line, offset, published);
            }
        }
    }

    /// A heading (Markdown, or `<h2>` in HTML) with its title and its content as written
    /// at `offset`: the section it starts, the route it may be, the limit it may state.
    fn heading(
        &mut self,
        level: usize,
        title: &str,
        content: &str,
        offset: usize,
        published: bool,
    ) {
        self.end_sections(level);
        self.end_headings(level);
        self.section = Some(title.to_string());
        self.sections.push(OpenSection {
            level,
            title: Some(title.to_string()),
            start: self.parsed.rows.len(),
            ..OpenSection::default()
        });
        // A heading that is a route (`### POST /v1/channels`) is its section's route: the
        // section is about it.
        if self.candidate_route(content, offset, published) {
            self.retitle(None);
        } else if published && let Some(statement) = prose::read_heading(content) {
            // The heading's title is what it says before its limit (`Channels（30 次/分钟）`).
            let before = content[..statement.offset]
                .trim_end_matches(|c: char| c.is_whitespace() || ":：(（-–—".contains(c));
            if !before.is_empty() {
                self.retitle(Some(before.to_string()));
            }
            let at = self.source.position(offset + statement.offset);
            self.heading_limits.push(HeadingLimit {
                level,
                statement,
                at,
                rows: Vec::new(),
            });
        }
    }

    /// Reads an HTML block: its tables as tables, its comments as unpublished Markdown, and
    /// the text between them line by line as text is read (`<h2>` as a heading, `<p>` and
    /// `<li>` lines as prose and route lines), the tags blanked so that columns stay right.
    fn read_html_block(&mut self, range: Range<usize>, published: bool) {
        let mut at = range.start;
        while at < range.end {
            let text = &self.source.text()[..range.end];
            let table = html::find_ci(text, at, "<table");
            let comment = text[at..].find("<!--").map(|i| at + i);
            if let Some(open) = table
                && comment.is_none_or(|c| open < c)
            {
                self.read_html_text(at..open, published);
                let (rows, table_end) = html::table_at(self.source.text(), open);
                self.html_until = table_end;
                self.read_table(rows, published, false);
                at = table_end;
            } else if let Some(open) = comment {
                self.read_html_text(at..open, published);
                let inner_start = open + 4;
                let close = self.source.text()[inner_start..]
                    .find("-->")
                    .map_or(self.source.text().len(), |i| inner_start + i);
                self.read_markdown(inner_start..close, false);
                at = (close + 3).min(self.source.text().len());
            } else {
                self.read_html_text(at..range.end, published);
                break;
            }
        }
    }

    /// The text of HTML outside tables and comments, line by line.
    fn read_html_text(&mut self, range: Range<usize>, published: bool) {
        let source = self.source.text();
        let blanked = html::blank_tags(&source[range.clone()]);
        let mut offset = range.start;
        for (line, raw) in blanked.split('\n').zip(source[range].split('\n')) {
            let at = offset;
            offset += line.len() + 1;
            if line.trim().is_empty() {
                continue;
            }
            let leading = line.len() - line.trim_start().len();
            match html::heading_level(raw) {
                Some(level) => {
                    let title = line.trim();
                    self.heading(level, title, title, at + leading, published);
                }
                None => {
                    let line = line.to_string();
                    self.read_text_line(&line, at, published);
                }
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
        if self.options.skip_lines.contains(&at.line) {
            return;
        }
        if let Some(method) = method_line(line) {
            self.open_section().method = Some(method);
            return;
        }
        // A table row on a line of its own (commented out alone, or cut from its table by a
        // blank line) reads with the columns of the table before it.
        if line.trim_start().starts_with('|')
            && !paths::paths_in(line).is_empty()
            && let Some(layout) = self.last_table.clone()
        {
            let cells = table::cells_of_line(line, offset);
            self.read_table_row(&layout, &cells, published);
            return;
        }
        match text::classify(line) {
            text::Line::Blank => {}
            text::Line::Prose => self.read_prose(line, offset, published),
            text::Line::Header(header) => {
                self.text_header = Some(header);
                // Text rows carry their limits: a sentence about "the table below" explains it.
                if self.prose.taken.is_empty() {
                    self.prose = prose::Pending::default();
                }
            }
            text::Line::Title(title) => self.section = Some(title),
            text::Line::Row(cells) => {
                let rest = &line[cells.rest.clone()];
                let phrase = match &self.text_header {
                    Some(header) => header.strip_trailing_cells(rest),
                    // Without a header, a row reads when all that follows its path is a
                    // phrase; what else the line holds would be a guess.
                    None if phrase::parse_phrase(rest.trim()).is_ok() => rest.trim(),
                    None => {
                        let position = self.source.position(offset + cells.path.start);
                        self.reject(
                            at.line,
                            published,
                            Diagnostic::new(
                                self.source,
                                position,
                                "a row-like line before any table header is not read: what follows its path is not only a limit phrase",
                                line.trim(),
                            )
                            .with_help(
                                "put a header line such as `功能 API URL 频率限制` above the rows, \
                                 or list this line in `skip_lines` in limits.toml",
                            ),
                        );
                        return;
                    }
                };
                let written = &line[cells.path.clone()];
                let found = paths::paths_in(written);
                let (path, host) = match found.first() {
                    Some(found) => (found.path.clone(), found.host.clone()),
                    None => (written.to_string(), None),
                };
                let name = line[cells.name.clone()].trim();
                let (name, method, method_at) = match (&cells.method, paths::methods_before(name)) {
                    // `/v1/users/{id} (DELETE): …`: a method in brackets after the path.
                    (Some(written), _) => {
                        let method = line[written.clone()].trim();
                        let at = written.start + line[written.clone()].find(method).unwrap_or(0);
                        let at = self.source.position(offset + at);
                        (name, Some(method.to_ascii_uppercase()), at)
                    }
                    // `创建用户 POST /v1/users …`, `PUT, PATCH /v1/users/{id}`, also in a code
                    // span with the path (`` `POST /v1/users` ``): the methods right before it.
                    (None, Some((start, methods))) => {
                        let name_start = cells.name.start
                            + (line[cells.name.clone()].len()
                                - line[cells.name.clone()].trim_start().len());
                        let at = self.source.position(offset + name_start + start);
                        // `接口：GET /v1/users/{id}`: the label's colon is not its name.
                        let name = name[..start]
                            .trim_end()
                            .trim_end_matches(['`', ':', '：'])
                            .trim_end();
                        (name, Some(methods), at)
                    }
                    (None, None) => (name, None, at),
                };
                // Markup around the route (`**`DELETE /x`**`) is no part of the name.
                let name = name.trim_matches(|c: char| c.is_whitespace() || "*_~`".contains(c));
                self.parsed.rows.push(Row {
                    name: if names_no_api(name) {
                        String::new()
                    } else {
                        name.to_string()
                    },
                    method,
                    path,
                    host,
                    phrase: phrase.to_string(),
                    method_at,
                    path_at: self.source.position(offset + cells.path.start),
                    phrase_at: self.source.position(offset + cells.rest.start),
                    ..self.row_at(at, published)
                });
            }
        }
    }

    /// Notes a line of text that holds a path and was not read as a row.
    fn unread_path(&mut self, line: &str, offset: usize, published: bool) {
        let found = paths::paths_in(line);
        let Some(path) = found.first() else {
            return;
        };
        // A limit has a number: a line without one beside its paths mentions them.
        let numbered = line
            .char_indices()
            .any(|(i, c)| c.is_ascii_digit() && !found.iter().any(|p| p.span.contains(&i)));
        let report = (published && numbered).then(|| {
            let at = self.source.position(offset + path.span.start);
            (at, line[path.span.clone()].to_string(), path.path.clone())
        });
        self.unread_paths.push(UnreadPath {
            line: self.source.position(offset).line,
            text: line.trim().to_string(),
            report,
        });
    }

    /// A line of prose: a limit for the tables around it, the document's default, or text
    /// that the report on a document without rows may quote.
    fn read_prose(&mut self, line: &str, offset: usize, published: bool) {
        let at = self.source.position(offset);
        let Some(mut statement) = prose::read(line) else {
            if !self.read_bare_route(line, offset, published) {
                self.unread_path(line, offset, published);
            }
            return;
        };
        if self.states_the_introductions_default(line, &statement) {
            statement.kind = prose::Kind::Default;
        }
        // A route line whose limit is a sentence (`- GET /v1/files/{id} 每秒最多 10 次`).
        if statement.kind == prose::Kind::Section && self.read_bare_route(line, offset, published) {
            return;
        }
        // A sentence with a limit and a path: the path is no route unless a row names it.
        self.unread_path(line, offset, published);
        self.seen_limits.push((at.line, line.trim().to_string()));
        if !published {
            return;
        }
        let phrase_at = Position {
            line: at.line,
            column: at.column + line[..statement.offset].chars().count(),
        };
        match statement.kind {
            // One quota that every API draws on is no default: each route would count alone.
            prose::Kind::Default if statement.shared => {
                self.parsed.diagnostics.push(
                    Diagnostic::new(
                        self.source,
                        phrase_at,
                        "a quota that all the APIs share is not read: a route draws on its own quota or on a bucket of named routes",
                        line.trim(),
                    )
                    .with_help(
                        "list the routes that share it in a [[document.shared]] bucket in limits.toml, or list this line in `skip_lines`",
                    ),
                );
            }
            prose::Kind::Default => {
                if let Some(first) = &self.parsed.default {
                    self.parsed.diagnostics.push(
                        Diagnostic::new(
                            self.source,
                            phrase_at,
                            format!(
                                "a second document-wide default limit (the first is on line {})",
                                first.at.line
                            ),
                            &statement.phrase,
                        )
                        .with_help("list one of the two lines in `skip_lines` in limits.toml"),
                    );
                } else {
                    self.parsed.default = Some(DefaultLimit {
                        limit: phrase::parse_phrase(&statement.phrase),
                        phrase: statement.phrase,
                        at: phrase_at,
                    });
                }
            }
            prose::Kind::Above { tables, interfaces } => {
                // The tables right above it; a sentence about tables with a limit column of
                // their own explains them and sets nothing.
                let above: Vec<usize> = (0..self.tables.len())
                    .rev()
                    .take(tables.unwrap_or(1))
                    .collect();
                let limitless: Vec<usize> = above
                    .iter()
                    .copied()
                    .filter(|&t| self.tables[t].limitless)
                    .collect();
                if above.is_empty() || !limitless.is_empty() {
                    self.apply_prose(&statement, phrase_at, &limitless, interfaces);
                }
            }
            prose::Kind::Section => {
                self.open_section()
                    .limits
                    .push((statement.phrase, phrase_at));
            }
            prose::Kind::Below { tables, interfaces } => {
                self.prose = prose::Pending {
                    statement: Some((statement, phrase_at)),
                    tables: tables.unwrap_or(1),
                    interfaces,
                    taken: Vec::new(),
                };
            }
        }
    }

    /// Whether a sentence about nothing named that calls its limit a default is the APIs'
    /// default, in one sentence of the document's introduction: before any heading, row and
    /// other default (`云信服务端接口默认频控为每秒 100 次。`).
    fn states_the_introductions_default(&self, line: &str, statement: &prose::Statement) -> bool {
        if statement.kind != prose::Kind::Section
            || !statement.default
            || statement.shared
            || self.sections.len() > 1
            || !self.parsed.rows.is_empty()
            || self.parsed.default.is_some()
        {
            return false;
        }
        let before = line[..statement.offset].to_lowercase();
        let text = line.trim();
        let one_sentence = !text.trim_end_matches(['.', '。']).contains(['。', '；'])
            && !text.trim_end_matches('.').contains(". ");
        one_sentence
            && ["接口", "api", "interface", "endpoint"]
                .iter()
                .any(|word| before.contains(word))
            && paths::paths_in(line).is_empty()
    }

    /// Reports a row that carries a path but cannot be read: its line counts as diagnosed.
    fn reject(&mut self, line: usize, published: bool, diagnostic: Diagnostic) {
        self.parsed.rejected.push((line, published));
        self.parsed.diagnostics.push(diagnostic);
    }

    /// A row at `at` with nothing but its place read yet: the fields the readers fill are
    /// set over it.
    fn row_at(&self, at: Position, published: bool) -> Row {
        Row {
            name: String::new(),
            method: None,
            path: String::new(),
            host: None,
            phrase: String::new(),
            limit: None,
            origin: Origin::Row,
            shared_group: None,
            table: None,
            adjustable: false,
            shifted: None,
            section: self.section.clone(),
            published,
            alone: false,
            at,
            method_at: at,
            path_at: at,
            phrase_at: at,
        }
    }

    /// A line that starts with a route: with its limit after it, maybe after its name
    /// (`- /msg/recall.action：消息撤回，每秒 50 次`); else it states no limit (`POST /v1/users
    /// 创建用户`), and its row's limit comes from the document's default, or is reported at
    /// its line. A path in the middle of a sentence is prose, not a row.
    fn read_bare_route(&mut self, line: &str, offset: usize, published: bool) -> bool {
        let content = line.trim_start();
        let content = content
            .strip_prefix("- ")
            .or_else(|| content.strip_prefix("* "))
            .unwrap_or(content);
        // A label before the route (`接口：`, `请求地址：`, `Endpoint:`), and a code span
        // around it (`` `POST /v1/users` ``).
        let (labelled, content) = match content.split_once(['：', ':']) {
            Some((label, rest))
                if label.chars().count() <= 12
                    && !rest.starts_with("//")
                    && !label.contains(['/', '`'])
                    && !label.chars().any(|c| c.is_ascii_digit())
                    && !paths::is_method_list(label) =>
            {
                (true, rest.trim_start())
            }
            _ => (false, content),
        };
        let code_span = content.starts_with('`');
        let content = content.strip_prefix('`').unwrap_or(content);
        let start = offset + (line.len() - content.len());
        let (method, rest) = match content.split_once(char::is_whitespace) {
            Some((word, rest)) if paths::is_method_list(word) => {
                (Some(word.to_ascii_uppercase()), rest.trim_start())
            }
            _ => (None, content),
        };
        let found = match paths::paths_in(rest).into_iter().next() {
            Some(found) if found.span.start == 0 => found,
            // A code span that is only a path without its `/` (`v4/openim/sendmsg`, of three
            // segments or more: `calls/second` is none).
            _ => match rest.find('`').filter(|_| code_span) {
                Some(end) if rest[..end].matches('/').count() >= 2 => {
                    match paths::relative_path(&rest[..end]) {
                        Some(found) => found,
                        None => return false,
                    }
                }
                _ => return false,
            },
        };
        let path_start = start + (content.len() - rest.len());
        let at = self.source.position(start);
        // What follows the path is its phrase when it reads as one (`不限`), else its name.
        let after = rest[found.span.end..].trim();
        // After a label, only a route alone on its line: `Note: /v1/x is deprecated` is prose.
        if labelled && !after.trim_start_matches('`').trim().is_empty() {
            return false;
        }
        let after_start = path_start + found.span.end - offset;
        let after_start =
            after_start + (line[after_start..].len() - line[after_start..].trim_start().len());
        let (name, phrase, phrase_start) = if phrase::parse_phrase(after).is_ok() {
            ("", after, after_start)
        } else if let Some(start) = (after.char_indices())
            .map(|(i, _)| i)
            .filter(|&i| after[..i].ends_with(|c: char| !c.is_alphanumeric()))
            .find(|&i| phrase::parse_phrase(after[i..].trim()).is_ok())
        {
            // Its name, then its limit (`：发送普通消息，120 次/秒`). A name with a number
            // may hold a limit (`Send up to 2 messages`): then the phrase does not read, and
            // the row is reported.
            match name_before(&after[..start]) {
                Some(name) => (name, after[start..].trim(), after_start + start),
                None => ("", after, after_start),
            }
        } else if phrase::limit_in_sentence(after).is_some() {
            // A limit with words after it: the phrase does not read, and the row is reported.
            ("", after, after_start)
        } else {
            (after, "", after_start)
        };
        let phrase_at = self.source.position(offset + phrase_start);
        if phrase.is_empty() {
            let next = self.parsed.rows.len();
            self.open_section().rows.push(next);
        }
        self.parsed.rows.push(Row {
            // A cell that states nothing after the name (`创建群	-`) is no part of it.
            name: {
                let name = name.trim_end_matches('`').trim();
                match name.rsplit_once(char::is_whitespace) {
                    Some((head, last)) if is_placeholder(last) => head.trim_end(),
                    _ => name,
                }
                .to_string()
            },
            method: method.or(found.method),
            path: found.path,
            host: found.host,
            phrase: phrase.to_string(),
            path_at: self.source.position(path_start),
            phrase_at,
            ..self.row_at(at, published)
        });
        true
    }

    /// A route in a heading or alone in a one-line code block: a row only if its section's
    /// sentence gives its limit (else a heading or an example, as before), and whether it
    /// is one.
    fn candidate_route(&mut self, line: &str, offset: usize, published: bool) -> bool {
        let rows = self.parsed.rows.len();
        if !self.read_bare_route(line, offset, published) {
            return false;
        }
        self.open_section().rows.retain(|&r| r < rows);
        // A limit on the line itself (`POST /v1/users 100 requests per second`) is not
        // read there either: what a heading or an example says is no row of its own.
        if let Some(row) = self.parsed.rows.pop().filter(|row| row.phrase.is_empty()) {
            self.open_section().candidates.push(row);
        }
        true
    }

    /// Sets the title of the section the last heading began: `None` when the heading is a
    /// route (the section is about it).
    fn retitle(&mut self, title: Option<String>) {
        if let Some(section) = self.sections.last_mut() {
            section.title.clone_from(&title);
        }
        self.section = title;
    }

    /// What the innermost open section holds.
    fn open_section(&mut self) -> &mut SectionLimits {
        let last = self.sections.len() - 1;
        &mut self.sections[last].own
    }

    /// Ends the open sections of `level` and below (all of them, the document's too, at 0),
    /// innermost first.
    fn end_sections(&mut self, level: usize) {
        while let Some(section) = self
            .sections
            .pop_if(|s| s.level >= level && (s.level > 0 || level == 0))
        {
            self.end_section(section);
        }
    }

    /// Pairs the section that ends here: its one route without a limit and its one sentence
    /// that states a limit about nothing else, its subsections' included. Any other count
    /// pairs nothing: which limit is which route's would be a guess (the routes stay
    /// limitless and are reported so). Unpaired, what the section holds itself waits in its
    /// parent (an API's route and its limit may stand in sibling subsections), and what its
    /// subsections left is taken as it is: route lines keep no limit, and a route alone in a
    /// heading or a code block becomes a row of its own.
    fn end_section(&mut self, section: OpenSection) {
        let OpenSection {
            level,
            title,
            start,
            mut own,
            mut inherited,
        } = section;
        // The section's method line, or one of its subsections' (`### HTTP method`), is the
        // method of every route in it that writes none.
        if let Some(method) = own.method.clone().or_else(|| inherited.method.clone()) {
            for part in [&mut own, &mut inherited] {
                for &r in &part.rows {
                    self.parsed.rows[r]
                        .method
                        .get_or_insert_with(|| method.clone());
                }
                for row in &mut part.candidates {
                    row.method.get_or_insert_with(|| method.clone());
                }
            }
        }
        let routes = own.rows.len() + own.candidates.len();
        let inherited_routes = inherited.rows.len() + inherited.candidates.len();
        let limits: Vec<(String, Position)> = own
            .limits
            .iter()
            .chain(&inherited.limits)
            .cloned()
            .collect();
        let paired = match &limits[..] {
            [(phrase, at)] if routes + inherited_routes == 1 => {
                let row = match (own.rows.pop(), own.candidates.pop()) {
                    (Some(r), _) => r,
                    (None, Some(row)) => self.push_route(row, false),
                    (None, None) => match (inherited.rows.pop(), inherited.candidates.pop()) {
                        (Some(r), _) => r,
                        (None, Some(row)) => self.push_route(row, false),
                        (None, None) => unreachable!("one route is counted"),
                    },
                };
                let row = &mut self.parsed.rows[row];
                row.phrase = phrase.clone();
                row.phrase_at = *at;
                row.origin = Origin::Prose;
                true
            }
            _ => false,
        };
        if !paired {
            // Not past a heading that states a limit: its rows take it when it ends.
            let states_limit = self.heading_limits.last().is_some_and(|h| h.level == level);
            let parent = (level > 0 && !states_limit)
                .then(|| self.sections.last_mut())
                .flatten()
                .filter(|parent| parent.level > 0);
            match parent {
                Some(parent) => parent.inherited.absorb(own),
                None => inherited.absorb(own),
            }
            self.take_as_they_are(inherited);
        }
        // The one row of a section (a page of one section per API) without a name of its
        // own is named by the title of the outermost section it is the one row of.
        if let (Some(title), Some(rows)) = (title, self.parsed.rows.get(start..))
            && rows.len() == 1
        {
            self.section_names.push((start, title));
        }
    }

    /// Takes a section's unpaired routes as they are: its route lines' rows, without a
    /// limit, may take a heading's; a route alone in a heading or a code block becomes a row.
    fn take_as_they_are(&mut self, section: SectionLimits) {
        let mut rows = section.rows;
        for row in section.candidates {
            rows.push(self.push_route(row, true));
        }
        if let Some(heading) = self.heading_limits.last_mut() {
            heading.rows.extend(rows);
        }
    }

    /// Pushes the row of a route in a heading or a code block, `alone` when no sentence gave
    /// it a limit; its index.
    fn push_route(&mut self, row: Row, alone: bool) -> usize {
        self.parsed.rows.push(Row { alone, ..row });
        self.parsed.rows.len() - 1
    }

    /// Gives the rows of `tables` that state no limit the limit of a sentence about them.
    fn apply_prose(
        &mut self,
        statement: &prose::Statement,
        at: Position,
        tables: &[usize],
        interfaces: Option<usize>,
    ) {
        let rows: Vec<usize> = tables
            .iter()
            .flat_map(|&t| self.tables[t].limitless_rows.clone())
            .collect();
        if rows.is_empty() {
            self.parsed.diagnostics.push(
                Diagnostic::new(
                    self.source,
                    at,
                    "this sentence states the limit of a table, but no table without a limit column is next to it",
                    &statement.phrase,
                )
                .with_help("set the rows' limits in limits.toml: [document.routes.\"…\"] limit = \"…\"")
                .warning(),
            );
            return;
        }
        if let Some(n) = interfaces
            && n != rows.len()
        {
            let lines: Vec<String> = rows
                .iter()
                .map(|&r| self.parsed.rows[r].at.line.to_string())
                .collect();
            self.parsed.diagnostics.push(
                Diagnostic::new(
                    self.source,
                    at,
                    format!(
                        "this sentence speaks of {n} interfaces, but the table it is about has {} rows (lines {})",
                        rows.len(),
                        lines.join(", ")
                    ),
                    &statement.phrase,
                )
                .with_help("set the rows' limits in limits.toml: [document.routes.\"…\"] limit = \"…\""),
            );
            return;
        }
        for &r in &rows {
            self.parsed.rows[r].take_statement(statement, at, Origin::Prose);
        }
    }

    fn read_table(&mut self, rows: Vec<Vec<table::Cell>>, published: bool, gfm: bool) {
        let Some((header, body)) = rows.split_first() else {
            return;
        };
        let header_at = header.first().map_or_else(Position::default, |cell| {
            self.source.position(cell.span.start)
        });
        if self.options.skip_lines.contains(&header_at.line) {
            return;
        }
        let columns = table::Columns::map(header, body);
        let Some(url) = columns.url else {
            // No paths: a table of SDK methods, feature groups, prices, or of labels and
            // values for its section's route. The report on a document without rows quotes
            // what limits it states; beside rows, a table that states limits is noted.
            let mut limits = 0;
            for cells in body {
                if let Some(cell) = cells
                    .iter()
                    .find(|c| phrase::limit_in_sentence(&c.text).is_some())
                {
                    let line = self.source.position(cell.span.start).line;
                    self.seen_limits
                        .push((line, self.source.line_text(line).trim().to_string()));
                    limits += 1;
                }
            }
            if published && !self.read_key_value_table(&rows) && limits > 0 {
                self.pathless_tables.push(header_at);
            }
            return;
        };
        let header_line = self.source.line_text(header_at.line).trim().to_string();
        let plan_column = match self.choose_plan(&columns, header_at, &header_line, body) {
            Ok(column) => column,
            Err(()) => return,
        };
        let limit_column = plan_column.or(columns.limit);
        let table_id = self.tables.len();
        self.tables.push(TableInfo {
            limitless_rows: Vec::new(),
            limitless: limit_column.is_none(),
        });
        let limit_header = limit_column.and_then(|i| header.get(i));
        let header_unit = limit_header.and_then(|cell| table::header_unit(&cell.text));
        let header_scope = limit_header.and_then(|cell| table::header_scope(&cell.text));
        let windows = (columns.windows.iter())
            .filter_map(|&column| {
                let header = &header.get(column)?.text;
                Some(WindowColumn {
                    column,
                    header: header.trim().to_string(),
                    unit: table::header_unit(header)?,
                    scope: table::header_scope(header),
                })
            })
            .collect();
        let layout = TableLayout {
            relative_paths: columns.relative_paths,
            columns,
            url,
            limit_column,
            header_unit,
            header_scope,
            windows,
            header_len: header.len(),
            header_at,
            gfm,
            id: table_id,
        };
        for cells in body {
            self.read_table_row(&layout, cells, published);
        }
        if gfm {
            self.last_table = Some(layout);
        }
        self.take_pending_prose(table_id);
        if let Some(heading) = self.heading_limits.last_mut() {
            heading.rows.extend(&self.tables[table_id].limitless_rows);
        }
    }

    /// A table of labels and values without a path (`| Requests per second | 10 |`, `| Rate
    /// limit | 20 calls/second |`), its header row included: the limit its rows state, in one
    /// phrase, is a sentence of its section, for the section's route. Whether it is one.
    fn read_key_value_table(&mut self, rows: &[Vec<table::Cell>]) -> bool {
        let mut phrases = Vec::new();
        let mut at = None;
        for cells in rows {
            let [label, value] = &cells[..] else {
                continue;
            };
            let text = format!("{}：{}", label.text.trim(), value.text.trim());
            if phrase::parse_phrase(&text).is_ok() {
                at.get_or_insert_with(|| self.source.position(label.span.start));
                phrases.push(text);
            }
        }
        let phrase = phrases.join("，");
        if let Some(at) = at
            && phrase::parse_phrase(&phrase).is_ok()
        {
            self.open_section().limits.push((phrase, at));
            return true;
        }
        false
    }

    /// Ends the headings of `level` and below (all of them at 0): the rows of their tables
    /// that no sentence gave a limit take the heading's.
    fn end_headings(&mut self, level: usize) {
        while let Some(heading) = self.heading_limits.pop_if(|h| h.level >= level) {
            let HeadingLimit {
                statement,
                at,
                rows,
                ..
            } = heading;
            for r in rows {
                let row = &mut self.parsed.rows[r];
                if row.phrase.is_empty() {
                    row.take_statement(&statement, at, Origin::Heading);
                }
            }
        }
    }

    /// Reads one body row of a table whose columns are mapped.
    fn read_table_row(&mut self, table: &TableLayout, cells: &[table::Cell], published: bool) {
        let (header_len, header_at, gfm, table_id) =
            (table.header_len, table.header_at, table.gfm, table.id);
        let (columns, url, limit_column) = (&table.columns, table.url, table.limit_column);
        let Some(first) = cells.first() else { return };
        let at = self.source.position(first.span.start);
        if self.options.skip_lines.contains(&at.line) {
            return;
        }
        let written = if gfm {
            table::source_cell_count(self.source.line_text(at.line))
        } else {
            cells.len()
        };
        let any_path = cells.iter().any(|c| !paths::paths_in(&c.raw).is_empty());
        // Short rows are padded at the end: they read one way when every column in use
        // is written and the method cell is a method. Long rows, or short ones missing a
        // column in use, could be shifted anywhere.
        let used = [columns.name, columns.method, Some(url), limit_column]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(0);
        let method_ok = columns
            .method
            .and_then(|i| cells.get(i))
            .is_none_or(|c| c.text.trim().is_empty() || paths::is_method_list(c.text.trim()));
        let aligned =
            written == header_len || (written > used && written < header_len && method_ok);
        // A row that does not line up still names its route when its URL (and method) cells
        // read as such: the route is kept and its limit must come from limits.toml.
        let shifted = (!aligned).then(|| {
            format!(
                "this row has {written} {} but its table's header (line {}) has {}: which cell is its limit would be a guess",
                cells_word(written),
                header_at.line,
                header_len
            )
        });
        // A row too short to reach the URL column has no route that reads; with a path in
        // another cell it is reported below, as a row that does not line up.
        let path_cell = cells.get(url);
        let mut found = path_cell.map_or_else(Vec::new, |cell| paths::paths_in(&cell.raw));
        let route_readable = !found.is_empty() && method_ok;
        if shifted.is_some() && !route_readable {
            if any_path {
                self.reject(
                    at.line,
                    published,
                    Diagnostic::new(
                        self.source,
                        at,
                        format!(
                            "this row has {written} {} but its table's header (line {}) has {}: which cell is which is a guess, so the row is not read",
                            cells_word(written),
                            header_at.line,
                            header_len
                        ),
                        self.source.line_text(at.line).trim(),
                    )
                    .with_help("list this line in `skip_lines` in limits.toml"),
                );
            }
            return;
        }
        // Only a row that lines up or names its route gets here: it reaches the URL column.
        let Some(path_cell) = path_cell else {
            return;
        };
        let cell = |index: Option<usize>| index.and_then(|i| cells.get(i));
        if found.is_empty() && table.relative_paths {
            // A column of paths written without their leading `/`.
            if let Some(mut relative) = paths::relative_path(&path_cell.raw) {
                let lead = path_cell.raw.len() - path_cell.raw.trim_start_matches('`').len();
                relative.span = lead..lead + relative.span.len();
                found.push(relative);
            }
        }
        if found.is_empty() && !path_cell.text.trim().is_empty() {
            // The URL column holds something that is not a path: report it where it is.
            self.reject(
                at.line,
                published,
                Diagnostic::new(
                    self.source,
                    self.source.position(path_cell.span.start),
                    "not an API path: a path starts with `/` (or is a full `https://` URL)",
                    path_cell.raw.trim(),
                )
                .with_help("correct the path, or list the line in `skip_lines`"),
            );
            return;
        }
        if found.is_empty() {
            if any_path {
                self.reject(
                    at.line,
                    published,
                    Diagnostic::new(
                        self.source,
                        at,
                        "this row's path is not in the table's URL column",
                        self.source.line_text(at.line).trim(),
                    )
                    .with_help("list this line in `skip_lines` in limits.toml if it is not an API"),
                );
            }
            return;
        }
        let limit = cell(limit_column);
        let mut phrase_at = limit.map_or(at, |c| self.source.position(c.span.start));
        // `同上`: the phrase of the row above, in the same table, where it is written.
        let above = (self.parsed.rows.last())
            .filter(|row| row.table == Some(table_id) && !row.phrase.is_empty())
            .filter(|_| limit.is_some_and(|c| is_ditto(c.text.trim())))
            .map(|row| (row.phrase.clone(), row.phrase_at));
        let phrase = match (&shifted, above) {
            (Some(_), _) => String::new(),
            (None, Some((phrase, at))) => {
                phrase_at = at;
                phrase
            }
            (None, None) => match self.limit_in_a_cell(table, cells) {
                Some((phrase, at)) => {
                    phrase_at = at;
                    phrase
                }
                None => match self.limit_of_cells(table, limit, cells, published) {
                    Some(phrase) => phrase,
                    None => return,
                },
            },
        };
        let method = cell(columns.method);
        let name = cell(columns.name).map_or_else(String::new, |c| c.text.trim().to_string());
        // `Retrieve A/Retrieve B` over two paths names each path.
        let names: Vec<String> = if found.len() > 1 && name.split('/').count() == found.len() {
            name.split('/').map(|n| n.trim().to_string()).collect()
        } else {
            vec![name; found.len()]
        };
        let adjustable = cell(columns.adjustable).is_some_and(|c| is_yes(c.text.trim()));
        for (path, name) in found.iter().zip(names) {
            let phrase = phrase.clone();
            let index = self.parsed.rows.len();
            if phrase.is_empty() && shifted.is_none() {
                self.tables[table_id].limitless_rows.push(index);
            }
            self.parsed.rows.push(Row {
                name,
                method: method
                    .map(|c| c.text.trim().to_string())
                    .filter(|m| !m.is_empty())
                    .or_else(|| path.method.clone()),
                path: path.path.clone(),
                host: path.host.clone(),
                phrase,
                table: Some(table_id),
                shifted: shifted.clone(),
                adjustable,
                method_at: method.map_or(at, |c| self.source.position(c.span.start)),
                path_at: self.source.position(path_cell.span.start + path.span.start),
                phrase_at,
                ..self.row_at(at, published)
            });
        }
    }

    /// The phrase a table row's cells state: its limit cell, read with the unit, scope and
    /// window its header or its row's other columns give, and one more window per column of
    /// windows. `-`, `—`, `N/A` state nothing, so the table's sentence or the default
    /// applies. `None` when a column of windows holds what does not read (reported).
    /// In a table without a limit column, the limit that a row states in a sentence of one
    /// of its other cells (`发送消息，调用频率：100 次/秒`), and where that cell starts; `None`
    /// when no cell, or more than one, states one.
    fn limit_in_a_cell(
        &self,
        table: &TableLayout,
        cells: &[table::Cell],
    ) -> Option<(String, Position)> {
        if table.limit_column.is_some() || !table.windows.is_empty() {
            return None;
        }
        // The name column too: it may be a column of descriptions (`说明`).
        let route_cells = [Some(table.url), table.columns.method];
        let mut stated = (cells.iter().enumerate())
            .filter(|(i, _)| !route_cells.contains(&Some(*i)))
            .filter_map(|(_, cell)| {
                let (_, limit) = phrase::limit_in_sentence(&cell.text)?;
                Some((limit.text, self.source.position(cell.span.start)))
            });
        let first = stated.next()?;
        stated.next().is_none().then_some(first)
    }

    fn limit_of_cells(
        &mut self,
        table: &TableLayout,
        limit: Option<&table::Cell>,
        cells: &[table::Cell],
        published: bool,
    ) -> Option<String> {
        fn stated(cell: Option<&table::Cell>) -> Option<&str> {
            cell.map(|c| c.text.trim())
                .filter(|text| !is_placeholder(text))
        }
        let cell = |index: Option<usize>| index.and_then(|i| cells.get(i));
        // `10/min` under `Rate limit (per user)`, or beside `per user` in a scope column,
        // reads as `10/min (per user)`.
        let row_scope = stated(cell(table.columns.scope));
        let scoped = |text: String, scope: Option<&str>| match scope {
            Some(scope) => format!("{text} ({scope})"),
            None => text,
        };
        let period = stated(cell(table.columns.period)).and_then(table::period_cell);
        let mut parts = Vec::new();
        if let Some(text) = stated(limit) {
            let text = match (&table.header_unit, &period) {
                // `100` under `Limit (calls/second)` reads as `100 calls/second`, beside
                // `1 minute` in a column of windows as `100/1 minute`.
                (Some(unit), _) if table::is_number(text) => format!("{text} {unit}"),
                (None, Some(period)) if table::is_number(text) => format!("{text}/{period}"),
                _ => text.to_string(),
            };
            parts.push(scoped(text, table.header_scope.as_deref().or(row_scope)));
        }
        for window in &table.windows {
            let Some(cell) = cells.get(window.column) else {
                continue;
            };
            let Some(text) = stated(Some(cell)) else {
                continue;
            };
            let text = match table::is_number(text) {
                true => format!("{text} {}", window.unit),
                false => text.to_string(),
            };
            let part = scoped(text, window.scope.as_deref().or(row_scope));
            if let Err(error) = phrase::parse_phrase(&part) {
                let at = self.source.position(cell.span.start);
                self.reject(
                    at.line,
                    published,
                    Diagnostic::new(
                        self.source,
                        at,
                        format!(
                            "unreadable limit phrase under `{}`: {}",
                            window.header, error.message
                        ),
                        cell.text.trim(),
                    )
                    .with_help(
                        "settle the row's limit in limits.toml: [document.routes.\"…\"] limit = \"…\", or list this line in `skip_lines`",
                    ),
                );
                return None;
            }
            parts.push(part);
        }
        Some(parts.join("，"))
    }

    /// The column of the plan that limits.toml names, in a table with one limit column per
    /// plan; `Err` (reported) when the table has plans and none is chosen or found.
    fn choose_plan(
        &mut self,
        columns: &table::Columns,
        header_at: Position,
        header_line: &str,
        body: &[Vec<table::Cell>],
    ) -> Result<Option<usize>, ()> {
        if columns.plans.is_empty() {
            return Ok(None);
        }
        let names: Vec<&str> = columns.plans.iter().map(|(_, n)| n.as_str()).collect();
        let chosen = self.options.plan.and_then(|plan| {
            let plan = plan.to_lowercase();
            columns
                .plans
                .iter()
                .find(|(_, name)| name.to_lowercase().split_whitespace().any(|w| w == plan))
                .map(|&(i, _)| i)
        });
        if chosen.is_some() {
            return Ok(chosen);
        }
        let lines: Vec<String> = body
            .iter()
            .filter_map(|cells| cells.first())
            .map(|c| self.source.position(c.span.start).line.to_string())
            .collect();
        let message = match self.options.plan {
            Some(plan) => format!(
                "no column of this table is for plan `{plan}`; its plans are {}",
                names.join(", ")
            ),
            None => format!(
                "this table has one limit column per plan ({}); its rows (lines {}) are not read until limits.toml names the plan",
                names.join(", "),
                lines.join(", ")
            ),
        };
        self.parsed.diagnostics.push(
            Diagnostic::new(self.source, header_at, message, header_line).with_help(format!(
                "add `plan = \"{}\"` (a word of the column's header) to the [[document]] entry in limits.toml",
                names[0].split_whitespace().next().unwrap_or(names[0])
            )),
        );
        Err(())
    }

    /// A sentence about the tables that follow it takes each limitless table as it comes.
    fn take_pending_prose(&mut self, table_id: usize) {
        if self.prose.statement.is_none() {
            return;
        }
        if !self.tables[table_id].limitless {
            // A sentence about a table with a limit column explains it and sets nothing.
            if self.prose.taken.is_empty() {
                self.prose = prose::Pending::default();
            }
            return;
        }
        self.prose.taken.push(table_id);
        if self.prose.taken.len() == self.prose.tables {
            let pending = std::mem::take(&mut self.prose);
            if let Some((statement, at)) = pending.statement {
                self.apply_prose(&statement, at, &pending.taken, pending.interfaces);
            }
        }
    }

    /// After the last block: a sentence still waiting for its tables, and the report on a
    /// document that yields no row.
    fn finish(&mut self) {
        let pending = std::mem::take(&mut self.prose);
        if let Some((statement, at)) = pending.statement {
            self.apply_prose(&statement, at, &pending.taken, pending.interfaces);
        }
        // Outer sections end after inner ones: the last title recorded for a row is the
        // outermost.
        let mut titled = vec![false; self.parsed.rows.len()];
        for (r, title) in std::mem::take(&mut self.section_names).into_iter().rev() {
            let row = &mut self.parsed.rows[r];
            if !std::mem::replace(&mut titled[r], true) && row.name.is_empty() {
                row.name = title;
            }
        }
        // A route alone in a heading or a code block whose route a row names mentions it
        // (an example, a section about a row of a table).
        let named: Vec<(Option<String>, String)> = (self.parsed.rows.iter())
            .filter(|row| !row.alone)
            .map(|row| (row.method.clone(), row.path.clone()))
            .collect();
        self.parsed.rows.retain(|row| {
            !row.alone
                || !named.iter().any(|(method, path)| {
                    *path == row.path
                        && (method.is_none() || row.method.is_none() || *method == row.method)
                })
        });
        // Rows a section paired at its end were read after the rows below them.
        self.parsed
            .rows
            .sort_by_key(|row| (row.at.line, row.at.column));
        // Every row leaves the parser with its phrase read.
        for row in &mut self.parsed.rows {
            if !row.phrase.is_empty() {
                row.limit = Some(phrase::parse_phrase(&row.phrase));
            }
        }
        if !self.parsed.rows.is_empty() {
            // Beside rows that were read, a line with a path that no reader took is reported
            // at its line: it may be a row whose limit goes unenforced.
            for unread in std::mem::take(&mut self.unread_paths) {
                let Some((at, written, path)) = unread.report else {
                    continue;
                };
                // A sentence about a documented route (`/v1/users 的调用频率见下表`).
                if self.parsed.rows.iter().any(|r| r.path == path) {
                    continue;
                }
                self.parsed.diagnostics.push(
                    Diagnostic::new(
                        self.source,
                        at,
                        "this line holds an API path but is not read as a row: its limit, if it states one, is not enforced",
                        &written,
                    )
                    .with_help(
                        "ratespec reads a row as its path followed by its limit (`创建用户 /v1/users 100 次/秒`) \
                         or in a table; a row in another shape is one to report to ratespec. \
                         List the line in `skip_lines` in limits.toml to acknowledge it",
                    )
                    .warning(),
                );
            }
            for at in std::mem::take(&mut self.pathless_tables) {
                self.parsed.diagnostics.push(
                    Diagnostic::new(
                        self.source,
                        at,
                        "this table states limits but no column holds API paths: its rows are not read",
                        self.source.line_text(at.line).trim(),
                    )
                    .with_help(
                        "if its rows are APIs, give their paths in limits.toml ([document.routes.\"…\"] limit = \"…\"); \
                         list the header's line in `skip_lines` to acknowledge a table of SDK methods, features or plans",
                    )
                    .warning(),
                );
            }
            return;
        }
        let mut help = String::from(
            "ratespec reads rows that pair an API path (`/user/getToken.json`, `https://host/v1/…`) with a limit; check that this is the vendor's server API page",
        );
        // A sentence with a limit and a path is quoted once, as a line that states a limit.
        let unread: Vec<(usize, String)> = (self.unread_paths.iter())
            .filter(|u| !self.seen_limits.iter().any(|(line, _)| *line == u.line))
            .map(|u| (u.line, u.text.clone()))
            .collect();
        for (label, lines) in [
            ("lines that state limits without a path", &self.seen_limits),
            ("lines with a path that were not read as rows", &unread),
        ] {
            if !lines.is_empty() {
                help.push_str(&format!("; {label}: "));
                let quoted: Vec<String> = lines
                    .iter()
                    .take(5)
                    .map(|(line, text)| format!("line {line} `{}`", shorten(text)))
                    .collect();
                help.push_str(&quoted.join(", "));
                if lines.len() > 5 {
                    help.push_str(&format!(" and {} more", lines.len() - 5));
                }
            }
        }
        let message = if self.tables.is_empty() && self.seen_limits.is_empty() {
            "no line of this document carries an API path: it defines no endpoint".to_string()
        } else {
            format!(
                "no line of this document carries an API path: it defines no endpoint, though {} line(s) state limits (of SDK methods, features or plans?)",
                self.seen_limits.len()
            )
        };
        self.parsed.diagnostics.push(
            Diagnostic::file(self.source.path(), message)
                .with_help(help)
                .warning(),
        );
    }
}

/// A line that holds a path but was not read as a row.
struct UnreadPath {
    line: usize,
    text: String,
    /// Where its first path is written, that path as written and as read, when the line is
    /// published and has a number beside its paths: what to report at its line when the
    /// document has rows.
    report: Option<(Position, String, String)>,
}

/// The name between a route's path and its limit, when it is one: not empty, and without a
/// digit, which would make it a limit of its own (`Send up to 2 messages`). Separators and
/// markup around it are no part of it (`：发送普通消息，`, ` — Send a message: `).
fn name_before(text: &str) -> Option<&str> {
    let name = text.trim_matches(|c: char| c.is_whitespace() || "`:：,，、;；-–—".contains(c));
    (!name.is_empty() && !name.chars().any(|c| c.is_ascii_digit())).then_some(name)
}

/// The methods a line of its own gives (`**请求方式**：DELETE`, `- Method: GET`,
/// `HTTP 方法：POST`), upper case and joined with `/`.
fn method_line(line: &str) -> Option<String> {
    const LABELS: &[&str] = &[
        "请求方式",
        "请求方法",
        "请求类型",
        "http 方法",
        "http方法",
        "http 请求方式",
        "方法",
        "method",
        "http method",
        "request method",
    ];
    let bare: String = line.chars().filter(|c| !matches!(c, '*' | '`')).collect();
    let bare = bare.trim().trim_start_matches(['-', '>', '+']).trim();
    let (label, value) = bare.split_once([':', '：'])?;
    let label = label.trim().to_lowercase();
    LABELS
        .contains(&label.as_str())
        .then(|| paths::method_list(value.trim()))?
}

/// A cell that states nothing: a dash, `N/A`, `/`.
fn is_placeholder(cell: &str) -> bool {
    cell.chars()
        .all(|c| "-—–－_/／".contains(c) || c.is_whitespace())
        || matches!(
            cell.to_ascii_lowercase().as_str(),
            "n/a" | "na" | "tbd" | "暂无" | "无"
        )
}

/// `是` / `yes` in a yes/no column.
fn is_yes(cell: &str) -> bool {
    matches!(
        cell.to_ascii_lowercase().as_str(),
        "是" | "可调" | "可以" | "支持" | "yes" | "y" | "true"
    )
}

/// The first 60 characters of a line, for a message.
fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        short.push('…');
    }
    short
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

/// `cell` or `cells`, for a count of them.
fn cells_word(count: usize) -> &'static str {
    if count == 1 { "cell" } else { "cells" }
}

/// A cell that says "the same as the row above": `同上`, `〃`, `ditto`, `same as above`.
fn is_ditto(text: &str) -> bool {
    let text = text.trim_end_matches(['。', '.']).trim();
    ["同上", "〃", "ditto", "same as above"]
        .iter()
        .any(|word| text.eq_ignore_ascii_case(word))
}

/// Words before a path in a line of text that name no API: an article, or a word for "the
/// API" itself (`The `GET /v1/users` endpoint allows …`, `接口 /v1/room …`).
fn names_no_api(name: &str) -> bool {
    let name = name.trim().to_lowercase();
    // A note's label (`> Note: `GET /v1/stats` …`).
    let label = name.trim_end_matches([':', '：']);
    if label.len() < name.len()
        && ["note", "tip", "注意", "注", "提示", "说明", "备注"].contains(&label)
    {
        return true;
    }
    matches!(
        name.as_str(),
        "the"
            | "a"
            | "an"
            | "api"
            | "the api"
            | "endpoint"
            | "the endpoint"
            | "interface"
            | "接口"
            | "该接口"
            | "api 接口"
    )
}
