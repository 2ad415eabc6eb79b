//! `missing-threshold`: a KPI with neither thresholds nor a trend target.

use crate::diag::Diagnostics;
use crate::analyze::Context;
use crate::model::{Field, Tier};

declare_rule! {
    /// ## What it does
    /// Checks that every KPI and metric other than an OKR has `thresholds`: numeric levels
    /// (`target`, `warn`, `critical`) or a trend target (`trend = "down"`). A metric that
    /// implements a policy KPI inherits the KPI's thresholds.
    ///
    /// ## Why is this bad?
    /// A KPI without a threshold can never fail, so it never escalates: it silently drops
    /// out of reporting while looking governed.
    ///
    /// ## Example
    /// ```toml
    /// [[metric]]
    /// id = "time-to-revoke-exposed-key"
    /// tier = "board"
    /// ```
    /// Use instead: add `thresholds = { target = 4, warn = 8, critical = 24 }`.
    pub static MISSING_THRESHOLD = {
        code: "KPI303",
        name: "missing-threshold",
        group: Catalogue,
        severity: Error,
        summary: "a KPI with neither thresholds nor a trend target",
        check: Model(check),
    };
}

/// Checks every KPI and metric.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for m in ctx.definitions() {
        if ctx.inherited(m, |k| k.tier.as_ref().map(|t| t.value)) == Some(Tier::Okr) {
            continue;
        }
        let has = ctx
            .inherited(m, |k| k.thresholds.as_ref().filter(|t| !t.is_empty()))
            .is_some();
        // Thresholds written in a form the schema rejects are reported there.
        if has || m.unreadable.has(Field::Thresholds) {
            continue;
        }
        out.push(
            &MISSING_THRESHOLD,
            m.id.at().with_message("no thresholds"),
            msg!("`{}` has neither thresholds nor a trend target", m.id.value),
        )
        .subject(m.id.value.clone())
        .help("add `thresholds = { target = ..., warn = ..., critical = ... }` or `thresholds = { trend = \"down\" }`");
    }
}
