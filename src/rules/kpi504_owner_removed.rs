//! `owner-removed`: a pull request removes a metric's or category's owner.

use crate::diag::{Diagnostics, Label, Message};
use crate::analyze::delta::Delta;
use crate::model::Sp;

declare_rule! {
    /// ## What it does
    /// Reports a catalogue metric or policy category that had an `owner` at the base
    /// revision and has none in the working tree.
    ///
    /// ## Why is this bad?
    /// Measuring without ownership is a prohibited practice; dropping an owner in a pull
    /// request leaves a KPI nobody acts on.
    ///
    /// ## Example
    /// `owner = "iam-team@example.com"` deleted from a metric.
    pub static OWNER_REMOVED = {
        code: "KPI504",
        name: "owner-removed",
        group: Diff,
        severity: Error,
        summary: "an owner that the base revision had is gone",
        check: Diff(check),
    };
}

/// Reports each owner the base named and the working tree does not: of KPIs (decision and
/// implementation owners), metrics, catalogues and categories.
fn check(delta: &Delta<'_>, out: &mut Diagnostics) {
    for (b, h) in delta.kpis() {
        let Some(h) = h else { continue };
        for (role, was, now) in [
            (
                "decision owner",
                b.decision_owner.as_ref(),
                h.decision_owner.as_ref(),
            ),
            (
                "implementation owner",
                b.implementation_owner.as_ref(),
                h.implementation_owner.as_ref(),
            ),
        ] {
            let whose = msg!("KPI `{}`", h.id.value);
            let at = h.id.at();
            owner_gone(&whose, role, was, now, at, &h.id.value, out);
        }
    }
    for (_, b, h) in delta.metrics() {
        let Some(h) = h else { continue };
        let whose = msg!("metric `{}`", h.id.value);
        let at = h.id.at();
        owner_gone(&whose, "owner", b.owner.as_ref(), h.owner.as_ref(), at, &h.id.value, out);
    }
    for b in &delta.base.catalogues {
        let (Some(id), Some(h)) = (
            &b.id,
            delta
                .head
                .catalogues
                .iter()
                .find(|c| c.id.as_ref().map(|i| &i.value) == b.id.as_ref().map(|i| &i.value)),
        ) else {
            continue;
        };
        let at = Label::at(h.file, h.id.as_ref().map_or(h.span, |i| i.span));
        let whose = msg!("catalogue `{}`", id.value);
        owner_gone(&whose, "owner", b.owner.as_ref(), h.owner.as_ref(), at, &id.value, out);
    }
    for b in &delta.base.policy.categories {
        let Some(h) = delta
            .head
            .policy
            .categories
            .iter()
            .find(|c| c.id.value == b.id.value)
        else {
            continue;
        };
        let whose = msg!("category `{}`", h.id.value);
        let at = h.id.at();
        owner_gone(&whose, "owner", b.owner.as_ref(), h.owner.as_ref(), at, &h.id.value, out);
    }
}

/// Reports an owner `was` had and `now` lacks.
fn owner_gone(
    whose: &Message,
    role: &str,
    was: Option<&Sp<String>>,
    now: Option<&Sp<String>>,
    at: Label,
    subject: &str,
    out: &mut Diagnostics,
) {
    let named = |o: Option<&Sp<String>>| {
        o.filter(|o| !o.value.trim().is_empty())
            .map(|o| o.value.clone())
    };
    let (Some(was), None) = (named(was), named(now)) else {
        return;
    };
    out.push(
        &OWNER_REMOVED,
        at.with_message(format!("{role} removed")),
        msg!("{} no longer names its {} (was `{}`)", whose, role, was),
    )
    .subject(subject.to_owned())
    .help("measuring without ownership is how a KPI stops being acted on: name who owns it");
}
