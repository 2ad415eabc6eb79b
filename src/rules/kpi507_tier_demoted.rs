//! `tier-demoted`: a board KPI or metric moved off the board.

use crate::analyze::delta::Delta;
use crate::diag::Diagnostics;
use crate::model::{Metric, Tier};

declare_rule! {
    /// ## What it does
    /// `kpilint diff --base REV` reports a policy KPI or catalogue metric that is `board`
    /// at REV and has another tier in the working tree (a metric's tier is its own, else
    /// its KPI's). It is reported at the tier that changed, or at the id when the tier now
    /// comes from elsewhere. A KPI or metric removed altogether is `kpi-removed`.
    ///
    /// ## Why is this bad?
    /// A board KPI is what leadership watches. Moving it to `tactical` takes it out of the
    /// board's sight, out of `require_mapping` and out of the board limit, in a one-word
    /// change a reviewer easily reads past.
    ///
    /// ## Example
    /// ```toml
    /// # base:  tier = "board"
    /// tier = "tactical"
    /// ```
    /// Use instead: keep it on the board, or get the demotion approved by the KPI's
    /// decision owner.
    pub static TIER_DEMOTED = {
        code: "KPI507",
        name: "tier-demoted",
        group: Diff,
        severity: Warning,
        summary: "a board KPI or metric moved off the board",
        check: Diff(check),
    };
}

/// Reports each base board KPI and metric whose working-tree tier is no longer `board`.
fn check(delta: &Delta<'_>, out: &mut Diagnostics) {
    for (b, h) in delta.kpis() {
        if let Some(h) = h {
            judge("KPI", b.tier.as_ref().map(|t| t.value), h, h.tier.as_ref().map(|t| t.value), out);
        }
    }
    for (_, b, h) in delta.metrics() {
        if let Some(h) = h {
            let was = delta.base_tier(b);
            let now = delta.head_tier(h);
            judge("metric", was, h, now, out);
        }
    }
}

fn judge(what: &str, was: Option<Tier>, h: &Metric, now: Option<Tier>, out: &mut Diagnostics) {
    if was != Some(Tier::Board) || now == Some(Tier::Board) {
        return;
    }
    let at = h.tier.as_ref().map_or_else(|| h.id.at(), crate::model::Sp::at);
    let now = now.map_or("no tier", Tier::as_str);
    out.push(
        &TIER_DEMOTED,
        at.with_message("demoted"),
        msg!(
            "{} `{}` moves from `board` to `{}`: it leaves the board's view",
            what,
            h.id.value,
            now
        ),
    )
    .subject(h.id.value.clone())
    .help("keep it on the board, or get the demotion approved by its decision owner in this review");
}
