//! Problems found while reading documents: each names the file, the line, the column, the
//! offending text and, where there is one, the fix.

use std::fmt;
use std::path::PathBuf;

use crate::source::{Position, Source};

/// How bad a problem is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something that is probably a mistake in the document (a route documented twice
    /// under two names) but reads one way; it does not fail a build.
    Warning,
    /// Something that cannot be read, or that reads more than one way: it fails a build
    /// until the document or `limits.toml` settles it.
    #[default]
    Error,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem in a document or in `limits.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether it fails a build.
    pub severity: Severity,
    /// The file the problem is in.
    pub file: PathBuf,
    /// Where in the file; line 0 means the file as a whole (for example, a missing file).
    pub at: Position,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The offending text itself (a phrase, a path, a key); empty when there is none.
    pub text: String,
    /// The whole source line the problem is on, for display.
    pub line_text: String,
    /// How to fix it, usually a `limits.toml` key to add.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem about `text` at `at` in `source`.
    pub fn new(
        source: &Source,
        at: Position,
        message: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: source.path().to_path_buf(),
            at,
            message: message.into(),
            text: text.into(),
            line_text: source.line_text(at.line).to_string(),
            help: None,
        }
    }

    /// A problem about a file as a whole (it is missing, unreadable, ...).
    pub fn file(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            at: Position::default(),
            message: message.into(),
            text: String::new(),
            line_text: String::new(),
            help: None,
        }
    }

    /// Makes it a warning.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Whether it fails a build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Adds the fix.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line:column`, or just `file` for a problem with the whole file.
    pub fn location(&self) -> String {
        if self.at.line == 0 {
            self.file.display().to_string()
        } else {
            format!(
                "{}:{}:{}",
                self.file.display(),
                self.at.line,
                self.at.column
            )
        }
    }
}

/// Renders like rustc: the message, `--> file:line:column`, the line with the offending text
/// underlined, and the help.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {}", self.severity.as_str(), self.message)?;
        writeln!(f, "  --> {}", self.location())?;
        if self.at.line > 0 && !self.line_text.is_empty() {
            let number = self.at.line.to_string();
            let pad = " ".repeat(number.len());
            writeln!(f, "{pad} |")?;
            writeln!(f, "{number} | {}", self.line_text)?;
            let before: String = self
                .line_text
                .chars()
                .take(self.at.column.saturating_sub(1))
                .collect();
            let width = display_width(&self.text).max(1);
            writeln!(
                f,
                "{pad} | {}{}",
                " ".repeat(display_width(&before)),
                "^".repeat(width)
            )?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "  = help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// Terminal columns taken by `text`: East Asian wide characters take two.
pub fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}
