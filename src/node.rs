//! A spanned document tree shared by every input format.
//!
//! TOML (through `toml::de::DeTable`, which keeps spans) and JSON (through [`crate::json`])
//! both become a [`Node`]. Schema validation, model extraction and every rule read this one
//! shape, so a finding can always point at the exact key or value it is about.

use crate::source::Span;
use toml::de::{DeTable, DeValue};

/// Deepest nesting accepted in any input; deeper documents are a `parse-error`, never a
/// stack overflow.
pub const MAX_DEPTH: usize = 64;

/// A value with the span of its source text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the value is written.
    pub span: Span,
    /// The value itself.
    pub kind: Kind,
}

/// One key of a table, with the span of the key itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: Box<str>,
    /// Where the key is written.
    pub key_span: Span,
    /// Its value.
    pub value: Node,
}

/// The shape of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A table or JSON object, in source order.
    Table(Vec<Entry>),
    /// An array.
    Array(Vec<Node>),
    /// A string.
    Str(Box<str>),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A TOML date, time or date-time, as written.
    Date(Box<str>),
    /// JSON `null`.
    Null,
}

impl Node {
    /// The entry for `key`, if this is a table that has it.
    #[must_use]
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.kind {
            Kind::Table(entries) => entries.iter().find(|e| &*e.key == key),
            _ => None,
        }
    }

    /// The value for `key`, if this is a table that has it.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The text of a string (or TOML date) value.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) | Kind::Date(s) => Some(s),
            _ => None,
        }
    }

    /// A number as `f64`.
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        match self.kind {
            #[allow(clippy::cast_precision_loss)]
            Kind::Int(i) => Some(i as f64),
            Kind::Float(f) => Some(f),
            _ => None,
        }
    }

    /// An integer.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match self.kind {
            Kind::Int(i) => Some(i),
            _ => None,
        }
    }

    /// A boolean.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            Kind::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The items of an array (empty for anything else).
    #[must_use]
    pub fn items(&self) -> &[Node] {
        match &self.kind {
            Kind::Array(items) => items,
            _ => &[],
        }
    }

    /// The entries of a table (empty for anything else).
    #[must_use]
    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            Kind::Table(entries) => entries,
            _ => &[],
        }
    }

    /// Follows a JSON pointer's segments; returns the deepest node reached and whether the
    /// whole path resolved.
    #[must_use]
    pub fn walk<'a>(&'a self, segments: &[String]) -> &'a Node {
        let mut node = self;
        for seg in segments {
            let next = match &node.kind {
                Kind::Table(_) => node.get(seg),
                Kind::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node
    }

    /// Converts to a `serde_json::Value` for schema validation. Dates become strings,
    /// non-finite floats become strings (so a schema asking for a number rejects them).
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            Kind::Table(entries) => Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.to_string(), e.value.to_json()))
                    .collect(),
            ),
            Kind::Array(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Kind::Str(s) | Kind::Date(s) => Value::String(s.to_string()),
            Kind::Int(i) => Value::from(*i),
            Kind::Float(f) => serde_json::Number::from_f64(*f)
                .map_or_else(|| Value::String(f.to_string()), Value::Number),
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Null => Value::Null,
        }
    }
}

/// An error while building a tree: a message and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, lower-case.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// Parses TOML text into a [`Node`] tree.
///
/// # Errors
/// A syntax error, or nesting deeper than [`MAX_DEPTH`], with its location.
pub fn parse_toml(text: &str) -> Result<Node, ParseError> {
    check_bracket_depth(text)?;
    let doc = DeTable::parse(text).map_err(|e| ParseError {
        message: e.message().trim_end().to_owned(),
        span: e
            .span()
            .map_or_else(Span::default, |r| Span::new(r.start, r.end)),
    })?;
    let span = doc.span();
    Ok(Node {
        span: Span::new(span.start, span.end),
        kind: convert_table(doc.into_inner()),
    })
}

/// Rejects documents nested deeper than [`MAX_DEPTH`] before any recursive parser sees them.
///
/// The scan counts `[`/`{` outside strings and comments; it is approximate for TOML table
/// headers (which never nest) but exact for the inline arrays and tables that can.
fn check_bracket_depth(text: &str) -> Result<(), ParseError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                let triple = bytes[i..].starts_with(if b == b'"' { b"\"\"\"" } else { b"'''" });
                let step = if triple { 3 } else { 1 };
                i += step;
                while i < bytes.len() {
                    if b == b'"' && bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == b && (!triple || bytes[i..].starts_with(&[b, b, b])) {
                        i += step;
                        break;
                    }
                    if !triple && bytes[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
                line_start = false;
                continue;
            }
            b'[' | b'{' if !(line_start && b == b'[') => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ParseError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        span: Span::new(i, i + 1),
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        line_start = false;
        i += 1;
    }
    Ok(())
}

fn convert_table(table: DeTable<'_>) -> Kind {
    let mut entries: Vec<Entry> = table
        .into_iter()
        .map(|(k, v)| {
            let key_span = k.span();
            let span = v.span();
            Entry {
                key: k.into_inner().into(),
                key_span: Span::new(key_span.start, key_span.end),
                value: Node {
                    span: Span::new(span.start, span.end),
                    kind: convert_value(v.into_inner()),
                },
            }
        })
        .collect();
    // DeTable orders keys lexicographically; restore source order.
    entries.sort_by_key(|e| e.key_span.start);
    Kind::Table(entries)
}

fn convert_value(value: DeValue<'_>) -> Kind {
    match value {
        DeValue::String(s) => Kind::Str(s.into()),
        DeValue::Integer(i) => {
            let digits = i.as_str();
            i64::from_str_radix(digits, i.radix()).map_or_else(
                |_| Kind::Float(digits.parse().unwrap_or(f64::INFINITY)),
                Kind::Int,
            )
        }
        DeValue::Float(f) => Kind::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Kind::Bool(b),
        DeValue::Datetime(d) => Kind::Date(d.to_string().into()),
        DeValue::Array(items) => Kind::Array(
            items
                .into_iter()
                .map(|v| {
                    let span = v.span();
                    Node {
                        span: Span::new(span.start, span.end),
                        kind: convert_value(v.into_inner()),
                    }
                })
                .collect(),
        ),
        DeValue::Table(t) => convert_table(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_keeps_source_order_and_spans() {
        let text = "b = 1\na = \"x\"\n[t]\nd = 2026-01-31\n";
        let doc = parse_toml(text).unwrap();
        let keys: Vec<_> = doc.entries().iter().map(|e| &*e.key).collect();
        assert_eq!(keys, ["b", "a", "t"]);
        let a = doc.get("a").unwrap();
        assert_eq!(&text[a.span.range()], "\"x\"");
        assert_eq!(
            doc.get("t").unwrap().get("d").unwrap().as_str(),
            Some("2026-01-31")
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse_toml(&text).unwrap_err();
        assert!(err.message.contains("nesting"), "{err:?}");
    }

    #[test]
    fn brackets_in_strings_and_headers_do_not_count() {
        let text = format!(
            "[a]\n[[b]]\nx = \"{}\"\n# {}\n",
            "[".repeat(200),
            "{".repeat(200)
        );
        assert!(parse_toml(&text).is_ok());
    }
}
