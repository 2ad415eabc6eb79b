//! Findings: what a rule reports, where, and how severe it ends up after the policy's
//! `[rules]` table and its exceptions have had their say.

use crate::rule::{Rule, Severity};
use crate::source::{FileId, Span};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// One piece of a [`Message`]: prose, or an identifier or value shown as code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Prose.
    Text(&'a str),
    /// An identifier, key or value as written: a code span in Markdown, backticks in text.
    Code(&'a str),
}

/// What a finding says, with its code spans kept apart from its prose, so that each
/// renderer formats them without re-reading the text: an identifier holding a backtick or
/// a `|` stays one code span. One text buffer and the byte ranges of its code spans, so a
/// message costs two allocations however many pieces it has, and one when it has at most
/// two code spans (most do: a report can hold a million messages).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    text: String,
    code: Spans,
}

/// The byte ranges of a message's code spans: two kept inline.
type Spans = smallvec::SmallVec<[(u32, u32); 2]>;

/// A value a [`msg!`] template takes: anything displayable (as the template's text or code
/// around it says), or another message (spliced in with its own code spans).
pub trait MsgArg {
    /// Appends the value to `out`: as prose, or inside the code span being written.
    fn put(&self, out: &mut Message, code: bool);
}

/// Longest argument a message quotes whole: input can hold a 20 MB metric id, and a
/// finding names it, not copies it.
pub const MAX_QUOTED: usize = 512;

impl<T: fmt::Display + ?Sized> MsgArg for T {
    fn put(&self, out: &mut Message, _code: bool) {
        use fmt::Write;
        let mut w = Bounded {
            out: &mut out.text,
            left: MAX_QUOTED,
            cut: 0,
        };
        let _ = write!(w, "{self}");
        if w.cut > 0 {
            let cut = w.cut;
            let _ = write!(out.text, "... ({cut} more bytes)");
        }
    }
}

/// Writes at most `left` bytes (on a character boundary) and counts the rest.
struct Bounded<'a> {
    out: &'a mut String,
    left: usize,
    cut: usize,
}

impl fmt::Write for Bounded<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if s.len() <= self.left {
            self.out.push_str(s);
            self.left -= s.len();
        } else {
            let mut end = self.left;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            self.out.push_str(&s[..end]);
            self.cut += s.len() - end;
            self.left = 0;
        }
        Ok(())
    }
}

impl MsgArg for Message {
    fn put(&self, out: &mut Message, code: bool) {
        if code {
            out.text.push_str(&self.plain());
        } else {
            out.append(self);
        }
    }
}

impl MsgArg for &Message {
    fn put(&self, out: &mut Message, code: bool) {
        (*self).put(out, code);
    }
}

impl Message {
    /// A message from a template of this crate's source: text between backticks is code,
    /// each `{}` takes the next argument (as code inside backticks), and `{{`, `}}` are
    /// braces. Only the template is read for backticks, never an argument.
    ///
    /// # Panics
    /// When the template has more `{}` than arguments: a bug, caught by the tests.
    #[must_use]
    pub fn format(template: &'static str, args: &[&dyn MsgArg]) -> Self {
        let mut out = Self {
            text: String::with_capacity(template.len() + 16 * args.len()),
            code: Spans::new(),
        };
        let mut code_from: Option<usize> = None;
        let mut args = args.iter();
        let mut rest = template;
        while let Some(at) = rest.find(['`', '{', '}']) {
            out.text.push_str(&rest[..at]);
            let tail = &rest[at..];
            if let Some(after) = tail.strip_prefix('`') {
                match code_from.take() {
                    Some(from) => out.close_code(from),
                    None => code_from = Some(out.text.len()),
                }
                rest = after;
            } else if let Some(after) = tail.strip_prefix("{}") {
                let arg = args.next().expect("a `{}` without its argument");
                arg.put(&mut out, code_from.is_some());
                rest = after;
            } else if tail.starts_with("{{") || tail.starts_with("}}") {
                out.text.push_str(&tail[..1]);
                rest = &tail[2..];
            } else {
                out.text.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
        out.text.push_str(rest);
        debug_assert!(code_from.is_none(), "an unclosed code span in {template:?}");
        debug_assert!(
            args.next().is_none(),
            "more arguments than `{{}}` in {template:?}"
        );
        // The capacity was a guess: a report can hold a million messages, and the allocator
        // gives back what the guess overshot without copying.
        out.text.shrink_to_fit();
        out.code.shrink_to_fit();
        out
    }

    fn close_code(&mut self, from: usize) {
        let to = self.text.len();
        self.code.push((offset(from), offset(to)));
    }

    /// Prose only.
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            code: Spans::new(),
        }
    }

