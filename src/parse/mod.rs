//! Parsing: bytes into spanned [`Node`] trees ([`toml`], [`json`], [`yaml`]), recognised by
//! their top table and checked against their JSON Schema ([`schema`]). Everything that reads
//! a file, `kpilint.toml` included, parses it here.

pub mod json;
pub mod node;
pub mod schema;
mod schema_node;
pub mod toml;
pub mod yaml;

use crate::source::Span;
use node::{Node, ParseError};
use schema::FileKind;
use std::path::Path;

/// How a data file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    /// Comma-separated values with a header.
    Csv,
    /// One JSON object per line.
    Ndjson,
}

/// The data format of a path, if it names a data file.
#[must_use]
pub fn data_format(path: &Path) -> Option<DataFormat> {
    match path.extension().and_then(|x| x.to_str()) {
        Some("csv" | "tsv") => Some(DataFormat::Csv),
        Some("ndjson" | "jsonl") => Some(DataFormat::Ndjson),
        _ => None,
    }
}

/// A file's bytes as text (lossily, when they are not UTF-8) and parsed by its extension:
/// `json`, `toml` (or none), `yaml` or `yml`. Text that is not UTF-8 is an error at its first
/// bad byte; an empty document is an empty table (what it lacks is said when it is sorted).
pub fn parse_bytes(extension: Option<&str>, bytes: Vec<u8>) -> (String, Result<Node, ParseError>) {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let error = ParseError {
                message: "file is not valid UTF-8".into(),
                span: Span::new(at, at + 1),
            };
            return (lossy, Err(error));
        }
    };
    if is_blank(&text) {
        return (text, Ok(Node::empty_table()));
    }
    let result = match extension {
        Some("json") => json::parse(&text),
        Some("toml") | None => toml::parse(&text),
        Some("yaml" | "yml") => yaml::parse(&text),
        Some(other) => Err(ParseError {
            message: format!("unsupported file type `.{other}`: kpilint reads TOML, JSON and YAML"),
            span: Span::default(),
        }),
    };
    (text, result)
}

/// Whether a document holds only the whitespace TOML, JSON and YAML all allow (a form feed
/// is not whitespace to any of them).
#[must_use]
pub fn is_blank(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// What kind of kpilint file a document is, by its top table.
#[must_use]
pub fn classify(root: &Node) -> Option<FileKind> {
    if root.get("policy").is_some() {
        Some(FileKind::Policy)
    } else if root.get("framework").is_some() {
        Some(FileKind::Framework)
    } else if root.get("catalogue").is_some() || root.get("metric").is_some() {
        Some(FileKind::Catalogue)
    } else if root.get("register").is_some() || root.get("event").is_some() {
        Some(FileKind::Events)
    } else if root.get("kpilint_baseline").is_some() {
        Some(FileKind::Baseline)
    } else {
        None
    }
}
