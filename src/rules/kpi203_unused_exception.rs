//! `unused-exception`: a live exception that waived nothing. Judged once every other
//! finding is settled, from what each exception waived.

use crate::diag::Diagnostics;
use crate::settle::{Waiver, Waivers};

declare_rule! {
    /// ## What it does
    /// Reports an exception that is live (not expired) but suppressed no finding in this
    /// run: its rule no longer fires for its subject, the subject was renamed, or the rule
    /// is `locked` in the policy and cannot be waived. When only some files are named on the
    /// command line (as pre-commit does), an exception whose subject none of them defines
    /// is not judged: its finding could not have been raised.
    ///
    /// ## Why is this bad?
    /// A stale exception is a loaded gun: the day the problem comes back it is silently
    /// waived again, without anyone re-approving it.
    ///
    /// ## Example
    /// ```toml
    /// [[exception]]
    /// rule = "manual-source"
    /// subject = "audit-findings"   # this metric is automated now
    /// ```
    /// Use instead: delete the exception.
    pub static UNUSED_EXCEPTION = {
        code: "KPI203",
        name: "unused-exception",
        group: Exceptions,
        severity: Warning,
        summary: "a live exception that waived nothing",
        check: Waivers(check),
    };
}

/// Reports every live, approved exception that waived nothing.
fn check(waivers: &Waivers<'_>, out: &mut Diagnostics) {
    for (x, rule, waiver) in &waivers.waivers {
        let why = match waiver {
            Waiver::Used | Waiver::NotChecked => continue,
            Waiver::Locked(_) => msg!("rule `{}` is locked and cannot be waived", rule.name),
            Waiver::Unused => msg!(
                "no `{}` finding has subject `{}`",
                rule.name,
                x.subject.value
            ),
        };
        out.push(
            &UNUSED_EXCEPTION,
            x.subject.at().with_message("waives nothing"),
            msg!(
                "exception for `{}` on `{}` is unused: {}",
                rule.name,
                x.subject.value,
                why
            ),
        )
        .subject(x.subject.value.clone())
        .help("remove the exception");
    }
}
