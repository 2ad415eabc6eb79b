//! `malformed-row`: a data row or header that cannot be read.

declare_rule! {
    /// ## What it does
    /// Reports a data row that cannot be used: an unknown period format, a value that is not
    /// a number, a missing column, a zero denominator, invalid UTF-8, broken JSON. The rest
    /// of the file is still read. A header that lacks a required column (`metric`,
    /// `period`, and `value` or `numerator` + `denominator`) is one finding for the file.
    ///
    /// ## Why is this bad?
    /// A row that is silently skipped makes a series look stale or hides a breach.
    ///
    /// ## Example
    /// ```csv
    /// metric,period,value
    /// critical-secrets-rotated-within-sla,October 2026,96.0
    /// ```
    /// Use instead: `2026-10`.
    pub static MALFORMED_ROW = {
        code: "KPI409",
        name: "malformed-row",
        group: "data",
        severity: Error,
        summary: "a data row or header that cannot be read",
    };
}
