//! `threshold-order`: thresholds that contradict the KPI's direction.

use crate::diag::Diagnostics;
use crate::analyze::Context;
use crate::model::{Direction, Level3, Trend};
use crate::num::Num;

declare_rule! {
    /// ## What it does
    /// Checks that a KPI's thresholds agree with its direction. For `higher_is_better`,
    /// `target >= warn >= critical`; for `lower_is_better`, `target <= warn <= critical`.
    /// A trend target must not contradict the direction either (`trend = "down"` on a
    /// `higher_is_better` KPI). A metric's direction falls back to the KPI it implements.
    /// A `stable` KPI holds its `target`; its `warn` and `critical` are bands of distance
    /// from it, so it needs a `target`, and `critical` must lie at least as far from the
    /// target as `warn`.
    ///
    /// ## Why is this bad?
    /// Inverted thresholds make a KPI report `ok` while it is failing, or page people while
    /// it is healthy: the escalation the KPI exists for never fires when it should.
    ///
    /// ## Example
    /// ```toml
    /// direction = "higher_is_better"
    /// thresholds = { target = 80, warn = 90, critical = 95 }
    /// ```
    /// Use instead: `thresholds = { target = 95, warn = 90, critical = 80 }`.
    pub static THRESHOLD_ORDER = {
        code: "KPI101",
        name: "threshold-order",
        group: Policy,
        severity: Error,
        summary: "thresholds or a trend target that contradict the direction",
        check: Model(check),
    };
}

/// Checks every KPI and metric.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for m in ctx.own_definitions() {
        let Some(t) = &m.thresholds else { continue };
        let Some(direction) = ctx.inherited(m, |k| k.direction.as_ref().map(|d| d.value)) else {
            continue;
        };
        if let Some(trend) = t.trend.as_ref().filter(|t| t.file == m.file) {
            let contradicts = matches!(
                (direction, trend.value),
                (Direction::HigherIsBetter, Trend::Down) | (Direction::LowerIsBetter, Trend::Up)
            );
            if contradicts {
                out.push(
                    &THRESHOLD_ORDER,
                    trend.at().with_message("trend target"),
                    msg!(
                        "`{}` has trend target `{}` but direction `{}`",
                        m.id.value,
                        trend.value.as_str(),
                        direction.as_str()
                    ),
                )
                .subject(m.id.value.clone())
                .help("make the trend target follow the direction, or fix the direction");
            }
        }
        let better: fn(Num, Num) -> bool = match direction {
            Direction::HigherIsBetter => |a: Num, b: Num| !a.lt(b),
            Direction::LowerIsBetter => |a: Num, b: Num| !a.gt(b),
            Direction::Stable => {
                let target = ctx.inherited(m, |k| k.thresholds.as_ref()?.target.as_ref());
                check_stable(m, t, target, out);
                continue;
            }
        };
        let levels: Vec<_> = Level3::ALL
            .iter()
            .filter_map(|&l| t.level(l).map(|v| (l, v)))
            .collect();
        for pair in levels.windows(2) {
            let ((la, a), (lb, b)) = (pair[0], pair[1]);
            // A pair both inherited is judged at the layer that writes it.
            if a.file != m.file && b.file != m.file {
                continue;
            }
            if !better(a.value, b.value) {
                let relation = if direction == Direction::HigherIsBetter {
                    ">="
                } else {
                    "<="
                };
                out.push(
                    &THRESHOLD_ORDER,
                    b.at().with_message(format!(
                        "{} {}",
                        lb.as_str(),
                        b.value
                    )),
                    msg!(
                        "`{}` is `{}`, so `{}` must be {} `{}`",
                        m.id.value,
                        direction.as_str(),
                        la.as_str(),
                        relation,
                        lb.as_str()
                    ),
                )
                .label(a.at().with_message(format!(
                    "{} {}",
                    la.as_str(),
                    a.value
                )))
                .subject(m.id.value.clone())
                .help(msg!(
                    "order the thresholds target {} warn {} critical, or fix the direction",
                    relation,
                    relation
                ));
                break;
            }
        }
    }
}

/// A `stable` KPI's bands: `warn` and `critical` are distances from `target`.
fn check_stable(
    m: &crate::model::Metric,
    t: &crate::model::Thresholds,
    target: Option<&crate::model::Sp<Num>>,
    out: &mut Diagnostics,
) {
    let band = t.warn.as_ref().or(t.critical.as_ref());
    let Some(target) = target else {
        if let Some(b) = band {
            out.push(
                &THRESHOLD_ORDER,
                b.at().with_message("no target to measure from"),
                msg!("`{}` is `stable` but has no `target`: its `warn` and `critical` bands mean nothing", m.id.value),
            )
            .subject(m.id.value.clone())
            .help("add the `target` the KPI should hold; `warn` and `critical` mark how far it may drift");
        }
        return;
    };
    if let (Some(w), Some(c)) = (&t.warn, &t.critical)
        && c.value
            .minus(target.value)
            .abs()
            .lt(w.value.minus(target.value).abs())
    {
        out.push(
            &THRESHOLD_ORDER,
            c.at().with_message(format!("critical {}", c.value)),
            msg!("`{}` is `stable`, so `critical` must be at least as far from the target {} as `warn`", m.id.value, target.value),
        )
        .label(w.at().with_message(format!("warn {}", w.value)))
        .subject(m.id.value.clone())
        .help("widen the critical band, or narrow the warn band");
    }
}
