//! `stale-baseline`: a baseline entry no finding matches any more.

use crate::analyze::baseline::Unmatched;
use crate::diag::{Diagnostics, Label};

declare_rule! {
    /// ## What it does
    /// Reports an entry of the baseline file (`--baseline`, or `baseline` in kpilint.toml)
    /// that no finding of this run matches: the problem it recorded was fixed, or its
    /// metric renamed or removed. The first 1,000 are listed, the rest counted in one more
    /// finding. When only some files are checked, entries about the others are left alone.
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

/// Stale entries listed one by one; the rest are counted in one more finding.
const MAX_LISTED: usize = 1000;

/// Reports each entry that matched no finding, at its fingerprint: the first
/// [`MAX_LISTED`], then the rest in one finding at the next.
fn check(unmatched: &Unmatched<'_>, out: &mut Diagnostics) {
    if let Some(next) = unmatched.entries.get(MAX_LISTED) {
        let more = unmatched.entries.len() - MAX_LISTED;
        out.push(
            &STALE_BASELINE,
            Label::at(unmatched.file, next.span).with_message("and after"),
            msg!(
                "{} more baseline entries match no finding",
                more
            ),
        )
        .help("drop them: `--baseline FILE --write-baseline FILE` rewrites the file");
    }
    for e in unmatched.entries.iter().take(MAX_LISTED) {
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
