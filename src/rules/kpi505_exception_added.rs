//! `exception-added`: a pull request adds or extends an exception.

declare_rule! {
    /// ## What it does
    /// Lists every `[[exception]]` that is new at the head, or whose `expires` date moved
    /// later, so each waiver is approved explicitly in the review.
    ///
    /// ## Why is this bad?
    /// Exceptions are approved deviations. One slipped into a larger change, or an expiry
    /// quietly pushed out, waives a finding without anyone deciding to accept the risk.
    ///
    /// ## Example
    /// A new `[[exception]] rule = "manual-source"` in the policy.
    pub static EXCEPTION_ADDED = {
        code: "KPI505",
        name: "exception-added",
        group: "diff",
        severity: Warning,
        summary: "a new or extended exception, listed for approval",
    };
}
