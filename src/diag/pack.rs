//! Findings packed into bytes while what they are about is still in memory.
//!
//! The data rules can report a finding for each of a million series while the facts of
//! every series are held: a threshold finding is about 380 bytes in full form (the struct,
//! its message, subject, scope and label, each its own allocation) and about 130 packed
//! (its text and a few small numbers), about 22 once its block is compressed (585,310
//! findings of the million-series benchmark: 74 MB packed, 12.6 MB compressed). [`Diagnostics::packing`](super::Diagnostics::packing)
//! packs each finding as the next one is pushed; the findings are unpacked, block by block,
//! once the facts are gone, so the full findings and the facts are never in memory at once.
//!
//! A full block is compressed (LZ4: the findings of one rule repeat their template's text
//! and their ids, so a block shrinks about sixfold, at a few hundred megabytes a second).
//!
//! What bytes cannot hold (a rule, a fixed label text, a shared help text) is kept by
//! index. A finding with what only settlement sets (a waiver, a baseline or `diff` mark)
//! is kept whole: packing happens before settlement, so none is expected.

use super::{Finding, Label, Message, Notes, Spans};
use crate::rule::{Rule, Severity};
use crate::source::{FileId, Span};
use std::borrow::Cow;
use std::sync::Arc;

/// Bytes per block before compression: small enough that a block unpacked and freed is
/// memory the findings it becomes reuse, large enough that a block holds hundreds of
/// findings and compresses well.
const BLOCK: usize = 64 * 1024;

/// How far back an index looks for a rule, label text or help text it already holds:
/// rules push their findings one rule at a time, so the one needed is nearly always the
/// last; a help text built for one finding is never found again, and a search of every
/// one would make packing quadratic.
const LOOK_BACK: usize = 8;

/// Findings as bytes, in the order they were pushed.
#[derive(Debug, Default)]
pub(super) struct Packed {
    /// Full blocks, compressed.
    blocks: Vec<Box<[u8]>>,
    /// The block being filled.
    open: Vec<u8>,
    count: usize,
    rules: Vec<&'static Rule>,
    texts: Vec<&'static str>,
    helps: Vec<Arc<Message>>,
    whole: Vec<Finding>,
}

/// A record's first byte.
const PACKED: u8 = 0;
const WHOLE: u8 = 1;

impl Packed {
    /// How many findings it holds.
    pub(super) fn len(&self) -> usize {
        self.count
    }

    /// Packs a finding after those already packed.
    pub(super) fn push(&mut self, f: Finding) {
        self.count += 1;
        if self.open.len() >= BLOCK {
            self.blocks
                .push(lz4_flex::block::compress_prepend_size(&self.open).into_boxed_slice());
            self.open.clear();
        }
        let mut buf = std::mem::take(&mut self.open);
        if f.suppressed_by.is_some() || f.introduced.is_some() || f.baselined {
            buf.push(WHOLE);
            self.whole.push(f);
        } else {
            buf.push(PACKED);
            self.write(&mut buf, &f);
        }
        self.open = buf;
    }

    fn write(&mut self, buf: &mut Vec<u8>, f: &Finding) {
        let rule = index(&mut self.rules, f.rule, |a, b| std::ptr::eq(*a, *b));
        put(buf, rule);
        buf.push(severity_byte(Some(f.severity)));
        buf.push(severity_byte(f.cap));
        put_message(buf, &f.message);
        match &f.help {
            Some(h) => put(buf, 1 + index(&mut self.helps, h.clone(), Arc::ptr_eq)),
            None => put(buf, 0),
        }
        put_opt_str(buf, f.subject.as_deref());
        put_opt_str(buf, f.scope.as_deref());
        self.put_label(buf, &f.primary);
        put(buf, f.secondary.len() as u64);
        for l in &f.secondary {
            self.put_label(buf, l);
        }
        let notes = f.notes.as_slice();
        put(buf, notes.len() as u64);
        for n in notes {
            put_message(buf, n);
        }
    }

    fn put_label(&mut self, buf: &mut Vec<u8>, l: &Label) {
        put(buf, u64::from(l.file.0));
        put(buf, u64::from(l.span.start));
        put(buf, u64::from(l.span.end));
        put(buf, l.line.map_or(0, |n| u64::from(n) + 1));
        // A fixed text by index (even), an owned one by length (odd) and its bytes.
        match &l.message {
            Cow::Borrowed(text) => {
                let i = index(&mut self.texts, text, |a, b| {
                    a.as_ptr() == b.as_ptr() && a.len() == b.len()
                });
                put(buf, i * 2);
            }
            Cow::Owned(text) => {
                put(buf, text.len() as u64 * 2 + 1);
                buf.extend_from_slice(text.as_bytes());
            }
        }
    }

