//! `stale-data`: the latest value of a series is older than its cadence allows.

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
        group: "data",
        severity: Warning,
        summary: "the latest value is older than the cadence plus grace allows",
    };
}
