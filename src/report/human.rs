//! Human output: miette diagnostics with the source line, a label at the span, the rule
//! name and code, and help; labels in another file (the policy line a finding comes from)
//! are rendered as related diagnostics with their own source.

use super::Emitter;
use crate::diag::{Finding, Label};
use crate::escape::escape_unsafe;
use crate::rule::Severity;
use crate::settle::Report;
use crate::source::SourceFile;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::io;

/// The human emitter.
pub struct Human {
    /// Use ANSI colours.
    pub color: bool,
    /// Wrap width.
    pub width: usize,
    /// Only the diagnostics of errors and warnings, and no summary.
    pub quiet: bool,
}

/// A source file borrowed for rendering, so large files are never copied per finding.
struct Src<'a>(&'a SourceFile);

impl SourceCode for Src<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        // miette finds the lines around a span by reading from the file's first byte: for
        // each finding, the whole file up to it. It reads here from the first line it
        // shows, found in the file's line index, and its lines are counted on from there.
        // (The shown text has no lone carriage return, so both count lines alike.)
        let (first, at) = self.0.line_above(span.offset(), before);
        let text = self.0.shown_text().as_bytes().get(at..).unwrap_or_default();
        let inner = text.read_span(
            &SourceSpan::new((span.offset() - at).into(), span.len()),
            before,
            after,
        )?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.display.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + at).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

struct Rendered<'a> {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    src: Src<'a>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered<'a>>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        (!self.related.is_empty())
            .then(|| Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)) as Box<_>)
    }
}

fn span(label: &Label, text_len: usize) -> SourceSpan {
    let start = (label.span.start as usize).min(text_len);
    let end = (label.span.end as usize).min(text_len);
    SourceSpan::new(start.into(), end - start)
}

fn labeled(label: &Label, text_len: usize, primary: bool) -> LabeledSpan {
    let msg = (!label.message.is_empty()).then(|| escape_unsafe(&label.message).into_owned());
    if primary {
        LabeledSpan::new_primary_with_span(msg, span(label, text_len))
    } else {
        LabeledSpan::new_with_span(msg, span(label, text_len))
    }
}

/// Longest source line quoted; a longer one (a 100 MB unterminated string) is named by
/// its position instead.
const MAX_QUOTED_LINE: usize = 400;

/// Whether the line holding a label is too long to quote.
fn line_too_long(file: &SourceFile, label: &Label) -> bool {
    let (start, end) = file.line_span(label.span.start);
    end - start > MAX_QUOTED_LINE
}

/// Where a label points, as `file:line:col: `, for a label not quoted with its source.
fn position(file: &SourceFile, label: &Label) -> String {
    match label.line {
        Some(line) => match label.line_columns() {
            Some((col, _)) => format!("{}:{line}:{col}: ", file.display),
            None => format!("{}:{line}: ", file.display),
        },
        None => {
            let (line, col) = file.line_col(label.span.start);
            format!("{}:{line}:{col}: ", file.display)
        }
    }
}

fn render<'a>(report: &'a Report, f: &Finding) -> Rendered<'a> {
    let file = report.sources.get(f.primary.file);
    let len = file.text.len();
    // A streamed data file keeps no text, and a very long line is not worth quoting: name
    // the position instead.
    let quoted = |file: &SourceFile, l: &Label| l.line.is_none() && !line_too_long(file, l);
    let (mut labels, at_row) = if quoted(file, &f.primary) {
        (vec![labeled(&f.primary, len, true)], String::new())
    } else {
        (Vec::new(), position(file, &f.primary))
    };
    let mut related = Vec::new();
    let mut other = |l: &Label, message: &str| {
        let src = report.sources.get(l.file);
        let (message, labels) = if quoted(src, l) {
            (message.to_owned(), vec![labeled(l, src.text.len(), true)])
        } else {
            (format!("{}{message}", position(src, l)), Vec::new())
        };
        related.push(Rendered {
            message: escape_unsafe(&message).into_owned(),
            code: String::new(),
            severity: miette::Severity::Advice,
            help: None,
            src: Src(src),
            labels,
            related: Vec::new(),
        });
    };
    for l in &f.secondary {
        if l.file == f.primary.file && quoted(file, l) && !labels.is_empty() {
            labels.push(labeled(l, len, false));
        } else {
            other(l, &l.message);
        }
    }
    if let Some(x) = &f.suppressed_by {
        other(x, "waived by this exception");
    }
    // Each part is escaped on its own: the line breaks between them are the emitter's.
    let mut help = f
        .help
        .as_ref()
        .map(|h| escape_unsafe(&h.plain()).into_owned());
    for n in &f.notes {
        let n = escape_unsafe(&n.plain()).into_owned();
        help = Some(match help {
            Some(h) => format!("{h}\nnote: {n}"),
            None => format!("note: {n}"),
        });
    }
    let (severity, prefix) = match (f.suppressed_by.is_some(), f.severity) {
        (true, _) => (miette::Severity::Advice, "suppressed: "),
        (false, Severity::Error) => (miette::Severity::Error, ""),
        (false, Severity::Warning) => (miette::Severity::Warning, ""),
        (false, Severity::Info) => (miette::Severity::Advice, ""),
    };
    // In `kpilint diff`, a finding the base revision has too says so.
    let before = if f.introduced == Some(false) {
        "already at the base: "
    } else {
        ""
    };
    Rendered {
        message: escape_unsafe(&format!("{prefix}{before}{at_row}{}", f.message.plain()))
            .into_owned(),
        code: format!("{}({})", f.rule.name, f.rule.code),
        severity,
        help,
        src: Src(file),
        labels,
        related,
    }
}

impl Emitter for Human {
    fn emit(&mut self, w: &mut dyn io::Write, report: &Report) -> io::Result<()> {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_context_lines(1);
        let mut buf = String::new();
        // Baselined findings are accepted debt: counted in the summary, not shown.
        for f in report.findings.iter().filter(|f| !f.baselined) {
            if self.quiet && (f.suppressed_by.is_some() || f.severity == Severity::Info) {
                continue;
            }
            buf.clear();
            handler
                .render_report(&mut buf, &render(report, f))
                .map_err(io::Error::other)?;
            w.write_all(buf.as_bytes())?;
            writeln!(w)?;
        }
        if !self.quiet {
            writeln!(w, "{}", summary(report))?;
        }
        Ok(())
    }
}

/// One line: counts by severity, files and metrics.
#[must_use]
pub fn summary(report: &Report) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "kpilint: {}, {}, {}, {} in {} ({})",
        plural(report.count(Severity::Error), "error", "errors"),
        plural(report.count(Severity::Warning), "warning", "warnings"),
        plural(report.count(Severity::Info), "info", "infos"),
        plural(report.suppressed(), "suppressed", "suppressed"),
        plural(report.files, "file", "files"),
        plural(report.metrics, "metric", "metrics"),
    ) + &report
        .baselined()
        .map(|n| format!("; {}", plural(n, "baselined", "baselined")))
        .unwrap_or_default()
        + &report
            .introduced()
            .map(|(new, old)| {
                format!(
                    "; {} by this change, {} at the base",
                    plural(new, "finding introduced", "findings introduced"),
                    plural(old, "already", "already")
                )
            })
            .unwrap_or_default()
}
