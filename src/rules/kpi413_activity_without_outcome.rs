//! `activity-without-outcome`: an activity metric improves while the outcome it drives
//! does not.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::analyze::scorecard::Verdict;
use crate::diag::Diagnostics;

declare_rule! {
    /// ## What it does
    /// For every series of a metric that names the outcome it `drives`, compares how the
    /// two moved over the trend window: when the activity improves while every series of
    /// the outcome (a metric with that id, or implementing that KPI) of the same scope is
    /// flat or worsening, the finding is at the activity's latest row, with the outcome's
    /// latest row beside it. When the activity's own catalogue reports the outcome, only
    /// its series count.
    ///
    /// ## Why is this bad?
    /// Closing more NHI findings each month is activity; fewer unmanaged NHIs is the
    /// outcome. A closure rate rising over rising exposure is the busy dashboard: work is
    /// done, and the risk it was meant to reduce is not reduced (new exposure outpaces
    /// it, or the closed findings were not the ones that mattered).
    ///
    /// ## Example
    /// ```toml
    /// [[metric]]
    /// id = "nhi-findings-closed"
    /// direction = "higher_is_better"
    /// drives = "unmanaged-nhi-exposure"
    /// ```
    pub static ACTIVITY_WITHOUT_OUTCOME = {
        code: "KPI413",
        name: "activity-without-outcome",
        group: Data,
        severity: Warning,
        summary: "an activity metric improving while the outcome it drives does not",
        check: Data(check),
    };
}

/// Reports each improving activity series whose outcome, in the same scope, does not
/// improve.
fn check(facts: &DataFacts<'_>, _: &Context<'_>, out: &mut Diagnostics) {
    for (s, outcomes) in facts.improving_pairs(|m| m.drives.as_ref()) {
        if outcomes.iter().any(|o| o.verdict() == Verdict::Improving) {
            continue;
        }
        let Some(o) = outcomes
            .iter()
            .find(|o| o.verdict() == Verdict::Worsening)
            .or_else(|| outcomes.first())
        else {
            continue;
        };
        let how = match o.verdict() {
            Verdict::Worsening => "worsens",
            _ => "does not move",
        };
        out.push(
            &ACTIVITY_WITHOUT_OUTCOME,
            s.at(&s.latest),
            msg!(
                "`{}`{} improves ({} to {}) while `{}`, the outcome it drives, {} ({} to {})",
                s.metric.id,
                super::text::scope(s.scope),
                s.points[0].value(),
                s.latest.value(),
                o.metric.id,
                how,
                o.points[0].value(),
                o.latest.value()
            ),
        )
        .subject(s.metric.id.to_owned())
        .scope(s.scope)
        .label(
            o.at(&o.latest)
                .with_message("the outcome's latest value"),
        )
        .help("report the outcome, not the activity: the work is not reducing the risk it targets");
    }
}
