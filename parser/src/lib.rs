//! ratespec-parser reads API vendors' rate-limit documents, exactly as published, into a
//! checked model of endpoints and limits, or into diagnostics that name the file, the line,
//! the column, the offending text and the fix.
//!
//! It is the parser behind `ratespec::include_limits!` and the `ratespec` command, and a plain
//! library: the pipeline is one-way,
//! [`read`] (files) → [`parse`] (rows) → [`model`] (checked endpoints) → [`report`] (flat rows).
//!
//! ```no_run
//! let load = ratespec_parser::load(&["specs".into()], &ratespec_parser::Options::default());
//! for diagnostic in &load.diagnostics {
//!     eprintln!("{diagnostic}");
//! }
//! println!("{} endpoints", load.catalog.endpoint_count());
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod diagnostic;
pub mod model;
pub mod parse;
pub mod read;
pub mod report;
pub mod source;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use diagnostic::Diagnostic;
pub use model::{Catalog, Document, Endpoint};

use model::build::Settings;
use read::{Inputs, module_from_file, utc_offset_of};

/// Choices made by the caller rather than by `limits.toml`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Count rows inside HTML comments in every document, whatever `limits.toml` says.
    pub include_commented: bool,
}

/// What loading gives: the model (complete for every row that could be read), every problem,
/// and every file read.
#[derive(Debug, Default)]
pub struct Load {
    /// The checked documents.
    pub catalog: Catalog,
    /// Every problem found; empty when the documents are sound.
    pub diagnostics: Vec<Diagnostic>,
    /// Every file read (documents and `limits.toml`), for rebuild tracking.
    pub files: Vec<PathBuf>,
}

/// Reads, parses and checks the documents at `paths` (folders with their `limits.toml`, or
/// single documents, which use the `limits.toml` beside them when it lists them).
pub fn load(paths: &[PathBuf], options: &Options) -> Load {
    check(Inputs::read(paths), options)
}

/// Reads and checks the document at `path` with the settings that the `limits.toml` beside
/// `like` gives `like`: for an old version of a document, saved anywhere.
pub fn load_as(path: &Path, like: &Path, options: &Options) -> Load {
    check(Inputs::read_as(path, like), options)
}

fn check(inputs: Inputs, options: &Options) -> Load {
    let mut load = Load {
        catalog: Catalog::default(),
        diagnostics: inputs.diagnostics,
        files: inputs.files,
    };
    let mut modules: HashMap<String, PathBuf> = HashMap::new();
    for input in &inputs.documents {
        let source = &input.source;
        let entry = input
            .config
            .as_ref()
            .map(|(entry, config_source)| (entry, config_source.as_ref()));
        let mut settings = Settings {
            module: module_from_file(source.path()),
            default_method: None,
            utc_offset: None,
            include_commented: options.include_commented,
            config: entry,
        };
        if let Some((entry, config_source)) = entry {
            if let Some(module) = &entry.module {
                settings.module = module.get_ref().clone();
                if !is_module_name(&settings.module) {
                    load.diagnostics.push(
                        Diagnostic::new(
                            config_source,
                            config_source.position(module.span().start),
                            "not a module name",
                            module.get_ref(),
                        )
                        .with_help("use snake_case: lower-case letters, digits and `_`"),
                    );
                }
            }
            if let Some(method) = &entry.default_method {
                let upper = method.get_ref().to_ascii_uppercase();
                if upper.is_empty() || !upper.chars().all(|c| c.is_ascii_uppercase()) {
                    load.diagnostics.push(
                        Diagnostic::new(
                            config_source,
                            config_source.position(method.span().start),
                            "not an HTTP method",
                            method.get_ref(),
                        )
                        .with_help("write the method as GET, POST, PUT, PATCH or DELETE"),
                    );
                }
                settings.default_method = Some(upper);
            }
            match utc_offset_of(entry, config_source) {
                Ok(offset) => settings.utc_offset = offset,
                Err(diagnostic) => load.diagnostics.push(*diagnostic),
            }
            settings.include_commented |= entry.include_commented;
        }
        if let Some(other) = modules.insert(settings.module.clone(), source.path().to_path_buf()) {
            load.diagnostics.push(
                Diagnostic::file(
                    source.path(),
                    format!(
                        "module `{}` is also the module of {}",
                        settings.module,
                        other.display()
                    ),
                )
                .with_help("give each [[document]] its own `module` in limits.toml"),
            );
        }
        let read_options = parse::ReadOptions {
            skip_lines: entry.map_or(&[][..], |(entry, _)| entry.skip_lines.as_slice()),
            plan: entry.and_then(|(entry, _)| entry.plan.as_ref().map(|p| p.get_ref().as_str())),
        };
        let mut parsed = parse::parse_document(source, read_options);
        let mut diagnostics = std::mem::take(&mut parsed.diagnostics);
        let (document, model_diagnostics) = model::build_document(source, &parsed, &settings);
        diagnostics.extend(model_diagnostics);
        // In document order, as a reader goes through the file.
        diagnostics.sort_by_key(|d| (d.file != source.path(), d.at));
        load.diagnostics.extend(diagnostics);
        load.catalog.documents.push(document);
    }
    load
}

fn is_module_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
