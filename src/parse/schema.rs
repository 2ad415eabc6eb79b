//! The JSON Schemas of every file kind, embedded, and their application to a [`Node`] tree
//! with each violation located at its exact span.
//!
//! Documents are validated in place (see `schema_node`). Catalogues can hold 100,000
//! metrics: the document is validated with a schema whose `metric` array is only checked to
//! be an array, and each metric is validated on its own, in parallel, against the schema's
//! `$defs/metric`.

use super::schema_node::NodeJson;
use crate::diag::{Diagnostics, Label, Message};
use crate::parse::node::{Kind, Node};
use crate::rule::SCHEMA;
use crate::source::FileId;
use jsonschema::error::ValidationErrorKind;
use rayon::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// Schema texts by kind, as `kpilint schema KIND` prints them.
pub static SCHEMAS: &[(&str, &str)] = &[
    ("policy", include_str!("../../schemas/policy.schema.json")),
    (
        "catalogue",
        include_str!("../../schemas/catalogue.schema.json"),
    ),
    (
        "framework",
        include_str!("../../schemas/framework.schema.json"),
    ),
    ("events", include_str!("../../schemas/events.schema.json")),
    ("data", include_str!("../../schemas/data.schema.json")),
    ("config", include_str!("../../schemas/config.schema.json")),
    (
        "baseline",
        include_str!("../../schemas/baseline.schema.json"),
    ),
    ("report", include_str!("../../schemas/report.schema.json")),
];

/// The schema text of a kind.
#[must_use]
pub fn text(kind: &str) -> Option<&'static str> {
    SCHEMAS.iter().find(|(k, _)| *k == kind).map(|(_, t)| *t)
}

/// A compiled schema for one file kind, plus the item schema of its large array.
type Validator = jsonschema::Validator<NodeJson>;

struct Compiled {
    whole: Validator,
    /// (array key, validator for one item).
    items: Option<(&'static str, Validator)>,
    /// Every property name the schema mentions, for "did you mean".
    known_keys: Vec<String>,
}

fn compile(kind: &str, item: Option<(&'static str, &str)>) -> Compiled {
    let mut schema: Value = serde_json::from_str(text(kind).expect("schema kind exists"))
        .expect("embedded schema is valid JSON");
    let mut known = BTreeSet::new();
    collect_keys(&schema, &mut known);
    let items = item.map(|(key, def)| {
        let item_schema = serde_json::json!({
            "$defs": schema["$defs"].clone(),
            "$ref": format!("#/$defs/{def}"),
        });
        schema["properties"][key] = serde_json::json!({ "type": "array" });
        (key, build(&item_schema))
    });
    Compiled {
        whole: build(&schema),
        items,
        known_keys: known.into_iter().collect(),
    }
}

fn build(schema: &Value) -> Validator {
    jsonschema::options_for::<NodeJson>()
        .should_validate_formats(true)
        .build(schema)
        .expect("embedded schema compiles")
}

fn collect_keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                out.extend(props.keys().cloned());
            }
            map.values().for_each(|v| collect_keys(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_keys(v, out)),
        _ => {}
    }
}

static POLICY: LazyLock<Compiled> = LazyLock::new(|| compile("policy", None));
static CATALOGUE: LazyLock<Compiled> =
    LazyLock::new(|| compile("catalogue", Some(("metric", "metric"))));
static FRAMEWORK: LazyLock<Compiled> = LazyLock::new(|| compile("framework", None));
static EVENTS: LazyLock<Compiled> = LazyLock::new(|| compile("events", Some(("event", "event"))));
static CONFIG: LazyLock<Compiled> = LazyLock::new(|| compile("config", None));
static BASELINE: LazyLock<Compiled> = LazyLock::new(|| compile("baseline", None));

/// Compiles the schemas every run over a repository applies (see
/// [`crate::pipeline::warm_up`]).
pub fn warm_up() {
    LazyLock::force(&CATALOGUE);
    LazyLock::force(&POLICY);
}

/// Which schema to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A policy.
    Policy,
    /// A metric catalogue.
    Catalogue,
    /// A framework catalogue.
    Framework,
    /// An identity event register.
    Events,
    /// `kpilint.toml`.
    Config,
    /// A baseline file (`--baseline`).
    Baseline,
}

