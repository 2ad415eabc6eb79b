//! The scorecard: every series' latest value, status and trend, as the formats show it.

use super::Context;
use super::data::{DataFacts, MetricInfo, Movement, Status};
use crate::model::{Direction, Metric, Tier, Trend, Unit};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::sync::Arc;

/// One line of the scorecard.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreLine {
    /// Metric id.
    pub metric: String,
    /// Its name (the KPI's when the metric has none), for people. Shared by the metric's
    /// lines: a million series of a hundred metrics hold a hundred names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Arc<str>>,
    /// Its owner (the KPI's when the metric has none), shared likewise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Arc<str>>,
    /// What it is paired with (its `guardrail`, the outcome it `drives`), shared likewise.
    #[serde(flatten)]
    pub pairs: Option<Arc<Pairs>>,
    /// Scope (empty for none).
    pub scope: String,
    /// Latest value.
    pub latest: Option<f64>,
    /// Latest period.
    #[serde(serialize_with = "as_text")]
    pub period: Option<crate::period::Period>,
    /// The series' status.
    pub status: Status,
    /// Whether the next value is overdue, whatever status outranks it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
    /// Its movement over the window.
    pub trend: Movement,
    /// What the movement means for the KPI's direction or trend target.
    pub trend_verdict: Verdict,
    /// An OKR's progress from baseline (0) to target (1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<f64>,
    /// The progress expected by now on a straight line from start to due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<f64>,
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

/// What a movement means for a KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Moving the way the KPI wants.
    Improving,
    /// Moving against it.
    Worsening,
    /// Not moving (or too few points to say).
    Flat,
    /// Moving, with no direction to judge it by.
    Changing,
}

impl Verdict {
    /// What `movement` means for a KPI with this trend target or direction (the trend
    /// target first: a KPI that must fall improves by falling whatever its direction).
    #[must_use]
    pub fn of(movement: Movement, trend: Option<Trend>, direction: Option<Direction>) -> Self {
        let wants = match (trend, direction) {
            (Some(Trend::Up), _) | (None, Some(Direction::HigherIsBetter)) => Some(Movement::Up),
            (Some(Trend::Down), _) | (None, Some(Direction::LowerIsBetter)) => Some(Movement::Down),
            (Some(Trend::Stable), _) | (None, Some(Direction::Stable)) => Some(Movement::Flat),
            (None, None) => None,
        };
        match (movement, wants) {
            (Movement::Flat, _) => Self::Flat,
            (_, None) => Self::Changing,
            (m, Some(w)) if m == w => Self::Improving,
            _ => Self::Worsening,
        }
    }

    /// The lower-case word used in output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Improving => "improving",
            Self::Worsening => "worsening",
            Self::Flat => "flat",
            Self::Changing => "changing",
        }
    }
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
/// metric with no row: board KPIs first, then by metric and scope. The metrics in `banned`
/// (the policy bans them as vanity metrics) are `banned` whatever their values. The order
/// is decided on small keys first and the lines are built in it, so a million series are
/// neither sorted as 170-byte lines nor grown into a doubling vector.
#[must_use]
pub fn scorecard<'f, 'm: 'f>(
    facts: &'f DataFacts<'_>,
    ctx: &'f Context<'m>,
    banned: impl Fn(&str) -> bool,
) -> Vec<ScoreLine> {
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
    let mut people: FxHashMap<&str, People> = FxHashMap::default();
    for i in order {
        lines.push(match &items[i] {
            Item::Series(s) => {
                let who = people
                    .entry(s.metric.id)
                    .or_insert_with(|| People::of(ctx, s.metric.metric.or(s.metric.kpi)))
                    .clone();
                series_line(s, ctx, banned(s.metric.id), who)
            }
            Item::Missing(m) => missing_line(m, facts, ctx, banned(&m.id.value)),
        });
    }
    lines
}

/// A metric's name and owner, as its lines share them.
/// What a KPI or metric is paired with, as the scorecard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pairs {
    /// The KPI or metric that must not worsen while it improves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail: Option<String>,
    /// The outcome an activity metric is meant to move.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drives: Option<String>,
}

#[derive(Clone)]
struct People {
    name: Option<Arc<str>>,
    owner: Option<Arc<str>>,
    pairs: Option<Arc<Pairs>>,
}

impl People {
    fn of(ctx: &Context<'_>, def: Option<&Metric>) -> Self {
        Self {
            name: def.and_then(|m| text_of(ctx, m, |x| x.name.as_ref())),
            owner: def.and_then(|m| text_of(ctx, m, |x| x.owner.as_ref())),
            pairs: def.and_then(|m| pairs_of(ctx, m)),
        }
    }
}

