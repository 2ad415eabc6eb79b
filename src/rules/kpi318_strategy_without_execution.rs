//! `strategy-without-execution`: a strategic decision that no technical event
//! implements after the grace period.

use crate::analyze::Context;
use crate::diag::Diagnostics;
use crate::model::{EventKind, EventStatus};
use crate::hash::Set;

declare_rule! {
    /// ## What it does
    /// Checks that every strategic identity decision that has been taken (status
    /// `in_progress` or `done`) has at least one technical event implementing it (one whose
    /// `implements` names it and that is not `cancelled`, of any status and date: planned
    /// execution with an owner counts) once `[settings] event_grace_days` have passed since
    /// its `date` (90 by default; a layer may lower it, never raise it). Planned and
    /// cancelled decisions are not judged, nor any decision when only some files are
    /// checked.
    ///
    /// ## Why is this bad?
    /// Strategy without execution stalls. A decision that all NHIs move to just-in-time
    /// credentials, with no rotation job, vault integration or workflow change behind it,
    /// reads as progress in the steering committee while every long-lived key stays where
    /// it was.
    ///
    /// ## Example
    /// ```toml
    /// [[event]]
    /// id = "jit-credentials"
    /// kind = "strategic"
    /// title = "All NHIs move to just-in-time credentials"
    /// date = 2026-03-02
    /// status = "done"
    /// ```
    /// Use instead: record the technical events that carry it out, each with
    /// `implements = "jit-credentials"`, or mark the decision `cancelled` if it was
    /// withdrawn.
    pub static STRATEGY_WITHOUT_EXECUTION = {
        code: "KPI318",
        name: "strategy-without-execution",
        group: Events,
        severity: Warning,
        summary: "a strategic identity decision with no technical event implementing it after the grace period",
        check: Model(check),
    };
}

/// Checks every strategic decision taken more than the grace period ago.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    if ctx.partial {
        return;
    }
    let (grace, set_at) = ctx.policy.event_grace_days();
    let implemented: Set<&str> = ctx
        .events()
        .filter(|e| e.is(EventKind::Technical) && !e.has_status(EventStatus::Cancelled))
        .filter_map(|e| e.implements.as_ref().map(|i| i.value.as_str()))
        .collect();
    for e in ctx.events() {
        if !e.is(EventKind::Strategic) || !e.is_decided() || implemented.contains(e.id.value.as_str())
        {
            continue;
        }
        let Some(date) = &e.date else { continue };
        let Ok(deadline) = date.value.checked_add(jiff::Span::new().days(grace)) else {
            continue;
        };
        if ctx.as_of <= deadline {
            continue;
        }
        let days = (ctx.as_of - date.value).get_days();
        let f = out.push(
            &STRATEGY_WITHOUT_EXECUTION,
            e.id.at().with_message("no technical event implements it"),
            msg!(
                "strategic decision `{}` of {} has no technical event implementing it {} days on (grace: {} days)",
                e.id.value,
                date.value,
                days,
                grace
            ),
        );
        f.subject(e.id.value.clone()).help(msg!(
            "record the technical events that carry it out, each with `implements = \"{}\"`, or mark the decision `cancelled` if it was withdrawn",
            e.id.value
        ));
        if let Some(at) = set_at.clone() {
            f.label(at);
        }
    }
}