    /// Appends prose.
    pub fn push_text(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Appends a code span.
    pub fn push_code(&mut self, code: &str) {
        let from = self.text.len();
        self.text.push_str(code);
        self.close_code(from);
    }

    /// Appends another message.
    pub fn append(&mut self, other: &Message) {
        let base = self.text.len();
        self.text.push_str(&other.text);
        self.code.extend(
            other
                .code
                .iter()
                .map(|&(a, b)| (offset(base + a as usize), offset(base + b as usize))),
        );
    }

    /// Code spans joined by `separator` (prose): `` `a`, `b` ``.
    #[must_use]
    pub fn ticked<S: AsRef<str>>(ids: impl IntoIterator<Item = S>, separator: &str) -> Self {
        let mut out = Self::default();
        for (i, id) in ids.into_iter().enumerate() {
            if i > 0 {
                out.push_text(separator);
            }
            out.push_code(id.as_ref());
        }
        out
    }

    /// The pieces, in order (empty prose between code spans left out).
    pub fn segments(&self) -> impl Iterator<Item = Segment<'_>> + '_ {
        let mut at = 0usize;
        let mut spans = self.code.iter();
        let mut pending: Option<Segment<'_>> = None;
        std::iter::from_fn(move || {
            if let Some(p) = pending.take() {
                return Some(p);
            }
            if let Some(&(a, b)) = spans.next() {
                let (a, b) = (a as usize, b as usize);
                let code = Segment::Code(&self.text[a..b]);
                let prose = &self.text[at..a];
                at = b;
                if prose.is_empty() {
                    return Some(code);
                }
                pending = Some(code);
                return Some(Segment::Text(prose));
            }
            (at < self.text.len()).then(|| {
                let prose = &self.text[at..];
                at = self.text.len();
                Segment::Text(prose)
            })
        })
    }

    /// Orders messages as their [`plain`](Self::plain) texts compare, without building them.
    #[must_use]
    pub fn cmp_plain(&self, other: &Self) -> std::cmp::Ordering {
        self.plain_bytes().cmp(other.plain_bytes())
    }

    fn plain_bytes(&self) -> impl Iterator<Item = u8> + '_ {
        self.segments().flat_map(|s| {
            let (tick, text) = match s {
                Segment::Text(t) => (None, t),
                Segment::Code(c) => (Some(b'`'), c),
            };
            tick.into_iter().chain(text.bytes()).chain(tick)
        })
    }

    /// Plain text: code between backticks, as the JSON report and terminals show it.
    #[must_use]
    pub fn plain(&self) -> String {
        self.display_plain().to_string()
    }

    /// The message with the TOML in its code spans written as YAML (`owner = "x"` as
    /// `owner: "x"`, inline tables as flow mappings), for a finding in a YAML file; `None`
    /// when no code span holds an assignment.
    #[must_use]
    pub fn as_yaml(&self) -> Option<Message> {
        let assigns = |s: &Segment<'_>| matches!(s, Segment::Code(c) if c.contains(" = "));
        if !self.segments().any(|s| assigns(&s)) {
            return None;
        }
        let mut out = Message::default();
        for s in self.segments() {
            match s {
                Segment::Text(t) => out.push_text(t),
                Segment::Code(c) => out.push_code(&c.replace(" = ", ": ")),
            }
        }
        Some(out)
    }

    /// [`Message::plain`], written where it is displayed rather than copied first.
    #[must_use]
    pub fn display_plain(&self) -> impl fmt::Display + '_ {
        struct P<'m>(&'m Message);
        impl fmt::Display for P<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for s in self.0.segments() {
                    match s {
                        Segment::Text(t) => f.write_str(t)?,
                        Segment::Code(c) => {
                            f.write_str("`")?;
                            f.write_str(c)?;
                            f.write_str("`")?;
                        }
                    }
                }
                Ok(())
            }
        }
        P(self)
    }
}

/// A byte offset into a message (messages stay far below 4 GiB; longer ones saturate).
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

impl From<&'static str> for Message {
    /// A fixed text of this crate's source, with its code between backticks.
    fn from(text: &'static str) -> Self {
        let mut out = Self::default();
        for (i, part) in text.split('`').enumerate() {
            if i % 2 == 1 {
                out.push_code(part);
            } else {
                out.push_text(part);
            }
        }
        out
    }
}

/// Builds a [`Message`] from a template and its arguments: `` msg!("metric `{}` has no
/// owner", id) ``. Backticks in the template mark code; arguments are never re-read.
macro_rules! msg {
    ($template:literal $(, $arg:expr)* $(,)?) => {
        $crate::diag::Message::format($template, &[$(&$arg as &dyn $crate::diag::MsgArg),*])
    };
}

