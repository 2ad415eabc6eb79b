//! Every rule kpilint knows: its stable name, code, default severity and documentation.
//!
//! A rule lives in one file under `src/rules/`, named `<code>_<name>.rs`: a
//! [`declare_rule!`] block whose doc comment is the rule's documentation (what
//! `kpilint explain` prints and SARIF carries), followed by the check itself where the
//! check stands alone. Rules that fall out of loading (parse and schema errors, control
//! references) are raised where the input is read, naming the rule's constant.
//! [`ALL`] lists every rule, in code order; it is the only registry.

use crate::diag::Severity;

/// The fixed facts about one rule.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleMeta {
    /// Short stable code, `KPI###`.
    pub code: &'static str,
    /// Stable kebab-case name: the public API used in policies, exceptions and output.
    pub name: &'static str,
    /// Which group of the SPEC it belongs to.
    pub group: &'static str,
    /// Severity when no policy says otherwise.
    pub default_severity: Severity,
    /// One line: what the rule checks.
    pub summary: &'static str,
    /// The full documentation, Markdown, from the rule's doc comment.
    pub docs: &'static str,
}

impl RuleMeta {
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
}

/// Declares a rule's metadata from its doc comment, clippy-style:
/// `declare_rule! { /// docs... pub static NAME = { code, name, group, severity, summary }; }`.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            group: $group:literal,
            severity: $sev:ident,
            summary: $summary:literal $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $ident: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            code: $code,
            name: $name,
            group: $group,
            default_severity: $crate::diag::Severity::$sev,
            summary: $summary,
            docs: concat!($($doc, "\n",)*),
        };
    };
}

pub mod kpi001_parse_error;
pub mod kpi002_schema;
pub mod kpi003_duplicate_id;
pub mod kpi101_threshold_order;
pub mod kpi102_unit_domain;
pub mod kpi103_unknown_control;
pub mod kpi104_legacy_control;
pub mod kpi105_noncanonical_control;
pub mod kpi106_invalid_pattern;
pub mod kpi107_unknown_kpi;
pub mod kpi108_unknown_category;
pub mod kpi201_expired_exception;
pub mod kpi202_unapproved_exception;
pub mod kpi203_unused_exception;
pub mod kpi301_vanity_metric;
pub mod kpi302_missing_owner;
pub mod kpi303_missing_threshold;
pub mod kpi304_board_kpi_limit;
pub mod kpi305_activity_metric_on_board;
pub mod kpi306_unmapped_kpi;
pub mod kpi307_missing_required_kpi;
pub mod kpi308_looser_than_policy;
pub mod kpi309_manual_source;
pub mod kpi310_category_without_owner;
pub mod kpi311_hidden_from_leadership;
pub mod kpi312_okr_not_time_bound;
pub mod kpi313_okr_overdue;
pub mod kpi314_missing_cadence;
pub mod kpi315_uncovered_control;
pub mod kpi401_threshold_breach;
pub mod kpi402_threshold_warn;
pub mod kpi403_negative_trend;
pub mod kpi404_stale_data;
pub mod kpi405_missing_data;
pub mod kpi406_unknown_metric_data;
pub mod kpi407_value_out_of_domain;
pub mod kpi408_manual_data;
pub mod kpi409_malformed_row;
pub mod kpi410_duplicate_row;
pub mod kpi501_threshold_loosened;
pub mod kpi502_kpi_removed;
pub mod kpi503_coverage_regressed;
pub mod kpi504_owner_removed;
pub mod kpi505_exception_added;
pub mod kpi506_policy_weakened;

