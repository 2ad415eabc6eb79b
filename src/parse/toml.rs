//! TOML into a [`Node`] tree, through `toml::de::DeTable`, which keeps every span.
//!
//! Nesting is bounded by the toml crate's own recursion guard, so hostile input is a
//! located error, never a stack overflow. Numbers take the toml crate's reading of them
//! (integers in their radix, floats as written), and a number TOML cannot represent (an
//! integer outside `i64`, as the TOML spec requires) is an error, never a rounded float.

use super::node::{Entry, Kind, Node, ParseError};
use crate::source::Span;
use toml::de::{DeTable, DeValue};

/// Parses TOML text. An empty document is a valid, empty table.
///
/// # Errors
/// A syntax error, nesting deeper than the toml crate allows, or a number out of range,
/// with its location.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    let doc = DeTable::parse(text).map_err(|e| ParseError {
        message: e.message().trim_end().to_owned(),
        span: e
            .span()
            .map_or_else(Span::default, |r| Span::new(r.start, r.end)),
    })?;
    let span = doc.span();
    Ok(Node {
        span: Span::new(span.start, span.end),
        kind: convert_table(doc.into_inner())?,
    })
}

fn convert_table(table: DeTable<'_>) -> Result<Kind, ParseError> {
    let mut entries = Vec::with_capacity(table.len());
    for (k, v) in table {
        let key_span = k.span();
        let span = Span::new(v.span().start, v.span().end);
        entries.push(Entry {
            key: k.into_inner().into(),
            key_span: Span::new(key_span.start, key_span.end),
            value: Node {
                span,
                kind: convert_value(v.into_inner(), span)?,
            },
        });
    }
    // DeTable orders keys lexicographically; restore source order.
    entries.sort_by_key(|e| e.key_span.start);
    Ok(Kind::Table(entries))
}

fn convert_value(value: DeValue<'_>, span: Span) -> Result<Kind, ParseError> {
    Ok(match value {
        DeValue::String(s) => Kind::Str(s.into()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(v) => Kind::Int(v),
            Err(_) => {
                return Err(ParseError {
                    message: format!(
                        "integer `{i}` does not fit in a 64-bit signed integer, as TOML requires"
                    ),
                    span,
                });
            }
        },
        DeValue::Float(f) => {
            let text = f.as_str();
            match crate::num::Num::parse(text) {
                // `inf` is a TOML float; a finite literal too large for `f64` is not.
                Some(v)
                    if v.value().is_finite() || text.contains("inf") || text.contains("nan") =>
                {
                    Kind::Float(Box::new(v))
                }
                _ => {
                    return Err(ParseError {
                        message: format!("float `{text}` is out of range"),
                        span,
                    });
                }
            }
        }
        DeValue::Boolean(b) => Kind::Bool(b),
        DeValue::Datetime(d) => Kind::Date(d.to_string().into()),
        DeValue::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for v in items {
                let span = Span::new(v.span().start, v.span().end);
                out.push(Node {
                    span,
                    kind: convert_value(v.into_inner(), span)?,
                });
            }
            Kind::Array(out)
        }
        DeValue::Table(t) => convert_table(t)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_keeps_source_order_and_spans() {
        let text = "b = 1\na = \"x\"\n[t]\nd = 2026-01-31\n";
        let doc = parse(text).unwrap();
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
    fn deep_nesting_is_a_located_error_not_a_crash() {
        for (open, close) in [("[", "]"), ("{a=", "}")] {
            let text = format!("a = {}{}", open.repeat(100_000), close.repeat(100_000));
            let err = parse(&text).unwrap_err();
            assert!(err.span.start > 0, "{err:?}");
        }
    }

    #[test]
    fn brackets_in_strings_and_headers_do_not_count() {
        let text = format!(
            "[a]\n[[b]]\nx = \"{}\"\n# {}\n",
            "[".repeat(200),
            "{".repeat(200)
        );
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn numbers_toml_cannot_represent_are_errors() {
        for text in [
            "a = 9223372036854775808",
            "a = -9223372036854775809",
            "a = 0x1_0000_0000_0000_0000",
            "a = 0o1777777777777777777777",
            "a = 0b1_0000000000000000000000000000000000000000000000000000000000000000",
            "a = 1e400",
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(&text[err.span.range()], &text[4..], "{text}: {err:?}");
        }
        let ok = parse("a = 0x7fff_ffff_ffff_ffff\nb = -9223372036854775808\nc = 0o17\nd = inf\n")
            .unwrap();
        assert_eq!(ok.get("a").unwrap().as_i64(), Some(i64::MAX));
        assert_eq!(ok.get("b").unwrap().as_i64(), Some(i64::MIN));
        assert_eq!(ok.get("c").unwrap().as_i64(), Some(15));
        assert_eq!(ok.get("d").unwrap().as_f64(), Some(f64::INFINITY));
        assert!(parse("").unwrap().entries().is_empty());
        for text in [
            "a = 0x",
            "a = 0b",
            "a = 0o",
            "a = \u{ff11}",
            "a = 1\u{0661}",
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
    }
}
