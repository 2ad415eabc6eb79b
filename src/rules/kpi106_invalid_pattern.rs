//! `invalid-pattern`: a banned-metric regex that does not compile.

use crate::diag::Diagnostics;
use crate::analyze::Context;
use crate::policy::compile_pattern;

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

/// Checks every banned pattern.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for b in &ctx.policy.banned {
        let Some(name) = &b.banned.matcher.name else {
            continue;
        };
        if b.pattern.is_some() {
            continue;
        }
        let err = compile_pattern(&name.value).err().unwrap_or_default();
        let first_line = err
            .lines()
            .last()
            .unwrap_or("invalid regex")
            .trim()
            .to_owned();
        out.push(
            &INVALID_PATTERN,
            name.at().with_message("does not compile"),
            msg!("pattern of banned metric `{}` is not a valid regex: {}", b.banned.id.value, first_line),
        )
        .subject(b.banned.id.value.clone())
        .help("patterns use Rust regex syntax; use a TOML literal string ('...') so backslashes stay as written");
    }
}
