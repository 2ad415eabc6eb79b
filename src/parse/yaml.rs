//! YAML into a [`Node`] tree, through `saphyr-parser`'s event stream, which gives every
//! event its span: the same tree TOML and JSON build, so schema validation, extraction and
//! every rule read a YAML file as they read the others.
//!
//! Scalars are read by the YAML 1.2 core schema: plain `true`/`false`, `null`/`~`/empty,
//! integers (decimal, `0o`, `0x`) and floats (`.inf`, `.nan`; the exact decimal kept, as
//! JSON keeps it) are typed; everything else, `2027-01-31` and `yes` included, is a string,
//! and a quoted or block scalar is always one. Tags of the core schema (`!!str`, `!!int`,
//! ...) are honoured.
//!
//! Bounds: nesting deeper than [`MAX_DEPTH`] is an error, as in the other parsers, and
//! anchors and aliases may copy at most [`alias_budget`] units (a node, or 32 bytes of
//! keys and strings), so a "billion laughs" document, of nested aliases or of one long
//! string aliased many times, is a located error, never an exhausted memory. What an alias copies is located
//! at the alias (`*shared`): a finding about the thresholds a metric takes from an anchor
//! points into that metric.
//!
//! What kpilint does not read in its own files, though other tools' YAML holds it: a
//! stream of several documents (Kubernetes manifests), tags outside the core schema
//! (`!Ref`), merge keys (`<<`, YAML 1.1) and keys that are not scalars. A file with one of
//! them is a parse error at the first only when one of its documents is a kpilint file;
//! otherwise its first document is the file, skipped in a walked directory like other
//! tools' TOML and JSON. Repeated keys are
//! errors everywhere, as the YAML spec and kpilint's JSON reader have them.

use super::node::{Entry, Kind, MAX_DEPTH, Node, ParseError};
use crate::num::Num;
use crate::source::Span;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, StrInput, Tag};
use std::borrow::Cow;

/// Most anchors and aliases may copy in one file, however large it is, in budget units:
/// a node, or [`TEXT_UNIT`] bytes of text (about 50 MB of copies at most).
pub const MAX_ALIAS_NODES: usize = 1_000_000;

/// Most anchors and aliases may copy in a file of `len` bytes, in budget units (a node,
/// or [`TEXT_UNIT`] bytes of text): 10,000, plus two for every byte, up to
/// [`MAX_ALIAS_NODES`]. A file written out by hand has fewer nodes than bytes, so sharing a
/// block of thresholds among every metric fits many times over, while a document whose
/// aliases nest aliases (each level multiplying the one below), or alias a long string
/// again and again, is stopped early.
#[must_use]
pub fn alias_budget(len: usize) -> usize {
    len.saturating_mul(2)
        .saturating_add(10_000)
        .min(MAX_ALIAS_NODES)
}

/// Parses YAML text: the first document of the stream (see the module documentation for
/// streams of several).
///
/// # Errors
/// A syntax error, a repeated key, an unknown alias, nesting deeper than [`MAX_DEPTH`],
/// aliases that expand past [`alias_budget`], a number out of range, or, in a kpilint file,
/// a construct kpilint does not read; with its location.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    Builder {
        text,
        parser: Parser::new_from_str(text),
        offsets: Offsets::new(text),
        anchors: crate::hash::Map::default(),
        copied: 0,
        budget: alias_budget(text.len()),
        unread: None,
    }
    .stream()
}

/// A node kept for its aliases, with its size.
struct Anchored {
    node: Node,
    /// Nodes in it, itself included.
    nodes: usize,
    /// Collections nested in it (0 for a scalar).
    height: usize,
    /// A scalar's text, for an alias used as a key.
    text: Option<Box<str>>,
}

struct Builder<'a> {
    text: &'a str,
    parser: Parser<'a, StrInput<'a>>,
    offsets: Offsets<'a>,
    /// Anchors of the current document, by the parser's anchor id.
    anchors: crate::hash::Map<usize, Anchored>,
    /// Nodes copied so far for anchors and aliases.
    copied: usize,
    budget: usize,
    /// The first construct kpilint does not read, reported if the file is kpilint's.
    unread: Option<ParseError>,
}

type YamlSpan = saphyr_parser::Span;

