//! `threshold-warn`: the latest value is past the warn threshold.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::diag::{Diagnostics, Label};
use crate::model::Level3;

declare_rule! {
    /// ## What it does
    /// Like `threshold-breach`, for the effective `warn` threshold: the latest value of a
    /// series is past `warn` but not past `critical`.
    ///
    /// ## Why is this bad?
    /// A KPI in its warning band is slipping: this is the moment to act cheaply, before it
    /// breaches and becomes an incident or an audit finding.
    ///
    /// ## Example
    /// ```csv
    /// metric,period,value
    /// critical-secrets-rotated-within-sla,2026-10,88.0
    /// ```
    /// with `thresholds = { target = 95, warn = 90, critical = 80 }`.
    pub static THRESHOLD_WARN = {
        code: "KPI402",
        name: "threshold-warn",
        group: Data,
        severity: Warning,
        summary: "the latest value is past the warn threshold",
        check: Data(check),
    };
}

/// Reports each series whose latest value is past its warn threshold, not its critical one.
fn check(facts: &DataFacts<'_>, _: &Context<'_>, out: &mut Diagnostics) {
    for s in facts.series() {
        let Some(t) = s.past().filter(|t| t.level == Level3::Warn) else {
            continue;
        };
        out.push(
            &THRESHOLD_WARN,
            s.at(&s.latest),
            super::text::past_threshold(&s, &t),
        )
        .subject(s.metric.id.to_owned())
        .scope(s.scope)
        .label(Label::at(t.file, t.span).with_message("warn threshold"))
        .help("the metric's owner should act; the escalation path starts here");
    }
}
