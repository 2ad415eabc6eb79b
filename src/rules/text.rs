//! Phrasings several rules share, so that their findings read alike.

use crate::analyze::data::{SeriesFacts, Threshold};
use crate::diag::Message;
use crate::model::Direction;

/// ` (scope `x`)`, or nothing for a series without a scope.
pub(super) fn scope(scope: &str) -> Message {
    if scope.is_empty() {
        Message::default()
    } else {
        msg!(" (scope `{}`)", scope)
    }
}

/// "`id` (scope `s`) is 81 in 2026-10, past its critical threshold 85": a series' latest
/// value past threshold `t`.
pub(super) fn past_threshold(s: &SeriesFacts<'_>, t: &Threshold) -> Message {
    let eff = s.thresholds();
    let name = t.level.as_str();
    let how = match eff.target {
        Some(tg) if eff.direction == Some(Direction::Stable) => msg!(
            "more than {} from its target {} (its {} threshold is {})",
            t.value.minus(tg.value).abs(),
            tg.value,
            name,
            t.value
        ),
        _ => msg!("past its {} threshold {}", name, t.value),
    };
    msg!(
        "`{}`{} is {} in {}, {}",
        s.metric.id,
        scope(s.scope),
        s.latest.value(),
        s.latest.period(),
        how
    )
}
