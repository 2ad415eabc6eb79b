//! `manual-source`: a metric reported by hand.

use crate::diag::Diagnostics;
use crate::analyze::Context;
use crate::model::DataSource;

declare_rule! {
    /// ## What it does
    /// Reports a catalogue metric whose `source` is `manual`.
    ///
    /// ## Why is this bad?
    /// Manual-only reporting is a prohibited practice: hand-collected figures are late,
    /// unrepeatable and easy to massage, and "backed by raw data" cannot be shown. Where a
    /// manual source is unavoidable for a while (an external auditor's PDF), record an
    /// approved, expiring `[[exception]]`.
    ///
    /// ## Example
    /// ```toml
    /// source = "manual"
    /// ```
    /// Use instead: `source = "automated"` from the system of record, or an exception.
    pub static MANUAL_SOURCE = {
        code: "KPI309",
        name: "manual-source",
        group: Catalogue,
        severity: Warning,
        summary: "a metric reported by hand",
        check: Model(check),
    };
}

/// Checks every catalogue metric.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for m in ctx.metrics() {
        let Some(src) = &m.source else { continue };
        if src.value != DataSource::Manual {
            continue;
        }
        out.push(
            &MANUAL_SOURCE,
            src.at().with_message("manual"),
            msg!("metric `{}` is reported manually", m.id.value),
        )
        .subject(m.id.value.clone())
        .help(
            "automate collection from the system of record, or add an approved, expiring exception",
        );
    }
}
