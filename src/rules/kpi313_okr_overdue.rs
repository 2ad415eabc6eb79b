//! `okr-overdue`: an OKR past its due date.

use crate::diag::Diagnostics;
use crate::analyze::Context;
use crate::model::Tier;

declare_rule! {
    /// ## What it does
    /// Reports an OKR whose `due` date is before `--as-of` (default today).
    ///
    /// ## Why is this bad?
    /// An OKR past its date is either done (promote the measure to a KPI with a threshold,
    /// once the process is stable) or failed (re-plan it with a new baseline). Left in
    /// place it reports a finished change programme as if it were still running.
    ///
    /// ## Example
    /// ```toml
    /// okr = { objective = "...", baseline = 41, target = 90, due = 2026-09-30 }
    /// ```
    /// Use instead: turn it into a `tactical` KPI with thresholds, or set a new `due` date
    /// and baseline.
    ///
    /// ## Options
    /// - `[rules] okr-overdue = { severity = "error", effective = 2027-01-01 }` keeps it a
    ///   warning until that date.
    pub static OKR_OVERDUE = {
        code: "KPI313",
        name: "okr-overdue",
        group: Catalogue,
        severity: Warning,
        summary: "an OKR past its due date",
        check: Model(check),
    };
}

/// Checks every OKR.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for m in ctx.definitions() {
        if !m.is_tier(Tier::Okr) {
            continue;
        }
        let Some(due) = m.okr.as_ref().and_then(|o| o.due.as_ref()) else {
            continue;
        };
        let date = due.value;
        if date >= ctx.as_of {
            continue;
        }
        let days = (ctx.as_of - date).get_days();
        out.push(
            &OKR_OVERDUE,
            due.at().with_message(format!("{days} days ago")),
            msg!("OKR `{}` was due on {} ({} days ago)", m.id.value, due.value, days),
        )
        .subject(m.id.value.clone())
        .help("promote it to a KPI with thresholds if it is done, or re-plan it with a new baseline and due date");
    }
}
