//! Analysis: the typed facts rules read. [`Model`] is what a run checked (effective policy,
//! catalogues, frameworks); [`Context`] indexes it for the model rules and resolves every
//! framework reference once; [`coverage`] says which controls the KPIs evidence; [`data`]
//! streams data files into per-series facts (latest value, effective thresholds, trend,
//! due date, repeats) and the scorecard.

pub mod baseline;
pub mod coverage;
pub mod data;
pub mod delta;
mod number;
mod read;
pub mod scorecard;
mod series;

use crate::framework::{Registry, Resolution};
use crate::hash::Map;
use crate::model::{Catalogue, Event, Metric, Register, Sp};
use crate::policy::Policy;
use std::sync::OnceLock;

/// The validated inputs of a run: what was checked, kept for comparisons such as
/// `kpilint diff` and views such as `kpilint coverage`.
#[derive(Debug)]
pub struct Model {
    /// The effective policy.
    pub policy: Policy,
    /// The catalogues.
    pub catalogues: Vec<Catalogue>,
    /// The identity event registers.
    pub registers: Vec<Register>,
    /// The frameworks.
    pub frameworks: Registry,
}

/// A framework reference of a KPI or metric, resolved.
#[derive(Debug)]
pub struct Reference<'a> {
    /// The KPI or metric that makes it.
    pub by: &'a Metric,
    /// The reference as written.
    pub written: &'a Sp<String>,
    /// What it names.
    pub resolution: Resolution<'a>,
}

/// What every model rule reads.
pub struct Context<'a> {
    /// The effective policy.
    pub policy: &'a Policy,
    /// The catalogues checked.
    pub catalogues: &'a [Catalogue],
    /// The identity event registers checked.
    pub registers: &'a [Register],
    /// Frameworks known to this run.
    pub frameworks: &'a Registry,
    /// "Today".
    pub as_of: jiff::civil::Date,
    /// Only some files of the repository were named (as pre-commit may): what needs every
    /// catalogue (a required KPI carried by the organisation) cannot be judged.
    pub partial: bool,
    kpi_index: Map<&'a str, usize>,
    references: OnceLock<Vec<Reference<'a>>>,
    event_index: OnceLock<Map<&'a str, &'a Event>>,
}

impl<'a> Context<'a> {
    /// The context of a model as of a day.
    #[must_use]
    pub fn new(model: &'a Model, as_of: jiff::civil::Date) -> Self {
        let mut kpi_index = Map::default();
        for (i, k) in model.policy.kpis.iter().enumerate() {
            kpi_index.entry(k.id.value.as_str()).or_insert(i);
        }
        Self {
            policy: &model.policy,
            catalogues: &model.catalogues,
            registers: &model.registers,
            frameworks: &model.frameworks,
            as_of,
            partial: false,
            kpi_index,
            references: OnceLock::new(),
            event_index: OnceLock::new(),
        }
    }

    /// The policy KPI a catalogue metric implements: `implements`, or a KPI with the
    /// metric's own id.
    #[must_use]
    pub fn kpi_for(&self, m: &Metric) -> Option<&'a Metric> {
        self.kpi(m.kpi_id())
    }

    /// The effective KPI with this id (the first of a duplicated id).
    #[must_use]
    pub fn kpi(&self, id: &str) -> Option<&'a Metric> {
        self.kpi_index.get(id).map(|&i| &self.policy.kpis[i])
    }

    /// Every catalogue metric.
    pub fn metrics(&self) -> impl Iterator<Item = &'a Metric> + '_ {
        self.catalogues.iter().flat_map(|c| c.metrics.iter())
    }

    /// Every identity event, register by register.
    pub fn events(&self) -> impl Iterator<Item = &'a Event> + '_ {
        self.registers.iter().flat_map(|r| r.events.iter())
    }

    /// The first event with this id (indexed once: a register may be large).
    #[must_use]
    pub fn event(&self, id: &str) -> Option<&'a Event> {
        self.event_index
            .get_or_init(|| {
                let mut index = Map::default();
                for e in self.registers.iter().flat_map(|r| &r.events) {
                    index.entry(e.id.value.as_str()).or_insert(e);
                }
                index
            })
            .get(id)
            .copied()
    }

    /// Every definition: policy KPIs, then catalogue metrics.
    pub fn definitions(&self) -> impl Iterator<Item = &'a Metric> + '_ {
        self.policy.kpis.iter().chain(self.metrics())
    }

    /// Every definition as a layer or a catalogue writes it, for the rules that judge a
    /// definition's own contradictions: the effective KPIs, the layers' definitions a later
    /// layer restates, and the catalogue metrics.
    pub fn own_definitions(&self) -> impl Iterator<Item = &'a Metric> + '_ {
        self.policy
            .kpis
            .iter()
            .chain(&self.policy.superseded)
            .chain(self.metrics())
    }

    /// A value of a metric, falling back to the KPI it implements.
    pub fn inherited<T>(&self, m: &'a Metric, get: impl Fn(&'a Metric) -> Option<T>) -> Option<T> {
        get(m).or_else(|| self.kpi_for(m).and_then(get))
    }

    /// Every framework reference of every definition, resolved once for all the rules that
    /// judge them (`unknown-control`, `legacy-control`, `noncanonical-control`).
    pub fn references(&self) -> &[Reference<'a>] {
        self.references.get_or_init(|| {
            let frameworks = self.frameworks;
            self.definitions()
                .flat_map(|by| {
                    by.frameworks.iter().map(move |written| Reference {
                        by,
                        written,
                        resolution: frameworks.resolve(&written.value),
                    })
                })
                .collect()
        })
    }
}

/// Inputs for unit tests of rules and analysis, parsed from text.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Context, Model};
    use crate::policy::Policy;
    use crate::source::FileId;

    /// A policy (file 0), one catalogue (file 1) and the built-in frameworks.
    pub(crate) struct Inputs {
        pub(crate) model: Model,
    }

    impl Inputs {
        /// `policy` is a policy file's text (`None`: no policy at all).
        pub(crate) fn new(policy: Option<&str>, catalogue: &str) -> Self {
            let policy = policy.map_or_else(Policy::default, |text| {
                let root = crate::parse::toml::parse(text).unwrap();
                let layer = crate::load::extract::policy(&root, FileId(0)).unwrap();
                let policy = Policy::merge(vec![layer]);
                assert!(policy.conflicts.is_empty(), "{:?}", policy.conflicts);
                policy
            });
            let root = crate::parse::toml::parse(catalogue).unwrap();
            Self {
                model: Model {
                    policy,
                    catalogues: vec![crate::load::extract::catalogue(&root, FileId(1))],
                    registers: Vec::new(),
                    frameworks: crate::load::builtin::frameworks(),
                },
            }
        }

        /// The context, as of 2026-11-24.
        pub(crate) fn ctx(&self) -> Context<'_> {
            Context::new(&self.model, jiff::civil::date(2026, 11, 24))
        }
    }
}
