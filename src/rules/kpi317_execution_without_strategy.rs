//! `execution-without-strategy`: a technical identity event traced to no strategic decision.

use crate::analyze::Context;
use crate::diag::Diagnostics;
use crate::model::{EventKind, EventStatus};

declare_rule! {
    /// ## What it does
    /// Checks that every technical identity event (one that changes the mechanism: a
    /// config, an integration, a workflow) names in `implements` the strategic decision it
    /// carries out, and that the id names a strategic event of an event register that is
    /// not `cancelled`. Cancelled technical events are not judged. When only some files
    /// are checked (as pre-commit names them), a decision in another file cannot be seen,
    /// and an `implements` naming no event is not judged.
    ///
    /// ## Why is this bad?
    /// Execution without strategy builds controls that do not match the organisation's
    /// risk posture: a vault integration, a rotation job or an approval workflow that no
    /// decision asked for answers a risk nobody accepted, and nobody can say whether it is
    /// the right control when the posture changes.
    ///
    /// ## Example
    /// ```toml
    /// [[event]]
    /// id = "vault-injection-payments"
    /// kind = "technical"
    /// title = "Inject payments secrets from the vault"
    /// ```
    /// Use instead: add `implements = "no-secrets-in-code"`, the strategic decision it
    /// carries out (and record that decision if it was never taken).
    pub static EXECUTION_WITHOUT_STRATEGY = {
        code: "KPI317",
        name: "execution-without-strategy",
        group: Events,
        severity: Warning,
        summary: "a technical identity event that implements no strategic decision",
        check: Model(check),
    };
}

/// Most misspelt `implements` a run suggests a decision for.
const MAX_HINTS: usize = 100;

/// Checks every technical event that is not cancelled.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    let mut decisions: Option<Vec<&str>> = None;
    let mut hints_left = MAX_HINTS;
    for e in ctx.events() {
        if !e.is(EventKind::Technical) || e.has_status(EventStatus::Cancelled) {
            continue;
        }
        let Some(imp) = &e.implements else {
            out.push(
                &EXECUTION_WITHOUT_STRATEGY,
                e.id.at().with_message("no `implements`"),
                msg!(
                    "technical event `{}` implements no strategic decision",
                    e.id.value
                ),
            )
            .subject(e.id.value.clone())
            .help("add `implements = \"<strategic event id>\"`: the decision that set the posture this change builds");
            continue;
        };
        let (label, message) = match ctx.event(&imp.value) {
            Some(d) if d.is(EventKind::Technical) => (
                "a technical event",
                msg!(
                    "technical event `{}` implements `{}`, another technical event, not a strategic decision",
                    e.id.value,
                    imp.value
                ),
            ),
            Some(d) if d.is(EventKind::Strategic) && d.has_status(EventStatus::Cancelled) => (
                "a cancelled decision",
                msg!(
                    "technical event `{}` implements `{}`, a strategic decision that was cancelled",
                    e.id.value,
                    imp.value
                ),
            ),
            // A decision, or an event whose kind the schema reports.
            Some(_) => continue,
            None if ctx.partial => continue,
            None => (
                "no such event",
                msg!(
                    "technical event `{}` implements `{}`, which no event register defines",
                    e.id.value,
                    imp.value
                ),
            ),
        };
        // Only a name that matches no event can be a misspelling, and only the first few:
        // past them a register is mismatched, not misspelt, and each suggestion reads
        // every decision.
        let hint = (ctx.event(&imp.value).is_none() && hints_left > 0).then(|| {
            hints_left -= 1;
            let decisions = decisions.get_or_insert_with(|| {
                ctx.events()
                    .filter(|d| d.is(EventKind::Strategic) && !d.has_status(EventStatus::Cancelled))
                    .map(|d| d.id.value.as_str())
                    .collect::<Vec<_>>()
            });
            crate::suggest::closest(&imp.value, decisions.iter().copied())
        });
        out.push(
            &EXECUTION_WITHOUT_STRATEGY,
            imp.at().with_message(label),
            message,
        )
        .subject(e.id.value.clone())
        .help(crate::diag::did_you_mean(
            hint.flatten(),
            "name the strategic decision (a `kind = \"strategic\"` event) this change carries out",
        ));
    }
}
