//! `duplicate-row`: two rows for the same metric, scope and period.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::diag::{Diagnostics, Label, Message};

declare_rule! {
    /// ## What it does
    /// Reports a row whose (metric, scope, period) was already reported, pointing at the
    /// first one. The first value is kept; values are never averaged. Duplicates are
    /// detected among the periods kept for evaluation (the latest `trend_window` of each
    /// series), so memory stays bounded by series x window, not by file size.
    ///
    /// ## Why is this bad?
    /// Two values for one period mean an export ran twice or two sources disagree; either
    /// way the reported figure is ambiguous.
    ///
    /// ## Example
    /// ```csv
    /// metric,period,value
    /// orphaned-nhi-count,2026-10,4
    /// orphaned-nhi-count,2026-10,7
    /// ```
    pub static DUPLICATE_ROW = {
        code: "KPI410",
        name: "duplicate-row",
        group: Data,
        severity: Error,
        summary: "two rows for one metric, scope and period",
        check: Data(check),
    };
}

/// Reports each repeated period still in its series' window, at the first repeat.
fn check(facts: &DataFacts<'_>, _: &Context<'_>, out: &mut Diagnostics) {
    for r in &facts.repeats {
        let rows = if r.count == 1 {
            Message::text("a second row")
        } else {
            msg!("{} more rows", r.count)
        };
        out.push(
            &DUPLICATE_ROW,
            Label::at_line(r.first.0, u64::from(r.first.1)),
            msg!(
                "{} for `{}`{} in {}; the first value ({}) is kept",
                rows,
                r.metric,
                super::text::scope(&r.scope),
                r.period,
                r.kept.value()
            ),
        )
        .subject(r.metric.to_owned())
        .scope(&r.scope)
        .period(r.period)
        .label(Label::at_line(r.kept.file, u64::from(r.kept.line)).with_message("first row"))
        .help("remove the extra rows: values for one period are never averaged");
    }
}
