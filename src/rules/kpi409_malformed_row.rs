//! `malformed-row`: a data row or header that cannot be read.

use crate::analyze::Context;
use crate::analyze::data::{DataFacts, Fault};
use crate::diag::{Diagnostics, Label, Message};

declare_rule! {
    /// ## What it does
    /// Reports a data row that cannot be used: an unknown period format, a value that is not
    /// a number, a missing column, a zero denominator, invalid UTF-8, broken JSON. The rest
    /// of the file is still read. A header that lacks a required column (`metric`,
    /// `period`, and `value` or `numerator` + `denominator`) is one finding for the file.
    ///
    /// ## Why is this bad?
    /// A row that is silently skipped makes a series look stale or hides a breach.
    ///
    /// ## Example
    /// ```csv
    /// metric,period,value
    /// critical-secrets-rotated-within-sla,October 2026,96.0
    /// ```
    /// Use instead: `2026-10`.
    pub static MALFORMED_ROW = {
        code: "KPI409",
        name: "malformed-row",
        group: Data,
        severity: Error,
        summary: "a data row or header that cannot be read",
        check: Data(check),
    };
}

/// Reports each row (or header) that could not be read.
fn check(facts: &DataFacts<'_>, _: &Context<'_>, out: &mut Diagnostics) {
    const ROWS: &str = "rows need `metric`, `period` (YYYY-MM, YYYY-Qn, YYYY-Www, YYYY-MM-DD or RFC 3339) and a numeric `value` (or `numerator` and `denominator`)";
    for f in &facts.faults {
        let (message, help): (Message, Message) = match &f.fault {
            Fault::OutOfDomain { .. } => continue,
            Fault::HeaderLacks(missing) => {
                let mut list = Message::default();
                for (i, m) in missing.iter().enumerate() {
                    if i > 0 {
                        list.push_text(", ");
                    }
                    list.append(&Message::from(*m));
                }
                (
                    msg!("header lacks {}: no row of this file can be read", list),
                    "the header needs `metric,period,value` (optional: `scope`, `source`; `numerator,denominator` instead of `value`)".into(),
                )
            }
            Fault::Unreadable(e) => (msg!("cannot read: {}", e), ROWS.into()),
            Fault::UnreadableHeader(e) => (msg!("cannot read the header: {}", e), ROWS.into()),
            Fault::UnreadableRow(e) => (msg!("unreadable row: {}", e), ROWS.into()),
            Fault::NoMetricOrPeriod => ("row lacks `metric` or `period`".into(), ROWS.into()),
            Fault::NotARow(message) => (msg!("not a data row: {}", message), ROWS.into()),
            Fault::NotUtf8 => ("`metric` or `scope` is not UTF-8".into(), ROWS.into()),
            Fault::EmptyMetric => ("empty `metric`".into(), ROWS.into()),
            Fault::NotAPeriod(p) => (msg!("`{}` is not a period", p), ROWS.into()),
            // No date of the run in the message: a finding without a subject is known by its
            // message (fingerprints, baselines), which must not change from day to day.
            Fault::NotBegun { period, as_of } => (
                msg!(
                    "period `{}` has not begun: no value can be measured for it yet",
                    period
                ),
                msg!(
                    "fix the export's dates (today is {}, or `--as-of`); a row for a period to come is never the latest value",
                    as_of
                ),
            ),
            Fault::NotANumber(v) => (msg!("value `{}` is not a number", v), ROWS.into()),
            Fault::ZeroDenominator => ("`denominator` is 0".into(), ROWS.into()),
            Fault::RatioNotNumbers(n, d) => (
                msg!("`numerator` `{}` / `denominator` `{}` are not numbers", n, d),
                ROWS.into(),
            ),
            Fault::NoValue => (
                "no `value` (or `numerator` and `denominator`)".into(),
                ROWS.into(),
            ),
        };
        out.push(&MALFORMED_ROW, Label::at_line(f.file, f.line).columns(f.columns), message)
            .help(help);
    }
    for o in facts.overflow.iter().filter(|o| !o.out_of_domain) {
        out.push(
            &MALFORMED_ROW,
            Label::at_line(o.file, o.first_line),
            msg!(
                "and {} more row{} of this file that cannot be read, from this line on",
                o.rows,
                if o.rows == 1 { "" } else { "s" }
            ),
        )
        .help("the rows above show what is wrong; fix the export and check again");
    }
}
