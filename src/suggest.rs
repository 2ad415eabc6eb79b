//! "Did you mean" suggestions for misspelt names.

use crate::diag::Message;

/// The candidate closest to `word` by Jaro-Winkler similarity, if it is close enough to be
/// a plausible typo (case-insensitive).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&word, &c.to_ascii_lowercase());
        if score >= 0.85 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Help for a misspelt name: "did you mean `hint`?" when a candidate is close, else
/// `otherwise`.
#[must_use]
pub fn did_you_mean(hint: Option<&str>, otherwise: impl Into<Message>) -> Message {
    match hint {
        Some(h) => msg!("did you mean `{}`?", h),
        None => otherwise.into(),
    }
}