/// Help for a misspelt name: "did you mean `hint`?" when a candidate is close, else
/// `otherwise`.
#[must_use]
pub fn did_you_mean(hint: Option<&str>, otherwise: impl Into<Message>) -> Message {
    match hint {
        Some(h) => msg!("did you mean `{}`?", h),
        None => otherwise.into(),
    }
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette diagnostics for a terminal.
    Human,
    /// The JSON contract (`kpilint schema report`).
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// `JUnit` XML.
    Junit,
    /// GitHub Actions workflow commands.
    Github,
    /// A Markdown summary for a pull-request comment.
    Markdown,
}

impl Format {
    /// Parses the name used on the command line and in kpilint.toml.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "human" => Self::Human,
            "json" => Self::Json,
            "sarif" => Self::Sarif,
            "junit" => Self::Junit,
            "github" => Self::Github,
            "markdown" => Self::Markdown,
            _ => return None,
        })
    }
}

/// The lowest severity that fails a run (exit code 1), or `never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Errors fail the run.
    Error,
    /// Warnings and errors fail the run.
    Warning,
    /// Nothing fails the run.
    Never,
}

impl FailOn {
    /// Parses `error`, `warning` or `never`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "error" => Self::Error,
            "warning" => Self::Warning,
            "never" => Self::Never,
            _ => return None,
        })
    }

    /// As `kpilint.toml` and `--fail-on` write it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Never => "never",
        }
    }

    /// The lowest severity that fails the run.
    #[must_use]
    pub fn threshold(self) -> Option<Severity> {
        match self {
            Self::Error => Some(Severity::Error),
            Self::Warning => Some(Severity::Warning),
            Self::Never => None,
        }
    }
}

/// A rule's configured level: a severity, or switched off. Ordered: `Off` below every
/// severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Not checked.
    Off,
    /// Reported at this severity.
    On(Severity),
}

impl Level {
    /// Parses `error`, `warning`, `info` or `off`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "error" => Self::On(Severity::Error),
            "warning" => Self::On(Severity::Warning),
            "info" => Self::On(Severity::Info),
            "off" => Self::Off,
            _ => return None,
        })
    }

    /// The name used in policies.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::On(s) => s.as_str(),
        }
    }
}

/// A place in a source file, with what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The file.
    pub file: FileId,
    /// The bytes it points at; in a streamed file (see `line`), the 0-based columns within
    /// the line, when known (empty: the line as a whole).
    pub span: Span,
    /// What is there (may be empty for the primary label).
    pub message: Cow<'static, str>,
    /// For files read as a stream (data files), whose text is not kept: the 1-based line.
    pub line: Option<u32>,
}

impl Label {
    /// A label without a message.
    #[must_use]
    pub fn at(file: FileId, span: Span) -> Self {
        Self {
            file,
            span,
            message: Cow::Borrowed(""),
            line: None,
        }
    }

    /// A label at a line of a streamed file.
    #[must_use]
    pub fn at_line(file: FileId, line: u64) -> Self {
        Self {
            file,
            span: Span::default(),
            message: Cow::Borrowed(""),
            line: Some(u32::try_from(line).unwrap_or(u32::MAX)),
        }
    }

    /// The same label of a streamed file, at 1-based `columns` (start, end) of its line.
    #[must_use]
    pub fn columns(mut self, columns: Option<(u32, u32)>) -> Self {
        if let Some((start, end)) = columns.filter(|_| self.line.is_some()) {
            self.span = Span::new(
                start.saturating_sub(1) as usize,
                end.max(start).saturating_sub(1) as usize,
            );
        }
        self
    }

    /// The 1-based column range of a streamed file's label, if known.
    #[must_use]
    pub fn line_columns(&self) -> Option<(u32, u32)> {
        (self.line.is_some() && self.span.end > self.span.start)
            .then(|| (self.span.start + 1, self.span.end + 1))
    }

    /// Position used for ordering: the line for streamed files, else the byte offset.
    #[must_use]
    pub fn sort_key(&self) -> u32 {
        self.line.unwrap_or(self.span.start)
    }

    /// The same label with a message.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<Cow<'static, str>>) -> Self {
        self.message = message.into();
        self
    }
}

/// What [`Finding::help`] takes: a fixed text of kpilint's own, or a message built for
/// the finding. A fixed text is built once per thread and shared: a rule that finds half a
/// million series past their warn threshold says the same help half a million times.
pub trait IntoHelp {
    /// The help, shared where it can be.
    fn into_help(self) -> Arc<Message>;
}

