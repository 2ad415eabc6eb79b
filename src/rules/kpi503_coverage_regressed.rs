//! `coverage-regressed`: a framework control lost its last KPI.

declare_rule! {
    /// ## What it does
    /// Resolves the framework mappings of every KPI and metric at the base revision and in
    /// the working tree, and reports each control that had at least one KPI at base and has
    /// none now.
    ///
    /// ## Why is this bad?
    /// A control with no KPI is a blind spot; a pull request that creates one should say so
    /// rather than let a remapping hide it.
    ///
    /// ## Example
    /// The only KPI mapped to `NHI9:2025` is remapped to `NHI5:2025`.
    pub static COVERAGE_REGRESSED = {
        code: "KPI503",
        name: "coverage-regressed",
        group: "diff",
        severity: Warning,
        summary: "a framework control that lost its last KPI",
    };
}
