//! `unknown-metric-data`: rows for a metric that no catalogue or policy defines.

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
        group: "data",
        severity: Error,
        summary: "rows for a metric no catalogue or policy defines",
    };
}
