//! `unknown-kpi`: a metric implements a KPI the policy does not define.

use crate::diag::{Diagnostics, Label};
use crate::lint::LintContext;

declare_rule! {
    /// ## What it does
    /// Checks that every catalogue metric's `implements` names a KPI of the effective
    /// policy (its own KPIs and those of the policies it extends).
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
        summary: "a metric implements a KPI the policy does not define",
    };
}

/// Checks every catalogue metric's `implements`.
pub fn check(ctx: &LintContext<'_>, out: &mut Diagnostics) {
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
