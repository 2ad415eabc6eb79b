//! `looser-than-policy`: a metric (or an extending policy) loosens a policy KPI.

use crate::diag::{Diagnostics, Label};
use crate::lint::{LintContext, num};
use crate::model::{Direction, Level3, Metric, Origin};

declare_rule! {
    /// ## What it does
    /// Compares a catalogue metric with the policy KPI it implements, and a KPI redefined
    /// in a policy that `extends` another with the parent's definition. Thresholds may be
    /// tightened, never loosened: for `higher_is_better` a lower `target`, `warn` or
    /// `critical` is looser, for `lower_is_better` a higher one; a different trend target,
    /// a longer cadence, and `required = false` over a required KPI are looser too. The
    /// finding has a second label at the policy line it loosens. Evaluation always uses the
    /// stricter of the two.
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
        group: "catalogue",
        severity: Error,
        summary: "thresholds looser than the policy KPI they implement",
    };
}

/// Compares `child` (a metric, or a KPI in an extending policy) with `parent` and reports
/// each loosening; returns whether anything was looser.
pub fn compare(parent: &Metric, child: &Metric, out: &mut Diagnostics) -> bool {
    let what = match child.origin {
        Origin::Catalogue => format!("metric `{}`", child.id.value),
        Origin::Policy => format!("KPI `{}` in the extending policy", child.id.value),
    };
    let direction = parent
        .direction
        .as_ref()
        .or(child.direction.as_ref())
        .map(|d| d.value);
    let mut looser = false;
    let mut report = |child_span, parent_span, msg: String, help: String, out: &mut Diagnostics| {
        looser = true;
        out.push(
            &LOOSER_THAN_POLICY,
            Label::at(child.file, child_span).with_message("looser"),
            msg,
        )
        .subject(child.id.value.clone())
        .label(Label::at(parent.file, parent_span).with_message("the policy sets it here"))
        .help(help);
    };
    if let (Some(pt), Some(ct)) = (&parent.thresholds, &child.thresholds) {
        if let Some(dir) = direction {
            for l in Level3::ALL {
                let (Some(p), Some(c)) = (pt.level(l), ct.level(l)) else {
                    continue;
                };
                let worse = match dir {
                    Direction::HigherIsBetter => c.value < p.value,
                    Direction::LowerIsBetter => c.value > p.value,
                    Direction::Stable => false,
                };
                if worse {
                    report(
                        c.span,
                        p.span,
                        format!(
                            "{what} sets {} {} but the policy requires {} for `{}` ({})",
                            l.as_str(),
                            num(c.value),
                            num(p.value),
                            parent.id.value,
                            dir.as_str()
                        ),
                        format!("use {} {} or stricter", l.as_str(), num(p.value)),
                        out,
                    );
                }
            }
        }
        if let (Some(p), Some(c)) = (&pt.trend, &ct.trend)
            && p.value != c.value
        {
            report(
                c.span,
                p.span,
                format!(
                    "{what} sets trend `{}` but the policy requires `{}` for `{}`",
                    c.value.as_str(),
                    p.value.as_str(),
                    parent.id.value
                ),
                format!("use `trend = \"{}\"`", p.value.as_str()),
                out,
            );
        }
    }
    if let (Some(p), Some(c)) = (&parent.cadence, &child.cadence)
        && c.value.days() > p.value.days()
    {
        report(
            c.span,
            p.span,
            format!(
                "{what} is reported `{}` but the policy requires `{}` for `{}`",
                c.value.as_str(),
                p.value.as_str(),
                parent.id.value
            ),
            format!("report it `{}` or more often", p.value.as_str()),
            out,
        );
    }
    if let (Some(p), Some(c)) = (&parent.required, &child.required)
        && p.value
        && !c.value
    {
        report(
            c.span,
            p.span,
            format!("{what} drops `required` from KPI `{}`", parent.id.value),
            "an extending policy may add KPIs and tighten them, never drop a required one"
                .to_owned(),
            out,
        );
    }
    looser
}

/// Checks every catalogue metric that implements a KPI.
pub fn check(ctx: &LintContext<'_>, out: &mut Diagnostics) {
    for m in ctx.metrics() {
        if let Some(k) = ctx.kpi_for(m) {
            compare(k, m, out);
        }
    }
}
