//! When one definition is looser than another: the one judgement behind merging policy
//! layers, `looser-than-policy` (a catalogue metric or a child layer against the policy)
//! and `threshold-loosened` (a revision against its base).

use crate::model::{Metric, Sp};
use crate::num::Num;

/// One way a definition is looser than a stricter one it must not loosen.
#[derive(Debug, Clone, Copy)]
pub enum Loosening<'a> {
    /// A threshold level moved the wrong way for the direction, or was dropped.
    Level {
        /// Which level.
        level: crate::model::Level3,
        /// The stricter value.
        strict: &'a Sp<Num>,
        /// The looser value; `None` when it was dropped.
        loose: Option<&'a Sp<Num>>,
    },
    /// The trend target changed or was dropped.
    Trend {
        /// The stricter target.
        strict: &'a Sp<crate::model::Trend>,
        /// The new target; `None` when it was dropped.
        loose: Option<&'a Sp<crate::model::Trend>>,
    },
    /// A longer reporting cadence.
    Cadence {
        /// The stricter cadence.
        strict: &'a Sp<crate::model::Cadence>,
        /// The longer one.
        loose: &'a Sp<crate::model::Cadence>,
    },
    /// `required` dropped.
    Required {
        /// Where `required = true` is.
        strict: &'a Sp<bool>,
        /// Where it is now false, if written.
        loose: Option<&'a Sp<bool>>,
    },
}

impl Loosening<'_> {
    /// Where the stricter value is written (for `required` dropped, the `required` entry).
    #[must_use]
    pub fn strict_at(&self) -> (crate::source::FileId, crate::source::Span) {
        match self {
            Self::Level { strict, .. } => (strict.file, strict.span),
            Self::Trend { strict, .. } => (strict.file, strict.span),
            Self::Cadence { strict, .. } => (strict.file, strict.span),
            Self::Required { strict, .. } => (strict.file, strict.span),
        }
    }
}

/// A formula `loose` writes that `strict` does not allow: a different formula for a
/// derived KPI, or any formula for a KPI computed from data (it would replace the measured
/// figure with arithmetic). `None` when `loose` writes none or the same one.
#[must_use]
pub fn formula_changed<'a>(strict: &'a Metric, loose: &'a Metric) -> Option<FormulaChange<'a>> {
    let l = loose.formula.as_ref()?;
    match &strict.formula {
        Some(s) if s.same(l) => None,
        s => Some(FormulaChange {
            strict: s.as_ref(),
            loose: l,
        }),
    }
}

/// A formula a definition writes against the one it must keep (see [`formula_changed`]).
#[derive(Debug, Clone, Copy)]
pub struct FormulaChange<'a> {
    /// The formula in force; `None` when the KPI is computed from data.
    pub strict: Option<&'a crate::model::Formula>,
    /// The formula written.
    pub loose: &'a crate::model::Formula,
}

/// Every way `loose` is looser than `strict`, judged by the direction (`strict`'s, else
/// `loose`'s, else `inherited`: the direction of the KPI a metric implements). With
/// `dropped_counts`, a level, trend or `required` that `loose` leaves out is looser (a
/// revision of one definition); without it, leaving one out inherits it (a metric under
/// its policy KPI, a KPI in an extending policy).
#[must_use]
pub fn loosenings<'a>(
    strict: &'a Metric,
    loose: &'a Metric,
    dropped_counts: bool,
    inherited: Option<crate::model::Direction>,
) -> Vec<Loosening<'a>> {
    use crate::model::{Direction, Level3};
    let mut out = Vec::new();
    let direction = strict
        .direction
        .as_ref()
        .or(loose.direction.as_ref())
        .map(|d| d.value)
        .or(inherited);
    if let Some(st) = &strict.thresholds {
        let lt = loose.thresholds.as_ref();
        // A `stable` KPI's warn and critical are distances from its target.
        let strict_target = st.target.as_ref().map(|t| t.value);
        let loose_target = lt
            .and_then(|t| t.target.as_ref())
            .map(|t| t.value)
            .or(strict_target);
        for level in Level3::ALL {
            let Some(s) = st.level(level) else { continue };
            let l = lt.and_then(|t| t.level(level));
            let looser = match (l, direction) {
                (None, _) => dropped_counts,
                (Some(l), Some(Direction::HigherIsBetter)) => l.value.lt(s.value),
                (Some(l), Some(Direction::LowerIsBetter)) => l.value.gt(s.value),
                // A stable KPI holds its target: moving it moves every band with it.
                (Some(l), Some(Direction::Stable)) if level == Level3::Target => {
                    l.value.compare(s.value).is_ne()
                }
                (Some(l), Some(Direction::Stable)) => match (strict_target, loose_target) {
                    (Some(st), Some(lt)) => l.value.minus(lt).abs().gt(s.value.minus(st).abs()),
                    _ => false,
                },
                (Some(_), _) => false,
            };
            if looser {
                out.push(Loosening::Level {
                    level,
                    strict: s,
                    loose: l,
                });
            }
        }
        if let Some(s) = &st.trend {
            let l = lt.and_then(|t| t.trend.as_ref());
            if l.map_or(dropped_counts, |l| l.value != s.value) {
                out.push(Loosening::Trend {
                    strict: s,
                    loose: l,
                });
            }
        }
    }
    if let (Some(s), Some(l)) = (&strict.cadence, &loose.cadence)
        && l.value.days() > s.value.days()
    {
        out.push(Loosening::Cadence {
            strict: s,
            loose: l,
        });
    }
    if let Some(s) = strict.required.as_ref().filter(|r| r.value) {
        let l = loose.required.as_ref();
        if l.map_or(dropped_counts, |l| !l.value) {
            out.push(Loosening::Required {
                strict: s,
                loose: l,
            });
        }
    }
    out
}
