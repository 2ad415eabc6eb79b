//! Findings: what a rule reports, where, and how severe it ends up after the policy's
//! `[rules]` table and its exceptions have had their say.

use crate::rules::RuleMeta;
use crate::source::{FileId, Span};
use serde::Serialize;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run by default.
    Info,
    /// Should be fixed.
    Warning,
    /// Must be fixed.
    Error,
}

impl Severity {
    /// The lower-case name used in policies and output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
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
    /// The bytes it points at.
    pub span: Span,
    /// What is there (may be empty for the primary label).
    pub message: String,
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
            message: String::new(),
            line: None,
        }
    }

    /// A label at a line of a streamed file.
    #[must_use]
    pub fn at_line(file: FileId, line: u64) -> Self {
        Self {
            file,
            span: Span::default(),
            message: String::new(),
            line: Some(u32::try_from(line).unwrap_or(u32::MAX)),
        }
    }

    /// Position used for ordering: the line for streamed files, else the byte offset.
    #[must_use]
    pub fn sort_key(&self) -> u32 {
        self.line.unwrap_or(self.span.start)
    }

    /// The same label with a message.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }
}

/// One problem found by one rule.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule that found it.
    pub rule: &'static RuleMeta,
    /// What is wrong: lower-case, no trailing period, identifiers in backticks.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The id of the thing the finding is about (metric, KPI, exception...): what an
    /// exception's `subject` names.
    pub subject: Option<String>,
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
    pub suppressed_by: Option<Label>,
    /// Extra notes, such as why an exception could not apply.
    pub notes: Vec<String>,
}

/// The findings of one run, in the order rules produced them.
#[derive(Debug, Default)]
pub struct Diagnostics {
    /// Everything found so far.
    pub findings: Vec<Finding>,
}

impl Diagnostics {
    /// Records a finding of `rule` at `primary` and returns it for builder-style additions.
    pub fn push(
        &mut self,
        rule: &'static RuleMeta,
        primary: Label,
        message: impl Into<String>,
    ) -> &mut Finding {
        self.findings.push(Finding {
            rule,
            message: message.into(),
            help: None,
            subject: None,
            primary,
            secondary: Vec::new(),
            cap: None,
            severity: Severity::Error,
            suppressed_by: None,
            notes: Vec::new(),
        });
        self.findings.last_mut().expect("just pushed")
    }

    /// Moves another set of findings into this one.
    pub fn extend(&mut self, other: Diagnostics) {
        self.findings.extend(other.findings);
    }
}

impl Finding {
    /// Sets the help text.
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the subject.
    pub fn subject(&mut self, subject: impl Into<String>) -> &mut Self {
        self.subject = Some(subject.into());
        self
    }

    /// Adds a secondary label.
    pub fn label(&mut self, label: Label) -> &mut Self {
        self.secondary.push(label);
        self
    }

    /// Caps the severity.
    pub fn cap(&mut self, cap: Severity) -> &mut Self {
        self.cap = Some(cap);
        self
    }
}
