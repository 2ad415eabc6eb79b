//! What a rule is: its code, name, group, default severity and documentation. Every stage
//! names rules (a finding has one, a policy sets their levels), so this module depends on
//! nothing; the rules' checks, which read the facts of later stages, are in
//! [`crate::rules`], and so is the registry of them all.
//!
//! The loader's two rules live here, since every stage that reads a file raises them.

mod kpi001_parse_error;
mod kpi002_schema;

pub use kpi001_parse_error::PARSE_ERROR;
pub use kpi002_schema::SCHEMA;

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

/// Which part of the SPEC a rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// Reading and parsing files.
    Files,
    /// Policy content: thresholds, controls, references.
    Policy,
    /// Exceptions.
    Exceptions,
    /// Metric catalogues.
    Catalogue,
    /// Identity event registers.
    Events,
    /// Reported data.
    Data,
    /// A change between two revisions (`kpilint diff`).
    Diff,
}

impl Group {
    /// The lower-case name used in output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Files => "files",
            Self::Policy => "policy",
            Self::Exceptions => "exceptions",
            Self::Catalogue => "catalogue",
            Self::Events => "events",
            Self::Data => "data",
            Self::Diff => "diff",
        }
    }
}

/// What a rule judges: the stage whose facts its check reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Raised while files are read (`parse-error`, `schema`): the only rules without a
    /// check of their own.
    Loader,
    /// The validated model: policy, catalogues, frameworks.
    Model,
    /// The facts of the data files: series, rows, repeats.
    Data,
    /// What exceptions waived once every other finding was settled.
    Waivers,
    /// The change between a base revision and the working tree.
    Diff,
    /// The baseline file's entries that no finding matched (`--baseline`).
    Baseline,
}

/// One rule: the fixed facts about it. Its check, if it has one, is listed beside it in
/// [`crate::rules::CHECKS`].
#[derive(Debug)]
pub struct Rule {
    /// Short stable code, `KPI###`.
    pub code: &'static str,
    /// Stable kebab-case name: the public API used in policies, exceptions and output.
    pub name: &'static str,
    /// Which group of the SPEC it belongs to.
    pub group: Group,
    /// Severity when no policy says otherwise.
    pub default_severity: Severity,
    /// One line: what the rule checks.
    pub summary: &'static str,
    /// The full documentation, Markdown, from the rule's doc comment.
    pub docs: &'static str,
    /// What it judges.
    pub stage: Stage,
}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for Rule {}

impl Rule {
    /// The documentation with the one leading space of each doc-comment line removed.
    #[must_use]
    pub fn docs(&self) -> String {
        let mut out = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim_end().to_owned() + "\n"
    }

    /// Whether a policy may set the rule's level or waive it. A file kpilint cannot read,
    /// or a key it does not know, is always an error: switching that off would make a typo
    /// pass.
    #[must_use]
    pub fn is_configurable(&self) -> bool {
        self.stage != Stage::Loader
    }

    /// Whether a live, approved exception can waive its findings: not the loader's, not
    /// those about exceptions themselves, and not those of `kpilint diff`, which are about
    /// one change and approved in its review.
    #[must_use]
    pub fn is_waivable(&self) -> bool {
        self.is_configurable() && !matches!(self.group, Group::Exceptions | Group::Diff)
    }
}

/// Finds a rule of `all` by name or code (codes case-insensitively).
#[must_use]
pub fn find(all: &[&'static Rule], name_or_code: &str) -> Option<&'static Rule> {
    all.iter()
        .copied()
        .find(|r| r.name == name_or_code || r.code.eq_ignore_ascii_case(name_or_code))
}

/// Finds a rule of `all` by its name only, as policies and exceptions write it.
#[must_use]
pub fn by_name(all: &[&'static Rule], name: &str) -> Option<&'static Rule> {
    all.iter().copied().find(|r| r.name == name)
}

/// The closest rule name of `all` to a misspelt one, if any is close.
#[must_use]
pub fn suggest(all: &[&'static Rule], name: &str) -> Option<&'static str> {
    crate::suggest::closest(name, all.iter().map(|r| r.name))
}
