//! `percent-as-fraction`: a percent metric whose data looks written as fractions.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::diag::{Diagnostics, Label};
use crate::model::{Direction, Unit};
use crate::rule::Severity;

declare_rule! {
    /// ## What it does
    /// Reports a metric whose unit is `percent` when every value its data files report
    /// lies between 0 and 1 (some above 0, at least two rows) while its thresholds are
    /// written in percent: the export wrote fractions, `0.95` for 95%. Spreadsheets and BI
    /// tools do this when a cell is formatted as a percentage. The finding is at the
    /// metric's `unit`.
    ///
    /// A `higher_is_better` metric with a target above 1 is a warning: a healthy metric
    /// does not sit below 1% of it. A `lower_is_better` or `stable` one is only an info,
    /// and only when all its levels are above 1: values below 1% may be real there.
    ///
    /// `scale = 100` on the catalogue metric multiplies its plain `value`s by 100 as they
    /// are read (a ratio of `numerator` and `denominator`, or a value written `95%`, is
    /// already a percentage);
    /// `scale = 1` says the values are meant as written (percentages below 1%), which
    /// silences this rule. `scale` takes any power of ten from 0.001 to 1,000,000.
    ///
    /// A derived percent metric is judged by the values its formula gives: `orphaned /
    /// total` is a fraction, and the finding is at the formula, suggesting `100 * ...`.
    ///
    /// ## Why is this bad?
    /// Read as written, `0.95` against a target of 95 is a breach on every row of a
    /// healthy metric; for a `lower_is_better` metric it is worse: 30% exposure written
    /// `0.3` passes as 0.3%.
    ///
    /// ## Example
    /// ```csv
    /// metric,period,value
    /// nhi-owner-coverage,2026-10,0.962
    /// ```
    /// Use instead: `scale = 100` on the metric, or export `96.2`.
    pub static PERCENT_AS_FRACTION = {
        code: "KPI411",
        name: "percent-as-fraction",
        group: Data,
        severity: Warning,
        summary: "a percent metric whose data is written as fractions",
        check: Data(check),
    };
}

/// Reports each percent metric whose values all lie in 0..1 under thresholds above 1:
/// the rows reported, or the values a derived metric's formula gives.
fn check(facts: &DataFacts<'_>, _: &Context<'_>, out: &mut Diagnostics) {
    for (info, thresholds) in facts.metrics() {
        let formula = info.formula();
        // A derived metric's values are its formula's; rows reported for it are not taken.
        let (range, count) = match formula {
            Some(_) => facts
                .formula_of(info.id)
                .map_or((None, 0), |f| (f.range, f.values)),
            None => (info.range, info.rows),
        };
        let Some((lo, hi)) = range else { continue };
        if info.unit != Some(Unit::Percent) || info.scale.is_some() || count < 2 {
            continue;
        }
        if lo < 0.0 || hi > 1.0 || hi <= 0.0 {
            continue;
        }
        let levels: Vec<_> = [&thresholds.target, &thresholds.warn, &thresholds.critical]
            .into_iter()
            .flatten()
            .collect();
        let higher = thresholds.direction == Some(Direction::HigherIsBetter);
        let level = if higher {
            thresholds.target.as_ref().filter(|t| t.value.value() > 1.0)
        } else if levels.iter().all(|t| t.value.value() > 1.0) {
            levels.first().copied()
        } else {
            None
        };
        let Some(level) = level else { continue };
        let Some(defined) = info.metric.or(info.kpi) else {
            continue;
        };
        let unit = defined
            .unit
            .as_ref()
            .or_else(|| info.kpi.and_then(|k| k.unit.as_ref()));
        let at = unit.map_or_else(|| defined.id.at(), crate::model::Sp::at);
        if let Some(formula) = formula {
            out.push(
                &PERCENT_AS_FRACTION,
                formula.text.at().with_message("a fraction"),
                msg!(
                    "every value of `{}` lies between 0 and 1 ({} to {} in {} values its formula gives) under a {} of {}: the formula {} a fraction, not a percentage",
                    info.id,
                    crate::num::float(lo),
                    crate::num::float(hi),
                    count,
                    level.level.as_str(),
                    level.value,
                    if higher { "most likely computes" } else { "may compute" }
                ),
            )
            .cap(if higher { Severity::Warning } else { Severity::Info })
            .subject(info.id.to_owned())
            .label(Label::at(level.file, level.span).with_message("in percent"))
            .help(msg!(
                "multiply it by 100, first, so that decimals stay exact: `formula = \"{}\"`",
                times_100(formula.text.value.trim())
            ));
            continue;
        }
        out.push(
            &PERCENT_AS_FRACTION,
            at.with_message("percent"),
            msg!(
                "every value of `{}` lies between 0 and 1 ({} to {} in {} rows) under a {} of {}: the export {} fractions",
                info.id,
                crate::num::float(lo),
                crate::num::float(hi),
                info.rows,
                level.level.as_str(),
                level.value,
                if higher { "most likely wrote" } else { "may have written" }
            ),
        )
        .cap(if higher { Severity::Warning } else { Severity::Info })
        .subject(info.id.to_owned())
        .label(Label::at(level.file, level.span).with_message("in percent"))
        .help(if info.metric.is_some() {
            "add `scale = 100` to the metric (or export percentages); `scale = 1` if the values are meant as written"
        } else {
            "export percentages, or define the metric in a catalogue with `scale = 100`"
        });
    }
}

/// `text` multiplied by 100, first: `100 * a / b`, or `100 * (a + b) / c`'s shape when a
/// sum or difference would otherwise bind looser than the product.
fn times_100(text: &str) -> String {
    let sum = text.contains('+')
        || text.starts_with('-')
        || text.contains(" -")
        || text.contains("(-");
    if sum {
        format!("100 * ({text})")
    } else {
        format!("100 * {text}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_formula_times_100_keeps_its_meaning() {
        assert_eq!(super::times_100("a / b"), "100 * a / b");
        assert_eq!(super::times_100("total-nhis / b"), "100 * total-nhis / b");
        assert_eq!(super::times_100("a + b / c"), "100 * (a + b / c)");
        assert_eq!(super::times_100("a - b"), "100 * (a - b)");
        assert_eq!(super::times_100("-a / b"), "100 * (-a / b)");
    }
}
