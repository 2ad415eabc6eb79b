//! `noncanonical-control`: an alias of a control ID. Raised by `unknown-control`'s resolver.

declare_rule! {
    /// ## What it does
    /// Reports a framework reference written in an informal form that kpilint resolves to
    /// a canonical control: `NHI-02`, `NHI2` or `NHI-02:2025` for `NHI2:2025`, `GV.RM-1` for
    /// `GV.RM-01` (in a category new in CSF 2.0; an unpadded CSF 1.1 ID is `legacy-control`),
    /// `GOVERN-1.1` or `GV 1.1` for `GOVERN 1.1`, another letter case (also of a framework
    /// qualifier, `NIST-CSF-2.0:GV.RM-01`), or surrounding whitespace. The message names the
    /// canonical form, qualified if the reference was.
    ///
    /// ## Why is this bad?
    /// Several spellings of one control defeat search, coverage reports read by other tools
    /// and diff reviews. Some informal forms also collide with unrelated taxonomies (vendor
    /// lists use `NHI-001` for identity types).
    ///
    /// ## Example
    /// ```toml
    /// frameworks = ["NHI-02", "GV.RM-1"]
    /// ```
    /// Use instead: `frameworks = ["NHI2:2025", "GV.RM-01"]`.
    pub static NONCANONICAL_CONTROL = {
        code: "KPI105",
        name: "noncanonical-control",
        group: "policy",
        severity: Warning,
        summary: "an informal spelling of a control ID",
    };
}
