//! `uncovered-control`: a control the policy's `[coverage]` requires has no KPI.

use crate::diag::{Diagnostics, Label};
use crate::analyze::Context;

declare_rule! {
    /// ## What it does
    /// For every `[coverage] require` entry (a framework id such as `owasp-nhi-2025`, or
    /// `framework:PREFIX` such as `nist-csf-2.0:GV.` for one function), checks that each of
    /// its active leaf controls (subcategories, or every control of a flat framework such
    /// as the OWASP NHI Top 10) is evidenced by at least one KPI. A control counts as
    /// covered by the catalogue metrics' mappings and the mappings of the policy KPIs they
    /// implement; when no catalogue is checked, by the policy's own KPIs.
    ///
    /// ## Why is this bad?
    /// A risk with no KPI is a blind spot: the programme cannot show whether it is
    /// changing, and the gap is invisible on a dashboard that only shows what is measured.
    ///
    /// ## Example
    /// ```toml
    /// [coverage]
    /// require = ["owasp-nhi-2025"]   # and no KPI maps to NHI9:2025 (NHI Reuse)
    /// ```
    /// Use instead: add a KPI that evidences the control, e.g. "percent of workloads with
    /// a dedicated identity", with `frameworks = ["NHI9:2025"]`.
    pub static UNCOVERED_CONTROL = {
        code: "KPI315",
        name: "uncovered-control",
        group: Catalogue,
        severity: Warning,
        summary: "a control that `[coverage]` requires has no KPI",
        check: Model(check),
    };
}

/// Checks every coverage requirement.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    if ctx.policy.coverage.is_empty() {
        return;
    }
    let covered = crate::analyze::coverage::covered_controls(ctx.policy, ctx.catalogues, ctx.frameworks);
    for (file, req) in &ctx.policy.coverage {
        let (fw_id, prefix) = req
            .value
            .split_once(':')
            .unwrap_or((req.value.as_str(), ""));
        let Some(fw) = ctx.frameworks.get(fw_id) else {
            continue;
        }; // `unknown-control`
        for c in fw.coverage_targets(prefix) {
            if covered.contains(&(fw.id.clone(), c.id.clone())) {
                continue;
            }
            out.push(
                &UNCOVERED_CONTROL,
                Label::at(*file, req.span).with_message("required here"),
                msg!("{} control {} has no KPI", fw.name, c.describe()),
            )
            .subject(c.id.clone())
            .help(msg!("map a KPI to it with `frameworks = [\"{}\"]`", c.id));
        }
    }
}
