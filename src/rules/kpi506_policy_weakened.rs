//! `policy-weakened`: a pull request weakens the policy itself rather than a KPI.

declare_rule! {
    /// ## What it does
    /// `kpilint diff --base REV` compares the effective policy with the one at REV and
    /// reports each way it got weaker: a rule switched `off` or lowered in severity, a
    /// rule's `locked` removed or its `effective` date pushed later, a `[[banned]]` vanity
    /// metric removed, a `[coverage]` requirement dropped, `max_board_kpis` or
    /// `stale_grace_days` raised, or a tier dropped from `require_mapping`. The finding is
    /// located in the head policy and names the base value.
    ///
    /// The levels of the `diff` rules, and the exceptions that can waive them, come from
    /// the policy at REV: a pull request cannot switch off the checks that review it.
    ///
    /// ## Why is this bad?
    /// Loosening the rules is loosening every KPI at once. `manual-source = "off"` in a
    /// long policy diff waives every manually reported metric, and a deleted banned
    /// metric lets the vanity count back onto the board.
    ///
    /// ## Example
    /// ```toml
    /// # base: [rules] manual-source = "error"
    /// [rules]
    /// manual-source = "warning"
    /// ```
    /// Use instead: keep the rule, and add an approved, expiring `[[exception]]` for the
    /// one metric that needs it.
    pub static POLICY_WEAKENED = {
        code: "KPI506",
        name: "policy-weakened",
        group: "diff",
        severity: Error,
        summary: "a pull request weakens the policy's rules, banned metrics, coverage or settings",
    };
}
