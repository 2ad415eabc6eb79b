//! The scorecard: every series' latest value, status and trend, as the formats show it.

use super::Context;
use super::data::{DataFacts, MetricInfo, Movement, Status};
use crate::model::{Tier, Unit};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

/// One line of the scorecard.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreLine {
    /// Metric id.
    pub metric: String,
    /// Scope (empty for none).
    pub scope: String,
    /// Latest value.
    pub latest: Option<f64>,
    /// Latest period.
    #[serde(serialize_with = "as_text")]
    pub period: Option<crate::period::Period>,
    /// The series' status.
    pub status: Status,
    /// Its movement over the window.
    pub trend: Movement,
    /// Whether the latest value meets the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_met: Option<bool>,
    /// Unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// Tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// Effective target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Effective warn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warn: Option<f64>,
    /// Effective critical.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub critical: Option<f64>,
    /// The window's values, oldest first.
    pub window: Vec<f64>,
}

/// A period as its text, written straight into the output. (serde's `serialize_with`
/// hands over `&Option<_>`.)
#[allow(clippy::ref_option)]
fn as_text<S: serde::Serializer>(
    period: &Option<crate::period::Period>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match period {
        Some(p) => s.collect_str(p),
        None => s.serialize_none(),
    }
}

/// Every series' latest value, status and trend, and a `missing` line for each catalogue
/// metric with no row: board KPIs first, then by metric and scope. The order is decided on
/// small keys first and the lines are built in it, so a million series are neither sorted
/// as 170-byte lines nor grown into a doubling vector.
#[must_use]
pub fn scorecard<'f, 'm: 'f>(facts: &'f DataFacts<'_>, ctx: &'f Context<'m>) -> Vec<ScoreLine> {
    enum Item<'f> {
        Series(super::data::SeriesFacts<'f>),
        Missing(&'f crate::model::Metric),
    }
    fn tier_rank(t: Option<Tier>) -> u8 {
        match t {
            Some(Tier::Board) => 0,
            Some(Tier::Tactical) => 1,
            Some(Tier::Okr) => 2,
            None => 3,
        }
    }
    fn key<'f>(item: &Item<'f>, facts: &'f DataFacts<'_>) -> (u8, &'f str, &'f str) {
        match item {
            Item::Series(s) => (tier_rank(s.metric.tier()), s.metric.id, s.scope),
            Item::Missing(m) => (
                tier_rank(facts.info(&m.id.value).and_then(MetricInfo::tier)),
                m.id.value.as_str(),
                "",
            ),
        }
    }
    // The closure shortens each metric's lifetime to the facts'; the bare variant cannot.
    #[allow(clippy::redundant_closure)]
    let items: Vec<Item<'_>> = facts
        .series()
        .map(Item::Series)
        .chain(facts.missing(ctx).map(|m| Item::Missing(m)))
        .collect();
    // Metric ids and scopes are ranked once among their distinct values (a hundred metrics,
    // ten thousand scopes for a million series), so the series are sorted on integers, not
    // by comparing their strings.
    let rank = |values: &mut dyn Iterator<Item = &'f str>| -> FxHashMap<&'f str, u32> {
        let mut distinct: Vec<&str> = values.collect::<FxHashSet<_>>().into_iter().collect();
        distinct.sort_unstable();
        distinct.into_iter().zip(0u32..).collect()
    };
    let metric_rank = rank(&mut items.iter().map(|i| key(i, facts).1));
    let scope_rank = rank(&mut items.iter().map(|i| key(i, facts).2));
    let mut keyed: Vec<(u8, u32, u32, u32)> = items
        .iter()
        .zip(0u32..)
        .map(|(item, i)| {
            let (tier, metric, scope) = key(item, facts);
            (tier, metric_rank[metric], scope_rank[scope], i)
        })
        .collect();
    keyed.sort_unstable();
    let order = keyed.into_iter().map(|k| k.3 as usize);
    let mut lines = Vec::with_capacity(items.len());
    for i in order {
        lines.push(match &items[i] {
            Item::Series(s) => {
                let eff = s.thresholds();
                ScoreLine {
                    metric: s.metric.id.to_owned(),
                    scope: s.scope.to_owned(),
                    latest: Some(s.latest.value().value()),
                    period: Some(s.latest.period),
                    status: s.status(ctx.as_of),
                    trend: s.movement,
                    target_met: s.target_met(),
                    unit: s.metric.unit,
                    tier: s.metric.tier(),
                    target: eff.target.map(|t| t.value.value()),
                    warn: eff.warn.map(|t| t.value.value()),
                    critical: eff.critical.map(|t| t.value.value()),
                    window: s.points.iter().map(|p| p.value).collect(),
                }
            }
            Item::Missing(m) => {
                let info = facts.info(&m.id.value);
                ScoreLine {
                    metric: m.id.value.clone(),
                    scope: String::new(),
                    latest: None,
                    period: None,
                    status: Status::Missing,
                    trend: Movement::Flat,
                    target_met: None,
                    unit: info.and_then(|i| i.unit),
                    tier: info.and_then(MetricInfo::tier),
                    target: None,
                    warn: None,
                    critical: None,
                    window: Vec::new(),
                }
            }
        });
    }
    lines
}
