//! `--format sarif`: SARIF 2.1.0 for code scanning. One run; `tool.driver.rules` carries
//! every rule with its documentation (the same text `kpilint explain` prints); results carry
//! repository-relative locations and fingerprints that stay stable when lines move.

use super::{Emitter, locate};
use crate::check::Report;
use crate::diag::Severity;
use crate::rules::ALL;
use serde_json::{Value, json};
use std::io;
use std::path::{Path, PathBuf};

/// The SARIF emitter.
pub struct Sarif;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The repository root: the nearest ancestor of the working directory with a `.git`.
fn repo_root() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// A file's URI relative to the repository root (forward slashes), or as displayed.
fn uri(display: &str, root: Option<&Path>) -> String {
    let path = Path::new(display);
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    root.and_then(|r| abs.strip_prefix(r).ok()).map_or_else(
        || display.to_owned(),
        |p| p.to_string_lossy().replace('\\', "/"),
    )
}

/// FNV-1a, 64 bits: a fingerprint that needs no dependency and never changes between
/// versions of a hashing crate.
fn fnv1a(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0x1f]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

impl Emitter for Sarif {
    fn emit(&mut self, w: &mut dyn io::Write, report: &Report) -> io::Result<()> {
        let root = repo_root();
        let rules: Vec<Value> = ALL
            .iter()
            .map(|r| {
                json!({
                    "id": r.code,
                    "name": r.name,
                    "shortDescription": { "text": r.summary },
                    "fullDescription": { "text": r.docs() },
                    "help": { "text": format!("kpilint explain {}", r.name), "markdown": r.docs() },
                    "defaultConfiguration": { "level": level(r.default_severity) },
                    "properties": { "tags": [r.group] },
                })
            })
            .collect();
        let results: Vec<Value> = report
            .findings
            .iter()
            .map(|f| {
                let at = locate(report, &f.primary);
                let file_uri = uri(&at.file, root.as_deref());
                let mut text = f.message.clone();
                if let Some(h) = &f.help {
                    text.push_str(&format!(" (help: {h})"));
                }
                let mut region = json!({ "startLine": at.line, "startColumn": at.column });
                if f.primary.line.is_none() {
                    region["endLine"] = json!(at.end_line);
                    region["endColumn"] = json!(at.end_column);
                }
                let index = ALL.iter().position(|r| r.code == f.rule.code).unwrap_or(0);
                let mut result = json!({
                    "ruleId": f.rule.code,
                    "ruleIndex": index,
                    "level": level(f.severity),
                    "message": { "text": text },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": file_uri },
                            "region": region,
                        }
                    }],
                    "partialFingerprints": {
                        "kpilint/v1": fnv1a(&[f.rule.code, &file_uri, f.subject.as_deref().unwrap_or(&f.message)]),
                    },
                });
                if let Some(x) = &f.suppressed_by {
                    let ex = locate(report, x);
                    result["suppressions"] = json!([{
                        "kind": "external",
                        "justification": format!("waived by the exception at {}:{}", ex.file, ex.line),
                    }]);
                }
                result
            })
            .collect();
        let doc = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": {
                    "name": "kpilint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }],
        });
        serde_json::to_writer_pretty(&mut *w, &doc).map_err(io::Error::other)?;
        writeln!(w)
    }
}