impl<'a> Builder<'a> {
    fn stream(mut self) -> Result<Node, ParseError> {
        let mut first: Option<Node> = None;
        let mut kpilint = false;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::Nothing => {}
                Event::StreamEnd => break,
                Event::DocumentStart(_) => {
                    if first.is_some() {
                        let at = self.span(span);
                        self.not_read(
                            at,
                            "a second YAML document: a kpilint file holds one (put each in its own file)",
                        );
                    }
                    self.anchors.clear();
                    let (event, span) = self.next()?;
                    let root = self.node(event, span, 0)?;
                    kpilint |= super::classify(&root).is_some();
                    first.get_or_insert(root);
                }
                Event::DocumentEnd => {}
                _ => return Err(self.error(span, "unexpected YAML event")),
            }
        }
        match self.unread {
            Some(e) if kpilint => Err(e),
            // Comments and directives only: a document with nothing in it, as a blank file.
            _ => Ok(first.unwrap_or_else(Node::empty_table)),
        }
    }

    fn next(&mut self) -> Result<(Event<'a>, YamlSpan), ParseError> {
        match self.parser.next_event() {
            Some(Ok(event)) => Ok(event),
            Some(Err(e)) => Err(self.scan_error(&e)),
            None => {
                let end = self.text.len();
                Err(ParseError {
                    message: "unexpected end of the YAML stream".into(),
                    span: Span::new(end, end),
                })
            }
        }
    }

    fn node(&mut self, event: Event<'a>, span: YamlSpan, depth: usize) -> Result<Node, ParseError> {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let written = self.offsets.byte(span.start.index());
                let span = self.scalar_span(span, style, anchor != 0 || tag.is_some());
                // Errors about a tag point at it as well as the value.
                let whole = Span::new(written, span.range().end);
                let kind = self.scalar(&value, style, tag.as_deref(), whole)?;
                let node = Node { span, kind };
                if anchor != 0 {
                    self.keep(anchor, &node, Some(&value))?;
                }
                Ok(node)
            }
            Event::SequenceStart(anchor, tag) => {
                let start = self.start(span, anchor != 0 || tag.is_some());
                self.check_depth(start, depth)?;
                self.collection_tag(tag.as_deref(), "seq", start);
                let mut items = Vec::new();
                let end = loop {
                    let (event, span) = self.next()?;
                    if event == Event::SequenceEnd {
                        break self.end(
                            span,
                            items.last().map_or(start, |n: &Node| n.span.range().end),
                        );
                    }
                    items.push(self.node(event, span, depth + 1)?);
                };
                let node = Node {
                    span: Span::new(start, end),
                    kind: Kind::Array(items),
                };
                if anchor != 0 {
                    self.keep(anchor, &node, None)?;
                }
                Ok(node)
            }
            Event::MappingStart(anchor, tag) => {
                let start = self.start(span, anchor != 0 || tag.is_some());
                self.check_depth(start, depth)?;
                self.collection_tag(tag.as_deref(), "map", start);
                let entries = self.mapping(depth)?;
                let end = self.end(
                    entries.1,
                    entries
                        .0
                        .last()
                        .map_or(start, |e: &Entry| e.value.span.range().end),
                );
                let node = Node {
                    span: Span::new(start, end),
                    kind: Kind::Table(entries.0),
                };
                if anchor != 0 {
                    self.keep(anchor, &node, None)?;
                }
                Ok(node)
            }
            Event::Alias(id) => self.alias(id, span, depth),
            _ => Err(self.error(span, "unexpected YAML event")),
        }
    }

    /// The entries of a mapping whose start was just read, and the span of its end.
    fn mapping(&mut self, depth: usize) -> Result<(Vec<Entry>, YamlSpan), ParseError> {
        let mut entries: Vec<Entry> = Vec::new();
        // The keys so far, once a mapping is too large to scan for repeats.
        let mut seen: Option<std::collections::HashSet<Box<str>>> = None;
        loop {
            let (event, span) = self.next()?;
            if event == Event::MappingEnd {
                return Ok((entries, span));
            }
            let key = self.key(event, span, depth)?;
            let (event, span) = self.next()?;
            let value = self.node(event, span, depth + 1)?;
            let Some((key, key_span)) = key else { continue };
            if is_repeated(&entries, &key, &mut seen) {
                // As in JSON and TOML: which value wins would be a silent guess.
                return Err(ParseError {
                    message: format!("duplicate key `{key}`"),
                    span: key_span,
                });
            }
            entries.push(Entry {
                key,
                key_span,
                value,
            });
        }
    }

    /// A mapping key as text with its span; `None` for a key kpilint does not read (a
    /// collection, or a merge key), whose value is then skipped.
    fn key(
        &mut self,
        event: Event<'a>,
        span: YamlSpan,
        depth: usize,
    ) -> Result<Option<(Box<str>, Span)>, ParseError> {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let written = self.offsets.byte(span.start.index());
                let key_span = self.scalar_span(span, style, anchor != 0 || tag.is_some());
                if anchor != 0 {
                    let whole = Span::new(written, key_span.range().end);
                    let kind = self.scalar(&value, style, tag.as_deref(), whole)?;
                    let node = Node {
                        span: key_span,
                        kind,
                    };
                    self.keep(anchor, &node, Some(&value))?;
                }
                if style == ScalarStyle::Plain && tag.is_none() && value == "<<" {
                    self.not_read(
                        key_span,
                        "a merge key (`<<`) is YAML 1.1, not read in kpilint files: alias the whole value (`thresholds: *shared`) or write the keys out",
                    );
                    return Ok(None);
                }
                Ok(Some((value.into(), key_span)))
            }
            Event::Alias(id) => {
                let key_span = self.span(span);
                match self.anchors.get(&id).and_then(|a| a.text.clone()) {
                    Some(text) => {
                        let cost = 1 + text_cost(&text);
                        if self.copied + cost > self.budget {
                            return Err(self.over_budget(key_span));
                        }
                        self.copied += cost;
                        Ok(Some((text, key_span)))
                    }
                    None => {
                        self.not_read(
                            key_span,
                            "a key that is not a scalar is not read in kpilint files: keys are strings",
                        );
                        Ok(None)
                    }
                }
            }
            other => {
                let key = self.node(other, span, depth + 1)?;
                self.not_read(
                    key.span,
                    "a key that is not a scalar is not read in kpilint files: keys are strings",
                );
                Ok(None)
            }
        }
    }

    fn alias(&mut self, id: usize, span: YamlSpan, depth: usize) -> Result<Node, ParseError> {
        let at = self.span(span);
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(ParseError {
                message: "alias to an anchor not defined before it in this document (an anchored node cannot hold its own alias)".into(),
                span: at,
            });
        };
        if anchored.height > 0 && depth + anchored.height - 1 > MAX_DEPTH {
            return Err(ParseError {
                message: format!(
                    "nesting deeper than {MAX_DEPTH} levels once the alias is expanded"
                ),
                span: at,
            });
        }
        if self.copied + anchored.nodes > self.budget {
            return Err(self.over_budget(at));
        }
        self.copied += anchored.nodes;
        let mut node = anchored.node.clone();
        relocate(&mut node, at);
        Ok(node)
    }

    /// Keeps a copy of an anchored node for its aliases; the copy counts against the budget.
    fn keep(&mut self, anchor: usize, node: &Node, text: Option<&str>) -> Result<(), ParseError> {
        let (nodes, height) = measure(node);
        if self.copied + nodes > self.budget {
            return Err(self.over_budget(node.span));
        }
        self.copied += nodes;
        self.anchors.insert(
            anchor,
            Anchored {
                node: node.clone(),
                nodes,
                height,
                text: text.map(Box::from),
            },
        );
        Ok(())
    }

    fn over_budget(&self, span: Span) -> ParseError {
        ParseError {
            message: format!(
                "anchors and aliases expand past {} nodes (or 32-byte pieces of text) in this file (a \"billion laughs\" document?): kpilint stops here",
                self.budget
            ),
            span,
        }
    }

    fn check_depth(&self, start: usize, depth: usize) -> Result<(), ParseError> {
        if depth > MAX_DEPTH {
            return Err(ParseError {
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                span: Span::new(start, self.char_end(start)),
            });
        }
        Ok(())
    }

    /// A scalar's value by the core schema, or by its tag.
    fn scalar(
        &mut self,
        value: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<Kind, ParseError> {
        let Some(name) = tag.map(tag_name) else {
            return plain_or_str(value, style, span);
        };
        if name == "!" {
            // The non-specific tag: a string, whatever it looks like.
            return Ok(Kind::Str(value.into()));
        }
        let Some(core) = name.strip_prefix(CORE) else {
            self.not_read(
                span,
                &format!("the tag `{name}` is not read in kpilint files: they use the YAML 1.2 core schema's (`!!str`, `!!int`, ...)"),
            );
            return plain_or_str(value, style, span);
        };
        let typed = match core {
            "str" => Some(Kind::Str(value.into())),
            "null" => null(value).then_some(Kind::Null),
            "bool" => boolean(value).map(Kind::Bool),
            "int" => match int(value) {
                Some(Ok(i)) => Some(Kind::Int(i)),
                Some(Err(())) => return Err(int_range(value, span)),
                None => None,
            },
            "float" => {
                let text = if int(value).is_some() {
                    Cow::Owned(format!("{value}.0"))
                } else {
                    Cow::Borrowed(value)
                };
                match float(&text) {
                    Some(Ok(n)) => Some(Kind::Float(Box::new(n))),
                    Some(Err(())) => return Err(float_range(value, span)),
                    None => None,
                }
            }
            _ => {
                self.not_read(
                    span,
                    &format!("the tag `!!{core}` is not read in kpilint files: scalars take `!!str`, `!!int`, `!!float`, `!!bool` or `!!null`"),
                );
                return plain_or_str(value, style, span);
            }
        };
        if let Some(kind) = typed {
            return Ok(kind);
        }
        self.not_read(span, &format!("`{value}` is not a `!!{core}`"));
        Ok(Kind::Str(value.into()))
    }

    fn collection_tag(&mut self, tag: Option<&Tag>, expected: &str, start: usize) {
        let Some(name) = tag.map(tag_name) else {
            return;
        };
        if name == "!" || name.strip_prefix(CORE) == Some(expected) {
            return;
        }
        let at = Span::new(start, self.char_end(start));
        self.not_read(
            at,
            &format!("the tag `{name}` is not read on a collection in kpilint files"),
        );
    }

    /// Records the first construct kpilint does not read.
    fn not_read(&mut self, span: Span, what: &str) {
        self.unread.get_or_insert_with(|| ParseError {
            message: what.to_owned(),
            span,
        });
    }

    /// The byte span of a scalar's value: after its anchor and tag, and for a quoted scalar
    /// up to its closing quote (the parser's span runs on over spaces and a comment).
    fn scalar_span(&mut self, span: YamlSpan, style: ScalarStyle, props: bool) -> Span {
        let start = self.start(span, props);
        let raw_end = self.offsets.byte(span.end.index()).max(start);
        let end = match style {
            ScalarStyle::Plain => raw_end,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                closing_quote(self.text, start).unwrap_or_else(|| self.trimmed(start, raw_end))
            }
            ScalarStyle::Literal | ScalarStyle::Folded => self.trimmed(start, raw_end),
        };
        Span::new(start, end.max(start))
    }

    /// Where a node starts: after its properties (`&anchor`, `!tag`), if it has any.
    fn start(&mut self, span: YamlSpan, props: bool) -> usize {
        let start = self.offsets.byte(span.start.index());
        if !props {
            return start;
        }
        let end = self.offsets.byte(span.end.index());
        let skipped = skip_properties(self.text, start);
        // An empty scalar with properties ends where they do.
        if end > start && skipped > end {
            end
        } else {
            skipped
        }
    }

    /// Where a collection ends: its closing bracket, or its last child for a block one.
    fn end(&mut self, span: YamlSpan, last: usize) -> usize {
        if span.start.index() == span.end.index() {
            last
        } else {
            self.offsets.byte(span.end.index()).max(last)
        }
    }

    fn trimmed(&self, start: usize, end: usize) -> usize {
        start + self.text[start..end].trim_end().len()
    }

    fn span(&mut self, span: YamlSpan) -> Span {
        let start = self.offsets.byte(span.start.index());
        let end = self.offsets.byte(span.end.index()).max(start);
        Span::new(start, end)
    }

    /// The end of the character at `at` (or `at` at the end of the text).
    fn char_end(&self, at: usize) -> usize {
        self.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8())
    }

    fn error(&mut self, span: YamlSpan, message: &str) -> ParseError {
        ParseError {
            message: message.to_owned(),
            span: self.span(span),
        }
    }

    fn scan_error(&mut self, e: &ScanError) -> ParseError {
        let mut at = self.offsets.byte(e.marker().index());
        // The parser marks the character after a tab it refuses, or the plain scalar
        // before it: point at the tab.
        let bytes = self.text.as_bytes();
        if e.info().contains("tab") && bytes.get(at) != Some(&b'\t') {
            if at > 0 && bytes[at - 1] == b'\t' {
                while at > 0 && bytes[at - 1] == b'\t' {
                    at -= 1;
                }
            } else if let Some(tab) = memchr::memchr(b'\t', &bytes[at..]) {
                at += tab;
            }
        }
        ParseError {
            message: e.info().to_owned(),
            span: Span::new(at, self.char_end(at)),
        }
    }
}

