//! `schema`: a JSON Schema violation, located at its span.

declare_rule! {
    /// ## What it does
    /// Validates every policy, catalogue and framework file against its JSON Schema
    /// (`kpilint schema KIND` prints them) and reports each violation at the exact key or
    /// value: a wrong type, a value outside an enumeration, a missing required key, and
    /// any key the schema does not know, with the closest known key as a suggestion. Rule
    /// names in `[rules]` and exceptions are checked the same way.
    ///
    /// ## Why is this bad?
    /// A typo in a policy must never be silently ignored: `trheshold = ...` would otherwise
    /// leave a KPI without its thresholds while the file still looks fine to a reviewer.
    ///
    /// ## Example
    /// ```toml
    /// [[metric]]
    /// id = "time-to-revoke-exposed-key"
    /// ownr = "iam-team@example.com"
    /// tier = "exec"
    /// ```
    /// Use instead: `owner = ...` and one of `board`, `tactical`, `okr`.
    pub static SCHEMA = {
        code: "KPI002",
        name: "schema",
        group: Files,
        severity: Error,
        summary: "a file that does not match its JSON Schema, or names an unknown key or rule",
        check: Loader,
    };
}
