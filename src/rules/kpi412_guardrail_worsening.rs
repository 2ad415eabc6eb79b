//! `guardrail-worsening`: a KPI improves while its guardrail worsens.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::analyze::scorecard::Verdict;
use crate::diag::Diagnostics;

declare_rule! {
    /// ## What it does
    /// For every series of a KPI or metric that names a `guardrail`, compares how the two
    /// moved over the trend window: when the KPI improves while a series of its guardrail
    /// (a metric with that id, or implementing that KPI) of the same scope worsens, the
    /// finding is at the KPI's latest row, with the guardrail's latest row beside it. When
    /// the KPI's own catalogue reports the guardrail, only its series count: each team
    /// answers for its own trade.
    /// Improving and worsening are judged as the scorecard's trend is: by each one's own
    /// trend target, else its direction.
    ///
    /// ## Why is this bad?
    /// A metric exists to change behaviour, and a target is met in every way that meets
    /// it. Time to revoke exposed keys falling while re-exposure of revoked keys rises is
    /// not an improvement: keys are revoked without rotating the secret behind them.
    ///
    /// ## Example
    /// ```csv
    /// metric,period,value
    /// time-to-revoke-exposed-key,2026-09,12
    /// time-to-revoke-exposed-key,2026-10,4
    /// revoked-key-re-exposure,2026-09,1
    /// revoked-key-re-exposure,2026-10,6
    /// ```
    pub static GUARDRAIL_WORSENING = {
        code: "KPI412",
        name: "guardrail-worsening",
        group: Data,
        severity: Warning,
        summary: "a KPI improving while its guardrail worsens",
        check: Data(check),
    };
}

/// Reports each improving series whose guardrail worsens in the same scope.
fn check(facts: &DataFacts<'_>, _: &Context<'_>, out: &mut Diagnostics) {
    for (s, guardrails) in facts.improving_pairs(|m| m.guardrail.as_ref()) {
        let Some(g) = guardrails
            .iter()
            .find(|g| g.verdict() == Verdict::Worsening)
        else {
            continue;
        };
        let (from, to) = (s.points[0].value(), s.latest.value());
        let (g_from, g_to) = (g.points[0].value(), g.latest.value());
        out.push(
            &GUARDRAIL_WORSENING,
            s.at(&s.latest),
            msg!(
                "`{}`{} improves ({} to {}) while its guardrail `{}` worsens ({} to {})",
                s.metric.id,
                super::text::scope(s.scope),
                from,
                to,
                g.metric.id,
                g_from,
                g_to
            ),
        )
        .subject(s.metric.id.to_owned())
        .scope(s.scope)
        .label(
            g.at(&g.latest)
                .with_message("the guardrail's latest value"),
        )
        .help("find how the improvement was made: a target met at the guardrail's expense is not met");
    }
}
