//! `legacy-control`: a withdrawn NIST CSF 1.1 ID. Raised by `unknown-control`'s resolver.

declare_rule! {
    /// ## What it does
    /// Reports a reference to a NIST CSF 1.1 subcategory or category that CSF 2.0 withdrew,
    /// such as `PR.AC-1` or `ID.GV-01`, and names its CSF 2.0 successors (from NIST's own
    /// withdrawal links, e.g. `PR.AC-01` moved to `PR.AA-01` and `PR.AA-05`).
    ///
    /// ## Why is this bad?
    /// CSF 2.0 reorganised identity and governance outcomes (the new GOVERN function,
    /// `PR.AC` became `PR.AA`). A KPI mapped to a withdrawn ID evidences a control that no
    /// longer exists in the framework the policy claims to follow.
    ///
    /// ## Example
    /// ```toml
    /// frameworks = ["PR.AC-1"]
    /// ```
    /// Use instead: `frameworks = ["PR.AA-01"]`.
    pub static LEGACY_CONTROL = {
        code: "KPI104",
        name: "legacy-control",
        group: "policy",
        severity: Warning,
        summary: "a withdrawn NIST CSF 1.1 control ID, with its CSF 2.0 successor",
    };
}
