//! `board-kpi-limit`: more board KPIs than the policy allows.

use crate::diag::Diagnostics;
use crate::analyze::Context;
use crate::model::{Metric, Tier};

declare_rule! {
    /// ## What it does
    /// Counts the board KPIs of the effective policy, and the distinct board KPIs that the
    /// catalogues checked together put in front of the board (a metric counts as the KPI
    /// it implements, so teams reporting one KPI for their scope count once), and reports
    /// the first one past `[settings] max_board_kpis` (default 7).
    ///
    /// ## Why is this bad?
    /// Board KPIs should be few, stable and tied to business risk. A board pack with twenty
    /// "KPIs" is another tactical dashboard, and the few numbers that show risk changing
    /// get lost in it.
    ///
    /// ## Example
    /// ```toml
    /// [settings]
    /// max_board_kpis = 5
    /// # ...and eight `tier = "board"` metrics in one catalogue
    /// ```
    /// Use instead: keep the five that explain exposure; move the rest to `tactical` and
    /// roll them up (`rolls_up`).
    pub static BOARD_KPI_LIMIT = {
        code: "KPI304",
        name: "board-kpi-limit",
        group: Catalogue,
        severity: Warning,
        summary: "more board KPIs than `max_board_kpis` allows",
        check: Model(check),
    };
}

fn check_set<'a>(
    what: &str,
    items: impl Iterator<Item = &'a Metric>,
    ctx: &Context<'a>,
    out: &mut Diagnostics,
) {
    let (limit, set_at) = ctx.policy.max_board_kpis();
    let Ok(limit) = usize::try_from(limit) else {
        return;
    };
    // Board entries in order, each KPI once.
    let mut seen = std::collections::HashSet::new();
    let board: Vec<&Metric> = items
        // On the board if it says so, or if the KPI it implements is a board KPI (as
        // `hidden-from-leadership` judges it).
        .filter(|m| {
            ctx.inherited(m, |k| k.tier.as_ref().map(|t| t.value)) == Some(Tier::Board)
                || ctx.kpi_for(m).is_some_and(|k| k.is_tier(Tier::Board))
        })
        .filter(|m| seen.insert(m.kpi_id()))
        .collect();
    let Some(first_over) = board.get(limit) else {
        return;
    };
    let f = out
        .push(
            &BOARD_KPI_LIMIT,
            first_over.id.at()
                .with_message(format!("board KPI #{}", limit + 1)),
            msg!(
                "{} {} board KPIs; the policy allows at most {}",
                what,
                board.len(),
                limit
            ),
        )
        .subject(first_over.id.value.clone())
        .help("keep the few KPIs that show risk changing on the board; make the rest tactical");
    if let Some(l) = set_at {
        f.label(l);
    }
}

/// Checks the catalogues together, and the policy.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    let what = if ctx.catalogues.len() == 1 {
        "the catalogue has"
    } else {
        "the catalogues checked have"
    };
    check_set(what, ctx.metrics(), ctx, out);
    check_set("the policy has", ctx.policy.kpis.iter(), ctx, out);
}
