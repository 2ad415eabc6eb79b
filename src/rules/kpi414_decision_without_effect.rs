//! `decision-without-effect`: the KPIs a strategic decision was to move did not
//! move the expected way within the periods allowed.

use crate::analyze::Context;
use crate::analyze::data::{DataFacts, Point, SeriesFacts};
use crate::diag::{Diagnostics, Label};
use crate::model::{Direction, Event, EventKind, Move, Toward, Trend};
use crate::hash::{Map, Set};

declare_rule! {
    /// ## What it does
    /// For every strategic identity decision that has been taken (status `in_progress` or
    /// `done`) and every KPI it `moves`, compares each series of that KPI (a metric with
    /// that id, or implementing it) in the period in which the decision was taken (none
    /// reported: the first period after it) with the value `[settings]
    /// event_effect_periods` reported periods later (3 by default; a layer may lower it,
    /// never raise it). When the value is not strictly better in the expected direction
    /// (the `direction` the event names, else the way the KPI improves: its trend target,
    /// else its direction), the finding is at the KPI in the register, with the rows of the
    /// values judged beside it: one finding per decision and KPI, which says in how many
    /// scopes it did not move. Fewer periods reported since the decision: not yet judged.
    /// A series keeps its latest `trend_window` values, from the first of which a decision
    /// older than them is judged; with a `trend_window` no longer than
    /// `event_effect_periods`, the periods judged are `trend_window` - 1. A `direction` that
    /// cannot be read (the schema reports it) is not judged.
    ///
    /// ## Why is this bad?
    /// A decision is taken to change the risk posture, and the KPIs it names are how the
    /// board will see it change. When they do not move, either the decision was not
    /// carried out (strategy without execution), or what was built does not address the
    /// risk (execution that does not match the posture): both need the decision owner's
    /// attention, not another quarter of waiting.
    ///
    /// ## Example
    /// ```toml
    /// [[event]]
    /// id = "jit-credentials"
    /// kind = "strategic"
    /// date = 2026-03-02
    /// status = "done"
    /// moves = [{ kpi = "long-lived-credentials", direction = "down" }]
    /// ```
    /// with `long-lived-credentials` at 420 in 2026-03 and 431 in 2026-06.
    pub static DECISION_WITHOUT_EFFECT = {
        code: "KPI414",
        name: "decision-without-effect",
        group: Data,
        severity: Warning,
        summary: "a strategic identity decision whose KPIs did not move the expected way within the periods allowed",
        check: Data(check),
    };
}

