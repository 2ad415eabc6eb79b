//! `--format json`: the versioned contract scripts parse (`kpilint schema report`).

use super::{Emitter, Location, locate};
use crate::rule::Severity;
use crate::settle::Report;
use serde::Serialize;
use std::io::{self, Write};

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

/// The findings, serialized as they are read from the report: a million findings are
/// written without a second copy of them in memory.
struct Findings<'a>(&'a Report);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.findings.iter().map(|f| JsonFinding::of(self.0, f)))
    }
}

impl<'a> JsonFinding<'a> {
    fn of(report: &'a Report, f: &'a crate::diag::Finding) -> Self {
        JsonFinding {
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
            notes: Notes(f.notes.as_slice()),
            introduced: f.introduced,
            baselined: report.baseline.then_some(f.baselined),
        }
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
        let doc = doc(report);
        let entries = report.findings.len()
            + doc
                .scorecard
                .map_or(0, crate::analyze::scorecard::Scorecard::len);
        if entries > super::PRETTY_MAX_ENTRIES {
            write_compact(w, report, &doc)
        } else {
            super::write_json_sized(w, &doc, entries)
        }
    }
}

/// The report as the JSON contract has it.
fn doc(report: &Report) -> Doc<'_> {
    Doc {
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
        events: super::events::lines(report),
    }
}

/// Entries serialized together by one thread.
const CHUNK: usize = 2048;

/// Writes `doc` as compact JSON, as serde would, with its findings and scorecard lines
/// serialized on every core, a few chunks at a time and written in order: a large report
/// costs the time of its longest path, not the sum, and holds only those chunks in memory.
/// (A compact JSON array's element reads the same alone as in its array.)
fn write_compact(w: &mut dyn io::Write, report: &Report, doc: &Doc<'_>) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, w);
    let json = super::json_error;
    write!(out, "{{\"version\":{},\"tool\":", doc.version)?;
    serde_json::to_writer(&mut out, &doc.tool).map_err(json)?;
    out.write_all(b",\"summary\":")?;
    serde_json::to_writer(&mut out, &doc.summary).map_err(json)?;
    out.write_all(b",\"findings\":")?;
    parallel_array(&mut out, report.findings.len(), |i, buf| {
        serde_json::to_writer(buf, &JsonFinding::of(report, &report.findings[i]))
    })
    .map_err(json)?;
    if let Some(card) = doc.scorecard {
        out.write_all(b",\"scorecard\":")?;
        parallel_array(&mut out, card.len(), |i, buf| {
            serde_json::to_writer(buf, &card.line(i))
        })
        .map_err(json)?;
    }
    if let Some(events) = &doc.events {
        out.write_all(b",\"events\":")?;
        serde_json::to_writer(&mut out, events).map_err(json)?;
    }
    out.write_all(b"}\n")?;
    out.flush()
}

/// Writes a JSON array of `len` elements, each written by `element`, serialized in parallel
/// chunks of [`CHUNK`].
fn parallel_array(
    out: &mut impl io::Write,
    len: usize,
    element: impl Fn(usize, &mut Vec<u8>) -> serde_json::Result<()> + Sync,
) -> serde_json::Result<()> {
    use rayon::prelude::*;
    out.write_all(b"[").map_err(serde_json::Error::io)?;
    let chunks = len.div_ceil(CHUNK);
    let window = 4 * rayon::current_num_threads();
    for first in (0..chunks).step_by(window) {
        let written: Vec<Vec<u8>> = (first..chunks.min(first + window))
            .into_par_iter()
            .map(|c| {
                let mut buf = Vec::with_capacity(CHUNK * 256);
                for i in c * CHUNK..len.min((c + 1) * CHUNK) {
                    if i > 0 {
                        buf.push(b',');
                    }
                    element(i, &mut buf)?;
                }
                Ok(buf)
            })
            .collect::<serde_json::Result<_>>()?;
        for buf in written {
            out.write_all(&buf).map_err(serde_json::Error::io)?;
        }
    }
    out.write_all(b"]").map_err(serde_json::Error::io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Diagnostics, Label, Message};
    use crate::source::{SourceFile, SourceMap, Span};

    /// A report too large to indent is written on every core, chunk by chunk: byte for byte
    /// what serde writes of the whole document.
    #[test]
    fn a_large_report_is_written_as_serde_writes_it() {
        let catalogue = "[catalogue]\nid = \"c\"\n[[metric]]\nid = \"m\"\nname = \"M \\\"q\\\"\"\nunit = \"percent\"\ndirection = \"higher_is_better\"\nthresholds = { target = 95, warn = 90 }\n";
        let inputs = crate::analyze::testing::Inputs::new(None, catalogue);
        let ctx = inputs.ctx();
        let mut data = String::from("metric,period,value,scope\n");
        for i in 0..3 * CHUNK {
            data += &format!("m,2026-0{},{}.5,s{}\n", i % 2 + 1, 80 + i % 17, i / 2);
        }
        let facts =
            crate::analyze::data::read_bytes(&ctx, data.as_bytes(), crate::parse::DataFormat::Csv);
        let scorecard = crate::analyze::scorecard::scorecard(&facts, &ctx, |_| false);
        let mut sources = SourceMap::default();
        let file = sources.add(SourceFile::new(
            "a \"b\".toml".into(),
            None,
            "x = 1\ny = 2\n".into(),
        ));
        let mut diags = Diagnostics::default();
        for i in 0..super::super::PRETTY_MAX_ENTRIES + CHUNK + 7 {
            let f = diags.push(
                &crate::rules::THRESHOLD_WARN,
                Label::at(file, Span::new(i % 5, i % 5 + 3)),
                msg!("`m{}` is \"past\" it\n", i),
            );
            f.subject(format!("m{i}"));
            if i % 3 == 0 {
                f.help("fix `it`");
            }
            if i % 5 == 0 {
                f.label(Label::at(file, Span::new(6, 11)).with_message("here"));
            }
            if i % 7 == 0 {
                f.notes.push(Message::text("a note"));
            }
        }
        let report = Report {
            sources,
            findings: diags.findings,
            metrics: 1,
            files: 1,
            scorecard: Some(scorecard),
            model: None,
            root: None,
            baseline: false,
        };
        let mut ours = Vec::new();
        Json.emit(&mut ours, &report).unwrap();
        let mut theirs = serde_json::to_vec(&doc(&report)).unwrap();
        theirs.push(b'\n');
        assert!(report.scorecard.as_ref().unwrap().len() > CHUNK);
        assert!(ours == theirs, "the chunked writer differs from serde's");
    }
}
