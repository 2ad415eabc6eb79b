//! Every rule kpilint knows: its stable name, code, default severity, documentation and
//! check.
//!
//! A rule lives in one file under `src/rules/`, named `<code>_<name>.rs`: a
//! [`declare_rule!`] block whose doc comment is the rule's documentation (what
//! `kpilint explain` prints and SARIF carries) and whose `check` names the function that
//! judges the facts of its stage, followed by that function and the rule's messages. The
//! [`registry!`] below is the only list of rules: it declares each rule's module and builds
//! [`ALL`], so a rule file left out of it is not compiled, and a test fails until it is
//! listed.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::diag::{Diagnostics, Severity};
use crate::diff::Delta;
use crate::settle::Waivers;

mod text;

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
            Self::Data => "data",
            Self::Diff => "diff",
        }
    }
}

/// What a rule judges, and the function that does.
#[derive(Clone, Copy)]
pub enum Check {
    /// Raised while files are read (`parse-error`, `schema`): the only rules without a
    /// check of their own.
    Loader,
    /// The validated model: policy, catalogues, frameworks.
    Model(fn(&Context<'_>, &mut Diagnostics)),
    /// The facts of the data files: series, rows, repeats.
    Data(fn(&DataFacts<'_>, &Context<'_>, &mut Diagnostics)),
    /// What exceptions waived once every other finding was settled.
    Waivers(fn(&Waivers<'_>, &mut Diagnostics)),
    /// The change between a base revision and the working tree.
    Diff(fn(&Delta<'_>, &mut Diagnostics)),
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Loader => "Loader",
            Self::Model(_) => "Model",
            Self::Data(_) => "Data",
            Self::Waivers(_) => "Waivers",
            Self::Diff(_) => "Diff",
        })
    }
}

/// One rule: the fixed facts about it and its check.
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
    pub check: Check,
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
        !matches!(self.check, Check::Loader)
    }

    /// Whether a live, approved exception can waive its findings: not the loader's, not
    /// those about exceptions themselves, and not those of `kpilint diff`, which are about
    /// one change and approved in its review.
    #[must_use]
    pub fn is_waivable(&self) -> bool {
        self.is_configurable() && !matches!(self.group, Group::Exceptions | Group::Diff)
    }
}

/// Declares a rule from its doc comment, clippy-style: `declare_rule! { /// docs...
/// pub static NAME = { code, name, group, severity, summary, check }; }`, where `check` is
/// `Loader` or a [`Check`] variant with the function, such as `Model(check)`.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            group: $group:ident,
            severity: $sev:ident,
            summary: $summary:literal,
            check: $kind:ident $(($check:path))? $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $ident: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            name: $name,
            group: $crate::rules::Group::$group,
            default_severity: $crate::diag::Severity::$sev,
            summary: $summary,
            docs: concat!($($doc, "\n",)*),
            check: $crate::rules::Check::$kind $(($check))?,
        };
    };
}

/// Declares each rule's module and lists its static in [`ALL`]: one line per rule.
macro_rules! registry {
    ($($module:ident :: $rule:ident),* $(,)?) => {
        $(
            mod $module;
            pub use $module::$rule;
        )*
        /// Every rule, in code order: the only list of rules.
        pub static ALL: &[&Rule] = &[$(&$rule),*];
        /// The module file of each rule in [`ALL`], for the test that every rule file is
        /// registered.
        #[cfg(test)]
        static FILES: &[&str] = &[$(stringify!($module)),*];
    };
}

