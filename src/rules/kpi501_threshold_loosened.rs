//! `threshold-loosened`: a pull request loosens a KPI or metric.

declare_rule! {
    /// ## What it does
    /// `kpilint diff --base REV` compares every policy KPI and catalogue metric with its
    /// definition at REV. Direction-aware: for `higher_is_better` a lower `target`, `warn`
    /// or `critical` is looser, for `lower_is_better` a higher one; a trend target dropped
    /// or changed, a longer cadence, and `required` dropped are looser too. The finding is
    /// located in the head file and names the base value.
    ///
    /// ## Why is this bad?
    /// A threshold quietly loosened is the change a reviewer most easily misses: one digit
    /// in a long TOML diff lowers the bar the board believes is in force.
    ///
    /// ## Example
    /// ```toml
    /// # base: thresholds = { target = 95, warn = 90, critical = 80 }
    /// thresholds = { target = 95, warn = 90, critical = 70 }
    /// ```
    /// Use instead: keep 80, or get the loosening approved and say so in the PR.
    pub static THRESHOLD_LOOSENED = {
        code: "KPI501",
        name: "threshold-loosened",
        group: "diff",
        severity: Error,
        summary: "a pull request loosens a threshold, trend target, cadence or requirement",
    };
}
