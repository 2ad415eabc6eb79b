//! `missing-guardrail`: a KPI of a tier that must name a guardrail names none.

use crate::analyze::Context;
use crate::diag::Diagnostics;

declare_rule! {
    /// ## What it does
    /// Checks that every KPI and metric of a tier listed in `[settings] require_guardrail`
    /// (for example `["board"]`; none by default) names its `guardrail`: the counter-metric
    /// that must not worsen while it improves. A metric inherits the guardrail of the KPI
    /// it implements, and is judged through that KPI.
    ///
    /// ## Why is this bad?
    /// A metric exists to change behaviour, and a target changes it in every way that
    /// meets the target: time to revoke exposed keys falls fastest when keys are revoked
    /// without rotating the secret behind them, and re-exposure rises. Naming the
    /// guardrail lets `guardrail-worsening` catch the trade as it happens.
    ///
    /// ## Example
    /// ```toml
    /// [settings]
    /// require_guardrail = ["board"]
    ///
    /// [[kpi]]
    /// id = "time-to-revoke-exposed-key"
    /// tier = "board"
    /// ```
    /// Use instead: add `guardrail = "revoked-key-re-exposure"`.
    pub static MISSING_GUARDRAIL = {
        code: "KPI316",
        name: "missing-guardrail",
        group: Catalogue,
        severity: Warning,
        summary: "a KPI of a tier in `require_guardrail` with no guardrail",
        check: Model(check),
    };
}

/// Checks every definition of a tier that must name a guardrail.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    let (tiers, set_at) = ctx.policy.require_guardrail();
    if tiers.is_empty() {
        return;
    }
    // A metric that implements a KPI is judged through it: one finding, at the KPI.
    let own = ctx.metrics().filter(|m| ctx.kpi_for(m).is_none());
    for m in ctx.policy.kpis.iter().chain(own) {
        let Some(tier) = ctx.inherited(m, |k| k.tier.as_ref().map(|t| t.value)) else {
            continue;
        };
        if !tiers.contains(&tier) || ctx.inherited(m, |k| k.guardrail.as_ref()).is_some() {
            continue;
        }
        let f = out.push(
            &MISSING_GUARDRAIL,
            m.id.at().with_message("no guardrail"),
            msg!(
                "{} `{}` names no guardrail",
                tier.as_str(),
                m.id.value
            ),
        );
        f.subject(m.id.value.clone()).help(
            "add `guardrail = \"<kpi or metric>\"`: what must not worsen while this one improves",
        );
        if let Some(at) = &set_at {
            f.label(at.clone());
        }
    }
}