/// A definition's pairs (its own, else its KPI's), if it has any.
fn pairs_of(ctx: &Context<'_>, m: &Metric) -> Option<Arc<Pairs>> {
    let get = |f: fn(&Metric) -> Option<&crate::model::Sp<String>>| {
        f(m).or_else(|| ctx.kpi_for(m).and_then(f))
            .map(|s| s.value.clone())
    };
    let pairs = Pairs {
        guardrail: get(|x| x.guardrail.as_ref()),
        drives: get(|x| x.drives.as_ref()),
    };
    (pairs.guardrail.is_some() || pairs.drives.is_some()).then(|| Arc::new(pairs))
}

/// The line of a series with values.
fn series_line(
    s: &super::data::SeriesFacts<'_>,
    ctx: &Context<'_>,
    banned: bool,
    who: People,
) -> ScoreLine {
    let eff = s.thresholds();
    let okr = s.okr_progress(ctx.as_of);
    let def = s.metric.metric.or(s.metric.kpi);
    ScoreLine {
        metric: s.metric.id.to_owned(),
        name: who.name,
        owner: who.owner,
        pairs: who.pairs,
        scope: s.scope.to_owned(),
        latest: Some(s.latest.value().value()),
        period: Some(s.latest.period),
        status: if banned {
            Status::Banned
        } else {
            s.status(ctx.as_of)
        },
        stale: s.stale(ctx.as_of),
        trend: s.movement,
        trend_verdict: Verdict::of(s.movement, eff.trend, eff.direction),
        progress: okr.map(|p| p.progress),
        expected: okr.map(|p| p.expected),
        target_met: s.target_met(),
        unit: s.metric.unit,
        tier: s.metric.tier(),
        target: eff
            .target
            .map(|t| t.value.value())
            .or_else(|| okr_target(ctx, def)),
        warn: eff.warn.map(|t| t.value.value()),
        critical: eff.critical.map(|t| t.value.value()),
        window: s.points.iter().map(|p| p.value).collect(),
    }
}

/// The line of a catalogue metric with no row.
fn missing_line(m: &Metric, facts: &DataFacts<'_>, ctx: &Context<'_>, banned: bool) -> ScoreLine {
    let info = facts.info(&m.id.value);
    ScoreLine {
        metric: m.id.value.clone(),
        name: text_of(ctx, m, |x| x.name.as_ref()),
        owner: text_of(ctx, m, |x| x.owner.as_ref()),
        pairs: pairs_of(ctx, m),
        scope: String::new(),
        latest: None,
        period: None,
        status: if banned {
            Status::Banned
        } else {
            Status::Missing
        },
        stale: false,
        trend: Movement::Flat,
        trend_verdict: Verdict::Flat,
        progress: None,
        expected: None,
        target_met: None,
        unit: info.and_then(|i| i.unit),
        tier: info.and_then(MetricInfo::tier),
        target: okr_target(ctx, Some(m)),
        warn: None,
        critical: None,
        window: Vec::new(),
    }
}

/// A text field of a definition, else of the KPI it implements.
fn text_of(
    ctx: &Context<'_>,
    m: &Metric,
    get: fn(&Metric) -> Option<&crate::model::Sp<String>>,
) -> Option<Arc<str>> {
    get(m)
        .or_else(|| ctx.kpi_for(m).and_then(get))
        .map(|v| Arc::from(v.value.as_str()))
}

/// The target of a definition's `okr` table (else its KPI's, as progress reads it),
/// shown where it has no threshold target.
fn okr_target(ctx: &Context<'_>, m: Option<&Metric>) -> Option<f64> {
    let m = m?;
    let okr = m.okr.as_ref().or_else(|| ctx.kpi_for(m)?.okr.as_ref())?;
    okr.target.as_ref().map(|t| t.value.value())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trend_target_outranks_the_direction() {
        use Direction::{HigherIsBetter, LowerIsBetter, Stable};
        let of = Verdict::of;
        assert_eq!(
            of(Movement::Up, None, Some(HigherIsBetter)),
            Verdict::Improving
        );
        assert_eq!(
            of(Movement::Up, None, Some(LowerIsBetter)),
            Verdict::Worsening
        );
        assert_eq!(
            of(Movement::Down, Some(Trend::Down), Some(HigherIsBetter)),
            Verdict::Improving
        );
        assert_eq!(of(Movement::Up, None, Some(Stable)), Verdict::Worsening);
        assert_eq!(of(Movement::Up, None, None), Verdict::Changing);
        assert_eq!(of(Movement::Flat, Some(Trend::Up), None), Verdict::Flat);
    }
}
