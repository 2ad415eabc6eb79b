//! `--format github`: GitHub Actions workflow commands, which annotate the pull request's
//! diff: `::error file=…,line=…,col=…,title=…::message`.
//!
//! `file` is relative to the repository root, against which the runner resolves it (the
//! workspace is the checkout), whatever directory kpilint ran in. A finding in the
//! embedded baseline policy has no `file`: no file of the repository could show it.

use super::{Emitter, FileRef, file_ref, locate};
use crate::rule::Severity;
use crate::settle::Report;
use std::io;

/// The GitHub Actions emitter.
pub struct Github;

/// Escapes a message as the runner expects (`%`, CR, LF), and every other control or
/// invisible formatting character visibly: no input can end the annotation's line, start a
/// forged workflow command, or drive the terminal of whoever reads the log.
fn data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    crate::escape::escape_unsafe(&s).into_owned()
}

/// Escapes a property value: also `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

impl Emitter for Github {
    fn emit(&mut self, w: &mut dyn io::Write, report: &Report) -> io::Result<()> {
        let root = report.root.as_deref();
        for f in report.findings.iter().filter(|f| f.is_open()) {
            let at = locate(report, &f.primary);
            let file = match file_ref(report.sources.get(f.primary.file), root) {
                FileRef::Relative(p) | FileRef::Absolute(p) => Some(p),
                FileRef::Builtin(_) => None,
            };
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut message = f.message.plain();
            if let Some(h) = &f.help {
                message.push_str("\nhelp: ");
                message.push_str(&h.plain());
            }
            write!(w, "::{command} ")?;
            if let Some(file) = &file {
                write!(w, "file={},", property(file))?;
            }
            write!(w, "line={},col={}", at.line, at.column)?;
            if f.primary.line.is_none() {
                write!(w, ",endLine={},endColumn={}", at.end_line, at.end_column)?;
            }
            writeln!(
                w,
                ",title={}::{}",
                property(&format!("{} ({})", f.rule.name, f.rule.code)),
                data(&message)
            )?;
        }
        Ok(())
    }
}
