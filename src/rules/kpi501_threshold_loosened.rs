//! `threshold-loosened`: a pull request loosens a KPI or metric.

use crate::diag::{Diagnostics, Label, Message};
use crate::analyze::delta::Delta;
use crate::model::{Direction, Metric, Sp};
use crate::policy::strictness::{Loosening, loosenings};

declare_rule! {
    /// ## What it does
    /// `kpilint diff --base REV` compares every policy KPI and catalogue metric with its
    /// definition at REV. Direction-aware: for `higher_is_better` a lower `target`, `warn`
    /// or `critical` is looser, for `lower_is_better` a higher one; a trend target dropped
    /// or changed, a longer cadence, and `required` dropped are looser too. The finding is
    /// located in the head file and names the base value.
    ///
    /// ## Why is this bad?
    /// A threshold quietly loosened is the change a reviewer most easily misses: one digit
    /// in a long TOML diff lowers the bar the board believes is in force.
    ///
    /// ## Example
    /// ```toml
    /// # base: thresholds = { target = 95, warn = 90, critical = 80 }
    /// thresholds = { target = 95, warn = 90, critical = 70 }
    /// ```
    /// Use instead: keep 80, or get the loosening approved and say so in the PR.
    pub static THRESHOLD_LOOSENED = {
        code: "KPI501",
        name: "threshold-loosened",
        group: Diff,
        severity: Error,
        summary: "a pull request loosens a threshold, trend target, cadence or requirement",
        check: Diff(check),
    };
}

/// Compares each KPI and metric with its base version.
fn check(delta: &Delta<'_>, out: &mut Diagnostics) {
    for (b, h) in delta.kpis() {
        if let Some(h) = h {
            loosened(b, h, "KPI", None, out);
        }
    }
    // A metric without a direction is judged by its KPI's.
    for (_, b, h) in delta.metrics() {
        if let Some(h) = h {
            loosened(b, h, "metric", delta.inherited_direction(b, h), out);
        }
    }
}

fn loosened(
    base: &Metric,
    head: &Metric,
    what: &str,
    inherited: Option<Direction>,
    out: &mut Diagnostics,
) {
    for (at, change) in changes(base, head, inherited) {
        out.push(
            &THRESHOLD_LOOSENED,
            at.with_message("loosened"),
            msg!("this change {} for {} `{}`", change, what, head.id.value),
        )
        .subject(head.id.value.clone())
        .help("loosening a KPI needs the policy owner's approval: tighten it back, or say why in the pull request");
    }
}

/// How `head` loosens `base` (its own revision): (where in head, what changed, naming the base
/// value). `inherited` is the direction of the KPI a metric implements, for metrics that
/// leave theirs out.
fn changes(base: &Metric, head: &Metric, inherited: Option<Direction>) -> Vec<(Label, Message)> {
    let fallback = head
        .thresholds
        .as_ref()
        .map_or_else(|| head.id.at(), |t| Label::at(t.file, t.span));
    loosenings(base, head, true, inherited)
        .into_iter()
        .map(|l| match l {
            Loosening::Level {
                level,
                strict,
                loose: None,
            } => (
                fallback.clone(),
                msg!("drops {} (was {})", level.as_str(), strict.value),
            ),
            Loosening::Level {
                level,
                strict,
                loose: Some(h),
            } => {
                let verb = if h.value.lt(strict.value) {
                    "lowers"
                } else {
                    "raises"
                };
                (
                    h.at(),
                    msg!(
                        "{} {} from {} to {}",
                        verb,
                        level.as_str(),
                        strict.value,
                        h.value
                    ),
                )
            }
            Loosening::Trend { strict, loose } => {
                let now = loose.map_or(Message::text("none"), |t| msg!("`{}`", t.value.as_str()));
                (
                    loose.map_or_else(|| fallback.clone(), Sp::at),
                    msg!(
                        "changes the trend target from `{}` to {}",
                        strict.value.as_str(),
                        now
                    ),
                )
            }
            Loosening::Cadence { strict, loose } => (
                loose.at(),
                msg!(
                    "reports `{}` instead of `{}`",
                    loose.value.as_str(),
                    strict.value.as_str()
                ),
            ),
            Loosening::Required { loose, .. } => (
                loose.map_or_else(|| head.id.at(), Sp::at),
                "is no longer `required`".into(),
            ),
        })
        .collect()
}
