//! `mapping-removed`: a framework mapping the base revision had is gone.

use crate::analyze::delta::Delta;
use crate::diag::Diagnostics;
use crate::framework::{Registry, Resolution};
use crate::model::Metric;

declare_rule! {
    /// ## What it does
    /// `kpilint diff --base REV` reports each framework control that a policy KPI or
    /// catalogue metric maps to at REV and no longer maps to in the working tree, whether
    /// or not a `[coverage]` requirement covers it (`coverage-regressed` reports a required
    /// control left uncovered). A control is compared by what it resolves to, so rewriting
    /// `NHI-02` as `NHI2:2025` removes nothing. A KPI or metric removed altogether is
    /// `kpi-removed`.
    ///
    /// ## Why is this bad?
    /// A mapping is the evidence that a KPI measures a control. Dropping it quietly shrinks
    /// what the programme can show an auditor, and the coverage matrix with it.
    ///
    /// ## Example
    /// ```toml
    /// # base:  frameworks = ["NHI7:2025", "PR.AA-05"]
    /// frameworks = ["NHI7:2025"]
    /// ```
    /// Use instead: keep the mapping, or map the KPI to the control that replaces it.
    pub static MAPPING_REMOVED = {
        code: "KPI508",
        name: "mapping-removed",
        group: Diff,
        severity: Warning,
        summary: "a framework mapping the base revision had is gone",
        check: Diff(check),
    };
}

/// Reports each control a base KPI or metric maps to that its working-tree version does
/// not.
fn check(delta: &Delta<'_>, out: &mut Diagnostics) {
    let (bf, hf) = (&delta.base.frameworks, &delta.head.frameworks);
    for (b, h) in delta.kpis() {
        if let Some(h) = h {
            judge("KPI", b, bf, h, hf, out);
        }
    }
    for (_, b, h) in delta.metrics() {
        if let Some(h) = h {
            judge("metric", b, bf, h, hf, out);
        }
    }
}

/// A reference as the control it resolves to, else as written.
fn key(frameworks: &Registry, raw: &str) -> String {
    match frameworks.resolve(raw) {
        Resolution::Canonical(f, c)
        | Resolution::Noncanonical(f, c)
        | Resolution::Legacy(f, c)
        | Resolution::Reused(f, c) => format!("{}:{}", f.id, c.id),
        _ => raw.trim().to_owned(),
    }
}

fn judge(
    what: &str,
    b: &Metric,
    bf: &Registry,
    h: &Metric,
    hf: &Registry,
    out: &mut Diagnostics,
) {
    let now: Vec<String> = h.frameworks.iter().map(|r| key(hf, &r.value)).collect();
    for was in &b.frameworks {
        if now.contains(&key(bf, &was.value)) {
            continue;
        }
        let at = h
            .frameworks
            .first()
            .map_or_else(|| h.id.at(), crate::model::Sp::at);
        out.push(
            &MAPPING_REMOVED,
            at.with_message("mapping removed"),
            msg!(
                "{} `{}` no longer maps to `{}`",
                what,
                h.id.value,
                was.value
            ),
        )
        .subject(h.id.value.clone())
        .help("keep the mapping, or map it to the control that replaces it");
    }
}
