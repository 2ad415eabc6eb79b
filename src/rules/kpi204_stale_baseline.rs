//! `stale-baseline`: a baseline entry no finding matches any more.

use crate::analyze::baseline::Unmatched;
use crate::diag::{Diagnostics, Label};

declare_rule! {
    /// ## What it does
    /// Reports an entry of the baseline file (`--baseline`, or `baseline` in kpilint.toml)
    /// that no finding of this run matches: the problem it recorded was fixed, or its
    /// metric renamed or removed.
    ///
    /// ## Why is this bad?
    /// A baseline, like an exception, is debt meant to shrink. An entry nothing matches
    /// hides how much is left, and would silently accept the same finding if it came back.
    /// `--write-baseline FILE`, with `--baseline` naming the same file, rewrites it without
    /// such entries.
    ///
    /// ## Example
    /// An entry for `missing-cadence` on `orphaned-accounts`, after the metric got its
    /// `cadence`.
    pub static STALE_BASELINE = {
        code: "KPI204",
        name: "stale-baseline",
        group: Exceptions,
        severity: Info,
        summary: "a baseline entry that no finding matches any more",
        check: Baseline(check),
    };
}

/// Reports each entry that matched no finding, at its fingerprint.
fn check(unmatched: &Unmatched<'_>, out: &mut Diagnostics) {
    for e in &unmatched.entries {
        let at = Label::at(unmatched.file, e.span).with_message("matches no finding");
        let message = match (&e.rule, &e.subject) {
            (Some(rule), Some(subject)) => msg!(
                "the baseline's `{}` finding about `{}` is gone",
                rule,
                subject
            ),
            (Some(rule), None) => msg!("the baseline's `{}` finding is gone", rule),
            _ => msg!("baseline entry `{}` matches no finding", e.fingerprint),
        };
        out.push(&STALE_BASELINE, at, message)
            .help("drop it: `--baseline FILE --write-baseline FILE` rewrites the file");
    }
}
