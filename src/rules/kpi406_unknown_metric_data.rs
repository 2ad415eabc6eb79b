//! `unknown-metric-data`: rows for a metric that no catalogue or policy defines.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::diag::{Diagnostics, Label};

declare_rule! {
    /// ## What it does
    /// Reports rows whose `metric` is neither a catalogue metric nor a policy KPI: once per
    /// unknown metric, at its first row, with the number of rows and the closest known id.
    ///
    /// ## Why is this bad?
    /// Data for an undefined metric has no thresholds, owner or cadence: it is either a
    /// typo (and the real metric looks stale) or a metric nobody governs.
    ///
    /// ## Example
    /// ```csv
    /// metric,period,value
    /// critical-secret-rotated-within-sla,2026-10,96.0
    /// ```
    pub static UNKNOWN_METRIC_DATA = {
        code: "KPI406",
        name: "unknown-metric-data",
        group: Data,
        severity: Error,
        summary: "rows for a metric no catalogue or policy defines",
        check: Data(check),
    };
}

/// Reports each undefined metric the rows name, at its first row.
fn check(facts: &DataFacts<'_>, _: &Context<'_>, out: &mut Diagnostics) {
    for u in &facts.unknown {
        let hint = crate::suggest::closest(&u.id, facts.known_ids());
        out.push(
            &UNKNOWN_METRIC_DATA,
            Label::at_line(u.file, u64::from(u.line)),
            msg!(
                "{} row{} for `{}`, which no catalogue or policy defines",
                u.rows,
                if u.rows == 1 { "" } else { "s" },
                u.id
            ),
        )
        .subject(u.id.clone())
        .help(crate::diag::did_you_mean(
            hint,
            "define the metric in a catalogue, or fix the export",
        ));
    }
    if facts.unknown_other > 0
        && let Some(last) = facts.unknown.last()
    {
        out.push(
            &UNKNOWN_METRIC_DATA,
            Label::at_line(last.file, u64::from(last.line)),
            msg!(
                "and {} more row{} for other metrics no catalogue or policy defines",
                facts.unknown_other,
                if facts.unknown_other == 1 { "" } else { "s" }
            ),
        )
        .help("the data names more undefined metrics than are listed: fix the export");
    }
}
