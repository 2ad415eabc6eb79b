//! `looser-than-policy`: a metric (or an extending policy) loosens a policy KPI.

use crate::analyze::Context;
use crate::diag::{Diagnostics, Label};
use crate::model::{Metric, Origin, RuleSetting};
use crate::policy::Conflict;
use crate::policy::strictness::{Loosening, loosenings};

declare_rule! {
    /// ## What it does
    /// Compares a catalogue metric with the policy KPI it implements, and a KPI redefined
    /// in a policy that `extends` another with the parent's definition. Thresholds may be
    /// tightened, never loosened: for `higher_is_better` a lower `target`, `warn` or
    /// `critical` is looser, for `lower_is_better` a higher one; a different trend target,
    /// a longer cadence, and `required = false` over a required KPI are looser too. The
    /// finding has a second label at the policy line it loosens. Evaluation always uses the
    /// stricter of the two. What an extending KPI leaves out it inherits from its parent.
    /// An extending policy's `[rules]` entry that switches off or lowers a rule a parent
    /// `locked` is reported too, and ignored.
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
            Conflict::LockedRule { parent, child } => locked_rule(parent, child, out),
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
}

/// A child layer's `[rules]` entry that weakens a rule a parent layer `locked`; it is
/// ignored.
fn locked_rule(parent: &RuleSetting, child: &RuleSetting, out: &mut Diagnostics) {
    let at = child.level.as_ref().map_or(child.key_span, |l| l.span);
    out.push(
        &LOOSER_THAN_POLICY,
        Label::at(child.file, at).with_message("weakens a locked rule"),
        msg!(
            "rule `{}` is locked by a policy this one extends; this setting is ignored",
            child.name
        ),
    )
    .subject(child.name.clone())
    .label(Label::at(parent.file, parent.key_span).with_message("locked here"))
    .help("a locked rule keeps its severity in every extending policy; remove this entry");
}
