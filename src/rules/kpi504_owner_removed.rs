//! `owner-removed`: a pull request removes a metric's or category's owner.

declare_rule! {
    /// ## What it does
    /// Reports a catalogue metric or policy category that had an `owner` at the base
    /// revision and has none in the working tree.
    ///
    /// ## Why is this bad?
    /// Measuring without ownership is a prohibited practice; dropping an owner in a pull
    /// request leaves a KPI nobody acts on.
    ///
    /// ## Example
    /// `owner = "iam-team@example.com"` deleted from a metric.
    pub static OWNER_REMOVED = {
        code: "KPI504",
        name: "owner-removed",
        group: "diff",
        severity: Error,
        summary: "an owner that the base revision had is gone",
    };
}
