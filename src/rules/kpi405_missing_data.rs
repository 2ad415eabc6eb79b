//! `missing-data`: a catalogue metric with no data at all.

use crate::analyze::Context;
use crate::analyze::data::{DataFacts, NotComputed};
use crate::diag::Diagnostics;

declare_rule! {
    /// ## What it does
    /// When data files are checked, reports every catalogue metric that has no row in any
    /// of them (in any scope). The finding points at the metric's definition. A derived
    /// metric is missing when its formula gives no value: the metrics it names are never
    /// reported for one same period and scope, or its formula divides by zero wherever
    /// they are. A formula that cannot be evaluated, or that the budget of derived series
    /// left out, has a finding of its own instead; one that names a derived metric that
    /// is not computed, or an id no file checked defines (when only some files are
    /// checked, or no catalogue), is reported here, naming it.
    ///
    /// ## Why is this bad?
    /// A metric that is defined but never reported is measuring nothing while the catalogue
    /// claims coverage; dashboards show a blank that nobody owns.
    ///
    /// ## Example
    /// A catalogue defines `time-to-revoke-exposed-key`, and no data file has a row for it.
    pub static MISSING_DATA = {
        code: "KPI405",
        name: "missing-data",
        group: Data,
        severity: Warning,
        summary: "a catalogue metric with no row in the data",
        check: Data(check),
    };
}

/// Reports each catalogue metric with no row.
fn check(facts: &DataFacts<'_>, ctx: &Context<'_>, out: &mut Diagnostics) {
    // Whether `formula-unknown-metric` judged unknown ids: a full run with catalogues.
    let unknown_judged = !ctx.partial && !ctx.catalogues.is_empty();
    for m in facts.missing(ctx) {
        if let Some(f) = facts.formula_of(&m.id.value).filter(|f| !f.evaluable) {
            // A formula that cannot be evaluated has its own finding: one slip, one
            // finding. One that names what is not computed, or what no file checked
            // defines, has none: say which.
            let (message, help) = match &f.not_computed {
                Some(NotComputed::Names(o)) => (
                    msg!(
                        "derived metric `{}` is not computed: its formula names `{}`, which is not computed",
                        m.id.value,
                        o
                    ),
                    "fix the formula of the metric it names: its own finding says why",
                ),
                Some(NotComputed::Unknown(id)) if !unknown_judged => (
                    msg!(
                        "derived metric `{}` is not computed: its formula names `{}`, which no file checked defines",
                        m.id.value,
                        id
                    ),
                    "check the whole repository (and its catalogues) to judge its formula",
                ),
                _ => continue,
            };
            out.push(&MISSING_DATA, m.id.at().with_message("no data"), message)
                .subject(m.id.value.clone())
                .help(help);
            continue;
        }
        let info = facts.info(&m.id.value);
        let rejected = info.map_or(0, |i| i.rejected);
        let derived = info.is_some_and(|i| i.formula().is_some());
        // The metrics met, but the formula had no value wherever they did.
        let undefined = facts
            .formula_of(&m.id.value)
            .and_then(|f| f.undefined.as_ref())
            .map(|u| u.why);
        let message = if let Some(why) = undefined {
            msg!(
                "derived metric `{}` has no value: its formula {} at every period and scope its metrics are reported for",
                m.id.value,
                match why {
                    crate::formula::Undefined::DivisionByZero => "divides by zero",
                    crate::formula::Undefined::Overflow => "gives a value too large to hold",
                }
            )
        } else if derived {
            msg!(
                "derived metric `{}` has no value: the metrics its formula names never have values for one same period and scope",
                m.id.value
            )
        } else if rejected == 0 {
            msg!("metric `{}` has no row in the data given", m.id.value)
        } else {
            msg!(
                "metric `{}` has no usable row: its {} row{} in the data given were all rejected",
                m.id.value,
                rejected,
                if rejected == 1 { "" } else { "s" }
            )
        };
        out.push(&MISSING_DATA, m.id.at().with_message("no data"), message)
        .subject(m.id.value.clone())
        .help(if undefined.is_some() {
            "check the export of the divisor's metrics (`formula-division-by-zero` names the latest period)"
        } else if derived {
            "report the metrics its formula names for the same periods (written alike) and scopes"
        } else {
            "report it, or remove it from the catalogue if it is no longer measured"
        });
    }
}
