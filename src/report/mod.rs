//! Rendering a [`Report`](crate::settle::Report): human diagnostics, the JSON contract,
//! SARIF, `JUnit`, GitHub Actions annotations and Markdown.
//! Emitters write to any `io::Write`; the library itself never prints.

pub mod coverage;
pub mod events;
pub mod fingerprint;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod scorecard;

use crate::diag::Label;
use crate::settle::Report;
use crate::source::SourceFile;
use std::io;
use std::path::Path;

/// A 1-based location, as shown to users and scripts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location<'a> {
    /// File, relative to the working directory.
    pub file: &'a str,
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
pub fn locate<'a>(report: &'a Report, label: &Label) -> Location<'a> {
    let src = report.sources.get(label.file);
    let ((line, column), (end_line, end_column)) = match label.line {
        Some(l) => {
            let (start, end) = label.line_columns().unwrap_or((1, 1));
            ((l as usize, start as usize), (l as usize, end as usize))
        }
        None => (src.line_col(label.span.start), src.line_col(label.span.end)),
    };
    Location {
        file: &src.display,
        line,
        column,
        end_line,
        end_column,
    }
}

/// A source file as named for another program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRef {
    /// Compiled into kpilint (the embedded baseline policy): its path in kpilint's own
    /// sources, such as `policies/nhi-baseline.toml`. No file of the user's repository.
    Builtin(String),
    /// Below the project root: the path relative to it, `/`-separated.
    Relative(String),
    /// Outside the project root: the absolute path, `/`-separated.
    Absolute(String),
}

fn slashes(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// How `file` is named relative to `root`, the repository root: the directory that
/// formats read by other programs name files against (code scanning and the Actions runner
/// resolve relative paths against the checkout, not the directory kpilint ran in).
#[must_use]
pub fn file_ref(file: &SourceFile, root: Option<&Path>) -> FileRef {
    let Some(path) = &file.path else {
        let inner = file
            .display
            .strip_prefix("kpilint:")
            .unwrap_or(&file.display);
        return FileRef::Builtin(inner.to_owned());
    };
    let abs = crate::source::normalize(path);
    if let Some(root) = root {
        if let Ok(rel) = abs.strip_prefix(root) {
            return FileRef::Relative(slashes(rel));
        }
        // A path given through a symlink to the repository (`/tmp` on macOS is one).
        if let (Ok(a), Ok(r)) = (abs.canonicalize(), root.canonicalize())
            && let Ok(rel) = a.strip_prefix(&r)
        {
            return FileRef::Relative(slashes(rel));
        }
    }
    FileRef::Absolute(slashes(&abs))
}

/// Writes `value` as pretty JSON and a newline. A reader that closed the pipe (`| head`)
/// stays a broken pipe, which the binary does not count as a failure.
///
/// # Errors
/// Any I/O error of the writer.
pub fn write_json(w: &mut dyn io::Write, value: &impl serde::Serialize) -> io::Result<()> {
    write_json_sized(w, value, 0)
}

/// Reports with more entries (findings, scorecard lines) than this are written as compact
/// JSON: they are for programs, and indentation would be most of their size and time.
pub const PRETTY_MAX_ENTRIES: usize = 10_000;

/// As [`write_json`], pretty for up to [`PRETTY_MAX_ENTRIES`] `entries`, compact beyond.
/// serde writes through a buffer of its own type, so its many small writes are not each a
/// dynamic call.
///
/// # Errors
/// Any I/O error of the writer.
pub fn write_json_sized(
    w: &mut dyn io::Write,
    value: &impl serde::Serialize,
    entries: usize,
) -> io::Result<()> {
    let mut buf = io::BufWriter::with_capacity(1 << 16, w);
    let written = if entries > PRETTY_MAX_ENTRIES {
        serde_json::to_writer(&mut buf, value)
    } else {
        serde_json::to_writer_pretty(&mut buf, value)
    };
    written.map_err(json_error)?;
    io::Write::write_all(&mut buf, b"\n")?;
    io::Write::flush(&mut buf)
}

/// serde's error as the writer's: an I/O error keeps its kind (a broken pipe stays one).
pub(crate) fn json_error(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        Some(kind) => io::Error::from(kind),
        None => io::Error::other(e),
    }
}

/// A number for display: at most two decimals, no trailing `.0` (`1.8333…` is `1.83`), as
/// the scorecard table shows it.
#[must_use]
pub fn round2(v: f64) -> String {
    crate::num::float((v * 100.0).round() / 100.0)
}

/// `1 file`, `2 files`: a count with its noun, plural unless the count is one.
#[must_use]
pub fn counted(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// Renders a report in one format.
pub trait Emitter {
    /// Writes the whole report.
    ///
    /// # Errors
    /// Any I/O error of the writer.
    fn emit(&mut self, w: &mut dyn io::Write, report: &Report) -> io::Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_reports_are_compact_json_and_small_ones_pretty() {
        let value = serde_json::json!({ "findings": [1, 2] });
        let mut small = Vec::new();
        write_json_sized(&mut small, &value, PRETTY_MAX_ENTRIES).unwrap();
        assert_eq!(
            String::from_utf8(small).unwrap(),
            "{\n  \"findings\": [\n    1,\n    2\n  ]\n}\n"
        );
        let mut large = Vec::new();
        write_json_sized(&mut large, &value, PRETTY_MAX_ENTRIES + 1).unwrap();
        assert_eq!(String::from_utf8(large).unwrap(), "{\"findings\":[1,2]}\n");
    }
    use std::path::PathBuf;

    #[test]
    fn files_are_named_relative_to_the_root_or_absolutely_or_as_builtin() {
        let file = |display: &str, path: Option<&str>| {
            SourceFile::new(display.into(), path.map(PathBuf::from), String::new())
        };
        let root = Path::new("/repo");
        assert_eq!(
            file_ref(&file("x", Some("/repo/sub/../m/a b.toml")), Some(root)),
            FileRef::Relative("m/a b.toml".into())
        );
        assert_eq!(
            file_ref(&file("x", Some("/elsewhere/a.toml")), Some(root)),
            FileRef::Absolute("/elsewhere/a.toml".into())
        );
        assert_eq!(
            file_ref(
                &file("kpilint:policies/nhi-baseline.toml", None),
                Some(root)
            ),
            FileRef::Builtin("policies/nhi-baseline.toml".into())
        );
    }

    #[test]
    fn numbers_and_counts_read_well() {
        assert_eq!(round2(1.833_333_333_333_333_3), "1.83");
        assert_eq!(round2(58.0), "58");
        assert_eq!(counted(1, "metric", "metrics"), "1 metric");
        assert_eq!(counted(0, "metric", "metrics"), "0 metrics");
    }
}
