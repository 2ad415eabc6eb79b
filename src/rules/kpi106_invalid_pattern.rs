//! `invalid-pattern`: a banned-metric regex that does not compile.

use crate::diag::Diagnostics;
use crate::analyze::Context;

declare_rule! {
    /// ## What it does
    /// Compiles every `[[banned]] match.name` regular expression (Rust `regex` syntax, with
    /// a size limit) and reports the ones that fail, with the engine's error.
    ///
    /// ## Why is this bad?
    /// A banned metric whose pattern does not compile bans nothing: vanity metrics it was
    /// written to stop pass the gate.
    ///
    /// ## Example
    /// ```toml
    /// [[banned]]
    /// id = "scan-count"
    /// match = { name = '(?i)number of (scans|alerts' }
    /// ```
    /// Use instead: close the group: `'(?i)number of (scans|alerts)'`.
    pub static INVALID_PATTERN = {
        code: "KPI106",
        name: "invalid-pattern",
        group: Policy,
        severity: Error,
        summary: "a banned-metric regex that does not compile",
        check: Model(check),
    };
}

/// Checks every banned pattern, and that they compile together.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for b in &ctx.policy.banned {
        let (Some(name), Some(error)) = (&b.banned.matcher.name, &b.error) else {
            continue;
        };
        out.push(
            &INVALID_PATTERN,
            name.at().with_message("does not compile"),
            msg!(
                "pattern of banned metric `{}` is not a valid regex: {}",
                b.banned.id.value,
                error
            ),
        )
        .subject(b.banned.id.value.clone())
        .help("patterns use Rust regex syntax; use a TOML literal string ('...') so backslashes stay as written");
    }
    if let Some(problem) = &ctx.policy.patterns.problem
        && let Some((b, name)) = ctx
            .policy
            .banned
            .iter()
            .find_map(|b| Some((b, b.banned.matcher.name.as_ref()?)))
    {
        out.push(
            &INVALID_PATTERN,
            name.at().with_message("patterns too large together"),
            msg!(
                "the banned metrics' patterns compile to more than {} MiB together ({}): none of them is applied",
                crate::policy::banned::TOTAL_LIMIT >> 20,
                problem
            ),
        )
        .subject(b.banned.id.value.clone())
        .help("write fewer, simpler patterns: anchored phrases such as '(?i)^number of scans$'");
    }
}
