//! The scorecard: every series' latest value, status and trend, as the formats show it.

use super::Context;
use super::data::{DataFacts, MetricInfo, Movement, Status};
use crate::model::{Tier, Unit};
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
    pub period: Option<String>,
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

/// Every series' latest value, status and trend, and a `missing` line for each catalogue
/// metric with no row: board KPIs first, then by metric and scope.
#[must_use]
pub fn scorecard(facts: &DataFacts<'_>, ctx: &Context<'_>) -> Vec<ScoreLine> {
    let mut lines: Vec<ScoreLine> = facts
        .series()
        .map(|s| {
            let eff = s.thresholds();
            ScoreLine {
                metric: s.metric.id.to_owned(),
                scope: s.scope.to_owned(),
                latest: Some(s.latest.value().value()),
                period: Some(s.latest.period.to_string()),
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
        })
        .collect();
    for m in facts.missing(ctx) {
        let info = facts.info(&m.id.value);
        lines.push(ScoreLine {
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
        });
    }
    let tier_rank = |t: Option<Tier>| match t {
        Some(Tier::Board) => 0,
        Some(Tier::Tactical) => 1,
        Some(Tier::Okr) => 2,
        None => 3,
    };
    lines.sort_by(|a, b| {
        (tier_rank(a.tier), &a.metric, &a.scope).cmp(&(tier_rank(b.tier), &b.metric, &b.scope))
    });
    lines
}
