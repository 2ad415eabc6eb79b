//! `unknown-category`: a KPI or metric names a category the policy does not define.

use crate::diag::Diagnostics;
use crate::analyze::Context;

declare_rule! {
    /// ## What it does
    /// Checks that the `category` of every KPI and metric is one of the policy's
    /// `[[category]]` ids.
    ///
    /// ## Why is this bad?
    /// Every category has an owner who answers for its metrics. A metric in an undefined
    /// category has no such owner and drops out of per-category reporting.
    ///
    /// ## Example
    /// ```toml
    /// category = "identity-access"   # the policy defines `identity_access`
    /// ```
    /// Use instead: `category = "identity_access"`, or add the category to the policy.
    pub static UNKNOWN_CATEGORY = {
        code: "KPI108",
        name: "unknown-category",
        group: Policy,
        severity: Error,
        summary: "a category the policy does not define",
        check: Model(check),
    };
}

/// Checks every KPI and metric.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    let known: std::collections::HashSet<&str> = ctx
        .policy
        .categories
        .iter()
        .map(|c| c.id.value.as_str())
        .collect();
    for m in ctx.definitions() {
        let Some(cat) = &m.category else { continue };
        if known.contains(cat.value.as_str()) {
            continue;
        }
        let hint = crate::suggest::closest(
            &cat.value,
            ctx.policy.categories.iter().map(|c| c.id.value.as_str()),
        );
        let f = out
            .push(
                &UNKNOWN_CATEGORY,
                cat.at().with_message("no such category"),
                msg!(
                    "`{}` is in category `{}`, which the policy does not define",
                    m.id.value,
                    cat.value
                ),
            )
            .subject(m.id.value.clone());
        f.help(crate::diag::did_you_mean(
            hint,
            "add a `[[category]]` with an owner to the policy",
        ));
    }
}
