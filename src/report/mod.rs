//! Rendering a [`Report`](crate::check::Report): human diagnostics, the JSON contract,
//! SARIF, JUnit, GitHub Actions annotations and Markdown.
//! Emitters write to any `io::Write`; the library itself never prints.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod scorecard;

use crate::check::Report;
use crate::diag::Label;
use std::io;

/// A 1-based location, as shown to users and scripts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// File, relative to the working directory.
    pub file: String,
    /// 1-based line of the first byte.
    pub line: usize,
    /// 1-based column (in characters) of the first byte.
    pub column: usize,
    /// 1-based line of the end.
    pub end_line: usize,
    /// 1-based column one past the last character.
    pub end_column: usize,
}

/// Where a label points.
#[must_use]
pub fn locate(report: &Report, label: &Label) -> Location {
    let src = report.sources.get(label.file);
    let ((line, column), (end_line, end_column)) = match label.line {
        Some(l) => ((l as usize, 1), (l as usize, 1)),
        None => (src.line_col(label.span.start), src.line_col(label.span.end)),
    };
    Location {
        file: src.display.clone(),
        line,
        column,
        end_line,
        end_column,
    }
}

/// An output format.
pub trait Emitter {
    /// Writes the whole report.
    ///
    /// # Errors
    /// Any I/O error of the writer.
    fn emit(&mut self, w: &mut dyn io::Write, report: &Report) -> io::Result<()>;
}