/// The prefix of the core schema's tags (`!!int` is `tag:yaml.org,2002:int`).
const CORE: &str = "tag:yaml.org,2002:";

/// A tag as one name: `!` (non-specific), `!local`, or a full `tag:...` name.
fn tag_name(tag: &Tag) -> String {
    // The parser gives `!` as an empty handle and a suffix of `!`, and a verbatim tag
    // (`!<tag:...>`) as an empty handle and the whole name.
    format!("{}{}", tag.handle, tag.suffix)
}

/// A plain scalar, resolved by the core schema.
fn plain(value: &str, span: Span) -> Result<Kind, ParseError> {
    if null(value) {
        return Ok(Kind::Null);
    }
    if let Some(b) = boolean(value) {
        return Ok(Kind::Bool(b));
    }
    match int(value) {
        Some(Ok(i)) => return Ok(Kind::Int(i)),
        Some(Err(())) => return Err(int_range(value, span)),
        None => {}
    }
    match float(value) {
        Some(Ok(n)) => Ok(Kind::Float(Box::new(n))),
        Some(Err(())) => Err(float_range(value, span)),
        None => Ok(Kind::Str(value.into())),
    }
}

/// A scalar whose tag kpilint does not read: as if untagged.
fn plain_or_str(value: &str, style: ScalarStyle, span: Span) -> Result<Kind, ParseError> {
    if style == ScalarStyle::Plain {
        plain(value, span)
    } else {
        Ok(Kind::Str(value.into()))
    }
}

