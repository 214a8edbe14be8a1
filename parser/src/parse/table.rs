//! Tables (GFM, or HTML through [`super::html`]): cells collected from pulldown-cmark
//! events, columns mapped by the meaning of their header, then by what their cells hold.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::paths;
use crate::phrase;

/// One table cell.
#[derive(Clone, Debug)]
pub struct Cell {
    /// The cell as a reader sees it: links reduced to their text, markup dropped.
    pub text: String,
    /// The cell's source text, trimmed (for paths, where Markdown could eat `_` or `*`);
    /// an HTML cell's with its markup blanked.
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
            // `<br/>` and `<li>` separate the items of a list in a cell.
            Event::InlineHtml(html) | Event::Html(html) => {
                let tag = html.to_ascii_lowercase();
                if let Some(cell) = &mut cell
                    && (tag.starts_with("<br") || tag.starts_with("<li"))
                {
                    cell.text.push_str(" <br/> ");
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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    /// The documented name, if a column has it.
    pub name: Option<usize>,
    /// The HTTP method, if a column has it.
    pub method: Option<usize>,
    /// The path or URL, if a column holds paths.
    pub url: Option<usize>,
    /// Whether a path written without its leading `/` is a path in that column: the header
    /// names it, or most of its cells are such paths (`v4/openim/sendmsg`).
    pub relative_paths: bool,
    /// The limit phrase, if a column has it.
    pub limit: Option<usize>,
    /// A yes/no "adjustable" column (`是否可调`).
    pub adjustable: Option<usize>,
    /// One limit column per plan or edition (`Community Edition | Enterprise Edition`),
    /// with the plan's name as the header writes it.
    pub plans: Vec<(usize, String)>,
    /// More columns under headers that name their window (`每秒上限 | 每日上限`): each is one
    /// more window of the row's limit.
    pub windows: Vec<usize>,
    /// Whose quota the row's limit is (`Scope`: `per user`, `App Key`).
    pub scope: Option<usize>,
    /// The window of the limit column's numbers (`Window`: `1 minute`, `10 seconds`).
    pub period: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Meaning {
    /// Looks like a limit but is not: add-on sizes, prices, API types.
    NotLimit,
    Adjustable,
    Plan,
    Scope,
    Period,
    Limit,
    Url,
    Method,
    Name,
}

/// Header words by meaning, most specific first: `接口 URL` is a URL and `接口最高调用频率` a
/// limit although both say `接口`; `Single add-on package size` and `超额费用` say
/// `calls/second` in their cells but are not the limit.
const MEANINGS: &[(Meaning, &[&str])] = &[
    (
        Meaning::NotLimit,
        &[
            "add-on",
            "addon",
            "package",
            "加量包",
            "扩展包",
            "价格",
            "费用",
            "price",
            "cost",
            "fee",
            "超额",
            "类型",
            "type",
            // A burst allowance is no window (`Burst (per second)`).
            "burst",
            "突发",
        ],
    ),
    (Meaning::Adjustable, &["是否可调", "可调", "adjustable"]),
    (Meaning::Plan, &["edition", "plan", "版"]),
    (
        Meaning::Scope,
        &[
            "scope",
            "维度",
            "限制对象",
            "计数对象",
            "适用对象",
            "applies to",
        ],
    ),
    (
        Meaning::Period,
        &[
            "window",
            "period",
            "时间窗口",
            "窗口",
            "周期",
            "时间单位",
            "interval",
        ],
    ),
    (
        Meaning::Limit,
        &[
            "频率",
            "限制",
            "限流",
            "上限",
            "limit",
            "rate",
            "quota",
            "qps",
            "frequency",
            "throttl",
            "频控",
            "流控",
            "限频",
            // A header that names the window is the limit column (`Calls per minute`, `每秒调用上限`).
            "per second",
            "per minute",
            "per hour",
            "per day",
            "每秒",
            "每分钟",
            "每小时",
            "每天",
            "每日",
            "请求数",
            "调用次数",
            "调用上限",
        ],
    ),
    (
        Meaning::Url,
        &["url", "uri", "路径", "path", "endpoint", "地址"],
    ),
    (Meaning::Method, &["方法", "请求方式", "method", "verb"]),
    (
        Meaning::Name,
        &[
            "接口",
            "名称",
            "功能",
            "api",
            "name",
            "操作",
            "interface",
            "feature",
        ],
    ),
];

fn meaning(header: &str) -> Option<Meaning> {
    let lower = header.to_lowercase();
    MEANINGS
        .iter()
        .find(|(_, words)| words.iter().any(|w| lower.contains(w)))
        .map(|&(meaning, _)| meaning)
}

impl Columns {
    /// Maps a table: by the header's words, then, where the header does not decide, by the
    /// cells (a column of paths, one of HTTP methods, one of limit phrases).
    pub fn map(header: &[Cell], body: &[Vec<Cell>]) -> Columns {
        // A header that is a whole window (`Requests / 15-min window (per user)`) heads a
        // column of limits, whatever other words it holds.
        let meanings: Vec<Option<Meaning>> = (header.iter())
            .map(|c| match meaning(&c.text) {
                Some(Meaning::Period | Meaning::Scope)
                    if whole_header_unit(c.text.trim()).is_some() =>
                {
                    Some(Meaning::Limit)
                }
                other => other,
            })
            .collect();
        let by_header = |wanted: Meaning| meanings.iter().position(|&m| m == Some(wanted));
        let column = |i: usize| body.iter().filter_map(move |row| row.get(i));
        let share = |i: usize, test: &dyn Fn(&Cell) -> bool| {
            let cells: Vec<&Cell> = column(i).filter(|c| !c.text.trim().is_empty()).collect();
            if cells.is_empty() {
                0.0
            } else {
                cells.iter().filter(|c| test(c)).count() as f64 / cells.len() as f64
            }
        };
        let has_path = |c: &Cell| !paths::paths_in(&c.raw).is_empty();
        let is_method = |c: &Cell| paths::is_method_list(c.text.trim());
        let is_limit = |c: &Cell| phrase::parse_phrase(c.text.trim()).is_ok();

        let mut columns = Columns::default();
        // Paths: the header's URL column if its cells hold paths, else the column of paths.
        let is_relative = |c: &Cell| paths::relative_path(&c.raw).is_some();
        let bare = |c: &Cell| is_relative(c) && !is_method(c);
        let header_url = by_header(Meaning::Url)
            .filter(|&i| share(i, &has_path) > 0.0 || share(i, &is_relative) >= 0.5);
        columns.url = header_url
            .or_else(|| {
                (0..header.len())
                    .filter(|&i| share(i, &has_path) > 0.0)
                    .max_by(|&a, &b| share(a, &has_path).total_cmp(&share(b, &has_path)))
            })
            // No column holds a path with its `/`: one whose cells nearly all are paths
            // without it (`v4/openim/sendmsg`, under a header such as `接口`), and are not
            // method lists (`GET/POST`), is the URL column.
            .or_else(|| (0..header.len()).find(|&i| share(i, &bare) >= 0.8));
        // A path without its `/` is one in the column the header calls the URL, or in a
        // column whose cells nearly all are paths, with their `/` or without it.
        columns.relative_paths = columns.url.is_some_and(|i| {
            Some(i) == header_url || share(i, &|c: &Cell| has_path(c) || bare(c)) >= 0.8
        });
        // Methods: a `Method` header over cells that are not HTTP methods (an SDK method)
        // is not the HTTP method.
        columns.method = by_header(Meaning::Method)
            .filter(|&i| share(i, &is_method) >= 0.5)
            .or_else(|| {
                (0..header.len()).find(|&i| Some(i) != columns.url && share(i, &is_method) >= 0.8)
            });
        let is_number = |c: &Cell| is_number(c.text.trim());
        let taken = |i: usize| Some(i) == columns.url || Some(i) == columns.method;
        // Whose quota and which window, in columns of their own: by the header, else by
        // cells that nearly all name one.
        let is_scope = |c: &Cell| phrase::scope_named(c.text.trim()).is_some();
        let is_period = |c: &Cell| period_cell(&c.text).is_some();
        let by_cells = |wanted: Meaning, test: &dyn Fn(&Cell) -> bool| {
            by_header(wanted)
                .filter(|&i| !taken(i) && share(i, test) >= 0.5)
                .or_else(|| {
                    (0..header.len())
                        .find(|&i| meanings[i].is_none() && !taken(i) && share(i, test) >= 0.8)
                })
        };
        columns.scope = by_cells(Meaning::Scope, &is_scope);
        columns.period = by_cells(Meaning::Period, &is_period);
        let free = |i: usize| {
            meanings[i].is_none()
                && !taken(i)
                && Some(i) != columns.scope
                && Some(i) != columns.period
        };
        columns.limit = by_header(Meaning::Limit)
            .or_else(|| (0..header.len()).find(|&i| free(i) && share(i, &is_limit) >= 0.5))
            .or_else(|| {
                // Numbers under a header that names what they count and the window
                // (`Requests/min`, `每秒调用次数`), or beside a column of windows.
                (0..header.len()).find(|&i| {
                    free(i)
                        && share(i, &is_number) >= 0.5
                        && (header_unit(&header[i].text).is_some() || columns.period.is_some())
                })
            });
        if columns.limit.is_some() {
            columns.windows = (0..header.len())
                .filter(|&i| {
                    Some(i) != columns.limit
                        && !taken(i)
                        && matches!(meanings[i], None | Some(Meaning::Limit))
                        && header_unit(&header[i].text).is_some()
                })
                .collect();
        }
        columns.adjustable = by_header(Meaning::Adjustable);
        columns.plans = meanings
            .iter()
            .enumerate()
            .filter(|&(_, &m)| m == Some(Meaning::Plan))
            .map(|(i, _)| (i, header[i].text.trim().to_string()))
            .collect();
        if columns.plans.len() < 2 {
            // One edition column is simply the limit column.
            if let (None, Some(&(i, _))) = (columns.limit, columns.plans.first()) {
                columns.limit = Some(i);
            }
            columns.plans.clear();
        }
        let other = |i: usize| {
            !taken(i)
                && ![columns.limit, columns.scope, columns.period].contains(&Some(i))
                && !columns.windows.contains(&i)
        };
        columns.name = by_header(Meaning::Name).filter(|&i| other(i)).or_else(|| {
            (0..header.len()).find(|&i| other(i) && meanings[i] != Some(Meaning::NotLimit))
        });
        columns
    }
}

/// A cell that is only a window's period (`1 minute`, `10 seconds`, `per minute`, `每分钟`,
/// `/min`), as a window writes it after its `/`.
pub fn period_cell(cell: &str) -> Option<String> {
    let text = cell.trim();
    let lower = text.to_ascii_lowercase();
    let text = ["per ", "every ", "/"]
        .iter()
        .find(|prefix| lower.starts_with(*prefix))
        .map_or(text, |prefix| text[prefix.len()..].trim_start());
    if text.is_empty() {
        return None;
    }
    let limit = phrase::parse_phrase(&format!("1/{text}")).ok()?;
    let plain = limit.caps.is_empty() && limit.sub_limits.is_empty() && limit.notes.is_empty();
    (plain && limit.windows.len() == 1 && limit.windows[0].scope == ratespec_core::Scope::Tenant)
        .then(|| text.to_string())
}

/// A cell that is only a number (`100`, `6,000`).
pub fn is_number(cell: &str) -> bool {
    !cell.is_empty() && cell.chars().all(|c| c.is_ascii_digit() || c == ',')
}

/// The unit a limit column's header names, for cells that write only a number:
/// `调用频率（次/秒）` → `次/秒`, `Rate limit (requests per second)` → `requests per second`,
/// `QPS` → `QPS`.
pub fn header_unit(header: &str) -> Option<String> {
    let normalized = header.replace('（', "(").replace('）', ")");
    let inner = last_group(&normalized)
        .filter(|inner| phrase::parse_phrase(&format!("1 {inner}")).is_ok())
        .map(str::to_string);
    inner
        .or_else(|| {
            normalized
                .to_ascii_lowercase()
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|word| word == "qps")
                .then(|| "QPS".to_string())
        })
        .or_else(|| whole_header_unit(normalized.trim()))
}

/// The scope a limit column's header names in parentheses (`Rate limit (per user)`,
/// `频率限制（单个 IP）`): whose quota every cell under it states, as words a phrase reads
/// in parentheses.
pub fn header_scope(header: &str) -> Option<String> {
    let normalized = header.replace('（', "(").replace('）', ")");
    let inner = last_group(&normalized)?;
    phrase::scope_named(inner).map(|_| inner.to_string())
}

/// What the last `(…)` group of a header holds, trimmed (full-width parentheses already
/// read as ASCII).
fn last_group(header: &str) -> Option<&str> {
    let open = header.rfind('(')?;
    let close = header[open..].find(')')? + open;
    Some(header[open + 1..close].trim())
}

/// A header that is itself what its numbers count and their window (`Calls per minute`,
/// `次/秒`), or a label of one (`每秒调用上限` → `calls/second`).
fn whole_header_unit(header: &str) -> Option<String> {
    if phrase::parse_phrase(&format!("1 {header}")).is_ok() {
        return Some(header.to_string());
    }
    let limit = phrase::parse_phrase(&format!("{header}：1")).ok()?;
    let [window] = limit.windows[..] else {
        return None;
    };
    let per = window.per.as_str();
    (window.cost == ratespec_core::Cost::Call && window.scope == ratespec_core::Scope::Tenant).then(
        || match window.every {
            1 => format!("calls/{per}"),
            every => format!("calls per {every} {per}s"),
        },
    )
}

/// The cells of a GFM table row written on a line of its own, away from its table (a row
/// commented out alone): split at `|`, links reduced to their text. `offset` is where the
/// line starts in the document.
pub fn cells_of_line(line: &str, offset: usize) -> Vec<Cell> {
    let trimmed_start = line.len() - line.trim_start().len();
    let body = line.trim();
    let body_start = offset + trimmed_start + usize::from(body.starts_with('|'));
    let inner = body.strip_prefix('|').unwrap_or(body);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut at = 0;
    for piece in inner.split('|') {
        let leading = piece.len() - piece.trim_start().len();
        let raw = piece.trim();
        let start = body_start + at + leading;
        cells.push(Cell {
            text: link_text(raw),
            raw: raw.to_string(),
            span: start..start + raw.len(),
        });
        at += piece.len() + 1;
    }
    cells
}

/// `[name](target)` → `name`, elsewhere unchanged.
fn link_text(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|i| open + i) else {
            break;
        };
        let Some(end) = rest[close..].find(')').map(|i| close + i) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// How many cells a GFM table row's source line has (`| a | b |` has 2): pulldown-cmark
/// pads short rows and drops the cells of long ones, so a shifted row is only visible here.
pub fn source_cell_count(line: &str) -> usize {
    let line = line.trim();
    let inner = line.strip_prefix('|').unwrap_or(line);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut count = 1;
    let mut escaped = false;
    let mut in_code = false;
    for c in inner.chars() {
        match c {
            '\\' => escaped = !escaped,
            '`' if !escaped => in_code = !in_code,
            '|' if !escaped && !in_code => count += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(texts: &[&str]) -> Vec<Cell> {
        texts
            .iter()
            .map(|t| Cell {
                text: t.to_string(),
                raw: t.to_string(),
                span: 0..0,
            })
            .collect()
    }

    #[test]
    fn headers_in_english_and_chinese_and_columns_that_are_not_limits() {
        let header = cells(&[
            "RESTful API",
            "Method",
            "API URL",
            "Maximum API call frequency (default)",
            "Single add-on package size",
        ]);
        let body = vec![cells(&[
            "Upload a File",
            "POST",
            "/{org_name}/{app_name}/chatfiles",
            "100 calls/second/App Key",
            "100 calls/second",
        ])];
        let columns = Columns::map(&header, &body);
        assert_eq!(
            (columns.name, columns.method, columns.url, columns.limit),
            (Some(0), Some(1), Some(2), Some(3))
        );
        let header = cells(&["功能", "方法", "调用频率上限"]);
        let body = vec![cells(&["登录", "loginByToken", "2 次／秒"])];
        let columns = Columns::map(&header, &body);
        assert_eq!(
            (columns.method, columns.url, columns.limit),
            (None, None, Some(2))
        );
    }

    #[test]
    fn columns_of_scopes_periods_and_more_windows() {
        // A scope column, by its header and by its cells; not the name.
        for scope_header in ["Scope", "X"] {
            let header = cells(&["API", "Limit", scope_header]);
            let body = vec![
                cells(&["POST /v4/a", "100/min", "per user"]),
                cells(&["POST /v4/b", "1000/min", "App Key"]),
            ];
            let columns = Columns::map(&header, &body);
            assert_eq!(
                (columns.url, columns.limit, columns.scope, columns.name),
                (Some(0), Some(1), Some(2), None),
                "{scope_header}"
            );
        }
        // A column of windows gives the numbers beside it their period.
        let header = cells(&["API", "Requests", "Window"]);
        let body = vec![
            cells(&["POST /v5/a", "100", "1 minute"]),
            cells(&["POST /v5/b", "10", "10 seconds"]),
        ];
        let columns = Columns::map(&header, &body);
        assert_eq!(
            (columns.limit, columns.period, columns.name),
            (Some(1), Some(2), None)
        );
        // Each column of numbers under a header that names its window is one more window;
        // a burst allowance is none.
        let header = cells(&["接口", "每秒上限", "每日上限", "Burst (per second)"]);
        let body = vec![cells(&["POST /v2/push", "100", "100000", "200"])];
        let columns = Columns::map(&header, &body);
        assert_eq!(
            (columns.limit, columns.windows.clone(), columns.name),
            (Some(1), vec![2], None)
        );
    }

    #[test]
    fn period_cells() {
        for (cell, period) in [
            ("1 minute", "1 minute"),
            ("10 seconds", "10 seconds"),
            ("per minute", "minute"),
            ("Per Hour", "Hour"),
            ("每分钟", "每分钟"),
            ("/min", "min"),
            ("10s", "10s"),
        ] {
            assert_eq!(period_cell(cell).as_deref(), Some(period), "{cell}");
        }
        for cell in [
            "",
            "10",
            "user",
            "1 minute/user",
            "100 次/秒",
            "minute (burst 5)",
        ] {
            assert_eq!(period_cell(cell), None, "{cell}");
        }
    }

    #[test]
    fn columns_found_by_their_cells_when_the_header_does_not_say() {
        let header = cells(&["A", "B", "C", "D"]);
        let body = vec![
            cells(&["注册", "POST", "/user/create", "100 次/秒"]),
            cells(&["查询", "GET", "/user/get", "50 次/秒"]),
        ];
        let columns = Columns::map(&header, &body);
        assert_eq!(
            (columns.name, columns.method, columns.url, columns.limit),
            (Some(0), Some(1), Some(2), Some(3))
        );
    }

    #[test]
    fn a_column_of_paths_written_as_links_is_the_url() {
        let header = cells(&["功能", "API", "频率限制"]);
        let body = vec![cells(&[
            "注册用户",
            "[/user/getToken.json](/platform-chat-api/user/register)",
            "200 次/秒",
        ])];
        let columns = Columns::map(&header, &body);
        assert_eq!(
            (columns.name, columns.url, columns.limit),
            (Some(0), Some(1), Some(2))
        );
    }

    #[test]
    fn units_named_by_the_header() {
        assert_eq!(
            header_scope("Rate limit (per user)").as_deref(),
            Some("per user")
        );
        assert_eq!(
            header_scope("频率限制（单个 IP）").as_deref(),
            Some("单个 IP")
        );
        assert_eq!(header_scope("调用频率（次/秒）"), None);
        assert_eq!(header_scope("Rate limit"), None);
        assert_eq!(header_unit("调用频率（次/秒）").as_deref(), Some("次/秒"));
        assert_eq!(
            header_unit("Rate limit (requests per second)").as_deref(),
            Some("requests per second")
        );
        assert_eq!(header_unit("QPS").as_deref(), Some("QPS"));
        assert_eq!(header_unit("Maximum API call frequency (default)"), None);
        assert_eq!(header_unit("频率限制"), None);
        assert_eq!(header_unit("Limit"), None);
        assert_eq!(
            header_unit("Calls per minute").as_deref(),
            Some("Calls per minute")
        );
        assert_eq!(header_unit("次/秒").as_deref(), Some("次/秒"));
        assert_eq!(header_unit("每秒调用上限").as_deref(), Some("calls/second"));
        assert_eq!(
            header_unit("每 10 秒请求数").as_deref(),
            Some("calls per 10 seconds")
        );
    }

    #[test]
    fn plan_columns() {
        let header = cells(&["Interface", "Community Edition", "Enterprise Edition"]);
        let body = vec![cells(&["/users", "10 times/s", "30 times/s"])];
        let columns = Columns::map(&header, &body);
        assert_eq!(columns.limit, None);
        assert_eq!(
            columns.plans,
            vec![
                (1, "Community Edition".into()),
                (2, "Enterprise Edition".into())
            ]
        );
    }

    #[test]
    fn a_row_alone_on_its_line() {
        let line = "| [Translate](t.html) | POST  | /{org}/translate |";
        let cells = cells_of_line(line, 100);
        let texts: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["Translate", "POST", "/{org}/translate"]);
        assert_eq!(
            &line[cells[2].span.start - 100..cells[2].span.end - 100],
            "/{org}/translate"
        );
    }

    #[test]
    fn cells_counted_on_the_source_line() {
        assert_eq!(source_cell_count("| a | b |"), 2);
        assert_eq!(source_cell_count("| a | b | c |  "), 3);
        assert_eq!(source_cell_count("a | `x|y` | b"), 3);
    }
}
