//! `legacy-control`: a withdrawn NIST CSF 1.1 ID. Raised by `unknown-control`'s resolver.

declare_rule! {
    /// ## What it does
    /// Reports a reference to a NIST CSF 1.1 subcategory or category that CSF 2.0 withdrew,
    /// such as `PR.AC-1` or `ID.GV-01`, and names its CSF 2.0 successors (from NIST's own
    /// withdrawal links, e.g. `PR.AC-01` moved to `PR.AA-01` and `PR.AA-05`; a category
    /// withdrawn with no single successor, such as `PR.IP`, lists where each of its
    /// subcategories went). Also reports a CSF 1.1 ID written as CSF 1.1 wrote it, unpadded,
    /// whose number CSF 2.0 reuses (`ID.AM-1`, `DE.CM-1`, `RS.AN-3`): its successor is the
    /// same-numbered CSF 2.0 control (`ID.AM-01`), which may word the outcome differently. An
    /// unpadded ID in a category new in CSF 2.0 (`GV.RM-1`, `PR.AA-1`) is not CSF 1.1 but
    /// `noncanonical-control`.
    ///
    /// ## Why is this bad?
    /// CSF 2.0 reorganised identity and governance outcomes (the new GOVERN function,
    /// `PR.AC` became `PR.AA`). A KPI mapped to a withdrawn ID evidences a control that no
    /// longer exists in the framework the policy claims to follow. An ID that survived may
    /// have changed meaning (`RS.AN-03`, `DE.CM-01` and `PR.DS-01` were reworded), so the
    /// mapping must be checked against the CSF 2.0 text before it is respelt.
    ///
    /// ## Example
    /// ```toml
    /// frameworks = ["PR.AC-1", "RS.AN-3"]
    /// ```
    /// Use instead: `frameworks = ["PR.AA-01", "RS.AN-03"]`, once the KPI is checked against
    /// the CSF 2.0 outcomes.
    pub static LEGACY_CONTROL = {
        code: "KPI104",
        name: "legacy-control",
        group: "policy",
        severity: Warning,
        summary: "a NIST CSF 1.1 control ID (withdrawn, or reused in 2.0), with its CSF 2.0 successor",
    };
}