fn null(value: &str) -> bool {
    matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

fn boolean(value: &str) -> Option<bool> {
    match value {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A core-schema integer (`-12`, `+3`, `0o17`, `0x1F`): `Err` when it does not fit an `i64`.
fn int(value: &str) -> Option<Result<i64, ()>> {
    let (digits, radix) = if let Some(h) = value.strip_prefix("0x") {
        (h, 16)
    } else if let Some(o) = value.strip_prefix("0o") {
        (o, 8)
    } else {
        let unsigned = value.strip_prefix(['-', '+']).unwrap_or(value);
        if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return Some(value.parse().map_err(|_| ()));
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(i64::from_str_radix(digits, radix).map_err(|_| ()))
}

/// A core-schema float (`1.5`, `-.5`, `1e3`, `2.`, `.inf`, `.nan`), its exact decimal kept:
/// `Err` when a finite literal is too large for `f64`.
fn float(value: &str) -> Option<Result<Num, ()>> {
    let (sign, rest) = match value.as_bytes().first() {
        Some(b'-') => ("-", &value[1..]),
        Some(b'+') => ("", &value[1..]),
        _ => ("", value),
    };
    if matches!(rest, ".inf" | ".Inf" | ".INF") {
        return Num::parse(&format!("{sign}inf")).map(Ok);
    }
    if matches!(value, ".nan" | ".NaN" | ".NAN") {
        return Num::parse("nan").map(Ok);
    }
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let whole = digits(rest);
    let mut at = whole;
    let mut fraction = "";
    if rest.as_bytes().get(at) == Some(&b'.') {
        let n = digits(&rest[at + 1..]);
        fraction = &rest[at + 1..at + 1 + n];
        at += 1 + n;
    }
    if whole == 0 && fraction.is_empty() {
        return None;
    }
    let exponent = &rest[at..];
    if !exponent.is_empty() {
        let e = exponent.strip_prefix(['e', 'E'])?;
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        if e.is_empty() || digits(e) != e.len() {
            return None;
        }
    }
    // `2.` and `.5` are YAML floats; the number reader wants digits on both sides.
    let whole = if whole == 0 { "0" } else { &rest[..whole] };
    let fraction = if fraction.is_empty() { "0" } else { fraction };
    let num = Num::parse(&format!("{sign}{whole}.{fraction}{exponent}"))?;
    Some(if num.value().is_finite() {
        Ok(num)
    } else {
        Err(())
    })
}

fn int_range(value: &str, span: Span) -> ParseError {
    ParseError {
        message: format!("integer `{value}` does not fit in a 64-bit signed integer"),
        span,
    }
}

fn float_range(value: &str, span: Span) -> ParseError {
    ParseError {
        message: format!("float `{value}` is out of range"),
        span,
    }
}

/// Moves every span of a copy to the alias that made it: a finding about what a metric
/// takes from an anchor points into that metric, not at the anchor every copy shares.
fn relocate(node: &mut Node, at: Span) {
    node.span = at;
    match &mut node.kind {
        Kind::Table(entries) => {
            for e in entries {
                e.key_span = at;
                relocate(&mut e.value, at);
            }
        }
        Kind::Array(items) => items.iter_mut().for_each(|i| relocate(i, at)),
        _ => {}
    }
}

/// Bytes of text one budget unit stands for: a copied string costs what its bytes do, so
/// a megabyte scalar aliased a thousand times is stopped like a thousand nested aliases.
const TEXT_UNIT: usize = 32;

/// What copying `text` costs, in budget units.
fn text_cost(text: &str) -> usize {
    text.len() / TEXT_UNIT
}

/// What copying `node` costs in budget units (a node each, plus its keys' and strings'
/// text: see [`TEXT_UNIT`]), and the collections nested in it.
fn measure(node: &Node) -> (usize, usize) {
    match &node.kind {
        Kind::Table(entries) => entries.iter().fold((1, 1), |(n, h), e| {
            let (en, eh) = measure(&e.value);
            (n + en + text_cost(&e.key), h.max(eh + 1))
        }),
        Kind::Array(items) => items.iter().fold((1, 1), |(n, h), i| {
            let (inn, ih) = measure(i);
            (n + inn, h.max(ih + 1))
        }),
        Kind::Str(s) | Kind::Date(s) => (1 + text_cost(s), 0),
        _ => (1, 0),
    }
}

/// Whether `entries` already has `key`: a scan for small mappings, a set for large ones
/// (randomly keyed, so a crafted file can neither make the scan quadratic nor every key
/// collide).
fn is_repeated(
    entries: &[Entry],
    key: &str,
    seen: &mut Option<std::collections::HashSet<Box<str>>>,
) -> bool {
    const SCAN_BELOW: usize = 32;
    if entries.len() < SCAN_BELOW {
        return entries.iter().any(|e| &*e.key == key);
    }
    let seen = seen.get_or_insert_with(|| entries.iter().map(|e| e.key.clone()).collect());
    !seen.insert(key.into())
}

/// The first byte after the properties (`&anchor`, `!tag`, and the spaces, line breaks and
/// comments between them) that start at `at`.
fn skip_properties(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    loop {
        match bytes.get(at) {
            Some(b' ' | b'\t' | b'\r' | b'\n') => at += 1,
            Some(b'#') => {
                at += memchr::memchr(b'\n', &bytes[at..]).unwrap_or(bytes.len() - at);
            }
            Some(b'&' | b'!') => {
                at += bytes[at..]
                    .iter()
                    .position(|b| {
                        matches!(
                            b,
                            b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
                        )
                    })
                    .unwrap_or(bytes.len() - at);
            }
            _ => return at,
        }
    }
}

/// The end of the quoted scalar whose opening quote is at `at`.
fn closing_quote(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(at)?;
    let mut i = at + 1;
    match quote {
        b'\'' => loop {
            i += memchr::memchr(b'\'', &bytes[i..])?;
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
            } else {
                return Some(i + 1);
            }
        },
        b'"' => loop {
            i += memchr::memchr2(b'"', b'\\', &bytes[i..])?;
            if bytes[i] == b'\\' {
                i += 2;
            } else {
                return Some(i + 1);
            }
        },
        _ => None,
    }
}

/// Turns the parser's character indices into byte offsets: the same number for ASCII text,
/// else a cursor walked from the last index asked (events come in source order, so the walk
/// is linear in the text).
struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    fn byte(&mut self, chars: usize) -> usize {
        if self.ascii {
            return chars.min(self.text.len());
        }
        while self.chars < chars && self.bytes < self.text.len() {
            let c = self.text[self.bytes..]
                .chars()
                .next()
                .map_or(1, char::len_utf8);
            self.bytes += c;
            self.chars += 1;
        }
        while self.chars > chars {
            let c = self.text[..self.bytes]
                .chars()
                .next_back()
                .map_or(1, char::len_utf8);
            self.bytes -= c;
            self.chars -= 1;
        }
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'t>(text: &'t str, node: &Node) -> &'t str {
        &text[node.span.range()]
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let text = "a: true\nb: ~\nc:\nd: 12\ne: -0x1\nf: 0x1F\ng: 0o17\nh: 1.50\ni: .5\nj: 2.\nk: 1e3\nl: -.inf\nm: .nan\nn: 2027-01-31\no: yes\np: '12'\nq: \"true\"\nr: |\n  x\ns: 95%\nt: 1_000\nu: +7\nv: Null\nw: 012\n";
        let doc = parse(text).unwrap();
        let kind = |k: &str| doc.get(k).unwrap().kind.clone();
        assert_eq!(kind("a"), Kind::Bool(true));
        assert_eq!(kind("b"), Kind::Null);
        assert_eq!(kind("c"), Kind::Null);
        assert_eq!(kind("d"), Kind::Int(12));
        assert_eq!(kind("e"), Kind::Str("-0x1".into()));
        assert_eq!(kind("f"), Kind::Int(31));
        assert_eq!(kind("g"), Kind::Int(15));
        let h = doc.get("h").unwrap().as_num().unwrap();
        assert_eq!(h.exact().unwrap().to_string(), "1.50");
        assert_eq!(doc.get("i").unwrap().as_f64(), Some(0.5));
        assert_eq!(doc.get("j").unwrap().as_f64(), Some(2.0));
        assert_eq!(doc.get("k").unwrap().as_f64(), Some(1000.0));
        assert_eq!(doc.get("l").unwrap().as_f64(), Some(f64::NEG_INFINITY));
        assert!(doc.get("m").unwrap().as_f64().unwrap().is_nan());
        assert_eq!(kind("n"), Kind::Str("2027-01-31".into()));
        assert_eq!(kind("o"), Kind::Str("yes".into()));
        assert_eq!(kind("p"), Kind::Str("12".into()));
        assert_eq!(kind("q"), Kind::Str("true".into()));
        assert_eq!(kind("r"), Kind::Str("x\n".into()));
        assert_eq!(kind("s"), Kind::Str("95%".into()));
        assert_eq!(kind("t"), Kind::Str("1_000".into()));
        assert_eq!(kind("u"), Kind::Int(7));
        assert_eq!(kind("v"), Kind::Null);
        assert_eq!(kind("w"), Kind::Int(12));
    }

    #[test]
    fn spans_are_bytes_of_the_value_and_key() {
        let text = "é: &a 'x''y'  # c\nk: !!str \"q\\\"\" # d\nl: [1, {m: n}]\nblock: |\n  one\n\nnext: *a\n";
        let doc = parse(text).unwrap();
        assert_eq!(at(text, doc.get("é").unwrap()), "'x''y'");
        assert_eq!(doc.get("é").unwrap().as_str(), Some("x'y"));
        assert_eq!(&text[doc.entry("é").unwrap().key_span.range()], "é");
        assert_eq!(at(text, doc.get("k").unwrap()), "\"q\\\"\"");
        assert_eq!(at(text, doc.get("l").unwrap()), "[1, {m: n}]");
        assert_eq!(at(text, &doc.get("l").unwrap().items()[1]), "{m: n}");
        assert_eq!(at(text, doc.get("block").unwrap()), "one");
        assert_eq!(at(text, doc.get("next").unwrap()), "*a");
        assert_eq!(doc.get("next").unwrap().as_str(), Some("x'y"));
        let nested = "a:\n  b:\n    - c: 1\n      d: 2   \nz: 0\n";
        let doc = parse(nested).unwrap();
        assert_eq!(
            at(nested, doc.get("a").unwrap()),
            "b:\n    - c: 1\n      d: 2"
        );
    }

    #[test]
    fn aliases_copy_with_the_alias_span_on_top() {
        let text =
            "shared: &t {target: 95, warn: 90}\nm:\n  - thresholds: *t\n  - thresholds: *t\n";
        let doc = parse(text).unwrap();
        let second = doc.get("m").unwrap().items()[1].get("thresholds").unwrap();
        assert_eq!(at(text, second), "*t");
        assert_eq!(second.get("warn").unwrap().as_i64(), Some(90));
        // What the alias copies points at the alias; the anchored text keeps its own spans.
        assert_eq!(at(text, second.get("warn").unwrap()), "*t");
        assert_eq!(&text[second.entry("warn").unwrap().key_span.range()], "*t");
        let shared = doc.get("shared").unwrap();
        assert_eq!(at(text, shared.get("warn").unwrap()), "90");
    }

    #[test]
    fn billion_laughs_is_a_located_error() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (prev, name) in ('a'..='i').zip('b'..='j') {
            let refs = vec![format!("*{prev}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let started = std::time::Instant::now();
        let err = parse(&text).unwrap_err();
        assert!(started.elapsed().as_secs() < 1);
        assert!(err.message.contains("billion laughs"), "{err:?}");
        assert!(text[err.span.range()].starts_with('*') || text[err.span.range()].starts_with('['));
    }

    #[test]
    fn deep_nesting_is_an_error() {
        for text in [
            "[".repeat(10_000),
            (0..200).map(|i| " ".repeat(i) + "a:\n").collect(),
            "- ".repeat(10_000) + "x",
        ] {
            let err = parse(&text).unwrap_err();
            assert!(
                err.message.contains("nesting") || err.message.contains("recursion"),
                "{err:?}"
            );
        }
        // Aliases cannot nest deeper than the text does.
        let deep = format!(
            "a: &a {}{}\nb: {}*a{}\n",
            "[".repeat(40),
            "]".repeat(40),
            "[".repeat(40),
            "]".repeat(40)
        );
        assert!(parse(&deep).unwrap_err().message.contains("nesting"));
    }

    #[test]
    fn repeated_keys_are_errors_at_the_second() {
        let text = "id: a\nt: {x: 1}\nid: b\n";
        let err = parse(text).unwrap_err();
        assert_eq!(err.message, "duplicate key `id`");
        assert_eq!(err.span, Span::new(16, 18));
        let keys: Vec<String> = (0..100).map(|i| format!("k{i}: {i}")).collect();
        let big = format!("{}\nk42: 0\n", keys.join("\n"));
        assert_eq!(parse(&big).unwrap_err().message, "duplicate key `k42`");
    }

    #[test]
    fn syntax_errors_are_located() {
        for tabs in ["catalogue:\n\tid: x\n", "catalogue:\n  id: x\n\towner: y\n"] {
            let err = parse(tabs).unwrap_err();
            assert_eq!(&tabs[err.span.range()], "\t", "{err:?}");
        }
        let err = parse("a: [1, 2\n").unwrap_err();
        assert_eq!(err.span.start, 9, "{err:?}");
        let err = parse("a: *nope\n").unwrap_err();
        assert_eq!(err.span.start, 3, "{err:?}");
    }

    #[test]
    fn what_kpilint_does_not_read_is_an_error_only_in_its_files() {
        let stream = "catalogue:\n  id: a\n---\ncatalogue:\n  id: b\n";
        let err = parse(stream).unwrap_err();
        assert_eq!(&stream[err.span.range()], "---");
        let manifests = "kind: Service\n---\nkind: Deployment\n";
        assert_eq!(
            parse(manifests).unwrap().get("kind").unwrap().as_str(),
            Some("Service")
        );
        let cfn = "Resources:\n  B:\n    Name: !Ref X\n";
        assert!(parse(cfn).is_ok());
        let tagged = "catalogue:\n  id: !Ref X\n";
        let err = parse(tagged).unwrap_err();
        assert_eq!(&tagged[err.span.range()], "!Ref X");
        assert!(err.message.contains("`!Ref`"), "{err:?}");
        let merge = "base: &b {owner: x}\nmetric:\n  - <<: *b\n    id: m\n";
        let err = parse(merge).unwrap_err();
        assert_eq!(&merge[err.span.range()], "<<");
        let compose = "x: &x {a: 1}\nservice:\n  <<: *x\n";
        assert!(parse(compose).is_ok());
    }

    #[test]
    fn core_tags_are_honoured() {
        let doc = parse(
            "a: !!str 12\nb: !!int '7'\nc: !!float 1\nd: ! 12\ne: !<tag:yaml.org,2002:bool> true\n",
        )
        .unwrap();
        assert_eq!(doc.get("a").unwrap().as_str(), Some("12"));
        assert_eq!(doc.get("b").unwrap().as_i64(), Some(7));
        assert_eq!(
            doc.get("c").unwrap().kind,
            Kind::Float(Box::new(Num::parse("1.0").unwrap()))
        );
        assert_eq!(doc.get("d").unwrap().as_str(), Some("12"));
        assert_eq!(doc.get("e").unwrap().as_bool(), Some(true));
    }

    #[test]
    fn numbers_out_of_range_are_errors() {
        for text in [
            "a: 9223372036854775808",
            "a: 0x10000000000000000",
            "a: 1e400",
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(&text[err.span.range()], &text[3..], "{text}: {err:?}");
        }
    }

    #[test]
    fn empty_streams() {
        assert!(parse("# only a comment\n").unwrap().entries().is_empty());
        assert_eq!(parse("---\n").unwrap().kind, Kind::Null);
        assert_eq!(parse("hello").unwrap().as_str(), Some("hello"));
    }
}
