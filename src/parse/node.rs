//! A spanned document tree shared by every input format.
//!
//! TOML (through `toml::de::DeTable`, which keeps spans; see [`super::toml`]), JSON
//! (through [`super::json`]) and YAML (through [`super::yaml`]) all become a [`Node`]. Schema validation, model extraction and every rule read this one
//! shape, so a finding can always point at the exact key or value it is about.

use crate::num::Num;
use crate::source::Span;

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
    /// A floating-point number, with its exact decimal value: boxed, since floats are few
    /// and every other node would otherwise carry the room for one (a node is 40 bytes, not
    /// 48).
    Float(Box<Num>),
    /// A boolean.
    Bool(bool),
    /// A TOML date, time or date-time, as written.
    Date(Box<str>),
    /// JSON or YAML `null`.
    Null,
}

impl Default for Node {
    fn default() -> Self {
        Self::empty_table()
    }
}

impl Node {
    /// An empty table spanning nothing: the document of an empty file.
    #[must_use]
    pub fn empty_table() -> Self {
        Self {
            span: Span::default(),
            kind: Kind::Table(Vec::new()),
        }
    }

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
        self.as_num().map(Num::value)
    }

    /// A number, exact where it can be.
    #[must_use]
    pub fn as_num(&self) -> Option<Num> {
        match self.kind {
            Kind::Int(i) => Some(Num::int(i)),
            Kind::Float(ref f) => Some(**f),
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
            Kind::Float(f) => serde_json::Number::from_f64(f.value())
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
