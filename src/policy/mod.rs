//! The policy stage: policy files ordered into layers by `extends` ([`layers`]), merged
//! parents first into the effective [`Policy`] ([`merge`]), and their rule references
//! validated ([`validate`]). [`strictness`] says when one definition is looser than
//! another, for merging, `looser-than-policy` and `threshold-loosened` alike.

pub mod banned;
pub mod layers;
pub mod merge;
pub mod strictness;
pub mod validate;

pub use merge::{BannedRule, Conflict, Policy};

use crate::diag::{Diagnostics, Level};
use crate::parse::node::Node;
use crate::rule::Rule;
use crate::rule::Severity;
use std::sync::LazyLock;

/// The embedded baseline policy.
pub const BASELINE: &str = include_str!("../../policies/nhi-baseline.toml");
/// How the embedded baseline is named in output.
pub const BASELINE_NAME: &str = "kpilint:policies/nhi-baseline.toml";
/// The baseline's `[policy] id`.
pub const BASELINE_ID: &str = "nhi-baseline";

/// The embedded baseline, parsed once per process.
pub static BASELINE_TREE: LazyLock<Node> = LazyLock::new(|| {
    crate::parse::toml::parse(BASELINE).unwrap_or_else(|e| panic!("embedded baseline: {e:?}"))
});

/// Defaults of `[settings]` when no policy layer sets them.
pub mod defaults {
    /// `max_board_kpis`.
    pub const MAX_BOARD_KPIS: i64 = 7;
    /// `stale_grace_days`.
    pub const STALE_GRACE_DAYS: i64 = 15;
    /// `trend_window`.
    pub const TREND_WINDOW: i64 = 6;
    /// `event_grace_days`: a quarter, the usual planning cycle in which a decision is
    /// turned into work.
    pub const EVENT_GRACE_DAYS: i64 = 90;
    /// `event_effect_periods`: a quarter of monthly values.
    pub const EVENT_EFFECT_PERIODS: i64 = 3;
}

/// Orders, merges and validates policy files into the effective policy; `rules` are the
/// rules its `[rules]` entries and exceptions may name.
///
/// # Errors
/// A layer that `extends` an unknown policy, a cycle, or a chain deeper than
/// [`layers::MAX_DEPTH`]: as a `schema` finding in `diags`, and the message that stops the
/// run.
pub fn build(
    policies: Vec<crate::model::PolicyFile>,
    rules: &[&'static Rule],
    sources: &mut crate::source::SourceMap,
    diags: &mut Diagnostics,
) -> Result<Policy, String> {
    let mut layers = layers::order(policies, sources, diags)?;
    for layer in &mut layers {
        validate::resolve(layer, rules);
    }
    let policy = Policy::merge(layers);
    validate::rule_names(&policy, rules, diags);
    Ok(policy)
}

/// The configured level of a rule, as of a date: `effective` dates keep a rule at most a
/// warning until they arrive.
#[must_use]
pub fn rule_level(policy: &Policy, rule: &Rule, as_of: jiff::civil::Date) -> Level {
    rule_level_in(&policy.rules, rule, as_of)
}

/// As [`rule_level`], in a set of rule entries by name.
#[must_use]
pub fn rule_level_in<S: std::hash::BuildHasher>(
    rules: &std::collections::HashMap<String, crate::model::RuleSetting, S>,
    rule: &Rule,
    as_of: jiff::civil::Date,
) -> Level {
    let Some(setting) = rules.get(rule.name).filter(|_| rule.is_configurable()) else {
        return Level::On(rule.default_severity);
    };
    let level = setting
        .level
        .as_ref()
        .map_or(Level::On(rule.default_severity), |l| l.value);
    match (level, &setting.effective) {
        (Level::On(s), Some(eff)) if as_of < eff.value => Level::On(s.min(Severity::Warning)),
        (l, _) => l,
    }
}
