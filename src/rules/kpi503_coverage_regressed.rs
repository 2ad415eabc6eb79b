//! `coverage-regressed`: a framework control lost its last KPI.

use crate::analyze::coverage::covered_controls;
use crate::diag::{Diagnostics, Label};
use crate::analyze::delta::Delta;

declare_rule! {
    /// ## What it does
    /// Resolves the framework mappings of every KPI and metric at the base revision and in
    /// the working tree, and reports each control that had at least one KPI at base and has
    /// none now.
    ///
    /// ## Why is this bad?
    /// A control with no KPI is a blind spot; a pull request that creates one should say so
    /// rather than let a remapping hide it.
    ///
    /// ## Example
    /// The only KPI mapped to `NHI9:2025` is remapped to `NHI5:2025`.
    pub static COVERAGE_REGRESSED = {
        code: "KPI503",
        name: "coverage-regressed",
        group: Diff,
        severity: Warning,
        summary: "a framework control that lost its last KPI",
        check: Diff(check),
    };
}

/// Reports each control the base's KPIs evidenced and the working tree's do not.
fn check(delta: &Delta<'_>, out: &mut Diagnostics) {
    let covered = |m: &crate::analyze::Model| {
        covered_controls(&m.policy, &m.catalogues, &m.frameworks)
    };
    let now = covered(delta.head);
    for (fw, control) in covered(delta.base).difference(&now) {
        let at = delta
            .head
            .policy
            .coverage
            .first()
            .map(|(file, req)| Label::at(*file, req.span))
            .or_else(|| delta.policy_anchor());
        if let Some(at) = at {
            out.push(
                &COVERAGE_REGRESSED,
                at.with_message("coverage lost"),
                msg!("`{}` control `{}` lost its last KPI", fw, control),
            )
            .subject(control.clone())
            .help(msg!(
                "map a KPI to it with `frameworks = [\"{}\"]`, or record why it is no longer measured",
                control
            ));
        }
    }
}
