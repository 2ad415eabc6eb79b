//! `activity-metric-on-board`: a raw count on the board.

use crate::diag::Diagnostics;
use crate::analyze::Context;
use crate::model::{Sp, Tier, Unit};

declare_rule! {
    /// ## What it does
    /// Reports a board-tier KPI or metric whose unit is `count` and that has no trend
    /// target: a raw count with no ratio, duration or trend behind it. Tier, unit and
    /// thresholds fall back to the KPI a metric implements.
    ///
    /// ## Why is this bad?
    /// Board KPIs must show whether risk is changing. "1,204 secrets rotated" says how busy
    /// a team was, not whether exposure fell; ticket-closure counts are not outcomes.
    ///
    /// ## Example
    /// ```toml
    /// tier = "board"
    /// unit = "count"
    /// thresholds = { target = 500 }
    /// ```
    /// Use instead: a ratio (`unit = "percent"`, "percent of critical secrets rotated
    /// within SLA"), a duration ("median hours to revoke an exposed key") or a count with a
    /// trend target (`thresholds = { trend = "down" }`).
    pub static ACTIVITY_METRIC_ON_BOARD = {
        code: "KPI305",
        name: "activity-metric-on-board",
        group: Catalogue,
        severity: Error,
        summary: "a board KPI that is a raw count with no ratio, duration or trend",
        check: Model(check),
    };
}

/// Checks every KPI and metric.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for m in ctx.definitions() {
        if ctx.inherited(m, |k| k.tier.as_ref().map(|t| t.value)) != Some(Tier::Board) {
            continue;
        }
        if ctx.inherited(m, |k| k.unit.as_ref().map(|u| u.value)) != Some(Unit::Count) {
            continue;
        }
        let has_trend = ctx
            .inherited(m, |k| k.thresholds.as_ref().and_then(|t| t.trend.as_ref()))
            .is_some();
        if has_trend {
            continue;
        }
        let at = m.unit.as_ref().map_or_else(|| m.id.at(), Sp::at);
        out.push(
            &ACTIVITY_METRIC_ON_BOARD,
            at.with_message("raw count"),
            msg!("board KPI `{}` is a raw count with no ratio, duration or trend", m.id.value),
        )
        .subject(m.id.value.clone())
        .help("report a percent, a duration or a trend (`thresholds = { trend = \"down\" }`), or move it to `tactical`");
    }
}
