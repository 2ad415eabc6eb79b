//! `hidden-from-leadership`: a board or required KPI not visible to leadership.

use crate::diag::Diagnostics;
use crate::analyze::Context;
use crate::model::{Tier, Visibility};

declare_rule! {
    /// ## What it does
    /// Reports a catalogue metric with `visibility = "team"` that is on the board tier,
    /// implements a policy KPI on the board tier (a catalogue cannot demote a board KPI
    /// out of leadership's sight by calling it `tactical`), or implements a policy KPI
    /// marked `required`.
    ///
    /// ## Why is this bad?
    /// Hiding metrics from leadership is a prohibited practice. The KPIs that show whether
    /// risk is changing are exactly the ones leadership must see, most of all when they
    /// turn red.
    ///
    /// ## Example
    /// ```toml
    /// tier = "board"
    /// visibility = "team"
    /// ```
    /// Use instead: `visibility = "leadership"`.
    pub static HIDDEN_FROM_LEADERSHIP = {
        code: "KPI311",
        name: "hidden-from-leadership",
        group: Catalogue,
        severity: Error,
        summary: "a board or required KPI not visible to leadership",
        check: Model(check),
    };
}

/// Checks every catalogue metric.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for m in ctx.metrics() {
        let Some(vis) = &m.visibility else { continue };
        if vis.value != Visibility::Team {
            continue;
        }
        let board = ctx.inherited(m, |k| k.tier.as_ref().map(|t| t.value)) == Some(Tier::Board)
            || ctx.kpi_for(m).is_some_and(|k| k.is_tier(Tier::Board));
        let required = ctx.kpi_for(m).filter(|k| k.is_required());
        if !board && required.is_none() {
            continue;
        }
        let why = if board {
            "a board KPI"
        } else {
            "a required KPI"
        };
        let f = out
            .push(
                &HIDDEN_FROM_LEADERSHIP,
                vis.at().with_message("hidden"),
                msg!("`{}` is {} but only visible to the team", m.id.value, why),
            )
            .subject(m.id.value.clone())
            .help("set `visibility = \"leadership\"`");
        if let Some(k) = required {
            f.label(k.id.at().with_message("required KPI"));
        }
    }
}
