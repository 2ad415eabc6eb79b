//! `kpi-removed`: a pull request deletes a KPI or metric.

declare_rule! {
    /// ## What it does
    /// Reports a policy KPI or catalogue metric that exists at the base revision and not in
    /// the working tree, located at the head policy or catalogue that held it.
    ///
    /// ## Why is this bad?
    /// Deleting a KPI is the quietest way to stop reporting a failing control: the red
    /// line simply disappears from the board pack.
    ///
    /// ## Example
    /// The base policy defines `time-to-revoke-exposed-key`; the pull request removes it.
    pub static KPI_REMOVED = {
        code: "KPI502",
        name: "kpi-removed",
        group: "diff",
        severity: Warning,
        summary: "a KPI or metric that the base revision had is gone",
    };
}
