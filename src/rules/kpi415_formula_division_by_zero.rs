//! `formula-division-by-zero`: a derived KPI whose formula divides by zero at a period.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::diag::Diagnostics;
use crate::formula::Undefined;

declare_rule! {
    /// ## What it does
    /// Reports each derived KPI whose formula has no value at some period of some scope
    /// because a divisor is zero there (`100 * orphaned-nhis / total-nhis` in a month that
    /// reports no NHI at all), or, far rarer, because the value is too large to hold. That
    /// period has no value: the series goes on without it. One finding per derived KPI, at
    /// its formula, names the latest such period (and its scope) and counts the others, so
    /// a million scopes are one finding, not a million.
    ///
    /// ## Why is this bad?
    /// A board figure that cannot be computed is a blank the board does not see: the
    /// scorecard shows the last value that could be, which may be months old. A zero
    /// population is either a broken export or a scope that should not be measured.
    ///
    /// ## Example
    /// ```csv
    /// metric,period,value,scope
    /// orphaned-nhis,2026-10,0,sandbox
    /// total-nhis,2026-10,0,sandbox
    /// ```
    /// under `formula = "100 * orphaned-nhis / total-nhis"`.
    pub static FORMULA_DIVISION_BY_ZERO = {
        code: "KPI415",
        name: "formula-division-by-zero",
        group: Data,
        severity: Warning,
        summary: "a derived KPI whose formula divides by zero at a period",
        check: Data(check),
    };
}

/// Reports each derived KPI with periods its formula gives no value for.
fn check(facts: &DataFacts<'_>, _: &Context<'_>, out: &mut Diagnostics) {
    for (info, f) in facts.formulas() {
        let (Some(u), Some(formula)) = (&f.undefined, info.formula()) else {
            continue;
        };
        let why = match u.why {
            Undefined::DivisionByZero => "its formula divides by zero there",
            Undefined::Overflow => "its formula's value is too large to hold there",
        };
        let others = match (u.periods - 1, u.scopes) {
            (0, _) => String::new(),
            (1, 1) => " (and at 1 other period)".to_owned(),
            (n, 1) => format!(" (and at {n} other periods)"),
            (n, s) => format!(
                " (and at {n} other period{} across {s} scopes)",
                if n == 1 { "" } else { "s" }
            ),
        };
        out.push(
            &FORMULA_DIVISION_BY_ZERO,
            formula.text.at().with_message("no value"),
            msg!(
                "`{}`{} has no value in {}: {}{}",
                info.id,
                super::text::scope(&u.scope),
                u.period,
                why,
                others
            ),
        )
        .subject(info.id.to_owned())
        .help("check the export of the divisor's metrics for that period; a scope with nothing to measure should not be reported");
    }
}
