//! `board-kpi-limit`: more board KPIs than the policy allows.

use crate::diag::{Diagnostics, Label};
use crate::lint::LintContext;
use crate::model::{Metric, Tier};

declare_rule! {
    /// ## What it does
    /// Counts the board-tier entries of each catalogue, and of the effective policy, and
    /// reports the first one past `[settings] max_board_kpis` (default 7).
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
        group: "catalogue",
        severity: Warning,
        summary: "more board KPIs than `max_board_kpis` allows",
    };
}

fn check_set<'a>(
    what: &str,
    items: impl Iterator<Item = &'a Metric>,
    ctx: &LintContext<'_>,
    out: &mut Diagnostics,
) {
    let (limit, set_at) = ctx.policy.max_board_kpis();
    let board: Vec<&Metric> = items
        .filter(|m| ctx.inherited(m, |k| k.tier.as_ref().map(|t| t.value)) == Some(Tier::Board))
        .collect();
    let Ok(limit_usize) = usize::try_from(limit) else {
        return;
    };
    if board.len() <= limit_usize {
        return;
    }
    let first_over = board[limit_usize];
    let f = out
        .push(
            &BOARD_KPI_LIMIT,
            Label::at(first_over.file, first_over.id.span)
                .with_message(format!("board KPI #{}", limit_usize + 1)),
            format!(
                "{what} has {} board KPIs; the policy allows at most {limit}",
                board.len()
            ),
        )
        .subject(first_over.id.value.clone())
        .help("keep the few KPIs that show risk changing on the board; make the rest tactical");
    if let Some(l) = set_at {
        f.label(l);
    }
}

/// Checks each catalogue and the policy.
pub fn check(ctx: &LintContext<'_>, out: &mut Diagnostics) {
    for c in ctx.catalogues {
        let name = c.id.as_ref().map_or_else(
            || "catalogue".to_owned(),
            |id| format!("catalogue `{}`", id.value),
        );
        check_set(&name, c.metrics.iter(), ctx, out);
    }
    check_set("the policy", ctx.policy.kpis.iter(), ctx, out);
}
