//! `looser-than-policy`: a metric (or an extending policy) loosens a policy KPI.

use crate::analyze::Context;
use crate::diag::{Diagnostics, Label};
use crate::model::{Metric, Origin, RuleSetting};
use crate::policy::Conflict;
use crate::policy::merge::RuleLoosening;
use crate::policy::strictness::{Loosening, formula_changed, loosenings};
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Compares a catalogue metric with the policy KPI it implements, and each policy layer
    /// that `extends` others with what its parents have in force. Values may be tightened,
    /// never loosened. Looser is:
    /// - a threshold level: lower for `higher_is_better`, higher for `lower_is_better`, a
    ///   wider band or a moved target for `stable`; a different trend target;
    /// - a longer `cadence`, or `required = false` over a required KPI;
    /// - in `[settings]`: a larger `max_board_kpis`, `stale_grace_days`, `trend_window`,
    /// `event_grace_days` or `event_effect_periods`
    ///   (a longer window is slower to show a decline), or a `require_mapping` without a
    ///   tier the parents require;
    /// - in `[rules]`: a rule switched `off` or lowered, `locked = false` under a parent's
    ///   lock, or an `effective` date that postpones a rule the parents make an error;
    /// - a `formula` other than the policy KPI's (spacing aside), or any `formula` on a KPI
    ///   the policy measures from data: the policy defines how a KPI is computed, and a
    ///   catalogue or team policy that recomputes it (or replaces the measured figure with
    ///   arithmetic) changes what the board reads. The policy's definition stays in force.
    ///   Two layers beside each other (neither extends the other) that write different
    ///   formulas for one KPI: the first read governs, and the other's is reported, at its
    ///   formula with a second label at the one in force.
    ///
    /// Each finding is at the child's line with a second label at the parent's. The loosened
    /// value is ignored, value by value: the parent's stays in force and the child's tighter
    /// values hold. A value no parent writes is the built-in default, and it binds every
    /// layer that extends another; only a policy that extends nothing sets its own. What an
    /// extending KPI leaves out it inherits.
    ///
    /// ## Why is this bad?
    /// A threshold quietly loosened in a team's catalogue lowers the bar the board believes
    /// is in force, and it is the change a reviewer most easily misses.
    ///
    /// ## Example
    /// ```toml
    /// # policy:    thresholds = { target = 95, warn = 90, critical = 80 }
    /// thresholds = { target = 90, warn = 85, critical = 70 }
    /// ```
    /// Use instead: equal or stricter values, e.g. `{ target = 97, warn = 92, critical = 85 }`.
    pub static LOOSER_THAN_POLICY = {
        code: "KPI308",
        name: "looser-than-policy",
        group: Catalogue,
        severity: Error,
        summary: "thresholds looser than the policy KPI they implement",
        check: Model(check),
    };
}

/// Checks every catalogue metric that implements a KPI, and what child policy layers
/// tried to loosen.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for c in &ctx.policy.conflicts {
        match c {
            Conflict::Kpi { parent, child } => compare(parent, child, out),
            Conflict::Formula { first, other } => {
                if let Some(change) = formula_changed(first, other) {
                    // Named: the layer whose formula is ignored (the second label points at
                    // the formula in force).
                    let layer = ctx
                        .policy
                        .layers
                        .iter()
                        .find(|l| l.file == other.file)
                        .map_or("", |l| l.id.value.as_str());
                    let what = msg!(
                        "KPI `{}` in policy `{}` (beside a layer read before it)",
                        other.id.value,
                        layer
                    );
                    changed_formula(first, other, &what, change, out);
                }
            }
            Conflict::Rule {
                rule,
                how,
                parent,
                child,
            } => loosened_rule(rule, *how, parent.as_ref(), child, out),
            Conflict::Setting {
                key,
                parent_value,
                parent,
                child_value,
                child,
            } => loosened_setting(key, parent_value, parent.as_ref(), child_value, child, out),
        }
    }
    for m in ctx.metrics() {
        if let Some(k) = ctx.kpi_for(m) {
            compare(k, m, out);
        }
    }
}

/// Compares `child` (a metric, or a KPI in an extending policy) with `parent` and reports
/// each loosening. What `child` leaves out it inherits, so only values it sets can be
/// looser.
fn compare(parent: &Metric, child: &Metric, out: &mut Diagnostics) {
    let what = match child.origin {
        Origin::Catalogue => msg!("metric `{}`", child.id.value),
        Origin::Policy => msg!("KPI `{}` in the extending policy", child.id.value),
    };
    let kpi = &parent.id.value;
    let found = loosenings(parent, child, false, None);
    for l in &found {
        let (child_at, parent_at, message, help) = match *l {
            Loosening::Level {
                level,
                strict,
                loose,
            } => {
                let Some(loose) = loose else { continue };
                let dir = parent
                    .direction
                    .as_ref()
                    .or(child.direction.as_ref())
                    .map_or("", |d| d.value.as_str());
                (
                    loose.at(),
                    strict.at(),
                    msg!(
                        "{} sets {} {} but the policy requires {} for `{}` ({})",
                        what,
                        level.as_str(),
                        loose.value,
                        strict.value,
                        kpi,
                        dir
                    ),
                    msg!("use {} {} or stricter", level.as_str(), strict.value),
                )
            }
            Loosening::Trend { strict, loose } => {
                let Some(loose) = loose else { continue };
                (
                    loose.at(),
                    strict.at(),
                    msg!(
                        "{} sets trend `{}` but the policy requires `{}` for `{}`",
                        what,
                        loose.value.as_str(),
                        strict.value.as_str(),
                        kpi
                    ),
                    msg!("use `trend = \"{}\"`", strict.value.as_str()),
                )
            }
            Loosening::Cadence { strict, loose } => (
                loose.at(),
                strict.at(),
                msg!(
                    "{} is reported `{}` but the policy requires `{}` for `{}`",
                    what,
                    loose.value.as_str(),
                    strict.value.as_str(),
                    kpi
                ),
                msg!("report it `{}` or more often", strict.value.as_str()),
            ),
            Loosening::Required { strict, loose } => {
                let Some(loose) = loose else { continue };
                (
                    loose.at(),
                    strict.at(),
                    msg!("{} drops `required` from KPI `{}`", what, kpi),
                    "an extending policy may add KPIs and tighten them, never drop a required one"
                        .into(),
                )
            }
        };
        out.push(
            &LOOSER_THAN_POLICY,
            child_at.with_message("looser"),
            message,
        )
        .subject(child.id.value.clone())
        .label(parent_at.with_message("the policy sets it here"))
        .help(help);
    }
    if let Some(change) = formula_changed(parent, child) {
        changed_formula(parent, child, &what, change, out);
    }
}