    /// Appends the findings to `out`, in the order they were pushed, freeing each block
    /// as soon as it is read.
    ///
    /// # Panics
    /// If a block this process compressed does not decompress: memory is corrupt, and a
    /// gate that lost findings would pass what it should fail.
    pub(super) fn unpack(self, out: &mut Vec<Finding>) {
        out.reserve_exact(self.count);
        let mut whole = self.whole.into_iter();
        let blocks = self.blocks.into_iter().map(|b| {
            lz4_flex::block::decompress_size_prepended(&b)
                .expect("a block this process compressed decompresses")
        });
        for block in blocks.chain([self.open]) {
            let mut r = Reader { b: &block, at: 0 };
            while r.at < block.len() {
                let f = if r.byte() == WHOLE {
                    whole.next()
                } else {
                    r.finding(&self.rules, &self.texts, &self.helps)
                };
                // Either is always there: the bytes are this module's own.
                out.extend(f);
            }
        }
    }
}

/// The index of `item` in `list`, looking at the last few entries only; added if absent.
fn index<T>(list: &mut Vec<T>, item: T, same: impl Fn(&T, &T) -> bool) -> u64 {
    let from = list.len().saturating_sub(LOOK_BACK);
    let i = match list[from..].iter().rposition(|x| same(x, &item)) {
        Some(i) => from + i,
        None => {
            list.push(item);
            list.len() - 1
        }
    };
    i as u64
}

fn severity_byte(s: Option<Severity>) -> u8 {
    match s {
        None => 0,
        Some(Severity::Info) => 1,
        Some(Severity::Warning) => 2,
        Some(Severity::Error) => 3,
    }
}

fn severity_of(b: u8) -> Option<Severity> {
    match b {
        1 => Some(Severity::Info),
        2 => Some(Severity::Warning),
        3 => Some(Severity::Error),
        _ => None,
    }
}

/// LEB128: seven bits a byte, small numbers in one.
fn put(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push(low7(v) | 0x80);
        v >>= 7;
    }
    buf.push(low7(v));
}

fn low7(v: u64) -> u8 {
    u8::try_from(v & 0x7f).unwrap_or_default()
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    put(buf, s.len() as u64);
    buf.extend_from_slice(s.as_bytes());
}

/// `None` as 0, a string as its length plus one and its bytes.
fn put_opt_str(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => put(buf, 0),
        Some(s) => {
            put(buf, s.len() as u64 + 1);
            buf.extend_from_slice(s.as_bytes());
        }
    }
}

fn put_message(buf: &mut Vec<u8>, m: &Message) {
    put_str(buf, &m.text);
    put(buf, m.code.len() as u64);
    for &(a, b) in &m.code {
        put(buf, u64::from(a));
        put(buf, u64::from(b));
    }
}

