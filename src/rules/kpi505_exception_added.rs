//! `exception-added`: a pull request adds or extends an exception.

use crate::diag::{Diagnostics, Message};
use crate::analyze::delta::Delta;

declare_rule! {
    /// ## What it does
    /// Lists every `[[exception]]` that is new at the head, or whose `expires` date moved
    /// later, so each waiver is approved explicitly in the review.
    ///
    /// ## Why is this bad?
    /// Exceptions are approved deviations. One slipped into a larger change, or an expiry
    /// quietly pushed out, waives a finding without anyone deciding to accept the risk.
    ///
    /// ## Example
    /// A new `[[exception]] rule = "manual-source"` in the policy.
    pub static EXCEPTION_ADDED = {
        code: "KPI505",
        name: "exception-added",
        group: Diff,
        severity: Warning,
        summary: "a new or extended exception, listed for approval",
        check: Diff(check),
    };
}

/// Lists each exception the working tree adds or extends, for approval in the review.
fn check(delta: &Delta<'_>, out: &mut Diagnostics) {
    let date = |x: &crate::model::Exception| {
        x.expires
            .as_ref()
            .map_or(Message::text("no date"), |e| msg!("{}", e.value))
    };
    for h in &delta.head.policy.exceptions {
        let before = delta
            .base
            .policy
            .exceptions
            .iter()
            .find(|b| b.rule.value == h.rule.value && b.subject.value == h.subject.value);
        let message = match before {
            None => msg!(
                "new exception waives `{}` for `{}` until {}",
                h.rule.value,
                h.subject.value,
                date(h)
            ),
            Some(b)
                if b.expires.as_ref().map(|e| e.value) < h.expires.as_ref().map(|e| e.value) =>
            {
                msg!(
                    "exception for `{}` on `{}` extended from {} to {}",
                    h.rule.value,
                    h.subject.value,
                    date(b),
                    date(h)
                )
            }
            Some(_) => continue,
        };
        let approver = h
            .approved_by
            .as_ref()
            .map_or("nobody", |a| a.value.as_str());
        out.push(
            &EXCEPTION_ADDED,
            h.rule.at().with_message("needs approval"),
            message,
        )
        .subject(h.subject.value.clone())
        .help(msg!(
            "approved by {}: confirm that approval in the review",
            approver
        ));
    }
}
