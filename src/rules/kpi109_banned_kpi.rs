//! `banned-kpi`: a `[[banned]]` entry that matches one of the policy's own KPIs.

use super::kpi301_vanity_metric::{Texts, hit};
use crate::analyze::Context;
use crate::diag::{Diagnostics, Label};

declare_rule! {
    /// ## What it does
    /// Tries every `[[banned]]` entry on the policy's own KPIs, as `vanity-metric` tries
    /// it on catalogue metrics (a KPI implements nothing, so `posing_as_outcome` holds for
    /// it only by tier, `okr` table or leadership visibility), and reports each KPI an
    /// entry matches.
    ///
    /// ## Why is this bad?
    /// A ban that matches the policy's own KPI contradicts the policy: every catalogue that
    /// implements the KPI as written is banned, under a rule that is usually locked, so no
    /// exception can settle it. It is most often a name pattern written too wide: the
    /// unanchored `alerts handled` also matches "Percent of alerts handled within SLA".
    ///
    /// ## Example
    /// ```toml
    /// [[kpi]]
    /// id = "alerts-handled-within-sla"
    /// title = "Percent of alerts handled within SLA"
    ///
    /// [[banned]]
    /// id = "alert-handling"
    /// match = { name = 'alerts handled' }
    /// ```
    /// Use instead: `match = { words = ["alerts handled"] }`, which leaves outcome
    /// framings alone, or an anchored pattern: `'^number of alerts handled$'`.
    pub static BANNED_KPI = {
        code: "KPI109",
        name: "banned-kpi",
        group: Policy,
        severity: Error,
        summary: "a banned-metric entry that matches one of the policy's own KPIs",
        check: Model(check),
    };
}

/// Tries every banned entry on every KPI of the policy.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    let banned = &ctx.policy.banned;
    if banned.is_empty() {
        return;
    }
    for k in &ctx.policy.kpis {
        let texts = Texts::new(k, &ctx.policy.patterns);
        for (i, b) in banned.iter().enumerate() {
            let Some(found) = hit(ctx, k, true, i, b, &texts) else {
                continue;
            };
            out.push(
                &BANNED_KPI,
                b.banned.id.at().with_message("bans a KPI of the policy"),
                msg!(
                    "banned entry `{}` matches the policy's own KPI `{}`",
                    b.banned.id.value,
                    k.id.value
                ),
            )
            .subject(b.banned.id.value.clone())
            .label(Label::at(k.file, found.span).with_message("this KPI"))
            .help("narrow the entry (`match = { words = [...] }` leaves outcome framings alone; anchor a `name` pattern with `^...$`), or change the KPI");
        }
    }
}
