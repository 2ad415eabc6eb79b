//! `duplicate-row`: two rows for the same metric, scope and period.

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
        group: "data",
        severity: Error,
        summary: "two rows for one metric, scope and period",
    };
}
