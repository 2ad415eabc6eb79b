//! `unit-domain`: a value impossible for its unit.

use crate::diag::Diagnostics;
use crate::analyze::Context;
use crate::num::float as num;
use crate::model::{Level3, Sp};
use crate::num::Num;

declare_rule! {
    /// ## What it does
    /// Checks thresholds and OKR baselines and targets against the KPI's unit: `percent`
    /// within 0..=100, `ratio` within 0..=1, `count` a whole number >= 0, durations and
    /// `currency` >= 0. A metric's unit falls back to the KPI it implements.
    ///
    /// ## Why is this bad?
    /// A 140 percent target can never be met and usually means the unit is wrong (a ratio
    /// written as a percent, or the reverse); the KPI silently reports red or green forever.
    ///
    /// ## Example
    /// ```toml
    /// unit = "percent"
    /// thresholds = { target = 140, warn = 90, critical = 80 }
    /// ```
    /// Use instead: `target = 100` or fix the unit.
    pub static UNIT_DOMAIN = {
        code: "KPI102",
        name: "unit-domain",
        group: Policy,
        severity: Error,
        summary: "a threshold or OKR value impossible for the unit",
        check: Model(check),
    };
}

/// Checks every KPI and metric.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for m in ctx.own_definitions() {
        let Some(unit) = ctx.inherited(m, |k| k.unit.as_ref().map(|u| u.value)) else {
            continue;
        };
        let mut values: Vec<(&str, &Sp<Num>)> = Vec::new();
        if let Some(t) = &m.thresholds {
            for l in Level3::ALL {
                if let Some(v) = t.level(l) {
                    values.push((l.as_str(), v));
                }
            }
        }
        if let Some(o) = &m.okr {
            values.extend(o.baseline.iter().map(|v| ("OKR baseline", v)));
            values.extend(o.target.iter().map(|v| ("OKR target", v)));
        }
        // A value inherited from a parent layer is judged at the layer that writes it.
        for (what, v) in values.into_iter().filter(|(_, v)| v.file == m.file) {
            if !unit.admits(v.value) {
                let (min, max, integer) = unit.domain();
                let allowed = match (integer, max.is_finite()) {
                    (true, _) => "a whole number >= 0".to_owned(),
                    (false, true) => format!("between {} and {}", num(min), num(max)),
                    (false, false) => format!(">= {}", num(min)),
                };
                out.push(
                    &UNIT_DOMAIN,
                    v.at()
                        .with_message(format!("not a possible {}", unit.as_str())),
                    msg!(
                        "{} {} of `{}` is impossible for unit `{}`",
                        what,
                        v.value,
                        m.id.value,
                        unit.as_str()
                    ),
                )
                .subject(m.id.value.clone())
                .help(msg!(
                    "a `{}` value is {}; fix the value or the unit",
                    unit.as_str(),
                    allowed
                ));
            }
        }
    }
}
