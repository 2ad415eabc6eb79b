//! The change between two revisions' models, indexed for the `diff` rules.

use crate::analyze::Model;
use crate::diag::Label;
use crate::hash::Map;
use crate::model::{Direction, Metric, PolicyFile, Tier};
use crate::source::SourceMap;

/// The two revisions' `kpilint.toml`: what moves the gate.
#[derive(Clone, Copy)]
pub struct Configs<'a> {
    /// The base revision's, if it has one.
    pub base: Option<&'a crate::config::Config>,
    /// The working tree's, with the file it was read into.
    pub head: Option<(&'a crate::config::Config, crate::source::FileId)>,
}

/// The base revision's model and the working tree's, as of a day.
pub struct Delta<'a> {
    /// The base revision's.
    pub base: &'a Model,
    /// The working tree's.
    pub head: &'a Model,
    /// "Today".
    pub as_of: jiff::civil::Date,
    /// The base revision's `kpilint.toml` and the working tree's (with its file), when the
    /// run compares them.
    pub configs: Option<Configs<'a>>,
    /// Base files (by their id in the base run) copied into the working tree's sources, so
    /// a finding can point at the base value too.
    pub base_files: Map<crate::source::FileId, crate::source::FileId>,
    /// Each policy layer of the base paired with the working tree's layer read from the
    /// same path (`None` when that file is gone): so a change is judged in the file that
    /// makes it.
    pub layers: Vec<(&'a PolicyFile, Option<&'a PolicyFile>)>,
    head_kpis: Map<&'a str, &'a Metric>,
    head_layers: Map<&'a str, &'a PolicyFile>,
    base_kpis: Map<&'a str, &'a Metric>,
    head_metrics: Map<&'a str, &'a Metric>,
    base_directions: Map<&'a str, Direction>,
    head_directions: Map<&'a str, Direction>,
}

impl<'a> Delta<'a> {
    /// The change from `base` to `head`.
    #[must_use]
    pub fn new(base: &'a Model, head: &'a Model, as_of: jiff::civil::Date) -> Self {
        Self {
            base,
            head,
            as_of,
            configs: None,
            base_files: Map::default(),
            layers: Vec::new(),
            head_layers: {
                let mut by_id = Map::default();
                for l in &head.policy.layers {
                    by_id.entry(l.id.value.as_str()).or_insert(l);
                }
                by_id
            },
            head_kpis: head
                .policy
                .kpis
                .iter()
                .map(|k| (k.id.value.as_str(), k))
                .collect(),
            base_kpis: base
                .policy
                .kpis
                .iter()
                .map(|k| (k.id.value.as_str(), k))
                .collect(),
            head_metrics: head
                .catalogues
                .iter()
                .flat_map(|c| c.metrics.iter())
                .map(|m| (m.id.value.as_str(), m))
                .collect(),
            base_directions: directions(base),
            head_directions: directions(head),
        }
    }

    /// Pairs the two revisions' policy layers by the path each was read from (as
    /// displayed, which both runs make relative to the same directory).
    #[must_use]
    pub fn with_layers(mut self, base: &SourceMap, head: &SourceMap) -> Self {
        let heads: Map<&str, &'a PolicyFile> = self
            .head
            .policy
            .layers
            .iter()
            .map(|l| (head.get(l.file).display.as_str(), l))
            .collect();
        self.layers = self
            .base
            .policy
            .layers
            .iter()
            .map(|l| (l, heads.get(base.get(l.file).display.as_str()).copied()))
            .collect();
        self
    }

