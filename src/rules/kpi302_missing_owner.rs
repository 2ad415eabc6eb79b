//! `missing-owner`: a metric with no owner.

use crate::diag::{Diagnostics, Label};
use crate::analyze::Context;
use crate::model::Field;

declare_rule! {
    /// ## What it does
    /// Checks that every catalogue metric names its own `owner`. The catalogue's `owner`
    /// is who maintains the file, not a default for its metrics.
    ///
    /// ## Why is this bad?
    /// Measuring without ownership is a prohibited practice: when a KPI slips, someone has
    /// to act on it, and a metric without an owner turns red on a dashboard and stays red.
    ///
    /// ## Example
    /// ```toml
    /// [[metric]]
    /// id = "orphaned-service-accounts"
    /// tier = "tactical"
    /// ```
    /// Use instead: add `owner = "iam-team@example.com"`.
    pub static MISSING_OWNER = {
        code: "KPI302",
        name: "missing-owner",
        group: Catalogue,
        severity: Error,
        summary: "a metric with no owner",
        check: Model(check),
    };
}

/// Checks every catalogue metric.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for m in ctx.metrics() {
        // An owner written in a form the schema rejects is reported there.
        if m.owner.as_ref().is_some_and(|o| !o.value.trim().is_empty())
            || m.unreadable.has(Field::Owner)
        {
            continue;
        }
        let span = m.owner.as_ref().map_or(m.id.span, |o| o.span);
        out.push(
            &MISSING_OWNER,
            Label::at(m.file, span).with_message("no owner"),
            msg!("metric `{}` has no owner", m.id.value),
        )
        .subject(m.id.value.clone())
        .help("add `owner = \"team@example.com\"`: the team that acts when it slips");
    }
}
