//! `formula-budget-exceeded`: derived KPIs left unevaluated because the series they would
//! be computed in pass what kpilint allows for the data's size.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::diag::Diagnostics;

declare_rule! {
    /// ## What it does
    /// Derived KPIs are computed in every scope their metrics are reported in, and
    /// together they may be tried in at most twice as many scopes as the data has series,
    /// plus ten thousand: kpilint's time and memory stay bounded by its input's size, however
    /// many formulas a policy or catalogue holds. Derived KPIs are evaluated in a fixed
    /// order (a KPI after the derived KPIs it names, otherwise as defined); the first whose
    /// scopes would pass that budget is not computed, nor is any after it. One finding, at
    /// the formula of the first, says how many were not computed and why. They have no
    /// value on the scorecard, and no `missing-data` finding of their own.
    ///
    /// ## Why is this bad?
    /// A KPI that is not computed is not judged: a breach it would show goes unseen. Two
    /// thousand formulas over a hundred thousand scopes would be two hundred million
    /// series; a policy that asks for that is either a mistake or an attempt to exhaust
    /// the run.
    ///
    /// ## Example
    /// A catalogue defines two thousand metrics `d1` ... `d2000` with `formula = "m * 1"`,
    /// and the data reports `m` in a hundred thousand scopes.
    /// Use instead: derive the KPIs the board reads, over the scopes it reads them in.
    pub static FORMULA_BUDGET_EXCEEDED = {
        code: "KPI417",
        name: "formula-budget-exceeded",
        group: Data,
        severity: Error,
        summary: "derived KPIs not computed: their scopes pass the budget for the data's size",
        check: Data(check),
    };
}

/// Reports where the budget of derived series stopped evaluation, at the first formula
/// not evaluated.
fn check(facts: &DataFacts<'_>, _: &Context<'_>, out: &mut Diagnostics) {
    let Some((info, b)) = facts.formula_budget() else {
        return;
    };
    let Some(formula) = info.formula() else {
        return;
    };
    let others = match b.metrics - 1 {
        0 => String::new(),
        1 => ", nor is the 1 derived KPI after it".to_owned(),
        n => format!(", nor are the {n} derived KPIs after it"),
    };
    out.push(
        &FORMULA_BUDGET_EXCEEDED,
        formula.text.at().with_message("not computed"),
        msg!(
            "`{}` is not computed{}: its {} scope{} would pass the budget of {} for derived KPIs ({} used by those before it)",
            info.id,
            others,
            b.charge,
            if b.charge == 1 { "" } else { "s" },
            b.budget,
            b.spent
        ),
    )
    .subject(info.id.to_owned())
    .help("derive fewer KPIs, or over fewer scopes: derived KPIs may be tried in twice as many scopes as the data has series, plus 10000");
}
