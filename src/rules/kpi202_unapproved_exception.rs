//! `unapproved-exception`: an exception without a reason or an approver.

use crate::diag::Diagnostics;
use crate::analyze::Context;

declare_rule! {
    /// ## What it does
    /// Checks that every `[[exception]]` has a non-empty `reason` and `approved_by`. An
    /// unapproved exception waives nothing: the finding it names is still reported, with a
    /// note, whatever level this rule is set to.
    ///
    /// ## Why is this bad?
    /// An exception is an approved deviation. Without a reason and an approver it is just
    /// a way to switch a check off, and nobody can say later who accepted the risk.
    ///
    /// ## Example
    /// ```toml
    /// [[exception]]
    /// rule = "manual-source"
    /// subject = "audit-findings"
    /// expires = 2027-01-31
    /// ```
    /// Use instead: add `reason = "..."` and `approved_by = "ciso@example.com"`.
    pub static UNAPPROVED_EXCEPTION = {
        code: "KPI202",
        name: "unapproved-exception",
        group: Exceptions,
        severity: Error,
        summary: "an exception without a reason or an approver",
        check: Model(check),
    };
}

/// Checks every exception.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for x in &ctx.policy.exceptions {
        let blank = |v: &Option<crate::model::Sp<String>>| {
            v.as_ref().is_none_or(|s| s.value.trim().is_empty())
        };
        let missing: Vec<&str> = [
            ("reason", blank(&x.reason)),
            ("approved_by", blank(&x.approved_by)),
        ]
        .into_iter()
        .filter_map(|(k, m)| m.then_some(k))
        .collect();
        if missing.is_empty() {
            continue;
        }
        let list = missing
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        out.push(
            &UNAPPROVED_EXCEPTION,
            x.rule.at().with_message("exception"),
            msg!(
                "exception for `{}` on `{}` has no {}",
                x.rule.value,
                x.subject.value,
                list
            ),
        )
        .subject(x.subject.value.clone())
        .help("every exception needs a `reason` and who approved it (`approved_by`)");
    }
}
