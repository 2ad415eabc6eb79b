//! `kpi-removed`: a pull request deletes a KPI or metric.

use crate::diag::Diagnostics;
use crate::analyze::delta::Delta;

declare_rule! {
    /// ## What it does
    /// Reports a policy KPI or catalogue metric that exists at the base revision and not in
    /// the working tree, located at the head policy or catalogue that held it. A required
    /// KPI removed is `policy-weakened`, an error, instead.
    ///
    /// ## Why is this bad?
    /// Deleting a KPI is the quietest way to stop reporting a failing control: the red
    /// line simply disappears from the board pack.
    ///
    /// ## Example
    /// The base policy defines `time-to-revoke-exposed-key`; the pull request removes it.
    pub static KPI_REMOVED = {
        code: "KPI502",
        name: "kpi-removed",
        group: Diff,
        severity: Warning,
        summary: "a KPI or metric that the base revision had is gone",
        check: Diff(check),
    };
}

/// Reports each KPI and metric of the base that the working tree no longer has.
fn check(delta: &Delta<'_>, out: &mut Diagnostics) {
    // Each base KPI's last defining file, as the working tree has it.
    let mut removed_from: crate::hash::Map<&str, &crate::model::PolicyFile> =
        crate::hash::Map::default();
    for (b_layer, h_layer) in &delta.layers {
        if let Some(h_layer) = h_layer {
            for k in &b_layer.kpis {
                removed_from.insert(k.id.value.as_str(), h_layer);
            }
        }
    }
    for (b, h) in delta.kpis() {
        // A required KPI removed is `policy-weakened`, an error.
        if h.is_some() || b.is_required() {
            continue;
        }
        // At the policy file it was removed from, when that file is still there.
        let from = removed_from.get(b.id.value.as_str()).map(|h| h.id.at());
        if let Some(at) = from.or_else(|| delta.policy_anchor()) {
            out.push(
                &KPI_REMOVED,
                at.with_message("removed from the policy"),
                msg!("KPI `{}` was removed from the policy", b.id.value),
            )
            .subject(b.id.value.clone())
            .help("removing a KPI stops its reporting: get the removal approved explicitly");
        }
    }
    for (catalogue, b, h) in delta.metrics() {
        if h.is_some() {
            continue;
        }
        if let Some(at) = delta.catalogue_anchor(catalogue) {
            out.push(
                &KPI_REMOVED,
                at.with_message("removed from this catalogue"),
                msg!("metric `{}` was removed", b.id.value),
            )
            .subject(b.id.value.clone())
            .help("removing a metric stops its reporting: get the removal approved explicitly");
        }
    }
}
