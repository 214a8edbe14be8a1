//! Rows → endpoints: methods resolved, limits taken from the rows, sentences, the default or
//! `limits.toml`, same routes merged, shared quotas resolved, variants named; every problem
//! collected as a diagnostic. The checks across finished endpoints are in [`super::check`].

use std::collections::{BTreeMap, HashMap};

use ratespec_core::{LimitSource, Origin};

use crate::config::Settings;
use crate::config::settings::RouteSettings;
use crate::diagnostic::Diagnostic;

use crate::model::naming;
use crate::model::route::Template;
use crate::model::{Bucket, Document, Endpoint};
use crate::parse::{Parsed, Row};
use crate::phrase::Limit;
use crate::source::{Position, Source};

/// A row whose method and route are known, and its limit if it could be read.
struct ReadRow<'r> {
    row: &'r Row,
    method: String,
    template: Template,
    limit: Limit,
    limit_read: bool,
    source: LimitSource,
}

/// Checks the rows of one document and builds its endpoints. `default` is the document's
/// default limit, for rows that state none.
pub fn build_document(
    source: &Source,
    parsed: &Parsed,
    settings: &Settings,
) -> (Document, Vec<Diagnostic>) {
    let (rows, default) = (&parsed.rows, parsed.default.as_ref());
    let mut diagnostics = Vec::new();
    let routes = &settings.routes;

    // Every route the document mentions, commented or not, so that limits.toml entries for
    // commented rows are not mistaken for typos.
    let mut known: BTreeMap<(String, String), bool> = BTreeMap::new();
    let mut read = Vec::new();
    let mut row_lines = Vec::new();
    for row in rows {
        let active = row.published || settings.include_commented;
        if active && row_lines.last() != Some(&row.at.line) {
            row_lines.push(row.at.line);
        }
        if !active && row.method.is_none() && settings.default_method.is_none() {
            continue; // not counted, and without a method it cannot be named in limits.toml
        }
        for method in methods(row, settings, source, &mut diagnostics) {
            let template = match Template::parse(&row.path) {
                Ok(template) => template,
                Err(message) => {
                    diagnostics.push(
                        Diagnostic::new(source, row.path_at, message, &row.path)
                            .with_help("correct the path, or list the line in `skip_lines`"),
                    );
                    continue;
                }
            };
            *known.entry((method.clone(), row.path.clone())).or_default() |= active;
            if !active {
                continue;
            }
            let route = routes.get(&method, &row.path);
            let shown_file = source.path().display().to_string();
            let (phrase, parsed, overridden, limit_source, phrase_at) = match (
                route.and_then(|r| r.limit.as_ref().zip(r.parsed.as_ref())),
                &row.limit,
                default,
            ) {
                (Some((limit, parsed)), _, _) => {
                    let line = route.map_or(0, |r| r.at.line);
                    let file = settings
                        .config
                        .map_or(String::new(), |(_, s)| s.path().display().to_string());
                    (
                        limit.clone(),
                        parsed.clone(),
                        true,
                        limit_source(Origin::Config, file, line),
                        row.phrase_at,
                    )
                }
                (None, _, _) if row.shifted.is_some() => {
                    let message = row.shifted.clone().unwrap_or_default();
                    diagnostics.push(
                        Diagnostic::new(
                            source,
                            row.at,
                            message,
                            source.line_text(row.at.line).trim(),
                        )
                        .with_help(limit_help(&method, &row.path, "…", settings, source)),
                    );
                    read.push(unread(row, method, template, row.phrase_at, shown_file));
                    continue;
                }
                (None, Some(parsed), _) => (
                    row.phrase.clone(),
                    parsed.clone(),
                    false,
                    limit_source(row.origin, shown_file, row.phrase_at.line),
                    row.phrase_at,
                ),
                (None, None, Some(default)) => (
                    default.phrase.clone(),
                    default.limit.clone(),
                    false,
                    limit_source(Origin::Default, shown_file, default.at.line),
                    default.at,
                ),
                (None, None, None) => {
                    diagnostics.push(
                            Diagnostic::new(
                                source,
                                row.path_at,
                                "this row states no limit, and neither a sentence about its table nor a document-wide default gives one",
                                &row.path,
                            )
                            .with_help(limit_help(&method, &row.path, "100 次/每秒", settings, source)),
                        );
                    read.push(unread(row, method, template, row.phrase_at, shown_file));
                    continue;
                }
            };
            match parsed {
                Ok(mut limit) => {
                    if is_deprecated_name(&row.name) {
                        limit.deprecated = true;
                    }
                    limit.adjustable |= row.adjustable;
                    read.push(ReadRow {
                        row,
                        method,
                        template,
                        limit,
                        limit_read: true,
                        source: limit_source,
                    });
                }
                Err(error) => {
                    let (file, at, text) = if overridden {
                        let (_, config_source) =
                            settings.config.expect("an override comes from limits.toml");
                        let span = route.and_then(|r| r.limit_span.clone()).unwrap_or(0..0);
                        (
                            config_source,
                            config_source.position(span.start),
                            phrase.clone(),
                        )
                    } else {
                        let clause: String = phrase
                            .chars()
                            .skip(error.chars.start)
                            .take(error.chars.len())
                            .collect();
                        let at = Position {
                            line: phrase_at.line,
                            column: phrase_at.column + error.chars.start,
                        };
                        (source, at, clause)
                    };
                    diagnostics.push(
                        Diagnostic::new(
                            file,
                            at,
                            format!("unreadable limit phrase: {}", error.message),
                            text,
                        )
                        .with_help(limit_help(
                            &method,
                            &row.path,
                            &suggestion(&phrase),
                            settings,
                            source,
                        )),
                    );
                    read.push(unread(
                        row,
                        method,
                        template,
                        phrase_at,
                        limit_source.file.to_string(),
                    ));
                }
            }
        }
    }
    routes.check_unused(&known, &mut diagnostics);
    row_lines.extend(
        parsed
            .rejected
            .iter()
            .filter(|&&(_, published)| published || settings.include_commented)
            .map(|&(line, _)| line),
    );
    row_lines.sort_unstable();
    row_lines.dedup();

    let mut endpoints = merge(read, routes, source, &mut diagnostics);
    name_variants(&mut endpoints, settings, routes, source, &mut diagnostics);
    pick_scope_params(&mut endpoints, routes, &mut diagnostics);
    let buckets = resolve_buckets(
        &mut endpoints,
        settings,
        routes,
        &known,
        source,
        &mut diagnostics,
    );

    let document = Document {
        module: settings.module.clone(),
        file: source.path().to_path_buf(),
        // What limits.toml sets, else what the limits say (`1000 次/天（北京时间）`).
        utc_offset: settings
            .utc_offset
            .or_else(|| super::check::stated_day_offset(&endpoints)),
        vendor: settings.vendor.clone(),
        default_method: settings.default_method.clone(),
        include_commented: settings.include_commented,
        endpoints,
        row_lines,
        buckets,
    };
    (document, diagnostics)
}