/// Judges each KPI each strategic decision names, series by series.
fn check(facts: &DataFacts<'_>, ctx: &Context<'_>, out: &mut Diagnostics) {
    let decisions: Vec<&Event> = ctx
        .events()
        .filter(|e| e.is(EventKind::Strategic) && e.is_decided() && !e.moves.is_empty())
        .collect();
    if decisions.is_empty() {
        return;
    }
    let (periods, set_at) = ctx.policy.event_effect_periods();
    // Each series under its metric's id and its KPI's, indexed once.
    let series: Vec<SeriesFacts<'_>> = facts.series().collect();
    let mut of_id: Map<&str, Vec<usize>> = Map::default();
    for (i, s) in series.iter().enumerate() {
        of_id.entry(s.metric.id).or_default().push(i);
        if let Some(k) = s.metric.kpi.filter(|k| k.id.value != s.metric.id) {
            of_id.entry(k.id.value.as_str()).or_default().push(i);
        }
    }
    // A series keeps at most `trend_window` values: a decision is judged within them.
    let periods = periods.min(ctx.policy.trend_window().saturating_sub(1)).max(1);
    for e in decisions {
        let Some(date) = &e.date else { continue };
        // A KPI named twice is judged once.
        let mut seen = Set::default();
        for m in e.moves.iter().filter(|m| seen.insert(m.kpi.value.as_str())) {
            // Every scope that did not move, reported as one finding per decision and KPI:
            // a thousand scopes are one problem of the decision, not a thousand.
            let mut unmoved: Vec<(&SeriesFacts<'_>, Point, Point, bool)> = Vec::new();
            let of_kpi = of_id.get(m.kpi.value.as_str()).into_iter().flatten();
            for s in of_kpi.map(|&i| &series[i]) {
                let Some(up) = wanted(m, s) else { continue };
                let Some((before, after)) = judged(s.points, date.value, periods) else {
                    continue;
                };
                let (b, a) = (before.value(), after.value());
                if !((up && a.gt(b)) || (!up && a.lt(b))) {
                    unmoved.push((s, before, after, up));
                }
            }
            let Some(&(s, before, after, up)) = unmoved.first() else {
                continue;
            };
            let others = match unmoved.len() - 1 {
                0 => String::new(),
                1 => " (and in 1 other scope)".to_owned(),
                n => format!(" (and in {n} other scopes)"),
            };
            let f = out.push(
                &DECISION_WITHOUT_EFFECT,
                m.kpi
                    .at()
                    .with_message(if up { "expected up" } else { "expected down" }),
                msg!(
                    "strategic decision `{}` of {} was to move `{}`{} {}, but it is {} in {} against {} in {}{}",
                    e.id.value,
                    date.value,
                    s.metric.id,
                    super::text::scope(s.scope),
                    if up { "up" } else { "down" },
                    after.value(),
                    after.period(),
                    before.value(),
                    before.period(),
                    others
                ),
            );
            f.subject(e.id.value.clone());
            let mut labels: Vec<Label> = Vec::new();
            for &(s, _, after, _) in unmoved.iter().take(MAX_LABELS) {
                // A derived series' values are all at its formula: labelled once.
                let label = s.at(&after).with_message("the value judged");
                if !labels.contains(&label) {
                    labels.push(label);
                }
            }
            for label in labels {
                f.label(label);
            }
            f.help("review the decision with its owner: are its technical events delivered, and do they address the risk it targets?");
            if let Some(at) = set_at.clone() {
                f.label(at);
            }
        }
    }
}

/// Values a finding points at, of the scopes that did not move.
const MAX_LABELS: usize = 3;

/// Whether the event wants the series up (`Some(true)`) or down, if that can be said.
fn wanted(m: &Move, s: &SeriesFacts<'_>) -> Option<bool> {
    if let Some(t) = &m.toward {
        return Some(t.value == Toward::Up);
    }
    let eff = s.thresholds();
    match (eff.trend, eff.direction) {
        (Some(Trend::Up), _) | (None, Some(Direction::HigherIsBetter)) => Some(true),
        (Some(Trend::Down), _) | (None, Some(Direction::LowerIsBetter)) => Some(false),
        _ => None,
    }
}

/// The value from which a decision of `date` is judged and the value `periods` reported
/// periods later. The first is the value of the period in which the decision was taken;
/// when none was reported, the first one after it (never one from before the decision's
/// period, which may be years older and say nothing of it). `None` while too few periods
/// are reported since.
fn judged(points: &[Point], date: jiff::civil::Date, periods: usize) -> Option<(Point, Point)> {
    let from = points.iter().position(|p| p.period().end >= date)?;
    let before = points[from];
    let after = *points.get(from + periods)?;
    Some((before, after))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::Period;
    use crate::source::FileId;

    fn points(months: &[(&str, i64)]) -> Vec<Point> {
        months
            .iter()
            .zip(1..)
            .map(|(&(p, v), line)| {
                Point::new(
                    Period::parse(p).unwrap(),
                    crate::num::Num::int(v),
                    FileId(0),
                    line,
                )
            })
            .collect()
    }

    #[test]
    fn judges_the_decision_s_period_against_n_periods_later() {
        let p = points(&[("2026-02", 1), ("2026-03", 2), ("2026-04", 3), ("2026-05", 4)]);
        let date = jiff::civil::date(2026, 3, 2);
        let (b, a) = judged(&p, date, 2).unwrap();
        assert_eq!((b.line, a.line), (2, 4));
        // Too few periods reported since: not yet judged.
        assert!(judged(&p, date, 3).is_none());
        // No value reported after the decision: not judged.
        assert!(judged(&p, jiff::civil::date(2026, 6, 1), 1).is_none());
        // The decision is older than the values kept: the first kept against the one
        // `periods` later.
        let (b, a) = judged(&p, jiff::civil::date(2025, 1, 1), 3).unwrap();
        assert_eq!((b.line, a.line), (1, 4));
        assert!(judged(&p, jiff::civil::date(2025, 1, 1), 4).is_none());
        assert!(judged(&[], date, 1).is_none());
        // No value in the decision's period: the first after it, never an older one.
        let gap = points(&[("2024-01", 10), ("2026-05", 31), ("2026-06", 30), ("2026-07", 29)]);
        let (b, a) = judged(&gap, date, 2).unwrap();
        assert_eq!((b.line, a.line), (2, 4));
    }
}
