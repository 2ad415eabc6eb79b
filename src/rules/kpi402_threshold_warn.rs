//! `threshold-warn`: the latest value is past the warn threshold.

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
        group: "data",
        severity: Warning,
        summary: "the latest value is past the warn threshold",
    };
}
