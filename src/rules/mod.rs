//! Every rule's check, and the registry of all rules.
//!
//! A rule lives in one file under `src/rules/`, named `<code>_<name>.rs`: a
//! [`declare_rule!`] block whose doc comment is the rule's documentation (what
//! `kpilint explain` prints and SARIF carries) and whose `check` names the function that
//! judges the facts of its stage, followed by that function and the rule's messages. The
//! [`registry!`] below is the only list of rules: it declares each rule's module and builds
//! [`ALL`] and [`CHECKS`], so a rule file left out of it is not compiled, and a test fails
//! until it is listed. What a rule *is* ([`Rule`]) is in [`crate::rule`], below every
//! stage; the loader's two rules are there too.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::analyze::delta::Delta;
use crate::diag::Diagnostics;
use crate::rule::Rule;
use crate::settle::Waivers;

mod text;

/// A rule's check: the function that judges the facts of its [stage](crate::rule::Stage).
#[derive(Clone, Copy)]
pub enum Check {
    /// The validated model: policy, catalogues, frameworks.
    Model(fn(&Context<'_>, &mut Diagnostics)),
    /// The facts of the data files: series, rows, repeats.
    Data(fn(&DataFacts<'_>, &Context<'_>, &mut Diagnostics)),
    /// What exceptions waived once every other finding was settled.
    Waivers(fn(&Waivers<'_>, &mut Diagnostics)),
    /// The change between a base revision and the working tree.
    Diff(fn(&Delta<'_>, &mut Diagnostics)),
    /// The baseline file's entries that no finding matched.
    Baseline(fn(&crate::analyze::baseline::Unmatched<'_>, &mut Diagnostics)),
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Model(_) => "Model",
            Self::Data(_) => "Data",
            Self::Waivers(_) => "Waivers",
            Self::Diff(_) => "Diff",
            Self::Baseline(_) => "Baseline",
        })
    }
}

/// Declares a rule from its doc comment, clippy-style: `declare_rule! { /// docs...
/// pub static NAME = { code, name, group, severity, summary, check }; }`, where `check` is
/// `Loader` or a [`Check`] variant with the function, such as `Model(check)`; the latter
/// also declares the module's `CHECK`, which [`registry!`] lists.
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
        pub static $ident: $crate::rule::Rule = $crate::rule::Rule {
            code: $code,
            name: $name,
            group: $crate::rule::Group::$group,
            default_severity: $crate::rule::Severity::$sev,
            summary: $summary,
            docs: concat!($($doc, "\n",)*),
            stage: $crate::rule::Stage::$kind,
        };
        $(
            /// The rule's check, for the registry.
            pub(super) const CHECK: $crate::rules::Check = $crate::rules::Check::$kind($check);
        )?
    };
}

/// Declares each rule's module and lists its static in [`ALL`] and its check in
/// [`CHECKS`]: one line per rule. The loader's rules, which have no check, come first.
macro_rules! registry {
    (loader: [$($loader:path),* $(,)?], $($module:ident :: $rule:ident),* $(,)?) => {
        $(
            mod $module;
            pub use $module::$rule;
        )*
        /// Every rule, in code order: the only list of rules.
        pub static ALL: &[&Rule] = &[$(&$loader,)* $(&$rule),*];
        /// Every rule with a check, and its check, in code order.
        pub static CHECKS: &[(&Rule, Check)] = &[$((&$rule, $module::CHECK)),*];
        /// The module file of each rule in [`CHECKS`], for the test that every rule file
        /// is registered.
        #[cfg(test)]
        static FILES: &[&str] = &[$(stringify!($module)),*];
    };
}

registry! {
    loader: [crate::rule::PARSE_ERROR, crate::rule::SCHEMA],
    kpi003_duplicate_id::DUPLICATE_ID,
    kpi101_threshold_order::THRESHOLD_ORDER,
    kpi102_unit_domain::UNIT_DOMAIN,
    kpi103_unknown_control::UNKNOWN_CONTROL,
    kpi104_legacy_control::LEGACY_CONTROL,
    kpi105_noncanonical_control::NONCANONICAL_CONTROL,
    kpi106_invalid_pattern::INVALID_PATTERN,
    kpi107_unknown_kpi::UNKNOWN_KPI,
    kpi108_unknown_category::UNKNOWN_CATEGORY,
    kpi109_banned_kpi::BANNED_KPI,
    kpi110_duplicate_control::DUPLICATE_CONTROL,
    kpi201_expired_exception::EXPIRED_EXCEPTION,
    kpi202_unapproved_exception::UNAPPROVED_EXCEPTION,
    kpi203_unused_exception::UNUSED_EXCEPTION,
    kpi204_stale_baseline::STALE_BASELINE,
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
    kpi316_missing_guardrail::MISSING_GUARDRAIL,
    kpi317_execution_without_strategy::EXECUTION_WITHOUT_STRATEGY,
    kpi318_strategy_without_execution::STRATEGY_WITHOUT_EXECUTION,
    kpi319_event_without_owner::EVENT_WITHOUT_OWNER,
    kpi320_event_without_evidence::EVENT_WITHOUT_EVIDENCE,
    kpi321_formula_syntax_error::FORMULA_SYNTAX_ERROR,
    kpi322_formula_unknown_metric::FORMULA_UNKNOWN_METRIC,
    kpi323_formula_cycle::FORMULA_CYCLE,
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
    kpi411_percent_as_fraction::PERCENT_AS_FRACTION,
    kpi412_guardrail_worsening::GUARDRAIL_WORSENING,
    kpi413_activity_without_outcome::ACTIVITY_WITHOUT_OUTCOME,
    kpi414_decision_without_effect::DECISION_WITHOUT_EFFECT,
    kpi415_formula_division_by_zero::FORMULA_DIVISION_BY_ZERO,
    kpi416_derived_metric_data::DERIVED_METRIC_DATA,
    kpi417_formula_budget_exceeded::FORMULA_BUDGET_EXCEEDED,
    kpi501_threshold_loosened::THRESHOLD_LOOSENED,
    kpi502_kpi_removed::KPI_REMOVED,
    kpi503_coverage_regressed::COVERAGE_REGRESSED,
    kpi504_owner_removed::OWNER_REMOVED,
    kpi505_exception_added::EXCEPTION_ADDED,
    kpi506_policy_weakened::POLICY_WEAKENED,
    kpi507_tier_demoted::TIER_DEMOTED,
    kpi508_mapping_removed::MAPPING_REMOVED,
    kpi509_gate_changed::GATE_CHANGED,
    kpi510_formula_changed::FORMULA_CHANGED,
}

/// Finds a rule by name or code (codes case-insensitively).
#[must_use]
pub fn find(name_or_code: &str) -> Option<&'static Rule> {
    crate::rule::find(ALL, name_or_code)
}

/// The closest rule name to a misspelt one, if any is close.
#[must_use]
pub fn suggest(name: &str) -> Option<&'static str> {
    crate::rule::suggest(ALL, name)
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
            let loader = r.stage == crate::rule::Stage::Loader;
            assert_eq!(
                loader,
                ["parse-error", "schema"].contains(&r.name),
                "{}: only `parse-error` and `schema` are raised by the loader",
                r.name
            );
            assert_eq!(
                !loader,
                CHECKS.iter().any(|(c, _)| c.code == r.code),
                "{}: every rule but the loader's has a check",
                r.name
            );
        }
        for (i, (r, check)) in CHECKS.iter().enumerate() {
            assert_eq!(format!("{:?}", r.stage), format!("{check:?}"), "{}", r.name);
            // The rule's code leads its file name: `kpi302_missing_owner`.
            let file = FILES[i];
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
