//! `manual-data`: rows whose `source` is manual.

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
        group: "data",
        severity: Warning,
        summary: "rows reported by hand",
    };
}