    /// The working tree's policies that `layer` extends, directly or not.
    #[must_use]
    pub fn head_ancestors(&self, layer: &PolicyFile) -> Vec<&'a PolicyFile> {
        let mut out: Vec<&'a PolicyFile> = Vec::new();
        let mut seen: crate::hash::Set<&str> = crate::hash::Set::default();
        let mut todo: Vec<&str> = layer.extends.iter().map(|e| e.value.as_str()).collect();
        while let Some(id) = todo.pop() {
            let Some(&parent) = self.head_layers.get(id) else {
                continue;
            };
            if !seen.insert(id) {
                continue;
            }
            out.push(parent);
            todo.extend(parent.extends.iter().map(|e| e.value.as_str()));
        }
        out
    }

    /// A label at a base revision's value, in its copy among the working tree's sources
    /// (`None` for a file not copied: a catalogue, the embedded baseline).
    #[must_use]
    pub fn base_label_at(
        &self,
        (file, span): (crate::source::FileId, crate::source::Span),
    ) -> Option<Label> {
        self.base_files
            .get(&file)
            .map(|&f| Label::at(f, span).with_message("at the base"))
    }

    /// Each base policy KPI with its head counterpart, if it still exists.
    pub fn kpis(&self) -> impl Iterator<Item = (&'a Metric, Option<&'a Metric>)> + '_ {
        self.base
            .policy
            .kpis
            .iter()
            .map(|b| (b, self.head_kpis.get(b.id.value.as_str()).copied()))
    }

    /// Each base catalogue metric, with its catalogue's id and its head counterpart.
    pub fn metrics(
        &self,
    ) -> impl Iterator<Item = (Option<&'a str>, &'a Metric, Option<&'a Metric>)> + '_ {
        self.base.catalogues.iter().flat_map(move |c| {
            let cat = c.id.as_ref().map(|i| i.value.as_str());
            c.metrics
                .iter()
                .map(move |b| (cat, b, self.head_metrics.get(b.id.value.as_str()).copied()))
        })
    }

    /// The direction that judges a metric pair that leaves its own out: its KPI's, at the
    /// base, else in the working tree.
    #[must_use]
    pub fn inherited_direction(&self, base: &Metric, head: &Metric) -> Option<Direction> {
        self.base_directions
            .get(base.kpi_id())
            .or_else(|| self.head_directions.get(head.kpi_id()))
            .copied()
    }

    /// A base metric's tier: its own, else its KPI's at the base.
    #[must_use]
    pub fn base_tier(&self, m: &Metric) -> Option<Tier> {
        tier(m, &self.base_kpis)
    }

    /// A working-tree metric's tier: its own, else its KPI's in the working tree.
    #[must_use]
    pub fn head_tier(&self, m: &Metric) -> Option<Tier> {
        tier(m, &self.head_kpis)
    }

    /// Where findings about what is gone from the policy are located: the head policy's id
    /// (the last layer read from disk).
    #[must_use]
    pub fn policy_anchor(&self) -> Option<Label> {
        self.head.policy.layers.last().map(|l| l.id.at())
    }

    /// Where findings about what is gone from a catalogue are located: the head catalogue
    /// with that id, else the first head catalogue, else the policy anchor.
    #[must_use]
    pub fn catalogue_anchor(&self, catalogue: Option<&str>) -> Option<Label> {
        self.head
            .catalogues
            .iter()
            .find(|c| c.id.as_ref().map(|i| i.value.as_str()) == catalogue)
            .or(self.head.catalogues.first())
            .map(|c| Label::at(c.file, c.id.as_ref().map_or(c.span, |i| i.span)))
            .or_else(|| self.policy_anchor())
    }
}

/// A metric's tier: its own, else that of its KPI among `kpis`.
fn tier(m: &Metric, kpis: &Map<&str, &Metric>) -> Option<Tier> {
    m.tier
        .as_ref()
        .or_else(|| kpis.get(m.kpi_id()).and_then(|k| k.tier.as_ref()))
        .map(|t| t.value)
}

/// The directions of a revision's policy KPIs, by id (the first of a duplicated id).
fn directions(model: &Model) -> Map<&str, Direction> {
    let mut out = Map::default();
    for k in &model.policy.kpis {
        if let Some(d) = &k.direction {
            out.entry(k.id.value.as_str()).or_insert(d.value);
        }
    }
    out
}
