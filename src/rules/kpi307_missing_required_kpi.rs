//! `missing-required-kpi`: a catalogue that does not carry a required KPI.

use crate::diag::{Diagnostics, Label};
use crate::model::{Metric, RequiredIn, Sp};
use crate::analyze::Context;
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// For every policy KPI with `required = true`, checks that each catalogue has a metric
    /// that implements it (`implements = "<kpi>"`, or a metric with the KPI's id). With
    /// `[settings] required_kpis = "organisation"`, one catalogue at least must: several
    /// teams' catalogues share the required KPIs between them, and a KPI none of them
    /// carries is reported once, at its `required` (not when only some files are named,
    /// as pre-commit may: the other teams' catalogues are not read then).
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

/// The KPIs `metrics` carry: those they implement, and those a mistyped `implements` is
/// closest to (`unknown-kpi` reports it, with that KPI as its did-you-mean: one slip is one
/// finding).
fn carried<'a>(ctx: &Context<'a>, metrics: impl Iterator<Item = &'a Metric>) -> HashSet<&'a str> {
    let mut carried = HashSet::new();
    for m in metrics {
        carried.insert(m.kpi_id());
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
    carried
}

/// Checks each catalogue, or all of them together when the policy says
/// `required_kpis = "organisation"`.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    let required: Vec<_> = ctx.policy.kpis.iter().filter(|k| k.is_required()).collect();
    if required.is_empty() || ctx.catalogues.is_empty() {
        return;
    }
    if ctx.policy.required_in() == RequiredIn::Organisation {
        // The organisation's catalogues are not all here: nothing to judge.
        if ctx.partial {
            return;
        }
        let carried = carried(ctx, ctx.metrics());
        for k in required.iter().filter(|k| !carried.contains(k.id.value.as_str())) {
            let at = k.required.as_ref().map_or_else(|| k.id.at(), Sp::at);
            let f = out.push(
                &MISSING_REQUIRED_KPI,
                at.with_message("required here"),
                msg!("no catalogue carries required KPI `{}`", k.id.value),
            );
            f.subject(k.id.value.clone()).help(msg!(
                "add a `[[metric]]` with `implements = \"{}\"` to the catalogue of the team that owns it",
                k.id.value
            ));
            if let Some((file, setting)) = &ctx.policy.settings.required_kpis {
                f.label(Label::at(*file, setting.span).with_message("by one catalogue at least"));
            }
        }
        return;
    }
    for c in ctx.catalogues {
        let carried = carried(ctx, c.metrics.iter());
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
