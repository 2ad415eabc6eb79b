//! The baseline file: findings a repository has accepted for now, so that adopting
//! kpilint fails a pull request only on what it adds.
//!
//! `--write-baseline FILE` records every finding of a run that is not waived by an
//! exception, by fingerprint (rule, file, subject, scope: see
//! [`crate::report::fingerprint`]), which survives moved lines and reordered files. `--baseline FILE` (or `baseline` in
//! kpilint.toml) marks the findings it records `baselined`: shown apart, never failing the
//! run. An entry no finding matches is `stale-baseline` (an info) at its line, so that the
//! file shrinks. `parse-error` and `schema` findings are never baselined: a file kpilint
//! cannot read is not debt, it is a broken gate.
//!
//! The file is JSON, sorted by file, rule and subject, one finding per entry with its
//! message for the reviewer; `kpilint schema baseline` prints its schema.

use crate::analyze::baseline::{Recorded, Unmatched};
use crate::diag::Diagnostics;
use crate::diag::Level;
use crate::parse::node::Node;
use crate::policy::rule_level;
use crate::report::fingerprint::file_key;
use crate::rule::{PARSE_ERROR, SCHEMA};
use crate::rules::{CHECKS, Check, STALE_BASELINE};
use crate::settle::Report;
use crate::source::{SourceFile, Span};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// The version of the file's format.
const VERSION: u64 = 1;

/// Largest baseline file read, as for any input.
const MAX_BYTES: u64 = 256 << 20;

/// A baseline, read.
#[derive(Debug)]
pub struct Baseline {
    /// Its text, added to the report's sources when applied.
    source: SourceFile,
    /// Each entry: its fingerprint, where that is written, and what the entry says it
    /// recorded.
    entries: Vec<Recorded>,
}

/// Whether findings of `rule` may be baselined.
fn baselinable(rule: &crate::rule::Rule) -> bool {
    rule.code != PARSE_ERROR.code && rule.code != SCHEMA.code
}

