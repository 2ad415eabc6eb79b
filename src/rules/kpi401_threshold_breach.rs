//! `threshold-breach`: the latest value is past the critical threshold.

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
        group: "data",
        severity: Error,
        summary: "the latest value is past the critical threshold",
    };
}