/// The row's methods: as written (`GET`, `GET/POST`), else the document's default.
fn methods(
    row: &Row,
    settings: &Settings,
    source: &Source,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let Some(written) = &row.method else {
        return match &settings.default_method {
            Some(method) => vec![method.clone()],
            None => {
                diagnostics.push(
                    Diagnostic::new(source, row.path_at, "the row gives no method and the document has no default", &row.path)
                        .with_help(format!(
                            "add `default_method = \"POST\"` to the [[document]] entry with file = \"{}\" in limits.toml",
                            file_name(source)
                        )),
                );
                Vec::new()
            }
        };
    };
    let methods: Vec<String> = written
        .split(['/', ',', '、', '，', ' '])
        .filter(|m| !m.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    if methods.is_empty()
        || methods
            .iter()
            .any(|m| !m.chars().all(|c| c.is_ascii_uppercase()))
    {
        diagnostics.push(
            Diagnostic::new(source, row.method_at, "not an HTTP method", written)
                .with_help("write the method as GET, POST, PUT, PATCH or DELETE"),
        );
        return Vec::new();
    }
    methods
}

/// Rows with the same method and path become one endpoint; their limits must agree.
fn merge(
    read: Vec<ReadRow>,
    routes: &RouteSettings<'_>,
    source: &Source,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Endpoint> {
    let mut endpoints: Vec<Endpoint> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    for r in read {
        let key = (r.method.clone(), r.template.text.clone());
        let Some(&i) = index.get(&key) else {
            index.insert(key, endpoints.len());
            endpoints.push(Endpoint {
                variant: String::new(),
                method: r.method,
                names: name_list(&r.row.name),
                section: r.row.section.clone(),
                deprecated: r.limit.deprecated,
                published: r.row.published,
                limit_source: r.source,
                limit_read: r.limit_read,
                host: r.row.host.clone(),
                tables: vec![r.row.table],
                shared_group: r.row.shared_group,
                limit: r.limit,
                template: r.template,
                bucket: 0,
                scope_param: None,
                sources: vec![r.row.at],
                path_at: r.row.path_at,
                phrase_at: r.row.phrase_at,
            });
            continue;
        };
        let endpoint = &mut endpoints[i];
        endpoint.tables.push(r.row.table);
        if !(endpoint.limit_read && r.limit_read) {
            endpoint.limit_read &= r.limit_read;
            endpoint.sources.push(r.row.at);
            continue;
        }
        let first = &endpoint.limit;
        if first.windows != r.limit.windows
            || first.cost != r.limit.cost
            || first.unit != r.limit.unit
        {
            diagnostics.push(
                Diagnostic::new(
                    source,
                    r.row.phrase_at,
                    format!(
                        "`{}` is documented twice with different limits: `{}` (line {}) and `{}`",
                        endpoint.route(),
                        first.text,
                        endpoint.sources[0].line,
                        r.limit.text
                    ),
                    &r.row.phrase,
                )
                .with_help(format!(
                    "settle it in limits.toml: [document.routes.\"{}\"] limit = \"…\"",
                    endpoint.path()
                )),
            );
        }
        let same_limit = endpoint.limit.windows == r.limit.windows
            && endpoint.limit.cost == r.limit.cost
            && endpoint.limit.unit == r.limit.unit;
        // Two limits are an error of their own below; the same limit twice is a warning.
        let new_name =
            same_limit && !r.row.name.is_empty() && !endpoint.names.contains(&r.row.name);
        let same_table = r.row.table.is_some()
            && endpoint.tables[..endpoint.tables.len() - 1].contains(&r.row.table);
        let declared_shared =
            r.limit.shared || endpoint.limit.shared || r.row.shared_group.is_some();
        // Naming the route in limits.toml says the document means one API under both names.
        let settled = routes
            .get(&endpoint.method, endpoint.path())
            .is_some_and(|r| r.variant.is_some());
        if new_name && same_table && !declared_shared && !settled && !endpoint.names.is_empty() {
            diagnostics.push(
                Diagnostic::new(
                    source,
                    r.row.path_at,
                    format!(
                        "`{}` is documented twice in one table, as `{}` (line {}) and as `{}`: probably a route copied from another row",
                        endpoint.route(),
                        endpoint.names[0],
                        endpoint.sources[0].line,
                        r.row.name
                    ),
                    &r.row.path,
                )
                .with_help(format!(
                    "if the document is wrong, list the wrong row's line in `skip_lines`; if both names are one API, say so with [document.routes.\"{} {}\"] variant = \"…\"",
                    endpoint.method,
                    endpoint.path()
                ))
                .warning(),
            );
        }
        endpoint.limit.adjustable |= r.limit.adjustable;
        endpoint.limit.shared |= r.limit.shared;
        endpoint.deprecated &= r.limit.deprecated;
        endpoint.published |= r.row.published;
        endpoint.sources.push(r.row.at);
        for name in name_list(&r.row.name) {
            if !endpoint.names.contains(&name) {
                endpoint.names.push(name);
            }
        }
    }
    endpoints
}

fn name_list(name: &str) -> Vec<String> {
    if name.is_empty() {
        Vec::new()
    } else {
        vec![name.to_string()]
    }
}

fn is_deprecated_name(name: &str) -> bool {
    name.contains("已废弃") || name.to_ascii_lowercase().contains("deprecated")
}

/// Derives (or takes from limits.toml) each variant name, and reports invalid or repeated ones.
fn name_variants(
    endpoints: &mut [Endpoint],
    settings: &Settings,
    routes: &RouteSettings<'_>,
    source: &Source,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut taken: HashMap<String, usize> = HashMap::new();
    for i in 0..endpoints.len() {
        let endpoint = &endpoints[i];
        let route = routes.get(&endpoint.method, endpoint.path());
        let variant = match route.and_then(|r| r.variant.clone()) {
            Some(variant) => variant,
            None => naming::derive(
                &endpoint.method,
                &endpoint.template,
                settings.default_method.as_deref(),
            ),
        };
        let help_key = format!(
            "[document.routes.\"{}\"] variant = \"…\"",
            route_key(endpoint, settings)
        );
        if !naming::is_valid_variant(&variant) {
            diagnostics.push(
                Diagnostic::new(
                    source,
                    endpoint.path_at,
                    format!("`{variant}` is not a valid variant name"),
                    endpoint.path(),
                )
                .with_help(format!(
                    "name it in limits.toml (ASCII UpperCamelCase): {help_key}"
                )),
            );
        } else if let Some(&other) = taken.get(&variant) {
            diagnostics.push(
                Diagnostic::new(
                    source,
                    endpoint.path_at,
                    format!(
                        "`{}` and `{}` (line {}) both get the variant name `{variant}`",
                        endpoint.route(),
                        endpoints[other].route(),
                        endpoints[other].sources[0].line
                    ),
                    endpoint.path(),
                )
                .with_help(format!("name one of them in limits.toml: {help_key}")),
            );
        } else {
            taken.insert(variant.clone(), i);
        }
        endpoints[i].variant = variant;
    }
}

/// Sets each endpoint's [`scope_param`](Endpoint::scope_param): `limits.toml`'s, checked
/// against the template and the windows, else the naming rule's for the scope of its
/// per-user or per-channel windows.
fn pick_scope_params(
    endpoints: &mut [Endpoint],
    routes: &RouteSettings<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for endpoint in endpoints.iter_mut() {
        let scope = endpoint
            .limit
            .windows
            .iter()
            .map(|w| w.scope)
            .find(|&s| s != ratespec_core::Scope::Tenant);
        let configured = routes
            .get(&endpoint.method, endpoint.path())
            .and_then(|r| r.scope_param.clone());
        if let (Some((param, at)), Some(config_source)) = (configured, routes.config_source()) {
            let problem = if scope.is_none() {
                Some((
                    format!(
                        "`{}` has no per-user or per-channel window to key by `{param}`",
                        endpoint.route()
                    ),
                    "remove `scope_param`, or give the route a limit of one user or channel"
                        .to_string(),
                ))
            } else if !endpoint.template.params().any(|p| p == param) {
                let params: Vec<String> = endpoint
                    .template
                    .params()
                    .map(|p| format!("`{p}`"))
                    .collect();
                Some((
                    format!("`{}` has no path parameter `{param}`", endpoint.route()),
                    match params.is_empty() {
                        true => "the path has no parameters: remove `scope_param` (the layer takes the key from a hook)".to_string(),
                        false => format!("name one of {}", params.join(", ")),
                    },
                ))
            } else {
                None
            };
            match problem {
                Some((message, help)) => diagnostics
                    .push(Diagnostic::new(config_source, at, message, &param).with_help(help)),
                None => endpoint.scope_param = Some(param),
            }
            continue;
        }
        endpoint.scope_param = scope
            .and_then(|scope| super::scope_param(endpoint.template.params(), scope))
            .map(str::to_string);
    }
}

/// Assigns every endpoint a bucket: a limits.toml group, or one of its own. A 共享 endpoint
/// must share with someone: the other rows of its route, or a group.
fn resolve_buckets(
    endpoints: &mut [Endpoint],
    settings: &Settings,
    routes: &RouteSettings<'_>,
    known: &BTreeMap<(String, String), bool>,
    source: &Source,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Bucket> {
    let mut group_of: Vec<Option<usize>> = vec![None; endpoints.len()];
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    if let Some((config, config_source)) = settings.config {
        for shared in &config.shared {
            let group = groups.len();
            let mut members = Vec::new();
            for route in &shared.routes {
                let at = config_source.position(route.span().start);
                let Some((method, path)) = routes.split_key(route.get_ref()) else {
                    diagnostics.push(
                        Diagnostic::new(
                            config_source,
                            at,
                            "a route is `/path` or `METHOD /path`",
                            route.get_ref(),
                        )
                        .with_help("set `default_method` to use the `/path` form"),
                    );
                    continue;
                };
                match endpoints
                    .iter()
                    .position(|e| e.method == method && e.path() == path)
                {
                    Some(i) if group_of[i].is_some() => diagnostics.push(
                        Diagnostic::new(
                            config_source,
                            at,
                            "this route is already in another shared bucket",
                            route.get_ref(),
                        )
                        .with_help(
                            "a route draws on one bucket: list it in one [[document.shared]] only",
                        ),
                    ),
                    Some(i) => {
                        group_of[i] = Some(group);
                        members.push(i);
                    }
                    // In a commented row that is not counted: nothing to share.
                    None if known.contains_key(&(method.clone(), path.clone())) => {}
                    None => diagnostics.push(
                        Diagnostic::new(
                            config_source,
                            at,
                            format!("`{method} {path}` is not in {}", file_name(source)),
                            route.get_ref(),
                        )
                        .with_help("correct the route, or remove it from the shared bucket"),
                    ),
                }
            }
            if let Some(&first) = members.first() {
                for &other in &members[1..] {
                    if endpoints[other].limit.windows != endpoints[first].limit.windows {
                        diagnostics.push(
                            Diagnostic::new(
                                config_source,
                                config_source.position(shared.bucket.span().start),
                                format!(
                                    "the routes of shared bucket `{}` have different limits: `{}` has `{}`, `{}` has `{}`",
                                    shared.bucket.get_ref(),
                                    endpoints[first].route(),
                                    endpoints[first].limit.text,
                                    endpoints[other].route(),
                                    endpoints[other].limit.text
                                ),
                                shared.bucket.get_ref(),
                            )
                            .with_help("settle the limit with [document.routes.\"…\"] limit = \"…\""),
                        );
                    }
                }
            }
            groups.push((shared.bucket.get_ref().clone(), members));
        }
    }

    let config_groups = groups.len();
    // Quotas a sentence of the document declares shared, unless limits.toml groups the
    // route already; named after their first route's variant.
    let mut prose_groups: BTreeMap<usize, usize> = BTreeMap::new();
    for i in 0..endpoints.len() {
        if group_of[i].is_some() {
            continue;
        }
        if let Some(line) = endpoints[i].shared_group {
            let group = *prose_groups.entry(line).or_insert_with(|| {
                groups.push((format!("{}Group", endpoints[i].variant), Vec::new()));
                groups.len() - 1
            });
            group_of[i] = Some(group);
            groups[group].1.push(i);
        }
    }

    share_with_named(
        endpoints,
        &mut group_of,
        &mut groups,
        config_groups,
        source,
        diagnostics,
    );

    let mut buckets: Vec<Bucket> = Vec::new();
    let mut bucket_of_group: HashMap<usize, usize> = HashMap::new();
    for i in 0..endpoints.len() {
        let bucket = match group_of[i] {
            Some(group) => *bucket_of_group.entry(group).or_insert_with(|| {
                buckets.push(Bucket {
                    name: groups[group].0.clone(),
                    windows: endpoints[i].limit.windows.clone(),
                    members: Vec::new(),
                });
                buckets.len() - 1
            }),
            None => {
                let endpoint = &endpoints[i];
                // (A row that names whom it shares with is reported where that is resolved.)
                if endpoint.limit.shared
                    && endpoint.limit.shared_with.is_empty()
                    && endpoint.sources.len() < 2
                {
                    diagnostics.push(
                        Diagnostic::new(
                            source,
                            endpoint.phrase_at,
                            format!("`{}` is marked 共享 (shared) but shares its quota with no other route", endpoint.route()),
                            endpoint.limit.text.clone(),
                        )
                        .with_help(format!(
                            "name the quota in limits.toml: [[document.shared]] bucket = \"…\" routes = [\"{}\", \"…\"]",
                            endpoint.path()
                        )),
                    );
                }
                buckets.push(Bucket {
                    name: endpoint.variant.clone(),
                    windows: endpoint.limit.windows.clone(),
                    members: Vec::new(),
                });
                buckets.len() - 1
            }
        };
        endpoints[i].bucket = bucket;
        buckets[bucket].members.push(i);
    }

    // Two buckets of their own with one name are a variant collision, reported already.
    let mut names: HashMap<&str, usize> = HashMap::new();
    let group_buckets: Vec<usize> = bucket_of_group.values().copied().collect();
    for (i, bucket) in buckets.iter().enumerate() {
        let valid = !bucket.name.is_empty()
            && bucket
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let at = endpoints[bucket.members[0]].sources[0];
        if !valid {
            diagnostics.push(
                Diagnostic::new(
                    source,
                    at,
                    format!(
                        "`{}` is not a bucket name (letters, digits, `_`, `-`)",
                        bucket.name
                    ),
                    &bucket.name,
                )
                .with_help("rename the bucket in limits.toml"),
            );
        } else if let Some(other) = names.insert(&bucket.name, i)
            && (group_buckets.contains(&i) || group_buckets.contains(&other))
        {
            diagnostics.push(
                Diagnostic::new(
                    source,
                    at,
                    format!("two buckets are named `{}`", bucket.name),
                    &bucket.name,
                )
                .with_help("give the shared bucket in limits.toml a name no variant has"),
            );
        }
    }
    buckets
}

/// Quotas a row shares with the APIs its phrase names (`与创建用户共享 100 次/秒`,
/// `shared with PUT /v3/s`): each name is a route (`METHOD /path`, or `/path` for all its
/// methods) or a row's documented name, resolved among the document's endpoints. Named
/// routes join one group with the row, unless limits.toml groups either already; a new group
/// is named after the first route's variant, as a sentence's is. A name that matches nothing, or routes whose limits differ, is
/// an error: which quota they share would be a guess.
fn share_with_named(
    endpoints: &[Endpoint],
    group_of: &mut [Option<usize>],
    groups: &mut Vec<(String, Vec<usize>)>,
    config_groups: usize,
    source: &Source,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for i in 0..endpoints.len() {
        for named in &endpoints[i].limit.shared_with {
            let others = endpoints_named(endpoints, named, i);
            if others.is_empty() {
                diagnostics.push(
                    Diagnostic::new(
                        source,
                        endpoints[i].phrase_at,
                        format!(
                            "`{}` shares its quota with `{named}`, but no route or row of {} is named so",
                            endpoints[i].route(),
                            file_name(source)
                        ),
                        endpoints[i].limit.text.clone(),
                    )
                    .with_help(format!(
                        "name the quota in limits.toml: [[document.shared]] bucket = \"…\" routes = [\"{}\", \"…\"]",
                        endpoints[i].path()
                    )),
                );
                continue;
            }
            for other in others {
                if endpoints[other].limit.windows != endpoints[i].limit.windows {
                    diagnostics.push(
                        Diagnostic::new(
                            source,
                            endpoints[i].phrase_at,
                            format!(
                                "`{}` shares its quota with `{}`, but their limits differ: `{}` and `{}`",
                                endpoints[i].route(),
                                endpoints[other].route(),
                                endpoints[i].limit.text,
                                endpoints[other].limit.text
                            ),
                            endpoints[i].limit.text.clone(),
                        )
                        .with_help("settle the limit with [document.routes.\"…\"] limit = \"…\""),
                    );
                    continue;
                }
                let first = &endpoints[i.min(other)].variant;
                join(i, other, group_of, groups, config_groups, first);
            }
        }
    }
}

/// The endpoints other than `except` that `named` names: a route, or a documented name
/// (compared without case or surrounding space).
fn endpoints_named(endpoints: &[Endpoint], named: &str, except: usize) -> Vec<usize> {
    let route = crate::parse::paths::paths_in(named).into_iter().next();
    endpoints
        .iter()
        .enumerate()
        .filter(|&(j, e)| {
            j != except
                && match &route {
                    Some(route) => {
                        e.path() == route.path
                            && route
                                .method
                                .as_ref()
                                .is_none_or(|methods| methods.split('/').any(|m| m == e.method))
                    }
                    None => e
                        .names
                        .iter()
                        .any(|name| name.trim().eq_ignore_ascii_case(named)),
                }
        })
        .map(|(j, _)| j)
        .collect()
}

/// Puts endpoints `a` and `b` in one group: a new one named after `variant` when neither has
/// one, else the one of either; groups from limits.toml (below `config_groups`) are left as
/// they are.
fn join(
    a: usize,
    b: usize,
    group_of: &mut [Option<usize>],
    groups: &mut Vec<(String, Vec<usize>)>,
    config_groups: usize,
    variant: &str,
) {
    let from_config = |group: Option<usize>| group.is_some_and(|g| g < config_groups);
    if from_config(group_of[a]) || from_config(group_of[b]) {
        return;
    }
    match (group_of[a], group_of[b]) {
        (Some(x), Some(y)) if x == y => {}
        (Some(x), Some(y)) => {
            let moved = std::mem::take(&mut groups[y].1);
            for &m in &moved {
                group_of[m] = Some(x);
            }
            groups[x].1.extend(moved);
        }
        (Some(x), None) | (None, Some(x)) => {
            let joining = if group_of[a].is_none() { a } else { b };
            group_of[joining] = Some(x);
            groups[x].1.push(joining);
        }
        (None, None) => {
            groups.push((format!("{variant}Group"), vec![a, b]));
            group_of[a] = Some(groups.len() - 1);
            group_of[b] = Some(groups.len() - 1);
        }
    }
}

fn limit_source(origin: Origin, file: String, line: usize) -> LimitSource {
    LimitSource {
        origin,
        file: file.into(),
        line: u32::try_from(line).unwrap_or(u32::MAX),
    }
}

/// A row whose route was read but whose limit was not: it keeps its route, so generated
/// code names its variant beside the error, and enforces nothing.
fn unread<'r>(
    row: &'r Row,
    method: String,
    template: Template,
    at: Position,
    file: String,
) -> ReadRow<'r> {
    ReadRow {
        row,
        method,
        template,
        limit: Limit {
            deprecated: is_deprecated_name(&row.name),
            ..Limit::none(&row.phrase)
        },
        limit_read: false,
        source: limit_source(row.origin, file, at.line),
    }
}

/// The help that settles a route's limit in limits.toml, with `limit` as the example.
fn limit_help(
    method: &str,
    path: &str,
    limit: &str,
    settings: &Settings,
    source: &Source,
) -> String {
    format!(
        "write the limit in limits.toml: [document.routes.\"{}\"] limit = \"{limit}\" (under the [[document]] entry with file = \"{}\")",
        route_text(method, path, settings),
        file_name(source)
    )
}

/// The `limits.toml` key of a route: `/path` with the default method, else `METHOD /path`.
fn route_text(method: &str, path: &str, settings: &Settings) -> String {
    if settings.default_method.as_deref() == Some(method) {
        path.to_string()
    } else {
        format!("{method} {path}")
    }
}

/// A phrase for the help of an unreadable one: the limit it states inside (as written), else
/// one with the document's own numbers: the first number and the first period word it holds,
/// else `100 次/每秒`.
fn suggestion(phrase: &str) -> String {
    // A limit stated inside the text (`仅可撤回 2 分钟内的消息。频率限制为每分钟 60 次。`) is the
    // example as written; else a window of the text's first number and period word.
    if let Some((_, limit)) = crate::phrase::limit_in_sentence(phrase) {
        return limit.text;
    }
    let digits: String = phrase
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    let number = if digits.is_empty() {
        "100".to_string()
    } else {
        digits
    };
    let lower = phrase.to_lowercase();
    let english = phrase.is_ascii();
    let periods: &[(&str, &str, &str)] = &[
        ("秒", "second", "秒"),
        ("分", "minute", "分钟"),
        ("时", "hour", "小时"),
        ("天", "day", "天"),
        ("日", "day", "天"),
        ("sec", "second", "秒"),
        ("min", "minute", "分钟"),
        ("hour", "hour", "小时"),
        ("day", "day", "天"),
    ];
    let found = periods.iter().find(|(word, _, _)| lower.contains(word));
    if english {
        let per = found.map_or("second", |&(_, en, _)| en);
        format!("{number} calls/{per}")
    } else {
        let per = found.map_or("秒", |&(_, _, zh)| zh);
        format!("{number} 次/每{per}")
    }
}

pub(super) fn file_name(source: &Source) -> String {
    source.path().file_name().map_or_else(
        || source.path().display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn route_key(endpoint: &Endpoint, settings: &Settings) -> String {
    if settings.default_method.as_deref() == Some(endpoint.method.as_str()) {
        endpoint.path().to_string()
    } else {
        endpoint.route()
    }
}