impl IntoHelp for &'static str {
    fn into_help(self) -> Arc<Message> {
        thread_local! {
            static FIXED: std::cell::RefCell<rustc_hash::FxHashMap<(usize, usize), Arc<Message>>> =
                std::cell::RefCell::default();
        }
        // Keyed by where the text is: each fixed text is one of this binary's constants.
        let key = (self.as_ptr() as usize, self.len());
        FIXED.with_borrow_mut(|fixed| {
            fixed
                .entry(key)
                .or_insert_with(|| Arc::new(Message::from(self)))
                .clone()
        })
    }
}

impl IntoHelp for Message {
    fn into_help(self) -> Arc<Message> {
        Arc::new(self)
    }
}

/// A finding's notes: rare, so a finding without any holds one null pointer, not an empty
/// vector's three words.
#[derive(Debug, Clone, Default)]
#[allow(clippy::box_collection)] // the point: one word, not three
pub struct Notes(Option<Box<Vec<Message>>>);

impl Notes {
    /// Adds a note.
    pub fn push(&mut self, note: Message) {
        self.0.get_or_insert_with(Box::default).push(note);
    }

    /// The notes, in the order they were added.
    #[must_use]
    pub fn as_slice(&self) -> &[Message] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    /// The notes, in the order they were added.
    pub fn iter(&self) -> std::slice::Iter<'_, Message> {
        self.as_slice().iter()
    }
}

impl<'a> IntoIterator for &'a Notes {
    type Item = &'a Message;
    type IntoIter = std::slice::Iter<'a, Message>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// One problem found by one rule.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule that found it.
    pub rule: &'static Rule,
    /// What is wrong: lower-case, no trailing period, identifiers as code.
    pub message: Message,
    /// What to do about it (a fixed text is shared by every finding that gives it).
    pub help: Option<Arc<Message>>,
    /// The id of the thing the finding is about (metric, KPI, exception...): what an
    /// exception's `subject` names.
    pub subject: Option<Box<str>>,
    /// The scope of the series a data finding is about, when it has one, and for a
    /// finding about one period's rows, `\u{1f}` and that period: part of the finding's
    /// fingerprint, so that a baselined breach in one scope never hides a new one in
    /// another scope of the same metric, nor a mended bad row a new one in another period.
    pub scope: Option<Box<str>>,
    /// Where.
    pub primary: Label,
    /// Related places, such as the policy line that set a threshold.
    pub secondary: Vec<Label>,
    /// Highest severity this finding can have, whatever the rule's level (an exception
    /// that is only about to expire is a warning even though expired ones are errors).
    pub cap: Option<Severity>,
    /// Final severity, set when the report is resolved.
    pub severity: Severity,
    /// The exception that waived it, if any.
    pub suppressed_by: Option<Box<Label>>,
    /// Extra notes, such as why an exception could not apply.
    pub notes: Notes,
    /// In `kpilint diff`: whether the change introduced it (`false`: the base revision has
    /// it too). `None` outside `diff`.
    pub introduced: Option<bool>,
    /// Recorded in the baseline file (`--baseline`): shown apart, never failing the run.
    pub baselined: bool,
}

mod pack;

/// The findings of one run, in the order rules produced them.
#[derive(Debug, Default)]
pub struct Diagnostics {
    /// Everything found so far (in a [`Diagnostics::packing`] one, the last only).
    pub findings: Vec<Finding>,
    /// The findings before the last, packed (see [`Diagnostics::packing`]).
    packed: Option<Box<pack::Packed>>,
}

impl Diagnostics {
    /// Records a finding of `rule` at `primary` and returns it for builder-style additions.
    ///
    /// # Panics
    /// Never: the finding was just pushed.
    pub fn push(
        &mut self,
        rule: &'static Rule,
        primary: Label,
        message: impl Into<Message>,
    ) -> &mut Finding {
        if let Some(packed) = &mut self.packed
            && let Some(last) = self.findings.pop()
        {
            packed.push(last);
        }
        self.findings.push(Finding {
            rule,
            message: message.into(),
            help: None,
            subject: None,
            scope: None,
            primary,
            secondary: Vec::new(),
            cap: None,
            severity: Severity::Error,
            suppressed_by: None,
            introduced: None,
            baselined: false,
            notes: Notes::default(),
        });
        self.findings.last_mut().expect("just pushed")
    }

