//! Files → sources: a specs folder (with its `limits.toml`) or single documents, each with
//! the settings its `limits.toml` entry gives.

use std::fs;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::config::{Config, DocumentConfig};
use crate::diagnostic::Diagnostic;
use crate::source::Source;

/// The name of the settings file beside the documents.
pub const CONFIG_FILE: &str = "limits.toml";

/// File endings read as documents when a folder has no `limits.toml` (and reported when one
/// does not list them). A web page is read as the HTML it is, inside Markdown's rules.
const DOCUMENT_EXTENSIONS: &[&str] = &["md", "markdown", "txt", "html", "htm"];

/// One document to read, with its `limits.toml` entry.
pub struct Input {
    /// The document.
    pub source: Source,
    /// Its entry and the `limits.toml` it comes from.
    pub config: Option<(DocumentConfig, Rc<Source>)>,
}

/// Everything read from the paths given.
#[derive(Default)]
pub struct Inputs {
    /// The documents, in `limits.toml` order (or file-name order without one).
    pub documents: Vec<Input>,
    /// Every file read, for rebuild tracking.
    pub files: Vec<PathBuf>,
    /// Missing files, unlisted documents, bad `limits.toml`.
    pub diagnostics: Vec<Diagnostic>,
}

impl Inputs {
    /// Reads folders and documents.
    pub fn read(paths: &[PathBuf]) -> Inputs {
        let mut inputs = Inputs::default();
        for path in paths {
            if path.is_dir() {
                inputs.read_dir(path);
            } else {
                inputs.read_single(path, path);
            }
        }
        inputs
    }

    /// Reads the document at `path` with the settings that the `limits.toml` beside `like`
    /// gives `like` (another version of the same document).
    pub fn read_as(path: &Path, like: &Path) -> Inputs {
        let mut inputs = Inputs::default();
        inputs.read_single(path, like);
        inputs
    }

    fn read_dir(&mut self, dir: &Path) {
        let config_path = dir.join(CONFIG_FILE);
        let config = if config_path.exists() {
            match self.read_config(&config_path) {
                Some(config) => Some(config),
                None => return,
            }
        } else {
            None
        };
        let on_disk = documents_in(dir);
        // Other files are not read: say so, unless limits.toml lists them.
        for path in other_files_in(dir) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if config
                .as_ref()
                .is_some_and(|(c, _)| c.document(&name).is_some())
            {
                continue;
            }
            self.diagnostics.push(
                Diagnostic::file(
                    &path,
                    format!(
                        "`{name}` is not read: the documents of a folder are its .{} files",
                        DOCUMENT_EXTENSIONS.join(", .")
                    ),
                )
                .with_help(format!(
                    "to read it all the same, add [[document]] file = \"{name}\" to {CONFIG_FILE}; else move it out of the folder"
                ))
                .warning(),
            );
        }
        match config {
            Some((config, config_source)) => {
                for entry in &config.document {
                    let path = dir.join(entry.file.get_ref());
                    if let Some(source) = self.read_file(&path, Some((entry, &config_source))) {
                        self.documents.push(Input {
                            source,
                            config: Some((entry.clone(), config_source.clone())),
                        });
                    }
                }
                for path in on_disk {
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    if config.document(&name).is_none() {
                        self.diagnostics.push(
                            Diagnostic::file(&path, format!("`{name}` is not listed in {}", config_path.display()))
                                .with_help(format!("add [[document]] file = \"{name}\" to {CONFIG_FILE}, or move the file out of the folder")),
                        );
                    }
                }
            }
            None => {
                for path in on_disk {
                    if let Some(source) = self.read_file(&path, None) {
                        self.documents.push(Input {
                            source,
                            config: None,
                        });
                    }
                }
            }
        }
    }

    fn read_single(&mut self, path: &Path, like: &Path) {
        let dir = like
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let config_path = dir.join(CONFIG_FILE);
        let name = like
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let config = if config_path.exists() {
            self.read_config(&config_path)
        } else {
            None
        };
        let entry = config.as_ref().and_then(|(config, source)| {
            config
                .document(&name)
                .map(|entry| (entry.clone(), source.clone()))
        });
        let source = self.read_file(path, entry.as_ref().map(|(e, s)| (e, s)));
        if let Some(source) = source {
            self.documents.push(Input {
                source,
                config: entry,
            });
        }
    }

    fn read_config(&mut self, path: &Path) -> Option<(Config, Rc<Source>)> {
        let source = self.read_file(path, None)?;
        match Config::parse(&source) {
            Ok(config) => Some((config, Rc::new(source))),
            Err(diagnostic) => {
                self.diagnostics.push(*diagnostic);
                None
            }
        }
    }

    fn read_file(
        &mut self,
        path: &Path,
        entry: Option<(&DocumentConfig, &Rc<Source>)>,
    ) -> Option<Source> {
        let failure = match fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    self.files.push(path.to_path_buf());
                    return Some(Source::new(path, text));
                }
                Err(_) => "is not UTF-8 text".to_string(),
            },
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                "does not exist".to_string()
            }
            Err(error) => format!("cannot be read: {error}"),
        };
        let diagnostic = match entry {
            Some((entry, config_source)) => Diagnostic::new(
                config_source,
                config_source.position(entry.file.span().start),
                format!("{} {failure}", path.display()),
                entry.file.get_ref(),
            )
            .with_help("correct `file`, or put the document beside limits.toml"),
            None => Diagnostic::file(path, format!("{} {failure}", path.display())),
        };
        self.diagnostics.push(diagnostic);
        None
    }
}

/// The files of a folder that are neither documents, `limits.toml`, nor hidden, by name.
fn other_files_in(dir: &Path) -> Vec<PathBuf> {
    files_in(dir)
        .into_iter()
        .filter(|path| {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            !is_document(path) && name.is_some_and(|n| n != CONFIG_FILE && !n.starts_with('.'))
        })
        .collect()
}

/// The documents in a folder, by file name.
fn documents_in(dir: &Path) -> Vec<PathBuf> {
    files_in(dir)
        .into_iter()
        .filter(|path| is_document(path))
        .collect()
}

/// Whether a file's extension is a document's.
fn is_document(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| DOCUMENT_EXTENSIONS.contains(&ext.to_string_lossy().as_ref()))
}

/// The files of a folder, by name.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    paths
}
