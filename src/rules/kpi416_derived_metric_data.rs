//! `derived-metric-data`: rows reported for a derived KPI, whose values its formula
//! computes.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::diag::{Diagnostics, Label};

declare_rule! {
    /// ## What it does
    /// Reports data rows for a derived KPI or metric (one with a `formula`, or the
    /// catalogue metric of a derived policy KPI's id): its values are computed from the
    /// metrics its formula names, so rows reported for it directly are never taken. One
    /// finding per metric, at its first row, counts them, with a label at the formula.
    ///
    /// ## Why is this bad?
    /// Two sources for one board figure disagree sooner or later, and the board cannot
    /// tell which it is looking at. The formula is the definition the policy reviewed: the
    /// figure is computed from the raw counts it summarises, as the data reports them.
    ///
    /// ## Example
    /// ```csv
    /// metric,period,value
    /// orphaned-nhi-rate,2026-10,3.1
    /// ```
    /// where `orphaned-nhi-rate` has `formula = "100 * orphaned-nhis / total-nhis"`.
    /// Use instead: report `orphaned-nhis` and `total-nhis`, or remove `formula` to report
    /// the rate itself.
    pub static DERIVED_METRIC_DATA = {
        code: "KPI416",
        name: "derived-metric-data",
        group: Data,
        severity: Warning,
        summary: "rows reported for a derived KPI, whose values its formula computes",
        check: Data(check),
    };
}

/// Reports each derived metric with rows of its own, at the first.
fn check(facts: &DataFacts<'_>, _: &Context<'_>, out: &mut Diagnostics) {
    for (info, f) in facts.formulas() {
        let (Some(d), Some(formula)) = (f.direct, info.formula()) else {
            continue;
        };
        out.push(
            &DERIVED_METRIC_DATA,
            Label::at_line(d.file, u64::from(d.line)),
            msg!(
                "`{}` is derived by its formula: {} row{} reported for it {} ignored",
                info.id,
                d.rows,
                if d.rows == 1 { "" } else { "s" },
                if d.rows == 1 { "is" } else { "are" }
            ),
        )
        .subject(info.id.to_owned())
        .label(formula.text.at().with_message("its values are computed here"))
        .help("stop reporting it and report the metrics its formula names, or remove `formula` to report it directly");
    }
}
