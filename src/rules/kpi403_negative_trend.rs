//! `negative-trend`: a series drifting the wrong way, even inside its thresholds.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::diag::{Diagnostics, Message};

declare_rule! {
    /// ## What it does
    /// Fits a least-squares line through the last `trend_window` values of each series
    /// (`[settings]`, default 6; x is the period's position, so gaps do not distort it)
    /// and computes the change over the window: slope x (n - 1). The trend is *flat* when
    /// that change is within 2% of the mean absolute value of the window (the flat band),
    /// otherwise *up* or *down*. At least 3 periods are needed. A trend that moves against
    /// the direction (`down` for `higher_is_better`, `up` for `lower_is_better`) or against
    /// the `trend` target (`stable` wants flat) is reported, whatever the thresholds say.
    ///
    /// ## Why is this bad?
    /// Ignoring negative trends is a prohibited practice: a KPI that falls from 99 to 92
    /// over six months is still "green" against a warn of 90, and will breach next quarter.
    /// Trends matter more than snapshots.
    ///
    /// ## Example
    /// ```csv
    /// metric,period,value
    /// nhi-owner-coverage,2026-05,99.0
    /// nhi-owner-coverage,2026-06,98.0
    /// nhi-owner-coverage,2026-07,96.5
    /// nhi-owner-coverage,2026-08,95.5
    /// ```
    /// Use instead: find what changed and act before the warn threshold is crossed.
    pub static NEGATIVE_TREND = {
        code: "KPI403",
        name: "negative-trend",
        group: Data,
        severity: Warning,
        summary: "a series trending against its direction or trend target",
        check: Data(check),
    };
}

/// Reports each series moving against its direction or trend target.
fn check(facts: &DataFacts<'_>, _: &Context<'_>, out: &mut Diagnostics) {
    for s in facts.series() {
        if !s.against_trend() {
            continue;
        }
        let eff = s.thresholds();
        let wanted = eff.trend.map_or_else(
            || Message::text(eff.direction.map_or("", |d| d.as_str())),
            |t| msg!("trend target `{}`", t.as_str()),
        );
        let first = s.points[0];
        out.push(
            &NEGATIVE_TREND,
            s.at(&s.latest),
            msg!(
                "`{}`{} is trending {} ({} in {} to {} in {}) against {}",
                s.metric.id,
                super::text::scope(s.scope),
                s.movement.as_str(),
                first.value(),
                first.period(),
                s.latest.value(),
                s.latest.period(),
                wanted
            ),
        )
        .subject(s.metric.id.to_owned())
        .scope(s.scope)
        .help("a drift inside the thresholds is still a drift: find the cause before it breaches");
    }
}
