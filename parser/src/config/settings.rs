//! One document's settings, resolved from its `limits.toml` entry and the caller's options
//! and checked in one place: everything later stages read about the document comes from
//! here.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::Options;
use crate::config::file::{DocumentConfig, VENDORS, parse_utc_offset};
use crate::diagnostic::Diagnostic;
use crate::phrase::{Limit, PhraseError, parse_phrase};
use crate::source::{Position, Source};

/// How to read one document: its `limits.toml` entry, resolved.
#[derive(Clone, Debug)]
pub struct Settings<'a> {
    /// The module name.
    pub module: String,
    /// The method of rows that give none, upper case.
    pub default_method: Option<String>,
    /// Seconds east of UTC where calendar days start.
    pub utc_offset: Option<i32>,
    /// Whose API the document describes (one of [`VENDORS`]), when configured.
    pub vendor: Option<String>,
    /// Whether rows inside HTML comments count.
    pub include_commented: bool,
    /// Lines not to read.
    pub skip_lines: &'a [usize],
    /// The plan whose column to read in tables with one column per plan.
    pub plan: Option<&'a str>,
    /// The `[document.routes]` entries, keyed by route.
    pub routes: RouteSettings<'a>,
    /// The `limits.toml` entry and file, for shared quotas and positions.
    pub config: Option<(&'a DocumentConfig, &'a Source)>,
}

impl<'a> Settings<'a> {
    /// The settings of the document at `path`: its entry (and the `limits.toml` it is in),
    /// if any, and the caller's options. Problems with the entry are pushed to `diagnostics`.
    pub fn resolve(
        path: &Path,
        entry: Option<(&'a DocumentConfig, &'a Source)>,
        options: &Options,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Settings<'a> {
        let mut module = module_from_file(path);
        let mut default_method = None;
        let mut utc_offset = None;
        let mut vendor = None;
        let mut include_commented = options.include_commented;
        if let Some((entry, config_source)) = entry {
            if let Some(name) = &entry.module {
                module = name.get_ref().clone();
                if !is_module_name(&module) {
                    diagnostics.push(
                        Diagnostic::new(
                            config_source,
                            config_source.position(name.span().start),
                            "not a module name",
                            name.get_ref(),
                        )
                        .with_help("use snake_case: lower-case letters, digits and `_`"),
                    );
                }
            }
            if let Some(method) = &entry.default_method {
                let upper = method.get_ref().to_ascii_uppercase();
                if upper.is_empty() || !upper.chars().all(|c| c.is_ascii_uppercase()) {
                    diagnostics.push(
                        Diagnostic::new(
                            config_source,
                            config_source.position(method.span().start),
                            "not an HTTP method",
                            method.get_ref(),
                        )
                        .with_help("write the method as GET, POST, PUT, PATCH or DELETE"),
                    );
                }
                default_method = Some(upper);
            }
            match utc_offset_of(entry, config_source) {
                Ok(offset) => utc_offset = offset,
                Err(diagnostic) => diagnostics.push(*diagnostic),
            }
            if let Some(name) = &entry.vendor {
                if VENDORS.contains(&name.get_ref().as_str()) {
                    vendor = Some(name.get_ref().clone());
                } else {
                    diagnostics.push(
                        Diagnostic::new(
                            config_source,
                            config_source.position(name.span().start),
                            "not a known vendor",
                            name.get_ref(),
                        )
                        .with_help(format!("write one of {}", VENDORS.join(", "))),
                    );
                }
            }
            include_commented |= entry.include_commented;
        }
        let routes = RouteSettings::new(default_method.clone(), entry, diagnostics);
        Settings {
            module,
            default_method,
            utc_offset,
            vendor,
            include_commented,
            skip_lines: entry.map_or(&[][..], |(entry, _)| entry.skip_lines.as_slice()),
            plan: entry.and_then(|(entry, _)| entry.plan.as_ref().map(|p| p.get_ref().as_str())),
            routes,
            config: entry,
        }
    }
}

/// `rongcloud-server.md` → `rongcloud_server`.
pub fn module_from_file(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut module: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if module.is_empty() || module.starts_with(|c: char| c.is_ascii_digit()) {
        module.insert(0, '_');
    }
    module
}

