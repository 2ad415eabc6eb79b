//! `formula-changed`: a KPI or metric computed by another formula, or no longer (or newly)
//! derived.

use crate::analyze::delta::Delta;
use crate::diag::Diagnostics;
use crate::model::{Formula, Metric};

declare_rule! {
    /// ## What it does
    /// `kpilint diff --base REV` reports a policy KPI or catalogue metric whose `formula`
    /// differs between REV and the working tree: another formula (spacing and redundant
    /// parentheses aside), a formula added to what was measured from data, or a formula
    /// removed so that the figure is now reported. It is reported at the formula (or at
    /// the id when the formula was removed) and names the base formula. A KPI or metric
    /// removed altogether is `kpi-removed`.
    ///
    /// ## Why is this bad?
    /// A derived KPI's formula is its definition: `100 * orphaned / total` and
    /// `100 * orphaned / (total + retired)` are different KPIs under one name, and the
    /// second one improves the day it merges. The thresholds, the trend and the board's
    /// history keep their meaning only if a change of formula is reviewed as what it is,
    /// not read past in a one-line diff.
    ///
    /// ## Example
    /// ```toml
    /// # base:  formula = "100 * orphaned-nhis / total-nhis"
    /// formula = "100 * orphaned-nhis / (total-nhis + retired-nhis)"
    /// ```
    /// Use instead: keep the formula, or get the new definition approved by the KPI's
    /// decision owner in this review, and say from which period the series changes meaning.
    pub static FORMULA_CHANGED = {
        code: "KPI510",
        name: "formula-changed",
        group: Diff,
        severity: Warning,
        summary: "a KPI or metric computed by another formula, or no longer (or newly) derived",
        check: Diff(check),
    };
}

/// Reports each KPI and metric whose own formula differs from the base's.
fn check(delta: &Delta<'_>, out: &mut Diagnostics) {
    for (b, h) in delta.kpis() {
        if let Some(h) = h {
            judge("KPI", b.formula.as_ref(), h, out);
        }
    }
    for (_, b, h) in delta.metrics() {
        if let Some(h) = h {
            judge("metric", b.formula.as_ref(), h, out);
        }
    }
}

fn judge(what: &str, was: Option<&Formula>, h: &Metric, out: &mut Diagnostics) {
    let id = &h.id.value;
    let (at, message) = match (was, h.formula.as_ref()) {
        (None, None) => return,
        (Some(a), Some(b)) if a.same(b) => return,
        (Some(a), Some(b)) => (
            b.text.at(),
            msg!(
                "{} `{}` is computed by `{}` instead of `{}`",
                what,
                id,
                b.text.value,
                a.text.value
            ),
        ),
        (None, Some(b)) => (
            b.text.at(),
            msg!(
                "{} `{}` is now derived by `{}`; it was measured from data",
                what,
                id,
                b.text.value
            ),
        ),
        (Some(a), None) => (
            h.id.at(),
            msg!(
                "{} `{}` is no longer derived by `{}`; its figure is now reported",
                what,
                id,
                a.text.value
            ),
        ),
    };
    out.push(&FORMULA_CHANGED, at.with_message("redefined"), message)
        .subject(id.clone())
        .help("a new formula is a new KPI under the old name: get it approved by its decision owner in this review");
}
