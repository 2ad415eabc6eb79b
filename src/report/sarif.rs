//! `--format sarif`: SARIF 2.1.0 for code scanning. One run; `tool.driver.rules` carries
//! every rule with its documentation (the same text `kpilint explain` prints); results carry
//! repository-relative locations and fingerprints that stay stable when lines move.
//!
//! Files below the repository root are percent-encoded relative references against the
//! `%SRCROOT%` base id, which `run.originalUriBaseIds` resolves to the root's `file:` URI;
//! files outside it are absolute `file:` URIs. The embedded baseline policy is no file of
//! the repository: it is named against `KPILINT_BUILTIN`, a base id with a description and
//! no URI.

use super::{Emitter, FileRef, file_ref, locate};
use crate::diag::{Finding, Label};
use crate::rule::Rule;
use crate::rule::Severity;
use crate::rules::ALL;
use crate::settle::Report;
use serde_json::{Value, json};
use std::io;
use std::path::Path;

/// The SARIF emitter.
pub struct Sarif;

/// The base id of files below the repository root (the name GitHub's own tools use).
const SRCROOT: &str = "%SRCROOT%";
/// The base id of policies compiled into kpilint.
const BUILTIN: &str = "KPILINT_BUILTIN";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encodes a path for a URI (RFC 3986): unreserved characters and `/` stay, every
/// other byte of the UTF-8 text becomes `%XX`, `%` and `:` included, so that a relative
/// reference such as `c%3Ax.toml` can never parse as a scheme.
#[must_use]
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `file:` URI of an absolute, `/`-separated path. A Windows drive (`C:/…`) keeps its
/// colon, as RFC 8089 writes it: `file:///C:/…`.
fn file_uri(abs: &str) -> String {
    let bytes = abs.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        format!("file:///{}:{}", &abs[..1], percent_encode_path(&abs[2..]))
    } else {
        format!("file://{}", percent_encode_path(abs))
    }
}

/// The `artifactLocation` of a file.
fn artifact(r: &FileRef) -> Value {
    match r {
        FileRef::Relative(p) => json!({ "uri": percent_encode_path(p), "uriBaseId": SRCROOT }),
        FileRef::Builtin(p) => json!({ "uri": percent_encode_path(p), "uriBaseId": BUILTIN }),
        FileRef::Absolute(p) => json!({ "uri": file_uri(p) }),
    }
}

/// Rule documentation (Markdown) as plain text: no heading marks, code fences or
/// backticks. The docs use nothing else (no links, no emphasis).
fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push_str("    ");
            out.push_str(line);
        } else {
            let text = line.trim_start_matches('#');
            let text = if text.len() < line.len() {
                text.trim_start()
            } else {
                line
            };
            out.push_str(&text.replace('`', ""));
        }
        out.push('\n');
    }
    out
}

/// The first paragraph of the docs' `## What it does`, unwrapped to one line; the summary
/// when the docs have no such section.
fn what_it_does(rule: &Rule) -> String {
    let docs = rule.docs();
    let paragraph: Vec<&str> = docs
        .lines()
        .skip_while(|l| l.trim() != "## What it does")
        .skip(1)
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("```"))
        .map(str::trim)
        .collect();
    if paragraph.is_empty() {
        rule.summary.to_owned()
    } else {
        paragraph.join(" ")
    }
}

fn descriptor(r: &Rule) -> Value {
    let docs = r.docs();
    let full = what_it_does(r);
    json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": { "text": r.summary },
        "fullDescription": { "text": plain_text(&full).trim_end(), "markdown": full },
        "help": { "text": plain_text(&docs), "markdown": docs },
        "defaultConfiguration": { "level": level(r.default_severity) },
        "properties": { "tags": [r.group.as_str()] },
    })
}

/// A `physicalLocation` of a label.
fn physical(report: &Report, label: &Label, root: Option<&Path>) -> Value {
    let at = locate(report, label);
    let mut region = json!({ "startLine": at.line, "startColumn": at.column });
    if label.line.is_none() || label.line_columns().is_some() {
        region["endLine"] = json!(at.end_line);
        region["endColumn"] = json!(at.end_column);
    }
    let file = file_ref(report.sources.get(label.file), root);
    json!({ "artifactLocation": artifact(&file), "region": region })
}

