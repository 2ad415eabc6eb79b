//! `missing-cadence`: a KPI with no reporting cadence.

use crate::diag::Diagnostics;
use crate::analyze::Context;
use crate::model::{Field, Tier};

declare_rule! {
    /// ## What it does
    /// Checks that every KPI and metric other than an OKR has a `cadence` (`weekly`,
    /// `monthly` or `quarterly`); a metric inherits the cadence of the KPI it implements.
    ///
    /// ## Why is this bad?
    /// Without a cadence nobody can tell stale data from current data: freshness checks
    /// and trend windows both need to know how often a value is due.
    ///
    /// ## Example
    /// ```toml
    /// [[metric]]
    /// id = "orphaned-service-accounts"
    /// ```
    /// Use instead: add `cadence = "monthly"`.
    pub static MISSING_CADENCE = {
        code: "KPI314",
        name: "missing-cadence",
        group: Catalogue,
        severity: Warning,
        summary: "a KPI with no reporting cadence",
        check: Model(check),
    };
}

/// Checks every KPI and metric.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for m in ctx.definitions() {
        if ctx.inherited(m, |k| k.tier.as_ref().map(|t| t.value)) == Some(Tier::Okr) {
            continue;
        }
        // A cadence written in a form the schema rejects is reported there.
        if m.unreadable.has(Field::Cadence)
            || ctx
                .inherited(m, |k| k.cadence.as_ref().map(|c| c.value))
                .is_some()
        {
            continue;
        }
        out.push(
            &MISSING_CADENCE,
            m.id.at().with_message("no cadence"),
            msg!("`{}` has no reporting cadence", m.id.value),
        )
        .subject(m.id.value.clone())
        .help("add `cadence = \"weekly\"`, `\"monthly\"` or `\"quarterly\"`");
    }
}
