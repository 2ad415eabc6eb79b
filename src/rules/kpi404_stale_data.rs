//! `stale-data`: the latest value of a series is older than its cadence allows.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::diag::Diagnostics;

declare_rule! {
    /// ## What it does
    /// For every series, takes the last day of its latest period and the cadence of its
    /// metric (or KPI; else the period's own length). The next value is due by the end of
    /// the following period (weekly: 7 days later; monthly: the end of the next month;
    /// quarterly: the end of the next quarter), plus `[settings] stale_grace_days`
    /// (default 15). After that day, as of `--as-of`, the series is stale.
    ///
    /// ## Why is this bad?
    /// A board KPI whose last value is five months old shows a state that no longer exists.
    /// Metrics must be aggregated on their cadence and backed by current raw data.
    ///
    /// ## Example
    /// A monthly KPI whose latest row is `2026-08`, checked on 2026-11-24: September's value
    /// was due by 2026-10-15 (2026-09-30 + grace).
    pub static STALE_DATA = {
        code: "KPI404",
        name: "stale-data",
        group: Data,
        severity: Warning,
        summary: "the latest value is older than the cadence plus grace allows",
        check: Data(check),
    };
}

/// Reports each series whose next value is overdue.
fn check(facts: &DataFacts<'_>, ctx: &Context<'_>, out: &mut Diagnostics) {
    for s in facts.series() {
        let Some(due) = s.due.filter(|_| s.stale(ctx.as_of)) else {
            continue;
        };
        out.push(
            &STALE_DATA,
            s.at(&s.latest),
            msg!(
                "`{}`{}: latest value is for {}; the next was due by {}",
                s.metric.id,
                super::text::scope(s.scope),
                s.latest.period(),
                due
            ),
        )
        .subject(s.metric.id.to_owned())
        .scope(s.scope)
        .help("report the missing periods, or fix the export that stopped");
    }
}
