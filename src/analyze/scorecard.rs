//! The scorecard: every series' latest value, status and trend, as the formats show it.

use super::Context;
use super::data::{DataFacts, MetricInfo, Movement, Point, Status};
use crate::hash::{Map, Set};
use crate::model::{Direction, Metric, Tier, Trend, Unit};
use serde::Serialize;

/// One line of the scorecard, as [`Scorecard::lines`] lends it.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreLine<'a> {
    /// Metric id.
    pub metric: &'a str,
    /// Its name (the KPI's when the metric has none), for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// Its owner (the KPI's when the metric has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<&'a str>,
    /// What it is paired with (its `guardrail`, the outcome it `drives`).
    #[serde(flatten)]
    pub pairs: Option<&'a Pairs>,
    /// A derived KPI's formula, as written: its values are computed from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula: Option<&'a str>,
    /// Scope (empty for none).
    pub scope: &'a str,
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
    pub window: &'a [f64],
}

/// The scorecard, kept compact: what a metric's lines share (names, owner, thresholds) is
/// held once per metric, every window in one flat vector and every scope in one string, so
/// a million series cost about a hundred bytes each and no allocation of their own. Lines
/// are lent in order by [`Scorecard::lines`].
#[derive(Debug, Default)]
pub struct Scorecard {
    heads: Vec<Head>,
    rows: Vec<Row>,
    scopes: String,
    values: Vec<f64>,
}

/// What the lines of one metric share.
#[derive(Debug)]
struct Head {
    metric: String,
    name: Option<String>,
    owner: Option<String>,
    pairs: Option<Pairs>,
    formula: Option<String>,
    unit: Option<Unit>,
    tier: Option<Tier>,
    target: Option<f64>,
    warn: Option<f64>,
    critical: Option<f64>,
}

/// What is a line's own. Its scope and window end where the next line's begin.
#[derive(Debug)]
struct Row {
    head: u32,
    status: Status,
    stale: bool,
    trend: Movement,
    verdict: Verdict,
    target_met: Option<bool>,
    period: Option<crate::period::Period>,
    /// Boxed: only OKRs have it, and a million rows would carry its 24 bytes each.
    okr: Option<Box<super::data::OkrProgress>>,
    scope_end: usize,
    values_end: usize,
}

impl Scorecard {
    /// How many lines.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether it has no line.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The lines: board KPIs first, then by metric and scope.
    #[must_use]
    pub fn lines(&self) -> impl ExactSizeIterator<Item = ScoreLine<'_>> + Clone + '_ {
        (0..self.rows.len()).map(|i| self.line(i))
    }

    /// Line `i` (see [`Scorecard::lines`]).
    ///
    /// # Panics
    /// If there is no line `i`.
    #[must_use]
    pub fn line(&self, i: usize) -> ScoreLine<'_> {
        let r = &self.rows[i];
        let (scope_start, values_start) = match i.checked_sub(1) {
            Some(p) => (self.rows[p].scope_end, self.rows[p].values_end),
            None => (0, 0),
        };
        let h = &self.heads[r.head as usize];
        let window = &self.values[values_start..r.values_end];
        ScoreLine {
            metric: &h.metric,
            name: h.name.as_deref(),
            owner: h.owner.as_deref(),
            pairs: h.pairs.as_ref(),
            formula: h.formula.as_deref(),
            scope: &self.scopes[scope_start..r.scope_end],
            latest: window.last().copied(),
            period: r.period,
            status: r.status,
            stale: r.stale,
            trend: r.trend,
            trend_verdict: r.verdict,
            progress: r.okr.as_ref().map(|p| p.progress),
            expected: r.okr.as_ref().map(|p| p.expected),
            target_met: r.target_met,
            unit: h.unit,
            tier: h.tier,
            target: h.target,
            warn: h.warn,
            critical: h.critical,
            window,
        }
    }
}

impl Serialize for Scorecard {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.lines())
    }
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
) -> Scorecard {
    // A series by its index, not its facts: a million series' facts (a hundred bytes
    // each) held at once were the peak of a large run.
    enum Item<'f> {
        Series(usize),
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
            Item::Series(i) => facts.series_at(*i).map_or((u8::MAX, "", ""), |s| {
                (tier_rank(s.metric.tier()), s.metric.id, s.scope)
            }),
            Item::Missing(m) => (
                tier_rank(facts.info(&m.id.value).and_then(MetricInfo::tier)),
                m.id.value.as_str(),
                "",
            ),
        }
    }
    // The closure shortens each metric's lifetime to the facts'; the bare variant cannot.
    #[allow(clippy::redundant_closure)]
    let items: Vec<Item<'_>> = (0..facts.series_read())
        .filter(|&i| facts.series_at(i).is_some())
        .map(Item::Series)
        .chain(facts.missing(ctx).map(|m| Item::Missing(m)))
        .collect();
    // Metric ids and scopes are ranked once among their distinct values (a hundred metrics,
    // ten thousand scopes for a million series), so the series are sorted on integers, not
    // by comparing their strings.
    let rank = |values: &mut dyn Iterator<Item = &'f str>| -> Map<&'f str, u32> {
        let mut distinct: Vec<&str> = values.collect::<Set<_>>().into_iter().collect();
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
    let mut card = Scorecard {
        rows: Vec::with_capacity(items.len()),
        values: Vec::with_capacity(items.len() * facts.window),
        ..Scorecard::default()
    };
    // Series share their metric's head; each missing metric has its own.
    let mut heads: Map<&str, u32> = Map::default();
    for (_, _, _, i) in keyed {
        let row = match &items[i as usize] {
            Item::Series(s) => {
                let Some(s) = facts.series_at(*s) else {
                    continue;
                };
                let head = *heads.entry(s.metric.id).or_insert_with(|| {
                    card.heads.push(series_head(&s, ctx));
                    u32::try_from(card.heads.len() - 1).unwrap_or(u32::MAX)
                });
                card.scopes.push_str(s.scope);
                card.values.extend(s.points.iter().map(Point::float));
                series_row(&s, ctx, banned(s.metric.id), head)
            }
            Item::Missing(m) => {
                card.heads.push(missing_head(m, facts, ctx));
                Row {
                    head: u32::try_from(card.heads.len() - 1).unwrap_or(u32::MAX),
                    status: if banned(&m.id.value) {
                        Status::Banned
                    } else {
                        Status::Missing
                    },
                    stale: false,
                    trend: Movement::Flat,
                    verdict: Verdict::Flat,
                    target_met: None,
                    period: None,
                    okr: None,
                    scope_end: 0,
                    values_end: 0,
                }
            }
        };
        card.rows.push(Row {
            scope_end: card.scopes.len(),
            values_end: card.values.len(),
            ..row
        });
    }
    card
}

