//! Diagnostics in the manner of a compiler: `file:line:column: field: message`.

use std::fmt;
use std::ops::Range;

/// One problem found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file's name, as given.
    pub file: String,
    /// The line, from 1 (0 when the problem is the file as a whole).
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
    /// The field at fault, as a path (`node[c1.2].scale`), or empty.
    pub field: String,
    /// What is wrong, lowercase, without a trailing period.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// Turns byte offsets in a text into lines and columns.
#[derive(Debug)]
pub(crate) struct Lines<'a> {
    text: &'a str,
    file: &'a str,
}

impl<'a> Lines<'a> {
    pub fn new(file: &'a str, text: &'a str) -> Lines<'a> {
        Lines { text, file }
    }

    /// The line and column (both from 1) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..self.text.floor_char_boundary(offset)];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }

    /// A diagnostic at a span.
    pub fn at(
        &self,
        span: Option<Range<usize>>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, column) = span.map_or((0, 0), |s| self.position(s.start));
        Diagnostic {
            file: self.file.to_owned(),
            line,
            column,
            field: field.into(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let l = Lines::new("f.toml", "a = 1\nbé = \"x\"\n");
        assert_eq!(l.position(0), (1, 1));
        assert_eq!(l.position(6), (2, 1));
        assert_eq!(l.position(12), (2, 6));
        let d = l.at(Some(6..8), "node[c1].scale", "unknown scale 'x'");
        assert_eq!(
            d.to_string(),
            "f.toml:2:1: node[c1].scale: unknown scale 'x'"
        );
    }
}
