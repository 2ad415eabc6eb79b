//! `threshold-breach`: the latest value is past the critical threshold.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::diag::{Diagnostics, Label};
use crate::model::Level3;

declare_rule! {
    /// ## What it does
    /// For every data series (metric, scope), compares the latest value with the effective
    /// `critical` threshold: the stricter of the policy KPI's and the catalogue metric's.
    /// For `higher_is_better` a value below `critical` is a breach, for `lower_is_better`
    /// a value above it. The finding points at the data row and at the threshold.
    ///
    /// ## Why is this bad?
    /// A KPI past its critical threshold is the escalation the KPI exists for: the control
    /// it watches has failed and the owner must act.
    ///
    /// ## Example
    /// ```csv
    /// metric,period,value
    /// critical-secrets-rotated-within-sla,2026-10,72.0
    /// ```
    /// with `thresholds = { target = 95, warn = 90, critical = 80 }`.
    pub static THRESHOLD_BREACH = {
        code: "KPI401",
        name: "threshold-breach",
        group: Data,
        severity: Error,
        summary: "the latest value is past the critical threshold",
        check: Data(check),
    };
}

/// Reports each series whose latest value is past its critical threshold.
fn check(facts: &DataFacts<'_>, _: &Context<'_>, out: &mut Diagnostics) {
    for s in facts.series() {
        let Some(t) = s.past().filter(|t| t.level == Level3::Critical) else {
            continue;
        };
        out.push(
            &THRESHOLD_BREACH,
            s.at(&s.latest),
            super::text::past_threshold(&s, &t),
        )
        .subject(s.metric.id.to_owned())
        .scope(s.scope)
        .label(Label::at(t.file, t.span).with_message("critical threshold"))
        .help("the metric's owner should act; the escalation path starts here");
    }
}
