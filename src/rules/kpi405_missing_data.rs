//! `missing-data`: a catalogue metric with no data at all.

use crate::analyze::Context;
use crate::analyze::data::DataFacts;
use crate::diag::Diagnostics;

declare_rule! {
    /// ## What it does
    /// When data files are checked, reports every catalogue metric that has no row in any
    /// of them (in any scope). The finding points at the metric's definition.
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
    for m in facts.missing(ctx) {
        let rejected = facts.info(&m.id.value).map_or(0, |i| i.rejected);
        let message = if rejected == 0 {
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
        .help("report it, or remove it from the catalogue if it is no longer measured");
    }
}