/// Reads records this module wrote.
struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.b.get(self.at).copied().unwrap_or_default();
        self.at += 1;
        b
    }

    fn num(&mut self) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift.min(63);
            if b & 0x80 == 0 || self.at >= self.b.len() {
                return v;
            }
            shift += 7;
        }
    }

    fn u32(&mut self) -> u32 {
        u32::try_from(self.num()).unwrap_or(u32::MAX)
    }

    fn bytes(&mut self, len: u64) -> String {
        let end = self
            .at
            .saturating_add(usize::try_from(len).unwrap_or(usize::MAX))
            .min(self.b.len());
        let bytes = &self.b[self.at.min(end)..end];
        self.at = end;
        String::from_utf8_lossy(bytes).into_owned()
    }

    fn message(&mut self) -> Message {
        let len = self.num();
        let text = self.bytes(len);
        let n = self.num();
        let code: Spans = (0..n).map(|_| (self.u32(), self.u32())).collect();
        Message { text, code }
    }

    fn opt_str(&mut self) -> Option<Box<str>> {
        match self.num() {
            0 => None,
            n => Some(self.bytes(n - 1).into_boxed_str()),
        }
    }

    fn label(&mut self, texts: &[&'static str]) -> Label {
        let file = FileId(self.u32());
        let span = Span {
            start: self.u32(),
            end: self.u32(),
        };
        let line = self
            .num()
            .checked_sub(1)
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX));
        let m = self.num();
        let message = if m.is_multiple_of(2) {
            Cow::Borrowed(
                usize::try_from(m / 2)
                    .ok()
                    .and_then(|i| texts.get(i))
                    .copied()
                    .unwrap_or_default(),
            )
        } else {
            Cow::Owned(self.bytes(m / 2))
        };
        Label {
            file,
            span,
            message,
            line,
        }
    }

    fn finding(
        &mut self,
        rules: &[&'static Rule],
        texts: &[&'static str],
        helps: &[Arc<Message>],
    ) -> Option<Finding> {
        let rule = *usize::try_from(self.num())
            .ok()
            .and_then(|i| rules.get(i))?;
        let severity = severity_of(self.byte()).unwrap_or(Severity::Error);
        let cap = severity_of(self.byte());
        let message = self.message();
        let help = match self.num() {
            0 => None,
            n => usize::try_from(n - 1)
                .ok()
                .and_then(|i| helps.get(i))
                .cloned(),
        };
        let subject = self.opt_str();
        let scope = self.opt_str();
        let primary = self.label(texts);
        let n = self.num();
        let mut secondary = Vec::with_capacity(usize::try_from(n).unwrap_or_default().min(16));
        for _ in 0..n {
            secondary.push(self.label(texts));
        }
        let mut notes = Notes::default();
        for _ in 0..self.num() {
            notes.push(self.message());
        }
        Some(Finding {
            rule,
            message,
            help,
            subject,
            scope,
            primary,
            secondary,
            cap,
            severity,
            suppressed_by: None,
            notes,
            introduced: None,
            baselined: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Diagnostics, Label, Message};
    use crate::rule::Severity;
    use crate::source::{FileId, Span};

    /// The same findings pushed into `out`: every field set somewhere, fixed and built
    /// texts, a waived one among them, and a subject longer than a block.
    fn push_all(out: &mut Diagnostics) {
        let long = "x".repeat(100_000);
        for i in 0..3000u32 {
            let f = out.push(
                if i % 2 == 0 {
                    &crate::rules::THRESHOLD_WARN
                } else {
                    &crate::rules::NEGATIVE_TREND
                },
                Label::at_line(FileId(i % 3), u64::from(i) * 1000).columns(Some((2, 9))),
                msg!("`{}` (scope `{}`) is {} in é", format!("m{i}"), "s", i),
            );
            f.subject(format!("m{i}"))
                .scope(if i % 5 == 0 { "" } else { "team" });
            if i % 3 == 0 {
                f.help("a fixed help");
            } else if i % 7 == 0 {
                f.help(msg!("built for `{}`", i));
            }
            if i % 4 == 0 {
                f.label(
                    Label::at(
                        FileId(9),
                        Span {
                            start: i,
                            end: i + 4,
                        },
                    )
                    .with_message("warn threshold"),
                );
                f.label(Label::at_line(FileId(8), 7).with_message(format!("owned {i}")));
            }
            if i % 11 == 0 {
                f.cap(Severity::Info);
                f.notes.push(Message::text("a note"));
                f.notes.push(msg!("and `{}`", "code"));
            }
            if i == 1234 {
                f.suppressed_by = Some(Box::new(Label::at(FileId(1), Span::default())));
                f.subject(long.clone());
            }
            if i == 2000 {
                f.subject(long.clone());
            }
            if i == 2001 {
                f.label(Label::at_line(FileId(7), u64::from(u32::MAX)));
            }
        }
    }

    #[test]
    fn findings_come_back_as_they_were_pushed() {
        let mut whole = Diagnostics::default();
        push_all(&mut whole);
        let mut packing = Diagnostics::packing();
        push_all(&mut packing);
        assert_eq!(packing.findings.len(), 1, "all but the last are packed");
        assert_eq!(packing.len(), 3000);
        let mut out = Diagnostics::default();
        out.extend(packing);
        assert_eq!(out.findings.len(), whole.findings.len());
        for (a, b) in out.findings.iter().zip(&whole.findings) {
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
            assert!(std::ptr::eq(a.rule, b.rule));
        }
        // A fixed help is shared, not copied: a million findings hold one.
        let helps: Vec<_> = out
            .findings
            .iter()
            .filter_map(|f| f.help.as_ref())
            .collect();
        assert!(
            helps
                .iter()
                .filter(|h| h.plain() == "a fixed help")
                .all(|h| std::sync::Arc::ptr_eq(h, helps[0]))
        );
    }
}
