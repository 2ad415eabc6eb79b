//! `threshold-loosened`: a pull request loosens a KPI or metric.

use crate::analyze::delta::Delta;
use crate::diag::{Diagnostics, Label, Message};
use crate::model::{Direction, Metric, Sp};
use crate::policy::strictness::{Loosening, loosenings};
use crate::source::{FileId, Span};
use crate::hash::Set;

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
    // Each policy file against its own base version first, so a change is reported in the
    // file that makes it, even when another layer's value hides it from the effective KPI.
    let mut seen: Set<(&str, &'static str)> = Set::default();
    for (b_layer, h_layer) in &delta.layers {
        let Some(h_layer) = h_layer else { continue };
        let mut head: crate::hash::Map<&str, &Metric> = crate::hash::Map::default();
        for k in &h_layer.kpis {
            head.entry(k.id.value.as_str()).or_insert(k);
        }
        for b in &b_layer.kpis {
            let Some(&h) = head.get(b.id.value.as_str()) else {
                continue;
            };
            for (key, at, change, was) in changes(b, h, delta.inherited_direction(b, h)) {
                seen.insert((b.id.value.as_str(), key));
                report(at, delta.base_label_at(was), &change, "KPI", h, out);
            }
        }
    }
    // Then the effective KPIs, for what no file pair shows (a layer removed, a restatement
    // dropped).
    for (b, h) in delta.kpis() {
        if let Some(h) = h {
            for (key, at, change, was) in changes(b, h, None) {
                if !seen.contains(&(b.id.value.as_str(), key)) {
                    report(at, delta.base_label_at(was), &change, "KPI", h, out);
                }
            }
        }
    }
    // A metric without a direction is judged by its KPI's.
    for (_, b, h) in delta.metrics() {
        if let Some(h) = h {
            for (_, at, change, was) in changes(b, h, delta.inherited_direction(b, h)) {
                report(at, delta.base_label_at(was), &change, "metric", h, out);
            }
        }
    }
}

fn report(
    at: Label,
    base: Option<Label>,
    change: &Message,
    what: &str,
    head: &Metric,
    out: &mut Diagnostics,
) {
    let f = out.push(
        &THRESHOLD_LOOSENED,
        at.with_message("loosened"),
        msg!("this change {} for {} `{}`", change.clone(), what, head.id.value),
    )
    .subject(head.id.value.clone())
    .help("loosening a KPI needs the policy owner's approval: tighten it back, or say why in the pull request");
    if let Some(base) = base {
        f.label(base);
    }
}

/// How `head` loosens `base` (its own revision): (where in head, what changed, naming the base
/// value). `inherited` is the direction of the KPI a metric implements, for metrics that
/// leave theirs out.
fn changes(
    base: &Metric,
    head: &Metric,
    inherited: Option<Direction>,
) -> Vec<(&'static str, Label, Message, (FileId, Span))> {
    let fallback = head
        .thresholds
        .as_ref()
        .map_or_else(|| head.id.at(), |t| Label::at(t.file, t.span));
    loosenings(base, head, true, inherited)
        .into_iter()
        .map(|l| {
            let was = l.strict_at();
            let (key, at, change) = describe(l, head, &fallback);
            (key, at, change, was)
        })
        .collect()
}

/// A loosening as (what loosened, where in head, what changed, naming the base value).
fn describe(l: Loosening<'_>, head: &Metric, fallback: &Label) -> (&'static str, Label, Message) {
    match l {
            Loosening::Level {
                level,
                strict,
                loose: None,
            } => (
                level.as_str(),
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
                    level.as_str(),
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
                    "trend",
                    loose.map_or_else(|| fallback.clone(), Sp::at),
                    msg!(
                        "changes the trend target from `{}` to {}",
                        strict.value.as_str(),
                        now
                    ),
                )
            }
            Loosening::Cadence { strict, loose } => (
                "cadence",
                loose.at(),
                msg!(
                    "reports `{}` instead of `{}`",
                    loose.value.as_str(),
                    strict.value.as_str()
                ),
            ),
            Loosening::Required { loose, .. } => (
                "required",
                loose.map_or_else(|| head.id.at(), Sp::at),
                "is no longer `required`".into(),
            ),
    }
}