registry! {
    kpi001_parse_error::PARSE_ERROR,
    kpi002_schema::SCHEMA,
    kpi003_duplicate_id::DUPLICATE_ID,
    kpi101_threshold_order::THRESHOLD_ORDER,
    kpi102_unit_domain::UNIT_DOMAIN,
    kpi103_unknown_control::UNKNOWN_CONTROL,
    kpi104_legacy_control::LEGACY_CONTROL,
    kpi105_noncanonical_control::NONCANONICAL_CONTROL,
    kpi106_invalid_pattern::INVALID_PATTERN,
    kpi107_unknown_kpi::UNKNOWN_KPI,
    kpi108_unknown_category::UNKNOWN_CATEGORY,
    kpi201_expired_exception::EXPIRED_EXCEPTION,
    kpi202_unapproved_exception::UNAPPROVED_EXCEPTION,
    kpi203_unused_exception::UNUSED_EXCEPTION,
    kpi301_vanity_metric::VANITY_METRIC,
    kpi302_missing_owner::MISSING_OWNER,
    kpi303_missing_threshold::MISSING_THRESHOLD,
    kpi304_board_kpi_limit::BOARD_KPI_LIMIT,
    kpi305_activity_metric_on_board::ACTIVITY_METRIC_ON_BOARD,
    kpi306_unmapped_kpi::UNMAPPED_KPI,
    kpi307_missing_required_kpi::MISSING_REQUIRED_KPI,
    kpi308_looser_than_policy::LOOSER_THAN_POLICY,
    kpi309_manual_source::MANUAL_SOURCE,
    kpi310_category_without_owner::CATEGORY_WITHOUT_OWNER,
    kpi311_hidden_from_leadership::HIDDEN_FROM_LEADERSHIP,
    kpi312_okr_not_time_bound::OKR_NOT_TIME_BOUND,
    kpi313_okr_overdue::OKR_OVERDUE,
    kpi314_missing_cadence::MISSING_CADENCE,
    kpi315_uncovered_control::UNCOVERED_CONTROL,
    kpi401_threshold_breach::THRESHOLD_BREACH,
    kpi402_threshold_warn::THRESHOLD_WARN,
    kpi403_negative_trend::NEGATIVE_TREND,
    kpi404_stale_data::STALE_DATA,
    kpi405_missing_data::MISSING_DATA,
    kpi406_unknown_metric_data::UNKNOWN_METRIC_DATA,
    kpi407_value_out_of_domain::VALUE_OUT_OF_DOMAIN,
    kpi408_manual_data::MANUAL_DATA,
    kpi409_malformed_row::MALFORMED_ROW,
    kpi410_duplicate_row::DUPLICATE_ROW,
    kpi501_threshold_loosened::THRESHOLD_LOOSENED,
    kpi502_kpi_removed::KPI_REMOVED,
    kpi503_coverage_regressed::COVERAGE_REGRESSED,
    kpi504_owner_removed::OWNER_REMOVED,
    kpi505_exception_added::EXCEPTION_ADDED,
    kpi506_policy_weakened::POLICY_WEAKENED,
}

/// Finds a rule by name or code (codes case-insensitively).
#[must_use]
pub fn find(name_or_code: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.name == name_or_code || r.code.eq_ignore_ascii_case(name_or_code))
}

/// Finds a rule by its name only, as policies and exceptions write it.
#[must_use]
pub fn by_name(name: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.name == name)
}

/// The closest rule name to a misspelt one, if any is close.
#[must_use]
pub fn suggest(name: &str) -> Option<&'static str> {
    crate::suggest::closest(name, ALL.iter().map(|r| r.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_and_codes_are_unique_and_well_formed() {
        let mut names = HashSet::new();
        let mut codes = HashSet::new();
        for r in ALL {
            assert!(names.insert(r.name), "duplicate name {}", r.name);
            assert!(codes.insert(r.code), "duplicate code {}", r.code);
            assert!(r.code.len() == 6 && r.code.starts_with("KPI"), "{}", r.code);
            assert!(
                r.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                r.name
            );
        }
        let mut sorted: Vec<_> = ALL.iter().map(|r| r.code).collect();
        sorted.sort_unstable();
        assert_eq!(sorted, ALL.iter().map(|r| r.code).collect::<Vec<_>>());
    }

    #[test]
    fn every_rule_file_is_registered_and_every_rule_but_the_loaders_checks() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/rules");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                let stem = name.strip_suffix(".rs")?;
                stem.starts_with("kpi").then(|| stem.to_owned())
            })
            .collect();
        files.sort();
        assert_eq!(files, FILES, "a rule file is missing from `registry!`");
        for r in ALL {
            let loader = matches!(r.check, Check::Loader);
            assert_eq!(
                loader,
                ["parse-error", "schema"].contains(&r.name),
                "{}: only `parse-error` and `schema` are raised by the loader",
                r.name
            );
            // The rule's code leads its file name: `kpi302_missing_owner`.
            let file = FILES[ALL.iter().position(|x| x.code == r.code).unwrap()];
            assert_eq!(
                file,
                format!("{}_{}", r.code.to_lowercase(), r.name.replace('-', "_")),
            );
        }
    }

    #[test]
    fn every_rule_documents_the_required_sections() {
        for r in ALL {
            let docs = r.docs();
            for section in ["## What it does", "## Why is this bad?", "## Example"] {
                assert!(docs.contains(section), "{} lacks `{section}`", r.name);
            }
        }
    }

    #[test]
    fn code_list_is_stable() {
        // Codes are public API: renumbering breaks users' configs and baselines.
        let list: Vec<String> = ALL
            .iter()
            .map(|r| format!("{} {} {}", r.code, r.name, r.default_severity.as_str()))
            .collect();
        insta::assert_snapshot!(list.join("\n"));
    }
}
