//! A document's text with the positions of its lines, so that every piece the parser
//! reads can be reported as `file:line:column`.

use std::path::{Path, PathBuf};

/// A 1-based position in a document: line, and column counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    /// 1-based line number; 0 stands for the file as a whole.
    pub line: usize,
    /// 1-based column, in characters (not bytes), so that it matches what editors show.
    pub column: usize,
}

/// The text of one document and where it came from.
#[derive(Clone, Debug)]
pub struct Source {
    path: PathBuf,
    text: String,
    line_starts: Vec<usize>,
}

impl Source {
    /// Wraps `text`, read from `path` (the path is only used for display).
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// The path the document was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The position of byte `offset` (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let column = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count()
            + 1;
        Position { line, column }
    }

    /// The text of 1-based line `line`, without its line break (empty past the end).
    pub fn line_text(&self, line: usize) -> &str {
        if line == 0 || line > self.line_starts.len() {
            return "";
        }
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&next| next - 1);
        self.text[start..end].trim_end_matches('\r')
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let source = Source::new("a.md", "注册用户 /a\nx /b\n");
        assert_eq!(source.position(0), Position { line: 1, column: 1 });
        let slash = source.text().find("/a").unwrap();
        assert_eq!(source.position(slash), Position { line: 1, column: 6 });
        let b = source.text().find("/b").unwrap();
        assert_eq!(source.position(b), Position { line: 2, column: 3 });
        assert_eq!(source.line_text(1), "注册用户 /a");
        assert_eq!(source.line_text(2), "x /b");
        assert_eq!(source.line_text(9), "");
    }
}
