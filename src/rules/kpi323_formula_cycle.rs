//! `formula-cycle`: derived KPIs whose formulas name each other in a circle.

use crate::analyze::Context;
use crate::diag::{Diagnostics, Label};
use crate::model::Formula;
use crate::hash::Map;

declare_rule! {
    /// ## What it does
    /// Checks that no derived KPI is computed, directly or through other derived KPIs,
    /// from itself: a formula may name another derived KPI (which is evaluated first), but
    /// never one that leads back to it. Each circle is one finding, at the formula of its
    /// first-defined member where it names the next, with a label at each other member's
    /// formula; the message walks the circle. The series of an id is derived by the
    /// catalogue metric's own `formula`, else by the policy KPI's of that id.
    ///
    /// ## Why is this bad?
    /// None of the KPIs on the circle can ever be computed, nor any that names one of
    /// them: their board figures are missing, period after period.
    ///
    /// ## Example
    /// ```toml
    /// [[metric]]
    /// id = "exposure-rate"
    /// formula = "100 * exposed-nhis / total-nhis"
    ///
    /// [[metric]]
    /// id = "exposed-nhis"
    /// formula = "exposure-rate * total-nhis / 100"
    /// ```
    /// Use instead: report `exposed-nhis`, and derive only the rate from it.
    pub static FORMULA_CYCLE = {
        code: "KPI323",
        name: "formula-cycle",
        group: Catalogue,
        severity: Error,
        summary: "derived KPIs whose formulas name each other in a circle",
        check: Model(check),
    };
}

/// Members of a circle a message walks through and labels; the rest are counted.
const MAX_SHOWN: usize = 8;

/// Orders the derived series as the data stage does and reports each circle.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    if !ctx.definitions().any(|d| d.formula.is_some()) {
        return;
    }
    // Every id data rows may name, as the data stage indexes them: catalogue metrics (the
    // first of a repeated id), then the KPIs no metric of their id stands for.
    let definitions = ctx
        .metrics()
        .map(|m| (m.id.value.as_str(), Formula::of(&m.id.value, Some(m), ctx.kpi_for(m))))
        .chain(
            ctx.policy
                .kpis
                .iter()
                .map(|k| (k.id.value.as_str(), Formula::of(&k.id.value, None, Some(k)))),
        );
    let mut ids: Vec<(&str, Option<&Formula>)> = Vec::new();
    let mut index: Map<&str, u32> = Map::default();
    for (id, formula) in definitions {
        if !index.contains_key(id) {
            index.insert(id, u32::try_from(ids.len()).unwrap_or(u32::MAX));
            ids.push((id, formula));
        }
    }
    let nodes: Vec<crate::formula::Node> = ids
        .iter()
        .map(|(_, f)| f.map_or(crate::formula::Node::Plain, |f| f.node(|n| index.get(n).copied())))
        .collect();
    for circle in crate::formula::order(&nodes).cycles {
        let member = |i: usize| ids[circle[i % circle.len()] as usize];
        // Where a member's formula names the next member (every member is derived).
        let names_next = |i: usize| -> Option<Label> {
            let f = member(i).1?;
            let next = member(i + 1).0;
            let at = f.parsed.as_ref().ok()?.names().iter().find(|n| n.id == next);
            let label = at.map_or_else(|| f.text.at(), |n| f.at(&n.at));
            Some(label.with_message(format!("uses `{next}`")))
        };
        let Some(primary) = names_next(0) else {
            continue;
        };
        let (first, _) = member(0);
        let message = if circle.len() == 1 {
            msg!(
                "the formula of `{}` uses `{}` itself: it can never be computed",
                first,
                first
            )
        } else {
            let mut walk = msg!("`{}` uses `{}`", first, member(1).0);
            let shown = circle.len().min(MAX_SHOWN);
            for i in 2..shown {
                walk.append(&msg!(", which uses `{}`", member(i).0));
            }
            if circle.len() > shown {
                walk.append(&msg!(", ... ({} more)", circle.len() - shown));
            }
            walk.append(&msg!(", which uses `{}`", first));
            msg!(
                "derived KPIs name each other in a circle: {}; none of them can be computed",
                walk
            )
        };
        let f = out.push(&FORMULA_CYCLE, primary, message);
        f.subject(first.to_owned()).help(if circle.len() == 1 {
            "derive it from other metrics, or report it instead of deriving it"
        } else {
            "report one of them instead of deriving it, or derive it from reported metrics only"
        });
        for label in (1..circle.len().min(MAX_SHOWN)).filter_map(names_next) {
            f.label(label);
        }
    }
}
