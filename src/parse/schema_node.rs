//! [`Node`] as a JSON representation for the `jsonschema` crate, so documents are validated
//! in place: no copy of a 100,000-metric catalogue into `serde_json::Value`.

use crate::parse::node::{Entry, Kind, Node};
use jsonschema::json::{Array, Json, NodeIdentity, Object};
use jsonschema::types::JsonType;
use serde_json::{Number, Value};
use std::borrow::Cow;

/// Marker type selecting [`Node`] as the instance representation.
pub struct NodeJson;

impl Json for NodeJson {
    type Node<'a> = &'a Node;
    type PreparedKey = Box<str>;
    type StringBuffer = ();
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> Box<str> {
        key.into()
    }

    fn with_string_node<T>((): &mut (), string: &str, f: impl FnOnce(&Node) -> T) -> T {
        let node = Node {
            span: crate::source::Span::default(),
            kind: Kind::Str(string.into()),
        };
        f(&node)
    }
}

fn number(node: &Node) -> Option<Number> {
    match node.kind {
        Kind::Int(i) => Some(Number::from(i)),
        Kind::Float(ref f) => Number::from_f64(f.value()),
        _ => None,
    }
}

impl<'a> jsonschema::json::Node<'a, NodeJson> for &'a Node {
    type Object = &'a [Entry];
    type Array = &'a [Node];
    type Number = Number;

    fn as_object(&self) -> Option<&'a [Entry]> {
        match &self.kind {
            Kind::Table(entries) => Some(entries),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<&'a [Node]> {
        match &self.kind {
            Kind::Array(items) => Some(items),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match &self.kind {
            Kind::Str(s) | Kind::Date(s) => Some(Cow::Borrowed(s)),
            // Matches `Node::to_json`: NaN and infinities are not JSON numbers.
            Kind::Float(f) if !f.value().is_finite() => Some(Cow::Owned(f.value().to_string())),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<Number> {
        number(self)
    }

    fn as_boolean(&self) -> Option<bool> {
        self.as_bool()
    }

    fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    fn json_type(&self) -> JsonType {
        match &self.kind {
            Kind::Null => JsonType::Null,
            Kind::Bool(_) => JsonType::Boolean,
            Kind::Int(_) => JsonType::Number,
            Kind::Float(f) if f.value().is_finite() => JsonType::Number,
            Kind::Float(_) | Kind::Str(_) | Kind::Date(_) => JsonType::String,
            Kind::Array(_) => JsonType::Array,
            Kind::Table(_) => JsonType::Object,
        }
    }

    fn equals_value(&self, expected: &Value) -> bool {
        // `enum` and `const` checks run for every metric: compare without building a Value.
        match (&self.kind, expected) {
            (Kind::Str(s) | Kind::Date(s), Value::String(e)) => **s == **e,
            (Kind::Str(_) | Kind::Date(_), _) => false,
            (Kind::Bool(b), Value::Bool(e)) => b == e,
            (Kind::Null, Value::Null) => true,
            (Kind::Int(_) | Kind::Float(_), Value::Number(e)) => {
                number(self).is_some_and(|n| n.as_f64() == e.as_f64())
            }
            _ => jsonschema::json::cmp::equal(&self.to_json(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(self.to_json())
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(std::ptr::from_ref::<Node>(self) as usize))
    }
}

impl<'a> Object<'a, NodeJson> for &'a [Entry] {
    type Node = &'a Node;
    type MemberName = &'a str;
    type MembersIter =
        std::iter::Map<std::slice::Iter<'a, Entry>, fn(&'a Entry) -> (&'a str, &'a Node)>;

    fn len(&self) -> usize {
        <[Entry]>::len(self)
    }

    fn get(&self, key: &Box<str>) -> Option<&'a Node> {
        self.iter().find(|e| e.key == *key).map(|e| &e.value)
    }

    fn members(&self) -> Self::MembersIter {
        self.iter().map(|e| (&*e.key, &e.value))
    }
}

impl<'a> Array<'a, NodeJson> for &'a [Node] {
    type Node = &'a Node;
    type ElementsIter = std::slice::Iter<'a, Node>;

    fn len(&self) -> usize {
        <[Node]>::len(self)
    }

    fn elements(&self) -> std::slice::Iter<'a, Node> {
        self.iter()
    }
}
