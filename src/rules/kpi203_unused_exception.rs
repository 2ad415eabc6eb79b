//! `unused-exception`: a live exception that waived nothing. Raised when findings are
//! resolved against exceptions, after every other rule has run.

declare_rule! {
    /// ## What it does
    /// Reports an exception that is live (not expired) but suppressed no finding in this
    /// run: its rule no longer fires for its subject, the subject was renamed, or the rule
    /// is `locked` in the policy and cannot be waived.
    ///
    /// ## Why is this bad?
    /// A stale exception is a loaded gun: the day the problem comes back it is silently
    /// waived again, without anyone re-approving it.
    ///
    /// ## Example
    /// ```toml
    /// [[exception]]
    /// rule = "manual-source"
    /// subject = "audit-findings"   # this metric is automated now
    /// ```
    /// Use instead: delete the exception.
    pub static UNUSED_EXCEPTION = {
        code: "KPI203",
        name: "unused-exception",
        group: "exceptions",
        severity: Warning,
        summary: "a live exception that waived nothing",
    };
}