/// Validates `root` against the schema of `kind`, pushing a `schema` finding per violation.
pub fn validate(kind: FileKind, root: &Node, file: FileId, out: &mut Diagnostics) {
    let compiled: &Compiled = match kind {
        FileKind::Policy => &POLICY,
        FileKind::Catalogue => &CATALOGUE,
        FileKind::Framework => &FRAMEWORK,
        FileKind::Events => &EVENTS,
        FileKind::Config => &CONFIG,
        FileKind::Baseline => &BASELINE,
    };
    match compiled.items {
        Some((key, ref item_validator)) => {
            report(&compiled.whole, root, "", file, &compiled.known_keys, out);
            if let Some(array) = root.get(key) {
                let per_item: Vec<Diagnostics> = array
                    .items()
                    .par_iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let mut d = Diagnostics::default();
                        let at = format!("{key}[{i}]");
                        report(
                            item_validator,
                            item,
                            &at,
                            file,
                            &compiled.known_keys,
                            &mut d,
                        );
                        d
                    })
                    .collect();
                for d in per_item {
                    out.extend(d);
                }
            }
        }
        None => {
            report(&compiled.whole, root, "", file, &compiled.known_keys, out);
        }
    }
}

/// An unknown key: did-you-mean from the schema's keys, or where the key belongs.
fn unknown_key(
    out: &mut Diagnostics,
    file: FileId,
    node: &Node,
    key: &str,
    path: &str,
    known_keys: &[String],
) {
    let span = node.entry(key).map_or(node.span, |e| e.key_span);
    let where_ = if path.is_empty() {
        "at the top level".to_owned()
    } else {
        format!("in `{path}`")
    };
    let f = out.push(
        &SCHEMA,
        Label::at(file, span).with_message("unknown key"),
        msg!("unknown key `{}` {}", key, where_),
    );
    if in_banned_entry(path) && is_match_key(key) {
        f.help(msg!(
            "`{}` belongs in the entry's `match` table: `match = {{ {} = ... }}`",
            key,
            key
        ));
        return;
    }
    // A key known elsewhere in the schema is not a typo of itself.
    match crate::suggest::closest(
        key,
        known_keys.iter().map(String::as_str).filter(|k| *k != key),
    ) {
        Some(s) => f.help(msg!("did you mean `{}`?", s)),
        None => f.help("remove it: kpilint never ignores a key it does not know"),
    };
}

