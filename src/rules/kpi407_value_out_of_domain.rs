//! `value-out-of-domain`: a reported value impossible for the metric's unit.

use crate::analyze::Context;
use crate::analyze::data::{DataFacts, Fault};
use crate::diag::{Diagnostics, Label};

declare_rule! {
    /// ## What it does
    /// Checks every row's value against its metric's unit: `percent` 0..=100, `ratio`
    /// 0..=1, `count` a whole number >= 0, durations and `currency` >= 0. Such a row is left
    /// out of the evaluation.
    ///
    /// ## Why is this bad?
    /// 140 percent, or -3 hours to revoke, is an export bug or a unit mix-up (a ratio
    /// reported as a percent); evaluating it would paint a false status.
    ///
    /// ## Example
    /// ```csv
    /// metric,period,value
    /// critical-secrets-rotated-within-sla,2026-10,0.96
    /// ```
    /// is fine for a ratio but suspicious for a percent; `140` is impossible.
    pub static VALUE_OUT_OF_DOMAIN = {
        code: "KPI407",
        name: "value-out-of-domain",
        group: Data,
        severity: Error,
        summary: "a value impossible for the metric's unit",
        check: Data(check),
    };
}

/// Reports each row whose value its unit cannot have.
fn check(facts: &DataFacts<'_>, _: &Context<'_>, out: &mut Diagnostics) {
    for f in &facts.faults {
        let Fault::OutOfDomain {
            metric,
            scope,
            period,
            value,
            unit,
        } = &f.fault
        else {
            continue;
        };
        out.push(
            &VALUE_OUT_OF_DOMAIN,
            Label::at_line(f.file, f.line).columns(f.columns),
            msg!(
                "`{}` reports {} for {}, impossible for unit `{}`",
                metric,
                *value,
                period,
                unit.as_str()
            ),
        )
        .subject(metric.clone())
        .scope(scope)
        .period(period)
        .help("check the export: a ratio reported as a percent, or the reverse, is the usual cause");
    }
    for o in facts.overflow.iter().filter(|o| o.out_of_domain) {
        out.push(
            &VALUE_OUT_OF_DOMAIN,
            Label::at_line(o.file, o.first_line),
            msg!(
                "and {} more value{} of this file impossible for their unit, from this line on",
                o.rows,
                if o.rows == 1 { "" } else { "s" }
            ),
        )
        .help("the rows above show what is wrong; fix the export and check again");
    }
}
