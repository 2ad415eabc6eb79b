//! `okr-not-time-bound`: an OKR without a baseline, target or due date.

use crate::diag::{Diagnostics, Label};
use crate::analyze::Context;
use crate::model::{Field, Tier};

declare_rule! {
    /// ## What it does
    /// Checks that every `tier = "okr"` entry has an `okr` table with an `objective`, a
    /// `baseline`, a `target` and a `due` date.
    ///
    /// ## Why is this bad?
    /// OKRs drive change: they are time-bound and directional. Without a baseline nobody
    /// can tell whether it moved; without a due date it never ends and never fails.
    ///
    /// ## Example
    /// ```toml
    /// tier = "okr"
    /// okr = { objective = "Every NHI has an accountable owner", target = 90 }
    /// ```
    /// Use instead: `okr = { objective = "...", baseline = 41, target = 90, due = 2027-03-31 }`.
    pub static OKR_NOT_TIME_BOUND = {
        code: "KPI312",
        name: "okr-not-time-bound",
        group: Catalogue,
        severity: Error,
        summary: "an OKR without an objective, baseline, target or due date",
        check: Model(check),
    };
}

/// Checks every OKR.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for m in ctx.definitions() {
        if !m.is_tier(Tier::Okr) {
            continue;
        }
        let missing: Vec<&str> = match &m.okr {
            None => vec!["objective", "baseline", "target", "due"],
            // A field written in a form the schema rejects is reported there.
            Some(o) => [
                ("objective", o.objective.is_none(), Field::OkrObjective),
                ("baseline", o.baseline.is_none(), Field::OkrBaseline),
                ("target", o.target.is_none(), Field::OkrTarget),
                ("due", o.due.is_none(), Field::OkrDue),
            ]
            .into_iter()
            .filter_map(|(k, none, f)| (none && !m.unreadable.has(f)).then_some(k))
            .collect(),
        };
        if missing.is_empty() {
            continue;
        }
        let at = m.okr.as_ref().map_or_else(|| m.id.at(), |o| Label::at(o.file, o.span));
        let list = missing
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(
            &OKR_NOT_TIME_BOUND,
            at.with_message("incomplete OKR"),
            msg!("OKR `{}` lacks {}", m.id.value, list),
        )
        .subject(m.id.value.clone())
        .help("an OKR needs `okr = { objective = \"...\", baseline = ..., target = ..., due = YYYY-MM-DD }`");
    }
}
