//! `parse-error`: a file that cannot be read or parsed.

declare_rule! {
    /// ## What it does
    /// Reports a file that is not valid TOML or JSON, is not UTF-8, is empty, is nested too
    /// deeply, or cannot be read at all. The finding points at the first byte that fails.
    ///
    /// ## Why is this bad?
    /// Nothing in a file that does not parse can be checked, so a pull request that breaks a
    /// catalogue's syntax would otherwise silently drop every KPI in it from the gate.
    /// A malformed catalogue is a finding and the other files are still checked; a policy
    /// that does not parse stops the run with exit code 2, since nothing can be judged
    /// without it.
    ///
    /// ## Example
    /// ```toml
    /// [[metric]]
    /// id = "critical-secrets-rotated-within-sla
    /// ```
    /// Use instead: close the string: `id = "critical-secrets-rotated-within-sla"`.
    pub static PARSE_ERROR = {
        code: "KPI001",
        name: "parse-error",
        group: Files,
        severity: Error,
        summary: "a file that cannot be read or parsed",
        check: Loader,
    };
}
