//! "Did you mean" suggestions for misspelt names.

/// Longest name a suggestion is looked for: Jaro-Winkler is quadratic in the length, and a
/// 300 kB id is no typo of anything.
const MAX_LEN: usize = 128;

/// Candidates past which only those sharing the first character are compared: 20,000
/// unknown ids against 20,000 known ones would otherwise take minutes.
const MANY: usize = 2_000;

/// The candidate closest to `word` by Jaro-Winkler similarity, if it is close enough to be
/// a plausible typo (case-insensitive). Bounded: no suggestion for a word longer than
/// [`MAX_LEN`], longer candidates are skipped, and among more than [`MANY`] candidates
/// only those with the same first character are compared.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if word.len() > MAX_LEN {
        return None;
    }
    let word = word.to_ascii_lowercase();
    let first = word.chars().next();
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let same_first_only = candidates.len() > MANY;
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        if c.len() > MAX_LEN
            || (same_first_only && c.chars().next().map(|x| x.to_ascii_lowercase()) != first)
        {
            continue;
        }
        let score = strsim::jaro_winkler(&word, &c.to_ascii_lowercase());
        if score >= 0.85 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_bounded_in_length_and_candidates() {
        assert_eq!(closest("ownr", ["owner", "name"]), Some("owner"));
        let long = "x".repeat(300_000);
        let started = std::time::Instant::now();
        assert_eq!(closest(&long, [long.as_str()]), None);
        let known: Vec<String> = (0..20_000)
            .map(|i| format!("known-metric-{i:05}"))
            .collect();
        for i in 0..200 {
            let _ = closest(&format!("unknown-{i}"), known.iter().map(String::as_str));
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
