//! `unknown-kpi`: a metric implements, or a KPI rolls up, a KPI the policy does not define.

use crate::diag::{Diagnostics, Label};
use crate::lint::LintContext;

declare_rule! {
    /// ## What it does
    /// Checks that every catalogue metric's `implements`, and every policy KPI's
    /// `rolls_up`, names a KPI of the effective policy (its own KPIs and those of the
    /// policies it extends), and that no KPI rolls up into itself.
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
        group: "policy",
        severity: Error,
        summary: "a metric implements, or a KPI rolls up, a KPI the policy does not define",
    };
}

/// Checks every catalogue metric's `implements` and every KPI's `rolls_up`.
pub fn check(ctx: &LintContext<'_>, out: &mut Diagnostics) {
    for k in &ctx.policy.kpis {
        for r in &k.rolls_up {
            if r.value == k.id.value {
                out.push(
                    &UNKNOWN_KPI,
                    Label::at(k.file, r.span).with_message("itself"),
                    format!("KPI `{}` rolls up into itself", k.id.value),
                )
                .subject(k.id.value.clone())
                .help("`rolls_up` lists the tactical KPIs a board KPI summarises");
                continue;
            }
            if ctx.policy.kpi(&r.value).is_some() {
                continue;
            }
            let hint = crate::suggest::closest(
                &r.value,
                ctx.policy.kpis.iter().map(|k| k.id.value.as_str()),
            );
            let f = out
                .push(
                    &UNKNOWN_KPI,
                    Label::at(k.file, r.span).with_message("no such KPI"),
                    format!(
                        "KPI `{}` rolls up `{}`, which the policy does not define",
                        k.id.value, r.value
                    ),
                )
                .subject(k.id.value.clone());
            match hint {
                Some(h) => f.help(format!("did you mean `{h}`?")),
                None => f.help("define the KPI it summarises, or remove it from `rolls_up`"),
            };
        }
    }
    for m in ctx.metrics() {
        let Some(imp) = &m.implements else { continue };
        if ctx.policy.kpi(&imp.value).is_some() {
            continue;
        }
        let hint = crate::suggest::closest(
            &imp.value,
            ctx.policy.kpis.iter().map(|k| k.id.value.as_str()),
        );
        let f = out
            .push(
                &UNKNOWN_KPI,
                Label::at(m.file, imp.span).with_message("no such KPI"),
                format!(
                    "`{}` implements `{}`, which the policy does not define",
                    m.id.value, imp.value
                ),
            )
            .subject(m.id.value.clone());
        match hint {
            Some(h) => f.help(format!("did you mean `{h}`?")),
            None => f.help("define the KPI in a policy or remove `implements`"),
        };
    }
}