pub use kpi001_parse_error::PARSE_ERROR;
pub use kpi002_schema::SCHEMA;
pub use kpi003_duplicate_id::DUPLICATE_ID;
pub use kpi101_threshold_order::THRESHOLD_ORDER;
pub use kpi102_unit_domain::UNIT_DOMAIN;
pub use kpi103_unknown_control::UNKNOWN_CONTROL;
pub use kpi104_legacy_control::LEGACY_CONTROL;
pub use kpi105_noncanonical_control::NONCANONICAL_CONTROL;
pub use kpi106_invalid_pattern::INVALID_PATTERN;
pub use kpi107_unknown_kpi::UNKNOWN_KPI;
pub use kpi108_unknown_category::UNKNOWN_CATEGORY;
pub use kpi201_expired_exception::EXPIRED_EXCEPTION;
pub use kpi202_unapproved_exception::UNAPPROVED_EXCEPTION;
pub use kpi203_unused_exception::UNUSED_EXCEPTION;
pub use kpi301_vanity_metric::VANITY_METRIC;
pub use kpi302_missing_owner::MISSING_OWNER;
pub use kpi303_missing_threshold::MISSING_THRESHOLD;
pub use kpi304_board_kpi_limit::BOARD_KPI_LIMIT;
pub use kpi305_activity_metric_on_board::ACTIVITY_METRIC_ON_BOARD;
pub use kpi306_unmapped_kpi::UNMAPPED_KPI;
pub use kpi307_missing_required_kpi::MISSING_REQUIRED_KPI;
pub use kpi308_looser_than_policy::LOOSER_THAN_POLICY;
pub use kpi309_manual_source::MANUAL_SOURCE;
pub use kpi310_category_without_owner::CATEGORY_WITHOUT_OWNER;
pub use kpi311_hidden_from_leadership::HIDDEN_FROM_LEADERSHIP;
pub use kpi312_okr_not_time_bound::OKR_NOT_TIME_BOUND;
pub use kpi313_okr_overdue::OKR_OVERDUE;
pub use kpi314_missing_cadence::MISSING_CADENCE;
pub use kpi315_uncovered_control::UNCOVERED_CONTROL;
pub use kpi401_threshold_breach::THRESHOLD_BREACH;
pub use kpi402_threshold_warn::THRESHOLD_WARN;
pub use kpi403_negative_trend::NEGATIVE_TREND;
pub use kpi404_stale_data::STALE_DATA;
pub use kpi405_missing_data::MISSING_DATA;
pub use kpi406_unknown_metric_data::UNKNOWN_METRIC_DATA;
pub use kpi407_value_out_of_domain::VALUE_OUT_OF_DOMAIN;
pub use kpi408_manual_data::MANUAL_DATA;
pub use kpi409_malformed_row::MALFORMED_ROW;
pub use kpi410_duplicate_row::DUPLICATE_ROW;
pub use kpi501_threshold_loosened::THRESHOLD_LOOSENED;
pub use kpi502_kpi_removed::KPI_REMOVED;
pub use kpi503_coverage_regressed::COVERAGE_REGRESSED;
pub use kpi504_owner_removed::OWNER_REMOVED;
pub use kpi505_exception_added::EXCEPTION_ADDED;
pub use kpi506_policy_weakened::POLICY_WEAKENED;

/// Every rule, in code order.
pub static ALL: &[&RuleMeta] = &[
    &PARSE_ERROR,
    &SCHEMA,
    &DUPLICATE_ID,
    &THRESHOLD_ORDER,
    &UNIT_DOMAIN,
    &UNKNOWN_CONTROL,
    &LEGACY_CONTROL,
    &NONCANONICAL_CONTROL,
    &INVALID_PATTERN,
    &UNKNOWN_KPI,
    &UNKNOWN_CATEGORY,
    &EXPIRED_EXCEPTION,
    &UNAPPROVED_EXCEPTION,
    &UNUSED_EXCEPTION,
    &VANITY_METRIC,
    &MISSING_OWNER,
    &MISSING_THRESHOLD,
    &BOARD_KPI_LIMIT,
    &ACTIVITY_METRIC_ON_BOARD,
    &UNMAPPED_KPI,
    &MISSING_REQUIRED_KPI,
    &LOOSER_THAN_POLICY,
    &MANUAL_SOURCE,
    &CATEGORY_WITHOUT_OWNER,
    &HIDDEN_FROM_LEADERSHIP,
    &OKR_NOT_TIME_BOUND,
    &OKR_OVERDUE,
    &MISSING_CADENCE,
    &UNCOVERED_CONTROL,
    &THRESHOLD_BREACH,
    &THRESHOLD_WARN,
    &NEGATIVE_TREND,
    &STALE_DATA,
    &MISSING_DATA,
    &UNKNOWN_METRIC_DATA,
    &VALUE_OUT_OF_DOMAIN,
    &MANUAL_DATA,
    &MALFORMED_ROW,
    &DUPLICATE_ROW,
    &THRESHOLD_LOOSENED,
    &KPI_REMOVED,
    &COVERAGE_REGRESSED,
    &OWNER_REMOVED,
    &EXCEPTION_ADDED,
    &POLICY_WEAKENED,
];

/// Whether a policy may set the rule's level or waive it. A file kpilint cannot read, or
/// a key it does not know, is always an error: switching that off would make a typo pass.
#[must_use]
pub fn is_configurable(rule: &RuleMeta) -> bool {
    !std::ptr::eq(rule, &PARSE_ERROR) && !std::ptr::eq(rule, &SCHEMA)
}

/// Finds a rule by name or code (codes case-insensitively).
#[must_use]
pub fn find(name_or_code: &str) -> Option<&'static RuleMeta> {
    ALL.iter()
        .copied()
        .find(|r| r.name == name_or_code || r.code.eq_ignore_ascii_case(name_or_code))
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
