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
    findings: Vec<JsonFinding<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scorecard: Option<&'a Vec<crate::analyze::scorecard::ScoreLine>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<Vec<super::events::EventLine<'a>>>,
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

#[derive(Serialize)]
struct Related {
    #[serde(flatten)]
    at: Location,
    #[serde(skip_serializing_if = "String::is_empty")]
    message: String,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    code: &'a str,
    severity: Severity,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    #[serde(flatten)]
    at: Location,
    suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed_by: Option<Related>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<Related>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    introduced: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<bool>,
}

impl Emitter for Json {
    fn emit(&mut self, w: &mut dyn io::Write, report: &Report) -> io::Result<()> {
        let related = |l: &crate::diag::Label| Related {
            at: locate(report, l),
            message: l.message.clone(),
        };
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
            findings: report
                .findings
                .iter()
                .map(|f| JsonFinding {
                    rule: f.rule.name,
                    code: f.rule.code,
                    severity: f.severity,
                    message: f.message.plain(),
                    help: f.help.as_deref().map(crate::diag::Message::plain),
                    subject: f.subject.as_deref(),
                    at: locate(report, &f.primary),
                    suppressed: f.suppressed_by.is_some(),
                    suppressed_by: f.suppressed_by.as_deref().map(related),
                    related: f.secondary.iter().map(related).collect(),
                    notes: f.notes.iter().map(crate::diag::Message::plain).collect(),
                    introduced: f.introduced,
                    baselined: report.baseline.then_some(f.baselined),
                })
                .collect(),
            scorecard: report.scorecard.as_ref(),
            events: super::events::lines(report),
        };
        let entries = doc.findings.len() + doc.scorecard.map_or(0, Vec::len);
        super::write_json_sized(w, &doc, entries)
    }
}