fn result(report: &Report, f: &Finding, root: Option<&Path>, fingerprint: &str) -> Value {
    let mut text = f.message.plain();
    if let Some(h) = &f.help {
        text.push_str(" (help: ");
        text.push_str(&h.plain());
        text.push(')');
    }
    let index = ALL.iter().position(|r| r.code == f.rule.code).unwrap_or(0);
    let mut out = json!({
        "ruleId": f.rule.code,
        "ruleIndex": index,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [{ "physicalLocation": physical(report, &f.primary, root) }],
        "partialFingerprints": { "kpilint/v1": fingerprint },
    });
    if let Some(introduced) = f.introduced {
        out["baselineState"] = json!(if introduced { "new" } else { "unchanged" });
    } else if report.baseline {
        out["baselineState"] = json!(if f.baselined { "unchanged" } else { "new" });
    }
    // A base revision's text is no file of the checkout: code scanning could not show it.
    let secondary: Vec<&crate::diag::Label> = f
        .secondary
        .iter()
        .filter(|l| !report.sources.get(l.file).is_base_copy())
        .collect();
    if !secondary.is_empty() {
        let related: Vec<Value> = secondary
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut loc = json!({ "id": i + 1, "physicalLocation": physical(report, l, root) });
                if !l.message.is_empty() {
                    loc["message"] = json!({ "text": l.message });
                }
                loc
            })
            .collect();
        out["relatedLocations"] = json!(related);
    }
    if let Some(x) = &f.suppressed_by {
        let ex = locate(report, x);
        out["suppressions"] = json!([{
            "kind": "external",
            "justification": format!("waived by the exception at {}:{}", ex.file, ex.line),
            "location": { "physicalLocation": physical(report, x, root) },
        }]);
        // A waived finding is a `note`, its own severity kept in `properties`. GitHub code
        // scanning closes results that carry `suppressions` whatever their level, so the
        // level changes nothing there; but consumers that ignore suppressions and count by
        // level (`sarif summary`, dashboards, `level: error` gates) would otherwise present
        // a waived finding as an active error. `note` is what SARIF calls "a minor problem",
        // which an accepted, documented exception is.
        out["level"] = json!("note");
        out["properties"] = json!({ "severity": f.severity.as_str() });
    }
    out
}

/// The document, its keys in the order a `serde_json::Map` sorts them, so that the output
/// is the one a `json!` tree would give.
#[derive(serde::Serialize)]
struct Doc<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    column_kind: &'static str,
    original_uri_base_ids: Value,
    results: Results<'a>,
    tool: Value,
}

/// The results, each built and written in turn: a tree of every result at once took
/// 1.66 s for 58k findings (allocating and then freeing a million small values), one
/// result at a time 0.37 s.
struct Results<'a> {
    report: &'a Report,
    root: Option<&'a Path>,
}

impl serde::Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.report.findings.len()))?;
        for (f, fingerprint) in self
            .report
            .findings
            .iter()
            .zip(super::fingerprint::fingerprints(self.report))
        {
            seq.serialize_element(&result(self.report, f, self.root, &fingerprint))?;
        }
        seq.end()
    }
}

impl Emitter for Sarif {
    fn emit(&mut self, w: &mut dyn io::Write, report: &Report) -> io::Result<()> {
        let root = report.root.as_deref();
        let rules: Vec<Value> = ALL.iter().map(|r| descriptor(r)).collect();
        let mut bases = serde_json::Map::new();
        if let Some(root) = root {
            let mut uri = file_uri(&super::slashes(root));
            if !uri.ends_with('/') {
                uri.push('/');
            }
            bases.insert(SRCROOT.into(), json!({ "uri": uri }));
        }
        bases.insert(
            BUILTIN.into(),
            json!({ "description": { "text":
                "policies compiled into kpilint (`kpilint` ships them; not a file of this repository)"
            }}),
        );
        let doc = Doc {
            schema: "https://json.schemastore.org/sarif-2.1.0.json",
            runs: [Run {
                column_kind: "unicodeCodePoints",
                original_uri_base_ids: Value::Object(bases),
                results: Results { report, root },
                tool: json!({ "driver": {
                    "name": "kpilint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }}),
            }],
            version: "2.1.0",
        };
        super::write_json_sized(w, &doc, report.findings.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_percent_encoded_segment_by_segment() {
        assert_eq!(percent_encode_path("a/b-c_d.e~f"), "a/b-c_d.e~f");
        assert_eq!(percent_encode_path("c:x.toml"), "c%3Ax.toml");
        assert_eq!(
            percent_encode_path("we ird%25 <&> \"q\" é"),
            "we%20ird%2525%20%3C%26%3E%20%22q%22%20%C3%A9"
        );
        assert_eq!(file_uri("/tmp/a b"), "file:///tmp/a%20b");
        assert_eq!(file_uri("C:/x y/z"), "file:///C:/x%20y/z");
    }

    #[test]
    fn plain_text_drops_markup_but_keeps_code() {
        let md = "## What it does\nChecks `x`.\n\n```toml\nid = \"a\"\n```\nUse instead: y.\n";
        assert_eq!(
            plain_text(md),
            "What it does\nChecks x.\n\n    id = \"a\"\nUse instead: y.\n"
        );
    }

    #[test]
    fn full_description_is_the_first_paragraph_of_what_it_does() {
        for r in ALL {
            let d = what_it_does(r);
            assert!(!d.contains('\n') && !d.is_empty(), "{}: {d}", r.name);
            assert!(!d.starts_with('#'), "{}: {d}", r.name);
        }
    }
}