/// Whether `path` is a `[[banned]]` entry itself (`banned[3]`), not a table inside one.
fn in_banned_entry(path: &str) -> bool {
    path.strip_prefix("banned[")
        .and_then(|rest| rest.strip_suffix(']'))
        .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `key` is one of a `[[banned]]` entry's `match` keys.
fn is_match_key(key: &str) -> bool {
    crate::model::BannedMatch::SPECIAL.contains(&key)
        || ["tier", "unit", "direction", "source", "cadence", "category"].contains(&key)
}

fn report(
    validator: &Validator,
    root: &Node,
    prefix: &str,
    file: FileId,
    known_keys: &[String],
    out: &mut Diagnostics,
) {
    if validator.is_valid(root) {
        return;
    }
    let mut reported_spans = std::collections::HashSet::new();
    for err in validator.iter_errors(root) {
        let segments: Vec<String> = err.instance_path().iter().map(|s| s.to_string()).collect();
        let node = root.walk(&segments);
        // One finding per value: `tier = 3` is both the wrong type and not in the enum.
        if !matches!(err.kind(), ValidationErrorKind::AdditionalProperties { .. })
            && !reported_spans.insert(node.span)
        {
            continue;
        }
        let path = display_path(prefix, &segments);
        let at = if path.is_empty() {
            Message::default()
        } else {
            msg!("`{}`: ", path)
        };
        match err.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    unknown_key(out, file, node, key, &path, known_keys);
                }
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                out.push(
                    &SCHEMA,
                    Label::at(file, header_span(node)).with_message(format!("`{name}` missing")),
                    msg!("{}missing required key `{}`", at, name),
                );
            }
            ValidationErrorKind::Enum { options } => {
                let options: Vec<&str> = options
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let list = options
                    .iter()
                    .map(|o| format!("`{o}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let written = node
                    .as_str()
                    .map_or_else(|| err.instance().to_string(), |s| format!("`{s}`"));
                let f = out.push(
                    &SCHEMA,
                    Label::at(file, node.span),
                    msg!("{}{} is not one of {}", at, written, list),
                );
                if let Some(s) = node.as_str().and_then(|w| {
                    severity_synonym(w)
                        .filter(|s| options.contains(s))
                        .or_else(|| crate::suggest::closest(w, options.iter().copied()))
                }) {
                    f.help(msg!("did you mean `{}`?", s));
                }
            }
            ValidationErrorKind::Format { format } if format == "date" => {
                date_error(out, file, node, &at);
            }
            ValidationErrorKind::Pattern { pattern } if pattern == DATE_PATTERN => {
                date_error(out, file, node, &at);
            }
            ValidationErrorKind::OneOfNotValid { .. }
                if segments.first().is_some_and(|s| s == "rules") =>
            {
                // `{ severity = "warn" }`: the severity is what is wrong.
                let severity = node
                    .get("severity")
                    .filter(|n| {
                        n.as_str()
                            .is_some_and(|s| !["error", "warning", "info", "off"].contains(&s))
                    })
                    .unwrap_or(node);
                let f = out.push(
                    &SCHEMA,
                    Label::at(file, severity.span),
                    msg!("{}expected a severity (`error`, `warning`, `info`, `off`) or a table with `severity`, `locked`, `effective`", at),
                );
                if let Some(s) = severity.as_str().and_then(|w| {
                    severity_synonym(w)
                        .or_else(|| crate::suggest::closest(w, ["error", "warning", "info", "off"]))
                }) {
                    f.help(msg!("did you mean `{}`?", s));
                }
            }
            _ => {
                out.push(
                    &SCHEMA,
                    Label::at(file, node.span),
                    msg!("{}{}", at, lower_first(&err.to_string())),
                );
            }
        }
    }
}

/// The severity other tools spell `w` (`warn`, `critical`, `note`, `none`).
fn severity_synonym(w: &str) -> Option<&'static str> {
    Some(match w.trim().to_ascii_lowercase().as_str() {
        "warn" | "warnings" | "medium" | "moderate" => "warning",
        "critical" | "fatal" | "high" | "err" | "errors" | "deny" | "block" => "error",
        "information" | "informational" | "note" | "notice" | "low" | "hint" => "info",
        "none" | "ignore" | "disable" | "disabled" | "allow" | "false" | "skip" => "off",
        _ => return None,
    })
}

/// The pattern of `$defs/date` in the schemas.
const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// A value that is not a calendar date, said as a person would, not as a regex.
fn date_error(out: &mut Diagnostics, file: FileId, node: &Node, at: &Message) {
    let written = node.as_str().unwrap_or_default();
    out.push(
        &SCHEMA,
        Label::at(file, node.span).with_message("not a date"),
        msg!("{}`{}` is not a date: expected YYYY-MM-DD", at, written),
    )
    .help("write a calendar date such as `2027-03-31`");
}

/// For a table, point at its first key rather than its whole body.
fn header_span(node: &Node) -> crate::source::Span {
    match &node.kind {
        Kind::Table(entries) if !entries.is_empty() && node.span.end - node.span.start > 200 => {
            entries[0].key_span
        }
        _ => node.span,
    }
}

fn display_path(prefix: &str, segments: &[String]) -> String {
    let mut out = prefix.to_owned();
    for s in segments {
        if s.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{s}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(s);
        }
    }
    out
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if !s.starts_with('"') => f.to_lowercase().chain(c).collect(),
        _ => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_schema_compiles() {
        for (kind, text) in SCHEMAS {
            let v: Value = serde_json::from_str(text).unwrap();
            assert!(jsonschema::validator_for(&v).is_ok(), "{kind}");
        }
        let _ = &*POLICY;
        let _ = &*CATALOGUE;
        let _ = &*FRAMEWORK;
    }
}