/// A formula `child` writes that the policy does not allow: it is ignored, and the
/// policy's definition (its formula, or its data) stays in force.
fn changed_formula(
    parent: &Metric,
    child: &Metric,
    what: &crate::diag::Message,
    change: crate::policy::strictness::FormulaChange<'_>,
    out: &mut Diagnostics,
) {
    let kpi = &parent.id.value;
    let (message, parent_at, help) = match change.strict {
        Some(strict) => (
            msg!(
                "{} writes formula `{}` but the policy computes `{}` as `{}`; the policy's formula is used",
                what,
                change.loose.text.value,
                kpi,
                strict.text.value
            ),
            strict.text.at().with_message("the policy's formula"),
            msg!(
                "remove `formula` to inherit the policy's, or write `formula = \"{}\"`",
                strict.text.value
            ),
        ),
        None => (
            msg!(
                "{} derives `{}` by a formula but the policy measures it from data; the formula is ignored",
                what,
                kpi
            ),
            parent.id.at().with_message("the policy measures it"),
            msg!(
                "remove `formula` and report `{}`, or propose the formula in the policy, where it is reviewed",
                kpi
            ),
        ),
    };
    out.push(
        &LOOSER_THAN_POLICY,
        change.loose.text.at().with_message("overrides the policy"),
        message,
    )
    .subject(child.id.value.clone())
    .label(parent_at)
    .help(help);
}

/// A child layer's `[settings]` value looser than its parents'; it is ignored.
fn loosened_setting(
    key: &str,
    parent_value: &str,
    parent: Option<&Label>,
    child_value: &str,
    child: &Label,
    out: &mut Diagnostics,
) {
    let whose = if parent.is_some() {
        ""
    } else {
        " (the built-in default: no parent sets it)"
    };
    let f = out
        .push(
            &LOOSER_THAN_POLICY,
            child.clone().with_message("looser"),
            msg!(
                "`{} = {}` is looser than `{}`{} in force in the policies this one extends; it is ignored",
                key,
                child_value,
                parent_value,
                whose
            ),
        )
        .subject(key.to_owned())
        .help(msg!(
            "use `{} = {}` or stricter, or remove it to inherit",
            key,
            parent_value
        ));
    if let Some(at) = parent {
        f.label(at.clone().with_message("in force from here"));
    }
}

/// A child layer's `[rules]` entry that loosens the rule's level, lock or effective date
/// in force from its parents; the parents' stays.
fn loosened_rule(
    rule: &Rule,
    how: RuleLoosening,
    parent: Option<&RuleSetting>,
    child: &RuleSetting,
    out: &mut Diagnostics,
) {
    let level = |s: Option<&RuleSetting>| {
        s.and_then(|s| s.level.as_ref())
            .map_or(rule.default_severity.as_str(), |l| l.value.as_str())
    };
    let whose = if parent.is_some_and(|p| p.level.is_some()) {
        ""
    } else {
        " (its default)"
    };
    let (at, message) = match how {
        RuleLoosening::Off | RuleLoosening::Lowered => (
            child.level.as_ref().map_or(child.key_span, |l| l.span),
            msg!(
                "rule `{}` is `{}` here but `{}`{} in the policies this one extends; this setting is ignored",
                child.name,
                level(Some(child)),
                level(parent),
                whose
            ),
        ),
        RuleLoosening::Unlocked => (
            child.locked_at.unwrap_or(child.key_span),
            msg!(
                "rule `{}` is locked by a policy this one extends; `locked = false` is ignored",
                child.name
            ),
        ),
        RuleLoosening::Postponed => (
            child.effective.as_ref().map_or(child.key_span, |e| e.span),
            msg!(
                "rule `{}` is in force earlier in the policies this one extends; this `effective` date is ignored",
                child.name
            ),
        ),
    };
    let f = out
        .push(
            &LOOSER_THAN_POLICY,
            Label::at(child.file, at).with_message("looser"),
            message,
        )
        .subject(child.name.clone())
        .help("an extending policy may raise a rule's level, lock it or bring it forward, never the reverse; remove this entry");
    if let Some(p) = parent {
        f.label(Label::at(p.file, p.key_span).with_message("in force from here"));
    }
}
