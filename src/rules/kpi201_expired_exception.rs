//! `expired-exception`: an exception past (or within 30 days of) its expiry date.

use crate::diag::Diagnostics;
use crate::rule::Severity;
use crate::analyze::Context;

/// Days ahead of expiry at which an exception is reported as a warning.
const WARN_DAYS: i64 = 30;

declare_rule! {
    /// ## What it does
    /// Reports an `[[exception]]` whose `expires` date has passed (as of `--as-of`, default
    /// today): it no longer suppresses anything, so the waived findings come back. An
    /// exception that expires within 30 days is reported as a warning, so its renewal or
    /// the fix can be planned.
    ///
    /// ## Why is this bad?
    /// Exceptions are approved deviations with an end date. One that quietly outlives its
    /// date turns a temporary waiver into permanent policy nobody approved.
    ///
    /// ## Example
    /// ```toml
    /// [[exception]]
    /// rule = "manual-source"
    /// subject = "audit-findings"
    /// expires = 2026-06-30
    /// ```
    /// Use instead: fix the finding and delete the exception, or renew it with a fresh
    /// approval and date.
    pub static EXPIRED_EXCEPTION = {
        code: "KPI201",
        name: "expired-exception",
        group: Exceptions,
        severity: Error,
        summary: "an exception past its expiry date (a warning 30 days ahead)",
        check: Model(check),
    };
}

/// Checks every exception.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for x in &ctx.policy.exceptions {
        let Some(exp) = &x.expires else { continue };
        let left = i64::from((exp.value - ctx.as_of).get_days());
        let at = exp.at();
        if left < 0 {
            out.push(
                &EXPIRED_EXCEPTION,
                at.with_message("expired"),
                msg!(
                    "exception for `{}` on `{}` expired on {} ({} days ago)",
                    x.rule.value,
                    x.subject.value,
                    exp.value,
                    -left
                ),
            )
            .subject(x.subject.value.clone())
            .help(
                "fix the waived finding and remove the exception, or renew it with a new approval",
            );
        } else if left <= WARN_DAYS {
            out.push(
                &EXPIRED_EXCEPTION,
                at.with_message(format!("expires in {left} days")),
                msg!(
                    "exception for `{}` on `{}` expires on {} (in {} days)",
                    x.rule.value,
                    x.subject.value,
                    exp.value,
                    left
                ),
            )
            .subject(x.subject.value.clone())
            .cap(Severity::Warning)
            .help("plan the fix or the renewal before it lapses");
        }
    }
}
