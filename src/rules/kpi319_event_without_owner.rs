//! `event-without-owner`: an identity event with no accountable owner.

use crate::analyze::Context;
use crate::diag::{Diagnostics, Label};
use crate::model::{EventKind, EventStatus};

declare_rule! {
    /// ## What it does
    /// Checks that every identity event that is not `cancelled` names its accountable
    /// `owner`: for a strategic event, the leadership, risk or architecture owner who takes
    /// the decision; for a technical event, the team that implements it. The register's
    /// `owner` is who maintains the file, not a default for its events.
    ///
    /// ## Why is this bad?
    /// Measuring without ownership is a prohibited practice, and an event is no different:
    /// a decision nobody owns cannot be escalated when it stalls, and a change nobody owns
    /// is not operated once it ships. Tagging each event with its owner keeps strategic
    /// intent from being lost in operational work.
    ///
    /// ## Example
    /// ```toml
    /// [[event]]
    /// id = "agent-accountability"
    /// kind = "strategic"
    /// title = "Every AI agent action is attributable to a human owner"
    /// ```
    /// Use instead: add `owner = "ciso@example.com"`.
    pub static EVENT_WITHOUT_OWNER = {
        code: "KPI319",
        name: "event-without-owner",
        group: Events,
        severity: Error,
        summary: "an identity event with no accountable owner",
        check: Model(check),
    };
}

/// Checks every event that is not cancelled.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for e in ctx.events() {
        // An owner written in a form the schema rejects is reported there.
        if e.has_status(EventStatus::Cancelled)
            || e.owner_unreadable
            || e.owner.as_ref().is_some_and(|o| !o.value.trim().is_empty())
        {
            continue;
        }
        let span = e.owner.as_ref().map_or(e.id.span, |o| o.span);
        let (what, who) = if e.is(EventKind::Strategic) {
            (
                "strategic decision",
                "the leadership, risk or architecture owner who takes the decision",
            )
        } else if e.is(EventKind::Technical) {
            ("technical event", "the team that implements it")
        } else {
            ("event", "who is accountable for it")
        };
        out.push(
            &EVENT_WITHOUT_OWNER,
            Label::at(e.file, span).with_message("no owner"),
            msg!("{} `{}` has no owner", what, e.id.value),
        )
        .subject(e.id.value.clone())
        .help(msg!("add `owner = \"...\"`: {}", who));
    }
}