/// What a definition and the KPI it implements are paired with, as the scorecard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pairs {
    /// The KPI or metric that must not worsen while it improves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail: Option<String>,
    /// The outcome an activity metric is meant to move.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drives: Option<String>,
}

/// A definition's pairs (its own, else its KPI's), if it has any.
fn pairs_of(ctx: &Context<'_>, m: &Metric) -> Option<Pairs> {
    let get = |f: fn(&Metric) -> Option<&crate::model::Sp<String>>| {
        f(m).or_else(|| ctx.kpi_for(m).and_then(f))
            .map(|s| s.value.clone())
    };
    let pairs = Pairs {
        guardrail: get(|x| x.guardrail.as_ref()),
        drives: get(|x| x.drives.as_ref()),
    };
    (pairs.guardrail.is_some() || pairs.drives.is_some()).then_some(pairs)
}

/// What the lines of a series' metric share.
fn series_head(s: &super::data::SeriesFacts<'_>, ctx: &Context<'_>) -> Head {
    let eff = s.thresholds();
    let def = s.metric.metric.or(s.metric.kpi);
    Head {
        metric: s.metric.id.to_owned(),
        name: def.and_then(|m| text_of(ctx, m, |x| x.name.as_ref())),
        owner: def.and_then(|m| text_of(ctx, m, |x| x.owner.as_ref())),
        pairs: def.and_then(|m| pairs_of(ctx, m)),
        formula: s.metric.formula().map(|f| f.text.value.clone()),
        unit: s.metric.unit,
        tier: s.metric.tier(),
        target: eff
            .target
            .map(|t| t.value.value())
            .or_else(|| okr_target(ctx, def)),
        warn: eff.warn.map(|t| t.value.value()),
        critical: eff.critical.map(|t| t.value.value()),
    }
}

/// What is a series' line's own (its scope and window are added by the caller).
fn series_row(s: &super::data::SeriesFacts<'_>, ctx: &Context<'_>, banned: bool, head: u32) -> Row {
    let eff = s.thresholds();
    Row {
        head,
        status: if banned {
            Status::Banned
        } else {
            s.status(ctx.as_of)
        },
        stale: s.stale(ctx.as_of),
        trend: s.movement,
        verdict: Verdict::of(s.movement, eff.trend, eff.direction),
        target_met: s.target_met(),
        period: Some(s.latest.period()),
        okr: s.okr_progress(ctx.as_of).map(Box::new),
        scope_end: 0,
        values_end: 0,
    }
}

/// The head of a catalogue metric with no row.
fn missing_head(m: &Metric, facts: &DataFacts<'_>, ctx: &Context<'_>) -> Head {
    let info = facts.info(&m.id.value);
    Head {
        metric: m.id.value.clone(),
        name: text_of(ctx, m, |x| x.name.as_ref()),
        owner: text_of(ctx, m, |x| x.owner.as_ref()),
        pairs: pairs_of(ctx, m),
        formula: info
            .and_then(MetricInfo::formula)
            .map(|f| f.text.value.clone()),
        unit: info.and_then(|i| i.unit),
        tier: info.and_then(MetricInfo::tier),
        target: okr_target(ctx, Some(m)),
        warn: None,
        critical: None,
    }
}

/// A text field of a definition, else of the KPI it implements.
fn text_of(
    ctx: &Context<'_>,
    m: &Metric,
    get: fn(&Metric) -> Option<&crate::model::Sp<String>>,
) -> Option<String> {
    get(m)
        .or_else(|| ctx.kpi_for(m).and_then(get))
        .map(|v| v.value.clone())
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

#[cfg(test)]
mod size {
    /// A million series are a million rows: what only some have stays behind a pointer.
    #[test]
    fn a_row_stays_small() {
        let size = std::mem::size_of::<super::Row>();
        assert!(size <= 48, "Row is {size} bytes");
    }
}
