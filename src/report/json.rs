//! `--format json`: the versioned contract scripts parse (`kpilint schema report`).

use super::{Emitter, Location, locate};
use crate::rule::Severity;
use crate::settle::Report;
use serde::Serialize;
use std::io;

/// The JSON emitter.
pub struct Json;

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    findings: Findings<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scorecard: Option<&'a crate::analyze::scorecard::Scorecard>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    metrics: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    suppressed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    introduced: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    preexisting: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<usize>,
}

/// The findings, serialized as they are read from the report: a million findings are
/// written without a second copy of them in memory.
struct Findings<'a>(&'a Report);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        s.collect_seq(report.findings.iter().map(|f| JsonFinding {
            rule: f.rule.name,
            code: f.rule.code,
            severity: f.severity,
            message: Plain(&f.message),
            help: f.help.as_deref().map(Plain),
            subject: f.subject.as_deref(),
            at: locate(report, &f.primary),
            suppressed: f.suppressed_by.is_some(),
            suppressed_by: f.suppressed_by.as_deref().map(|l| Related(report, l)),
            related: Labels(report, &f.secondary),
            notes: Notes(&f.notes),
            introduced: f.introduced,
            baselined: report.baseline.then_some(f.baselined),
        }))
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    code: &'a str,
    severity: Severity,
    message: Plain<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Plain<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    #[serde(flatten)]
    at: Location<'a>,
    suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed_by: Option<Related<'a>>,
    #[serde(skip_serializing_if = "Labels::is_empty")]
    related: Labels<'a>,
    #[serde(skip_serializing_if = "Notes::is_empty")]
    notes: Notes<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    introduced: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<bool>,
}

/// A message as plain text (code between backticks), written without a copy.
struct Plain<'a>(&'a crate::diag::Message);

impl Serialize for Plain<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.display_plain())
    }
}

/// A related place: its location, and what is there.
struct Related<'a>(&'a Report, &'a crate::diag::Label);

impl Serialize for Related<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct At<'a> {
            #[serde(flatten)]
            at: Location<'a>,
            #[serde(skip_serializing_if = "str::is_empty")]
            message: &'a str,
        }
        At {
            at: locate(self.0, self.1),
            message: &self.1.message,
        }
        .serialize(s)
    }
}

struct Labels<'a>(&'a Report, &'a [crate::diag::Label]);

impl Labels<'_> {
    fn is_empty(&self) -> bool {
        self.1.is_empty()
    }
}

impl Serialize for Labels<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.1.iter().map(|l| Related(self.0, l)))
    }
}

struct Notes<'a>(&'a [crate::diag::Message]);

impl Notes<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Notes<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(Plain))
    }
}

impl Emitter for Json {
    fn emit(&mut self, w: &mut dyn io::Write, report: &Report) -> io::Result<()> {
        let doc = Doc {
            version: 1,
            tool: Tool {
                name: "kpilint",
                version: env!("CARGO_PKG_VERSION"),
            },
            summary: Summary {
                files: report.files,
                metrics: report.metrics,
                errors: report.count(Severity::Error),
                warnings: report.count(Severity::Warning),
                infos: report.count(Severity::Info),
                suppressed: report.suppressed(),
                introduced: report.introduced().map(|(new, _)| new),
                preexisting: report.introduced().map(|(_, old)| old),
                baselined: report.baselined(),
            },
            findings: Findings(report),
            scorecard: report.scorecard.as_ref(),
        };
        let entries = report.findings.len()
            + doc
                .scorecard
                .map_or(0, crate::analyze::scorecard::Scorecard::len);
        super::write_json_sized(w, &doc, entries)
    }
}
