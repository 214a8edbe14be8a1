//! ratespec-parser reads API vendors' rate-limit documents, exactly as published, into a
//! checked model of endpoints and limits, or into diagnostics that name the file, the line,
//! the column, the offending text and the fix.
//!
//! It is the parser behind `ratespec::include_limits!` and the `ratespec` command, and a plain
//! library: the pipeline is one-way,
//! [`read`] (files) → [`config`] (each document's settings) → [`parse`] (rows, with
//! [`phrase`] for their limits) → [`model`] (checked endpoints) → [`report`] (flat rows).
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
pub mod phrase;
pub mod read;
pub mod report;
pub mod source;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use diagnostic::Diagnostic;
pub use model::{Catalog, Document, Endpoint};

use config::Settings;
use read::Inputs;

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
        // Problems with the entry are the document's, in order with the others.
        let mut diagnostics = Vec::new();
        let settings = Settings::resolve(source.path(), entry, options, &mut diagnostics);
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
            skip_lines: settings.skip_lines,
            plan: settings.plan,
        };
        let mut parsed = parse::parse_document(source, read_options);
        diagnostics.append(&mut parsed.diagnostics);
        let (document, model_diagnostics) = model::build_document(source, &parsed, &settings);
        diagnostics.extend(model_diagnostics);
        model::check_document(&document, source, &settings, &mut diagnostics);
        // In document order, as a reader goes through the file.
        diagnostics.sort_by_key(|d| (d.file != source.path(), d.at));
        load.diagnostics.extend(diagnostics);
        load.catalog.documents.push(document);
    }
    load
}

/// The README's example, compiled as a doc test so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
