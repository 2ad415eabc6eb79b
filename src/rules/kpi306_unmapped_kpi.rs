//! `unmapped-kpi`: a KPI of a tier that must map to a framework control, mapping to none.

use crate::diag::Diagnostics;
use crate::analyze::Context;

declare_rule! {
    /// ## What it does
    /// Checks that every KPI and metric whose tier is listed in `[settings]
    /// require_mapping` (default `["board"]`) names at least one framework control in
    /// `frameworks`. A metric inherits the mappings of the KPI it implements.
    ///
    /// ## Why is this bad?
    /// A board KPI that evidences no control cannot be traced to the governance outcome it
    /// is meant to show (NIST CSF 2.0 `GV.OV`, OWASP NHI risks), and coverage reports
    /// cannot count it.
    ///
    /// ## Example
    /// ```toml
    /// tier = "board"
    /// frameworks = []
    /// ```
    /// Use instead: `frameworks = ["NHI7:2025", "GV.OV-01"]`.
    pub static UNMAPPED_KPI = {
        code: "KPI306",
        name: "unmapped-kpi",
        group: Catalogue,
        severity: Error,
        summary: "a KPI of a tier in `require_mapping` with no framework control",
        check: Model(check),
    };
}

/// Checks every KPI and metric.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    let (tiers, set_at) = ctx.policy.require_mapping();
    for m in ctx.definitions() {
        let Some(tier) = ctx.inherited(m, |k| k.tier.as_ref().map(|t| t.value)) else {
            continue;
        };
        if !tiers.contains(&tier) {
            continue;
        }
        let mapped =
            !m.frameworks.is_empty() || ctx.kpi_for(m).is_some_and(|k| !k.frameworks.is_empty());
        if mapped {
            continue;
        }
        let f = out
            .push(
                &UNMAPPED_KPI,
                m.id.at().with_message("no framework mapping"),
                msg!("{} KPI `{}` maps to no framework control", tier.as_str(), m.id.value),
            )
            .subject(m.id.value.clone())
            .help("add `frameworks = [...]` with the controls it evidences (`kpilint frameworks` lists them)");
        if let Some(l) = &set_at {
            f.label(l.clone());
        }
    }
}