/// Reads a baseline file; `display` is how reports name it.
///
/// # Errors
/// A file that cannot be read, is not JSON, or does not match the baseline schema: the
/// message, located (`FILE:LINE:COL: ...`). A broken baseline stops the run, since whether
/// it fails would depend on what the file meant.
pub fn read(path: &Path, display: String) -> Result<Baseline, String> {
    let cannot = |why: String| format!("{display}: cannot read the baseline: {why}");
    let meta = std::fs::metadata(path).map_err(|e| cannot(crate::discover::io_reason(&e)))?;
    if !meta.is_file() {
        return Err(cannot("not a regular file".into()));
    }
    if meta.len() > MAX_BYTES {
        return Err(cannot(format!(
            "it is {} MiB; a baseline is read up to 256 MiB",
            meta.len() >> 20
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| cannot(crate::discover::io_reason(&e)))?;
    let text = String::from_utf8(bytes).map_err(|_| cannot("not UTF-8".into()))?;
    let source = SourceFile::new(display, Some(path.to_path_buf()), text);
    let located = |span: Span, message: &str| {
        let (line, col) = source.line_col(span.start);
        format!("{}:{line}:{col}: {message}", source.display)
    };
    let root = crate::parse::json::parse(&source.text)
        .map_err(|e| located(e.span, &format!("not a kpilint baseline: {}", e.message)))?;
    let mut diags = Diagnostics::default();
    crate::parse::schema::validate(
        crate::parse::schema::FileKind::Baseline,
        &root,
        crate::source::FileId(0),
        &mut diags,
    );
    if let Some(f) = diags.findings.first() {
        return Err(located(f.primary.span, &f.message.plain()));
    }
    let entries = root
        .get("findings")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let fp = e.get("fingerprint")?;
            let text = |key: &str| e.get(key).and_then(Node::as_str).map(str::to_owned);
            Some(Recorded {
                fingerprint: fp.as_str()?.to_owned(),
                span: fp.span,
                rule: text("rule"),
                file: text("file"),
                subject: text("subject"),
            })
        })
        .collect();
    Ok(Baseline { source, entries })
}

/// Marks the findings of `report` that `baseline` records, and runs the baseline rules on
/// the entries that match none, at the levels `report`'s policy sets as of `as_of`. Each
/// entry matches one finding.
///
/// An entry matches a finding with its fingerprint and, when it names them, its rule and
/// file: an entry cannot read as one finding to a reviewer and accept another. When only
/// some files were checked (`partial`), an entry about a file this run did not read is
/// neither matched nor stale, and so is an entry of a data rule when the run read no data
/// (a finding about a derived KPI, or `missing-data`, is located in a catalogue).
pub fn apply(report: &mut Report, baseline: Baseline, as_of: jiff::civil::Date, partial: bool) {
    let fingerprints = crate::report::fingerprint::fingerprints(report);
    let mut open: HashMap<&str, Vec<usize>> = HashMap::new();
    // Popped from the back: the first of equal entries is the first to match.
    for (i, e) in baseline.entries.iter().enumerate().rev() {
        open.entry(e.fingerprint.as_str()).or_default().push(i);
    }
    // Each file as entries name it, computed once: findings are many, files few.
    let files: Vec<String> = (0..report.sources.len())
        .map(|i| {
            file_key(
                report,
                crate::source::FileId(u32::try_from(i).unwrap_or(u32::MAX)),
            )
        })
        .collect();
    let mut used = vec![false; baseline.entries.len()];
    for (f, fp) in report.findings.iter_mut().zip(&fingerprints) {
        if f.suppressed_by.is_some() || !baselinable(f.rule) {
            continue;
        }
        let Some(candidates) = open.get_mut(fp.as_str()) else {
            continue;
        };
        let entries = &baseline.entries;
        let at = candidates.iter().rposition(|&i| {
            entries[i].rule.as_deref().is_none_or(|r| r == f.rule.name)
                && entries[i].file.as_deref().is_none_or(|p| {
                    Some(p) == files.get(f.primary.file.0 as usize).map(String::as_str)
                })
        });
        if let Some(at) = at {
            used[candidates.remove(at)] = true;
            f.baselined = true;
        }
    }
    let read: std::collections::HashSet<&str> = files.iter().map(String::as_str).collect();
    // A run with data files has a scorecard.
    let data_read = report.scorecard.is_some();
    let of_data = |rule: Option<&str>| {
        rule.and_then(crate::rules::find)
            .is_some_and(|r| r.stage == crate::rule::Stage::Data)
    };
    let Baseline { source, entries } = baseline;
    let unmatched = Unmatched {
        file: report.sources.add(source),
        entries: entries
            .iter()
            .zip(&used)
            .filter(|(e, u)| {
                let unread = partial
                    && (e.file.as_ref().is_some_and(|p| !read.contains(p.as_str()))
                        || (!data_read && of_data(e.rule.as_deref())));
                !**u && !unread
            })
            .map(|(e, _)| e)
            .collect(),
    };
    let mut found = Diagnostics::default();
    for (_, check) in CHECKS {
        if let Check::Baseline(check) = check {
            check(&unmatched, &mut found);
        }
    }
    let policy = report.model.as_ref().map(|m| &m.policy);
    // The baseline is read after every other file, and its findings come last, in its
    // order: the others are sorted already.
    report
        .findings
        .extend(found.findings.into_iter().filter_map(|mut f| {
            let level = policy.map_or(Level::On(f.rule.default_severity), |p| {
                rule_level(p, f.rule, as_of)
            });
            let Level::On(severity) = level else {
                return None;
            };
            f.severity = severity;
            Some(f)
        }));
    report.baseline = true;
}

/// One entry of the file.
#[derive(Serialize)]
struct Entry<'a> {
    fingerprint: &'a str,
    rule: &'static str,
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    message: String,
}

/// The file itself.
#[derive(Serialize)]
struct File<'a> {
    kpilint_baseline: u64,
    findings: Vec<Entry<'a>>,
}

/// The baseline recording every finding of `report` that may be baselined and is not
/// waived, as JSON text.
#[must_use]
pub fn render(report: &Report) -> String {
    let fingerprints = crate::report::fingerprint::fingerprints(report);
    let mut findings: Vec<Entry<'_>> = report
        .findings
        .iter()
        .zip(&fingerprints)
        .filter(|(f, _)| {
            f.suppressed_by.is_none() && baselinable(f.rule) && f.rule.code != STALE_BASELINE.code
        })
        .map(|(f, fp)| Entry {
            fingerprint: fp,
            rule: f.rule.name,
            file: file_key(report, f.primary.file),
            subject: f.subject.as_deref(),
            message: f.message.plain(),
        })
        .collect();
    findings.sort_by(|a, b| {
        (&a.file, a.rule, a.subject, a.fingerprint).cmp(&(
            &b.file,
            b.rule,
            b.subject,
            b.fingerprint,
        ))
    });
    let mut text = serde_json::to_string_pretty(&File {
        kpilint_baseline: VERSION,
        findings,
    })
    .unwrap_or_default();
    text.push('\n');
    text
}
