//! `gate-changed`: a pull request's `kpilint.toml` loosens the gate or narrows what it
//! checks.

use crate::analyze::delta::Delta;
use crate::config::Config;
use crate::diag::{Diagnostics, FailOn, Label};

declare_rule! {
    /// ## What it does
    /// `kpilint diff --base REV` compares the working tree's `kpilint.toml` with REV's
    /// (the one that governs the review) and reports each change that lets more through
    /// once it is merged:
    /// - `fail_on` raised (`error` to `never`, `warning` to `error`...), written or by
    ///   removing it (the default is `error`);
    /// - a `policies`, `catalogues` or `data` glob removed or rewritten: the files it
    ///   matched may no longer be checked (adding a glob checks more, and is not
    ///   reported);
    /// - `baseline` set or pointed at another file: the findings that file records stop
    ///   failing `kpilint check`;
    /// - the file removed.
    ///
    /// The finding is at the changed key of the working tree's file (at the policy when
    /// the file is gone) and names the base value.
    ///
    /// ## Why is this bad?
    /// The gate is in the repository it guards. A pull request cannot move it for its own
    /// review (the base's `kpilint.toml` governs), but once merged it governs every later
    /// one: `fail_on = "never"` or a glob pointed at a decoy directory passes everything.
    ///
    /// ## Example
    /// ```toml
    /// # base:  fail_on = "error"
    /// fail_on = "never"
    /// ```
    /// Use instead: keep the gate, or get the change approved by the policy's owner.
    pub static GATE_CHANGED = {
        code: "KPI509",
        name: "gate-changed",
        group: Diff,
        severity: Error,
        summary: "kpilint.toml loosens the gate or stops checking files it checked",
        check: Diff(check),
    };
}

/// Reports each way the working tree's `kpilint.toml` lets more through than the base's.
fn check(delta: &Delta<'_>, out: &mut Diagnostics) {
    let Some(configs) = delta.configs else {
        return;
    };
    let Some(base) = configs.base else {
        return; // adopting a configuration: nothing was gated by one before
    };
    let Some((head, file)) = configs.head else {
        if let Some(at) = delta.policy_anchor() {
            out.push(
                &GATE_CHANGED,
                at.with_message("kpilint.toml removed"),
                msg!(
                    "`kpilint.toml` is removed: its `fail_on` and globs no longer govern the checks"
                ),
            )
            .subject("kpilint.toml".to_owned())
            .help("keep the file, or get its removal approved by the policy's owner");
        }
        return;
    };
    let at = |key: &str| {
        let span = head.tree.get(key).map_or(head.tree.span, |n| n.span);
        Label::at(file, span)
    };
    let threshold = |c: &Config| c.fail_on.unwrap_or(FailOn::Error).threshold();
    let (was, now) = (threshold(base), threshold(head));
    let looser = match (was, now) {
        (Some(_), None) => true,
        (Some(w), Some(n)) => n > w,
        (None, _) => false,
    };
    if looser {
        let name = |c: &Config| c.fail_on.unwrap_or(FailOn::Error).as_str();
        out.push(
            &GATE_CHANGED,
            at("fail_on").with_message("the gate"),
            msg!(
                "`fail_on` goes from `{}` to `{}`: fewer findings fail the checks",
                name(base),
                name(head)
            ),
        )
        .subject("fail_on".to_owned())
        .help("keep `fail_on`, or get the change approved by the policy's owner");
    }
    if head.baseline.is_some() && head.baseline != base.baseline {
        let what = base
            .baseline
            .as_deref()
            .map_or_else(|| "is set".to_owned(), |b| format!("moves from `{b}`"));
        out.push(
            &GATE_CHANGED,
            at("baseline").with_message("the baseline"),
            msg!(
                "`baseline` {} to `{}`: the findings it records no longer fail `kpilint check`",
                what,
                head.baseline.as_deref().unwrap_or_default()
            ),
        )
        .subject("baseline".to_owned())
        .help("adopt or move a baseline in a change of its own, approved by the policy's owner");
    }
    for (key, was, now) in [
        ("policies", &base.policies, &head.policies),
        ("catalogues", &base.catalogues, &head.catalogues),
        ("events", &base.events, &head.events),
        ("data", &base.data, &head.data),
    ] {
        for glob in was.iter().filter(|g| !now.contains(g)) {
            out.push(
                &GATE_CHANGED,
                at(key).with_message("globs changed"),
                msg!(
                    "`{}` no longer has the glob `{}`: files it matched may no longer be checked",
                    key,
                    glob
                ),
            )
            .subject(key.to_owned())
            .help("keep the glob (adding one is fine), or get the change approved by the policy's owner");
        }
    }
}
