//! `event-without-evidence`: a completed identity event with no evidence.

use crate::analyze::Context;
use crate::diag::Diagnostics;
use crate::model::{EventKind, EventStatus};

declare_rule! {
    /// ## What it does
    /// Checks that every identity event with `status = "done"` links its `evidence`: for a
    /// strategic decision, the risk acceptance, architecture decision record or policy
    /// change; for a technical event, the configs, logs, test results or integration
    /// diagrams that show it delivered. A link that is only blanks is no link.
    ///
    /// ## Why is this bad?
    /// "Done" without evidence is a claim: the auditor, the board and the next team cannot
    /// tell a decision that was taken from one that was discussed, or a control that runs
    /// from one that was merged and switched off.
    ///
    /// ## Example
    /// ```toml
    /// [[event]]
    /// id = "rotation-job"
    /// kind = "technical"
    /// status = "done"
    /// ```
    /// Use instead: add `evidence = ["https://git.example.com/platform/rotation/pull/412"]`.
    pub static EVENT_WITHOUT_EVIDENCE = {
        code: "KPI320",
        name: "event-without-evidence",
        group: Events,
        severity: Warning,
        summary: "a completed identity event with no evidence",
        check: Model(check),
    };
}

/// Checks every event marked done.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for e in ctx.events() {
        let Some(status) = e.status.as_ref().filter(|s| s.value == EventStatus::Done) else {
            continue;
        };
        if e.evidence.iter().any(|l| !l.value.trim().is_empty()) {
            continue;
        }
        let (what, kind) = if e.is(EventKind::Strategic) {
            (
                "strategic decision",
                "the risk acceptance, architecture decision record or policy change",
            )
        } else if e.is(EventKind::Technical) {
            (
                "technical event",
                "the configs, logs, test results or integration diagrams",
            )
        } else {
            ("event", "the records that show it done")
        };
        out.push(
            &EVENT_WITHOUT_EVIDENCE,
            status.at().with_message("done, with no evidence"),
            msg!("{} `{}` is done but links no evidence", what, e.id.value),
        )
        .subject(e.id.value.clone())
        .help(msg!(
            "add `evidence = [\"<link>\"]`: link {}",
            kind
        ));
    }
}
