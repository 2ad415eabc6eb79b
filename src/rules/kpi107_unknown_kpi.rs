//! `unknown-kpi`: a metric implements, or a KPI rolls up, a KPI the policy does not define;
//! a guardrail, an outcome or an identity event's KPI names nothing defined.

use crate::diag::Diagnostics;
use crate::analyze::Context;
use crate::model::{Metric, Sp};

declare_rule! {
    /// ## What it does
    /// Checks that every catalogue metric's `implements` names a KPI of the effective
    /// policy (its own KPIs and those of the policies it extends), that every policy KPI's
    /// `rolls_up` names a KPI or a catalogue metric (judged only when catalogues are
    /// checked, unless it is a KPI id), and that no KPI rolls up into itself. A
    /// `guardrail` or `drives` must name a KPI or a catalogue metric (judged the same way),
    /// never the definition itself. The KPIs an identity event `moves` are judged the same
    /// way.
    ///
    /// ## Why is this bad?
    /// A metric that claims to implement a KPI that does not exist escapes the policy's
    /// thresholds, required-KPI checks and board roll-up, while its author believes it is
    /// governed.
    ///
    /// ## Example
    /// ```toml
    /// implements = "critical-secret-rotated-within-sla"   # missing `s`
    /// ```
    /// Use instead: `implements = "critical-secrets-rotated-within-sla"`.
    pub static UNKNOWN_KPI = {
        code: "KPI107",
        name: "unknown-kpi",
        group: Policy,
        severity: Error,
        summary: "a metric implements, or a KPI rolls up, a KPI the policy does not define; a guardrail, outcome or event KPI that nothing defines",
        check: Model(check),
    };
}

/// Checks every catalogue metric's `implements` and every KPI's `rolls_up`.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    let mut metric_ids: Option<std::collections::HashSet<&str>> = None;
    for k in &ctx.policy.kpis {
        for r in &k.rolls_up {
            if r.value == k.id.value {
                out.push(
                    &UNKNOWN_KPI,
                    r.at().with_message("itself"),
                    msg!("KPI `{}` rolls up into itself", k.id.value),
                )
                .subject(k.id.value.clone())
                .help("`rolls_up` lists the tactical KPIs a board KPI summarises");
                continue;
            }
            // A board KPI may roll up tactical metrics that only catalogues define: without
            // a catalogue, only KPI ids can be judged.
            let ids = metric_ids
                .get_or_insert_with(|| ctx.metrics().map(|m| m.id.value.as_str()).collect());
            if ids.contains(r.value.as_str())
                || (ctx.catalogues.is_empty() && ctx.kpi(&r.value).is_none())
            {
                continue;
            }
            let what = format!("KPI `{}` rolls up", k.id.value);
            let otherwise = "define the KPI or metric it summarises, or remove it from `rolls_up`";
            check_named(ctx, k, r, &what, otherwise, out);
        }
    }
    // A guardrail or an outcome may be a KPI or a metric, but never the definition itself.
    for d in ctx.own_definitions() {
        for (key, named) in [("guardrail", &d.guardrail), ("drives", &d.drives)] {
            let Some(named) = named else { continue };
            let ids = metric_ids
                .get_or_insert_with(|| ctx.metrics().map(|m| m.id.value.as_str()).collect());
            let itself = named.value == d.id.value;
            // Without catalogues, only a KPI id can be judged (as for `rolls_up`).
            let known = ctx.kpi(&named.value).is_some()
                || ids.contains(named.value.as_str())
                || ctx.catalogues.is_empty();
            if !itself && known {
                continue;
            }
            let hint = crate::suggest::closest(
                &named.value,
                ctx.policy
                    .kpis
                    .iter()
                    .map(|k| k.id.value.as_str())
                    .chain(ids.iter().copied())
                    .filter(|id| *id != d.id.value),
            );
            out.push(
                &UNKNOWN_KPI,
                named.at().with_message(if itself { "itself" } else { "no such KPI or metric" }),
                if itself {
                    msg!("`{}` names itself as its {}", d.id.value, key)
                } else {
                    msg!(
                        "`{}` names `{}` as its {}, which no policy or catalogue defines",
                        d.id.value,
                        named.value,
                        key
                    )
                },
            )
            .subject(d.id.value.clone())
            .help(crate::diag::did_you_mean(
                hint,
                "name a KPI of the policy or a metric of a catalogue",
            ));
        }
    }
    check_events(ctx, &mut metric_ids, out);
    for m in ctx.metrics() {
        let Some(imp) = &m.implements else { continue };
        let what = format!("`{}` implements", m.id.value);
        check_named(
            ctx,
            m,
            imp,
            &what,
            "define the KPI in a policy or remove `implements`",
            out,
        );
    }
}

/// Checks the KPIs each identity event is to move, as guardrails are judged: a KPI of the
/// policy or a catalogue metric (only KPI ids can be judged without catalogues).
fn check_events<'a>(
    ctx: &Context<'a>,
    metric_ids: &mut Option<std::collections::HashSet<&'a str>>,
    out: &mut Diagnostics,
) {
    // A register is input of any size: past the first misses, no suggestion (each reads
    // every KPI and metric id).
    let mut hints_left = 100_usize;
    for e in ctx.events() {
        for mv in &e.moves {
            let ids = metric_ids
                .get_or_insert_with(|| ctx.metrics().map(|m| m.id.value.as_str()).collect());
            if ctx.kpi(&mv.kpi.value).is_some()
                || ids.contains(mv.kpi.value.as_str())
                || ctx.catalogues.is_empty()
            {
                continue;
            }
            let hint = (hints_left > 0).then(|| {
                hints_left -= 1;
                crate::suggest::closest(
                    &mv.kpi.value,
                    ctx.policy
                        .kpis
                        .iter()
                        .map(|k| k.id.value.as_str())
                        .chain(ids.iter().copied()),
                )
            });
            out.push(
                &UNKNOWN_KPI,
                mv.kpi.at().with_message("no such KPI or metric"),
                msg!(
                    "event `{}` is to move `{}`, which no policy or catalogue defines",
                    e.id.value,
                    mv.kpi.value
                ),
            )
            .subject(e.id.value.clone())
            .help(crate::diag::did_you_mean(
                hint.flatten(),
                "name a KPI of the policy or a metric of a catalogue",
            ));
        }
    }
}

/// Reports `named` (written in `by`) unless the policy defines a KPI of that id.
fn check_named(
    ctx: &Context<'_>,
    by: &Metric,
    named: &Sp<String>,
    what: &str,
    otherwise: &'static str,
    out: &mut Diagnostics,
) {
    if ctx.kpi(&named.value).is_some() {
        return;
    }
    let hint = crate::suggest::closest(
        &named.value,
        ctx.policy.kpis.iter().map(|k| k.id.value.as_str()),
    );
    out.push(
        &UNKNOWN_KPI,
        named.at().with_message("no such KPI"),
        msg!(
            "{} `{}`, which the policy does not define",
            what,
            named.value
        ),
    )
    .subject(by.id.value.clone())
    .help(crate::diag::did_you_mean(hint, otherwise));
}
