//! Framework coverage: which controls the KPIs evidence. `uncovered-control`,
//! `coverage-regressed` and `kpilint coverage` all judge coverage by this one walk.

use crate::framework::Registry;
use crate::hash::Map;
use crate::model::{Catalogue, Metric, Sp};
use crate::policy::Policy;
use std::collections::{BTreeMap, BTreeSet};

/// The framework controls a set of definitions evidences, as `(framework id, control
/// id)`: what catalogue metrics map, plus what the KPIs they implement map; with no
/// catalogue, what the policy's KPIs map. `uncovered-control`, `coverage-regressed` and
/// `kpilint coverage` all judge coverage by this.
#[must_use]
pub fn covered_controls(
    policy: &Policy,
    catalogues: &[Catalogue],
    frameworks: &Registry,
) -> BTreeSet<(String, String)> {
    let mut covered = BTreeSet::new();
    visit_coverage(policy, catalogues, frameworks, false, |_, control| {
        covered.insert(control.clone());
    });
    covered
}

/// For every covered control (see [`covered_controls`]), the ids of the definitions that
/// evidence it: catalogue metrics (for their own mappings and their KPI's), or policy KPIs
/// when there is no catalogue.
#[must_use]
pub fn coverage_matrix(
    policy: &Policy,
    catalogues: &[Catalogue],
    frameworks: &Registry,
) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut matrix: BTreeMap<_, BTreeSet<String>> = BTreeMap::new();
    visit_coverage(policy, catalogues, frameworks, true, |by, control| {
        matrix
            .entry(control.clone())
            .or_default()
            .insert(by.id.value.clone());
    });
    matrix
}

/// Calls `found(definition, (framework, control))` for each control a definition
/// evidences. A KPI's references are resolved once however many metrics implement it, and
/// reported for every one of them only `per_metric` (a 100,000-metric catalogue under a
/// dozen KPIs need not repeat them to know what is covered).
/// A KPI and, once a metric implementing it was seen, the controls it maps.
type Resolved<'m> = (&'m Metric, Option<Vec<(String, String)>>);

fn visit_coverage<'a>(
    policy: &'a Policy,
    catalogues: &'a [Catalogue],
    frameworks: &Registry,
    per_metric: bool,
    mut found: impl FnMut(&'a Metric, &(String, String)),
) {
    use crate::framework::Resolution;
    let resolve = |refs: &[Sp<String>]| -> Vec<(String, String)> {
        refs.iter()
            .filter_map(|r| match frameworks.resolve(&r.value) {
                Resolution::Canonical(f, c) | Resolution::Noncanonical(f, c) => {
                    Some((f.id.clone(), c.id.clone()))
                }
                _ => None,
            })
            .collect()
    };
    if catalogues.is_empty() {
        for k in &policy.kpis {
            for c in &resolve(&k.frameworks) {
                found(k, c);
            }
        }
        return;
    }
    let mut kpis: Map<&str, Resolved<'_>> = Map::default();
    for k in &policy.kpis {
        // The first of a duplicated id (`duplicate-id`), as `Context::kpi_for` has it.
        kpis.entry(k.id.value.as_str()).or_insert((k, None));
    }
    for m in catalogues.iter().flat_map(|c| &c.metrics) {
        for c in &resolve(&m.frameworks) {
            found(m, c);
        }
        if let Some((k, controls)) = kpis.get_mut(m.kpi_id()) {
            let first = controls.is_none();
            if first || per_metric {
                controls
                    .get_or_insert_with(|| resolve(&k.frameworks))
                    .iter()
                    .for_each(|c| found(m, c));
            }
        }
    }
}
