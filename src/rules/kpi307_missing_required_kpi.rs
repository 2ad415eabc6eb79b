//! `missing-required-kpi`: a catalogue that does not carry a required KPI.

use crate::diag::{Diagnostics, Label};
use crate::model::Sp;
use crate::analyze::Context;
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// For every policy KPI with `required = true`, checks that each catalogue has a metric
    /// that implements it (`implements = "<kpi>"`, or a metric with the KPI's id).
    ///
    /// ## Why is this bad?
    /// Required KPIs are the ones leadership relies on across every team. A catalogue that
    /// leaves one out hides that team's exposure from the board: hiding metrics from
    /// leadership is a prohibited practice.
    ///
    /// ## Example
    /// ```toml
    /// # policy: [[kpi]] id = "time-to-revoke-exposed-key", required = true
    /// # catalogue: no metric implements it
    /// ```
    /// Use instead: add a `[[metric]]` with `implements = "time-to-revoke-exposed-key"`.
    pub static MISSING_REQUIRED_KPI = {
        code: "KPI307",
        name: "missing-required-kpi",
        group: Catalogue,
        severity: Error,
        summary: "a catalogue that does not carry a required KPI",
        check: Model(check),
    };
}

/// Checks each catalogue.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    let required: Vec<_> = ctx.policy.kpis.iter().filter(|k| k.is_required()).collect();
    if required.is_empty() {
        return;
    }
    for c in ctx.catalogues {
        let mut carried: HashSet<&str> =
            c.metrics.iter().map(crate::model::Metric::kpi_id).collect();
        // A mistyped `implements` is `unknown-kpi`, whose help names the KPI it is closest
        // to: that KPI counts as carried, so that one slip is one finding.
        for m in &c.metrics {
            if let Some(imp) = &m.implements
                && ctx.kpi(&imp.value).is_none()
                && let Some(meant) = crate::suggest::closest(
                    &imp.value,
                    ctx.policy.kpis.iter().map(|k| k.id.value.as_str()),
                )
            {
                carried.insert(meant);
            }
        }
        for k in &required {
            if carried.contains(k.id.value.as_str()) {
                continue;
            }
            let at = c.id.as_ref().map_or(c.span, |id| id.span);
            let name =
                c.id.as_ref()
                    .map_or("this catalogue", |id| id.value.as_str());
            let required = k.required.as_ref().map_or_else(|| k.id.at(), Sp::at);
            out.push(
                &MISSING_REQUIRED_KPI,
                Label::at(c.file, at).with_message(format!("`{}` missing", k.id.value)),
                msg!(
                    "catalogue `{}` does not carry required KPI `{}`",
                    name,
                    k.id.value
                ),
            )
            .subject(k.id.value.clone())
            .label(required.with_message("required here"))
            .help(msg!(
                "add a `[[metric]]` with `implements = \"{}\"`",
                k.id.value
            ));
        }
    }
}