    /// An empty set that keeps its findings packed into bytes, each as soon as the next
    /// is pushed, until [`Diagnostics::extend`] moves them into another set: for the data
    /// rules, whose findings (one per series of a million, possibly) would otherwise be
    /// held in full form while the facts of every series still are. Its `findings` hold
    /// the last one pushed only.
    #[must_use]
    pub fn packing() -> Self {
        Self {
            findings: Vec::new(),
            packed: Some(Box::default()),
        }
    }

    /// How many findings it holds, packed or not.
    #[must_use]
    pub fn len(&self) -> usize {
        self.findings.len() + self.packed.as_ref().map_or(0, |p| p.len())
    }

    /// Whether it holds none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Moves another set of findings into this one, unpacking them if they are packed.
    pub fn extend(&mut self, other: Diagnostics) {
        debug_assert!(self.packed.is_none(), "findings extend a set that packs");
        let Diagnostics { findings, packed } = other;
        match packed {
            None => self.findings.extend(findings),
            Some(mut packed) => {
                for f in findings {
                    packed.push(f);
                }
                packed.unpack(&mut self.findings);
            }
        }
    }
}

impl Finding {
    /// Whether it counts: neither waived by an exception nor baselined.
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.suppressed_by.is_none() && !self.baselined
    }

    /// Sets the help text.
    pub fn help(&mut self, help: impl IntoHelp) -> &mut Self {
        self.help = Some(help.into_help());
        self
    }

    /// Sets the subject.
    pub fn subject(&mut self, subject: impl Into<String>) -> &mut Self {
        self.subject = Some(subject.into().into_boxed_str());
        self
    }

    /// Sets the scope of the series the finding is about (an empty scope is none).
    pub fn scope(&mut self, scope: &str) -> &mut Self {
        self.scope = (!scope.is_empty()).then(|| scope.into());
        self
    }

    /// Marks the finding as about the rows of one period (of its scope, set before, if
    /// any): see [`Finding::scope`].
    pub fn period(&mut self, period: impl fmt::Display) -> &mut Self {
        use fmt::Write;
        let mut key = self.scope.take().map(String::from).unwrap_or_default();
        let _ = write!(key, "\u{1f}{period}");
        self.scope = Some(key.into_boxed_str());
        self
    }

    /// Adds a secondary label.
    pub fn label(&mut self, label: Label) -> &mut Self {
        // Most findings have one related place: room for four (a `Vec`'s first growth) is
        // 150 bytes wasted on each of what can be a million.
        self.secondary.reserve_exact(1);
        self.secondary.push(label);
        self
    }

    /// Caps the severity.
    pub fn cap(&mut self, cap: Severity) -> &mut Self {
        self.cap = Some(cap);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_keep_arguments_apart_from_their_code_spans() {
        let m = msg!("metric `{}` has {} rows (`{{x}}`)", "a`b", 3);
        assert_eq!(
            m.segments().collect::<Vec<_>>(),
            [
                Segment::Text("metric "),
                Segment::Code("a`b"),
                Segment::Text(" has 3 rows ("),
                Segment::Code("{x}"),
                Segment::Text(")"),
            ]
        );
        assert_eq!(m.plain(), "metric `a`b` has 3 rows (`{x}`)");
        let inner = msg!("`{}`", "k");
        assert_eq!(msg!("KPI {} is gone", inner).plain(), "KPI `k` is gone");
        assert_eq!(
            Message::from("add `owner = \"x\"`")
                .segments()
                .collect::<Vec<_>>(),
            [Segment::Text("add "), Segment::Code("owner = \"x\"")]
        );
    }
}

#[cfg(test)]
mod size {
    /// Data rules can report a million findings: what is rare (a waiver, a help text)
    /// stays behind a pointer, so the common finding stays small.
    #[test]
    fn a_finding_stays_small() {
        let size = std::mem::size_of::<super::Finding>();
        assert!(size <= 192, "Finding is {size} bytes");
    }

    /// What a finding holds on the heap is sized to it: a threshold finding (two code
    /// spans, one related place) allocates no span list and room for one label, not four.
    #[test]
    fn a_finding_holds_what_it_says_and_no_more() {
        use super::{Diagnostics, Label};
        use crate::source::{FileId, Span};
        let mut out = Diagnostics::default();
        out.push(
            &crate::rules::THRESHOLD_WARN,
            Label::at(FileId(0), Span::default()),
            msg!("`{}` (scope `{}`) is past its warn threshold", "m", "s"),
        )
        .label(Label::at(FileId(1), Span::default()).with_message("warn threshold"));
        let f = &out.findings[0];
        assert_eq!(f.message.code.len(), 2);
        assert!(!f.message.code.spilled(), "two code spans stay inline");
        assert_eq!(f.secondary.capacity(), 1);
    }
}