/// The UTC offset in an entry, or a diagnostic.
pub fn utc_offset_of(
    entry: &DocumentConfig,
    config_source: &Source,
) -> Result<Option<i32>, Box<Diagnostic>> {
    let Some(offset) = &entry.utc_offset else {
        return Ok(None);
    };
    parse_utc_offset(offset.get_ref()).map(Some).ok_or_else(|| {
        Box::new(
            Diagnostic::new(
                config_source,
                config_source.position(offset.span().start),
                "not a UTC offset",
                offset.get_ref(),
            )
            .with_help("write it as \"+08:00\" (hours and minutes east of UTC)"),
        )
    })
}

fn is_module_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// One `[document.routes."…"]` entry, resolved.
#[derive(Clone, Debug)]
pub struct RouteSetting {
    /// The variant's name, replacing the derived one.
    pub variant: Option<String>,
    /// The limit phrase replacing what the rows say, as written.
    pub limit: Option<String>,
    /// That phrase, read.
    pub parsed: Option<Result<Limit, PhraseError>>,
    /// Where the phrase is in `limits.toml`.
    pub limit_span: Option<std::ops::Range<usize>>,
    /// The path parameter naming the scope key, and where it is written in `limits.toml`.
    pub scope_param: Option<(String, Position)>,
    /// Where the entry's key is.
    pub at: Position,
    /// The key as written.
    pub key: String,
}

/// The `[document.routes]` table keyed by (method, path).
#[derive(Clone, Debug)]
pub struct RouteSettings<'a> {
    by_route: HashMap<(String, String), RouteSetting>,
    default_method: Option<String>,
    config_source: Option<&'a Source>,
}

impl<'a> RouteSettings<'a> {
    fn new(
        default_method: Option<String>,
        config: Option<(&'a DocumentConfig, &'a Source)>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Self {
        let mut this = RouteSettings {
            by_route: HashMap::new(),
            default_method,
            config_source: config.map(|(_, source)| source),
        };
        let Some((config, config_source)) = config else {
            return this;
        };
        for (key, route) in &config.routes {
            let at = config_source.position(key.span().start);
            let Some(route_key) = this.split_key(key.get_ref()) else {
                diagnostics.push(
                    Diagnostic::new(
                        config_source,
                        at,
                        "a route is `/path` or `METHOD /path`",
                        key.get_ref(),
                    )
                    .with_help("set `default_method` to use the `/path` form"),
                );
                continue;
            };
            this.by_route.insert(
                route_key,
                RouteSetting {
                    variant: route.variant.as_ref().map(|v| v.get_ref().clone()),
                    limit: route.limit.as_ref().map(|l| l.get_ref().clone()),
                    parsed: route.limit.as_ref().map(|l| parse_phrase(l.get_ref())),
                    limit_span: route.limit.as_ref().map(|l| l.span()),
                    scope_param: route.scope_param.as_ref().map(|p| {
                        let at = config_source.position(p.span().start);
                        (p.get_ref().clone(), at)
                    }),
                    at,
                    key: key.get_ref().clone(),
                },
            );
        }
        this
    }

    /// `"/path"` (with the default method) or `"METHOD /path"`.
    pub fn split_key(&self, key: &str) -> Option<(String, String)> {
        let key = key.trim();
        match key.split_once(' ') {
            Some((method, path)) if path.trim().starts_with('/') => {
                Some((method.to_ascii_uppercase(), path.trim().to_string()))
            }
            None if key.starts_with('/') => Some((self.default_method.clone()?, key.to_string())),
            _ => None,
        }
    }

    /// The `limits.toml` being read, if any.
    pub fn config_source(&self) -> Option<&'a Source> {
        self.config_source
    }

    /// The entry for a route, if any.
    pub fn get(&self, method: &str, path: &str) -> Option<&RouteSetting> {
        self.by_route.get(&(method.to_string(), path.to_string()))
    }

    /// A route setting for a route the document does not have is a typo.
    pub fn check_unused(
        &self,
        known: &BTreeMap<(String, String), bool>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let Some(config_source) = self.config_source else {
            return;
        };
        let mut unused: Vec<&RouteSetting> = self
            .by_route
            .iter()
            .filter(|(route, _)| !known.contains_key(*route))
            .map(|(_, setting)| setting)
            .collect();
        unused.sort_by_key(|s| s.at);
        for setting in unused {
            diagnostics.push(
                Diagnostic::new(
                    config_source,
                    setting.at,
                    "no row of the document has this route",
                    &setting.key,
                )
                .with_help("correct the route (`/path` or `METHOD /path`), or remove the entry"),
            );
        }
    }
}
