//! A small JSON parser that keeps spans, building the same [`Node`] tree as TOML.
//!
//! `serde_json` throws spans away, and a catalogue finding must point at its exact key.
//! Nesting is capped at [`MAX_DEPTH`] so hostile input is an error, not a stack overflow.

use crate::parse::node::{Entry, Kind, MAX_DEPTH, Node, ParseError};
use crate::source::Span;

/// Parses a JSON document.
///
/// # Errors
/// The first syntax error, with its location.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        entries: Vec::new(),
        items: Vec::new(),
    };
    p.skip_ws();
    let node = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.error("trailing characters after the JSON value"));
    }
    Ok(node)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Scratch stacks: a container's children are gathered here and moved out in one
    /// exact-size allocation when it closes, instead of growing a `Vec` per container.
    entries: Vec<Entry>,
    items: Vec<Node>,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> ParseError {
        let end = (self.pos + 1).min(self.bytes.len());
        ParseError {
            message: message.to_owned(),
            span: Span::new(self.pos, end),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), ParseError> {
        if self.bytes.get(self.pos) == Some(&byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected {what}")))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        let start = self.pos;
        let kind = match self.bytes.get(self.pos) {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Kind::Str(self.string()?),
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => self.literal("null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.error("expected a JSON value")),
            None => return Err(self.error("unexpected end of input, expected a JSON value")),
        };
        Ok(Node {
            span: Span::new(start, self.pos),
            kind,
        })
    }

    fn literal(&mut self, word: &str, kind: Kind) -> Result<Kind, ParseError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Kind, ParseError> {
        self.pos += 1;
        let mark = self.entries.len();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Kind::Table(Vec::new()));
        }
        // The keys so far, once an object is too large to scan for duplicates.
        let mut seen: Option<std::collections::HashSet<Box<str>>> = None;
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("expected a string key"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            if self.is_duplicate(mark, &key, &mut seen) {
                // As in TOML: which value wins would be a silent guess.
                return Err(ParseError {
                    message: format!("duplicate key `{key}`"),
                    span: key_span,
                });
            }
            self.skip_ws();
            self.expect(b':', "`:` after the key")?;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            self.entries.push(Entry {
                key,
                key_span,
                value,
            });
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Kind::Table(self.entries.drain(mark..).collect()));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    /// Whether the object whose entries start at `mark` already has `key`: a scan for
    /// small objects, a set for large ones (randomly keyed, so a crafted file can neither
    /// make the scan quadratic nor every key collide).
    fn is_duplicate(
        &self,
        mark: usize,
        key: &str,
        seen: &mut Option<std::collections::HashSet<Box<str>>>,
    ) -> bool {
        const SCAN_BELOW: usize = 32;
        let entries = &self.entries[mark..];
        if entries.len() < SCAN_BELOW {
            return entries.iter().any(|e| &*e.key == key);
        }
        let seen = seen.get_or_insert_with(|| entries.iter().map(|e| e.key.clone()).collect());
        !seen.insert(key.into())
    }

    fn array(&mut self, depth: usize) -> Result<Kind, ParseError> {
        self.pos += 1;
        let mark = self.items.len();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Kind::Array(Vec::new()));
        }
        loop {
            self.skip_ws();
            let item = self.value(depth + 1)?;
            self.items.push(item);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Kind::Array(self.items.drain(mark..).collect()));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn string(&mut self) -> Result<Box<str>, ParseError> {
        self.pos += 1; // opening quote
        // Fast path: most strings have no escapes and become one exact allocation.
        let start = self.pos;
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(Box::from(&self.text[start..self.pos - 1]));
                }
                b'\\' => break,
                b if b < 0x20 => break,
                _ => self.pos += 1,
            }
        }
        let mut out = String::from(&self.text[start..self.pos]);
        let mut run_start = self.pos;
        loop {
            match self.bytes.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    out.push_str(&self.text[run_start..self.pos]);
                    self.pos += 1;
                    return Ok(out.into_boxed_str());
                }
                Some(b'\\') => {
                    out.push_str(&self.text[run_start..self.pos]);
                    self.pos += 1;
                    let c = match self.bytes.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => return Err(self.error("invalid escape sequence")),
                    };
                    out.push(c);
                    self.pos += 1;
                    run_start = self.pos;
                }
                Some(&b) if b < 0x20 => {
                    return Err(self.error("control character in string"));
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// At the `u` of `\uXXXX`; leaves `pos` on the last hex digit consumed.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) {
            if self.bytes.get(self.pos + 1..self.pos + 3) == Some(b"\\u") {
                self.pos += 2;
                let second = self.hex4()?;
                if (0xDC00..0xE000).contains(&second) {
                    let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    return char::from_u32(c).ok_or_else(|| self.error("invalid unicode escape"));
                }
            }
            return Err(self.error("unpaired surrogate in unicode escape"));
        }
        char::from_u32(first).ok_or_else(|| self.error("invalid unicode escape"))
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let digits = self
            .text
            .get(self.pos + 1..self.pos + 5)
            .ok_or_else(|| self.error("truncated unicode escape"))?;
        let v =
            u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid unicode escape"))?;
        self.pos += 4;
        Ok(v)
    }

    fn number(&mut self) -> Result<Kind, ParseError> {
        let start = self.pos;
        if self.bytes[self.pos] == b'-' {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while let Some(b'0'..=b'9') = p.bytes.get(p.pos) {
                p.pos += 1;
            }
            p.pos - s
        };
        let int_start = self.pos;
        if digits(self) == 0 {
            return Err(self.error("expected digits"));
        }
        // RFC 8259: `0`, or digits that do not start with `0`.
        if self.bytes[int_start] == b'0' && self.pos - int_start > 1 {
            self.pos = int_start;
            return Err(self.error("a number cannot start with `0` (no leading zeros in JSON)"));
        }
        let mut float = false;
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            float = true;
            if digits(self) == 0 {
                return Err(self.error("expected digits after `.`"));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            float = true;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("expected digits in exponent"));
            }
        }
        let s = &self.text[start..self.pos];
        if !float && let Ok(i) = s.parse::<i64>() {
            return Ok(Kind::Int(i));
        }
        crate::num::Num::parse(s)
            .filter(|n| n.value().is_finite())
            .map(|n| Kind::Float(Box::new(n)))
            .ok_or_else(|| self.error("number out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_spans() {
        let text = r#"{"a": [1, 2.5, "x\u00e9\n"], "b": {"c": null, "d": true}}"#;
        let doc = parse(text).unwrap();
        let a = doc.get("a").unwrap();
        assert_eq!(&text[a.span.range()], r#"[1, 2.5, "x\u00e9\n"]"#);
        assert_eq!(a.items()[2].as_str(), Some("xé\n"));
        assert_eq!(doc.get("b").unwrap().get("c").unwrap().kind, Kind::Null);
        let key = doc.entry("b").unwrap().key_span;
        assert_eq!(&text[key.range()], "\"b\"");
    }

    #[test]
    fn errors_are_located() {
        for (text, at) in [("{\"a\": }", 6), ("[1,", 3), ("{\"a\" 1}", 5), ("[1] x", 4)] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.span.start as usize, at, "{text}: {err:?}");
        }
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_second_key() {
        let text = r#"{"id": "a", "t": {"x": 1}, "id": "b"}"#;
        let err = parse(text).unwrap_err();
        assert_eq!(err.message, "duplicate key `id`");
        assert_eq!(&text[err.span.range()], r#""id""#);
        assert_eq!(err.span.start, 27);
        // Large objects use hashes; the same answer.
        let keys: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {i}")).collect();
        let big = format!("{{{}, \"k42\": 0}}", keys.join(", "));
        assert_eq!(parse(&big).unwrap_err().message, "duplicate key `k42`");
        assert!(parse(&format!("{{{}}}", keys.join(", "))).is_ok());
    }

    #[test]
    fn numbers_are_read_as_rfc_8259_writes_them() {
        // JSONTestSuite's three `n_` cases kpilint used to accept.
        for text in ["[-01]", "[012]", "[-012]"] {
            let err = parse(text).unwrap_err();
            assert!(err.message.contains("leading zeros"), "{text}: {err:?}");
        }
        for (text, kind) in [("[0]", Kind::Int(0)), ("[-0]", Kind::Int(0))] {
            assert_eq!(parse(text).unwrap().items()[0].kind, kind, "{text}");
        }
        let doc = parse("[0.5, -0.25e1, 10]").unwrap();
        let nums: Vec<f64> = doc
            .items()
            .iter()
            .map(|n| n.as_num().unwrap().value())
            .collect();
        assert_eq!(nums, [0.5, -2.5, 10.0]);
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = "[".repeat(10_000);
        assert!(parse(&text).unwrap_err().message.contains("nesting"));
    }

    #[test]
    fn surrogate_pairs() {
        let doc = parse(r#""\ud83d\ude00""#).unwrap();
        assert_eq!(doc.as_str(), Some("😀"));
        assert!(parse(r#""\ud83d""#).is_err());
    }
}
