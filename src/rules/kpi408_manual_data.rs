//! `manual-data`: rows whose `source` is manual.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::diag::{Diagnostics, Label};

declare_rule! {
    /// ## What it does
    /// Reports each series that has rows with `source = manual`, once, at its first such
    /// row, with the number of manual rows.
    ///
    /// ## Why is this bad?
    /// Manual-only reporting is a prohibited practice: a hand-typed figure cannot be traced
    /// back to raw data. Waive it with an exception (subject: the metric id) while the
    /// automation is built.
    ///
    /// ## Example
    /// ```csv
    /// metric,period,value,source
    /// audit-findings-closed-on-time,2026-Q3,88,manual
    /// ```
    pub static MANUAL_DATA = {
        code: "KPI408",
        name: "manual-data",
        group: Data,
        severity: Warning,
        summary: "rows reported by hand",
        check: Data(check),
    };
}

/// Reports each series with manually reported rows, at the first.
fn check(facts: &DataFacts<'_>, _: &Context<'_>, out: &mut Diagnostics) {
    for s in facts.series() {
        let Some((file, line)) = s.first_manual else {
            continue;
        };
        out.push(
            &MANUAL_DATA,
            Label::at_line(file, u64::from(line)),
            msg!(
                "`{}`{} has {} manually reported row{}",
                s.metric.id,
                super::text::scope(s.scope),
                s.manual_rows,
                if s.manual_rows == 1 { "" } else { "s" }
            ),
        )
        .subject(s.metric.id.to_owned())
        .scope(s.scope)
        .help("automate the export from the system of record, or add an approved, expiring exception");
    }
}
