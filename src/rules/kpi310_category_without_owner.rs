//! `category-without-owner`: a policy category with no owner.

use crate::diag::Diagnostics;
use crate::analyze::Context;

declare_rule! {
    /// ## What it does
    /// Checks that every `[[category]]` of the effective policy has a non-empty `owner`.
    ///
    /// ## Why is this bad?
    /// Every category must have clear ownership: the owner reviews its negative trends and
    /// assigns the work. A category without one collects red metrics nobody acts on.
    ///
    /// ## Example
    /// ```toml
    /// [[category]]
    /// id = "vulnerability_management"
    /// ```
    /// Use instead: add `owner = "appsec-lead@example.com"`.
    pub static CATEGORY_WITHOUT_OWNER = {
        code: "KPI310",
        name: "category-without-owner",
        group: Catalogue,
        severity: Error,
        summary: "a policy category with no owner",
        check: Model(check),
    };
}

/// Checks every category.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for c in &ctx.policy.categories {
        if c.owner.as_ref().is_some_and(|o| !o.value.trim().is_empty()) {
            continue;
        }
        out.push(
            &CATEGORY_WITHOUT_OWNER,
            c.id.at().with_message("no owner"),
            msg!("category `{}` has no owner", c.id.value),
        )
        .subject(c.id.value.clone())
        .help("add `owner = \"...\"` to the `[[category]]`");
    }
}
