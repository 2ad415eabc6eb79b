//! The name patterns of banned metrics, compiled once into one automaton.
//!
//! A policy may hold thousands of `[[banned]]` entries. Compiled one regex each, every
//! pattern could reach the regex engine's per-pattern size limit (3,000 patterns in a
//! 187 KB policy took 3.5 GB and 29 s) and every metric would be matched against each in
//! turn. Here each pattern's syntax is checked alone (cheap: no automaton is built), and
//! the valid ones are compiled together into a `RegexSet` under one total size limit, which
//! matches every pattern against a text in one pass.

use super::merge::BannedRule;
use regex::RegexSet;

/// Largest total compiled size of a policy's banned-name patterns.
pub const TOTAL_LIMIT: usize = 32 << 20;

/// The banned-name patterns of a policy, compiled.
#[derive(Debug, Default)]
pub struct Patterns {
    set: Option<RegexSet>,
    /// For each banned entry, its pattern's index in `set`, if it has a valid one.
    index: Vec<Option<usize>>,
    /// Why the valid patterns could not be compiled together (too large), if so.
    pub problem: Option<String>,
    /// For each banned entry, its `words` phrases split into words once, not once per
    /// metric they are tried on.
    phrases: Vec<Vec<Vec<String>>>,
}

/// Matches of a text against every pattern.
pub struct Matches(Option<regex::SetMatches>);

impl Patterns {
    /// Compiles the valid patterns of `banned` together, and records in each entry why its
    /// pattern is invalid, if it is. The set is built first: when it builds, every pattern
    /// is valid, and no pattern is parsed twice (the common case, on every run's start-up);
    /// only when it does not is each pattern's syntax checked alone, and the set rebuilt
    /// without the invalid ones if there were any.
    #[must_use]
    pub fn build(banned: &mut [BannedRule]) -> Self {
        let mut patterns = Self::compile_checked(banned);
        patterns.phrases = banned
            .iter()
            .map(|b| {
                let words = &b.banned.matcher.words;
                words
                    .iter()
                    .map(|p| crate::vanity::words(&p.value))
                    .collect()
            })
            .collect();
        patterns
    }

    /// [`Patterns::build`]'s regex set.
    fn compile_checked(banned: &mut [BannedRule]) -> Self {
        let first = Self::compile(banned);
        if first.problem.is_none() {
            return first;
        }
        let mut invalid = false;
        for b in banned.iter_mut() {
            b.error = b
                .banned
                .matcher
                .name
                .as_ref()
                .and_then(|n| syntax_error(&n.value));
            invalid |= b.error.is_some();
        }
        if invalid {
            Self::compile(banned)
        } else {
            first
        }
    }

    /// The set of the patterns of `banned` that have no recorded error.
    fn compile(banned: &[BannedRule]) -> Self {
        let mut index = Vec::with_capacity(banned.len());
        let mut patterns = Vec::new();
        for b in banned {
            match (&b.banned.matcher.name, &b.error) {
                (Some(name), None) => {
                    index.push(Some(patterns.len()));
                    patterns.push(name.value.as_str());
                }
                _ => index.push(None),
            }
        }
        if patterns.is_empty() {
            return Self {
                set: None,
                index,
                problem: None,
                phrases: Vec::new(),
            };
        }
        // Names are written in any case: a ban of "number of alerts handled" must catch
        // "Number of alerts handled". A pattern that cares says `(?-i)`.
        match regex::RegexSetBuilder::new(&patterns)
            .case_insensitive(true)
            .size_limit(TOTAL_LIMIT)
            .build()
        {
            Ok(set) => Self {
                set: Some(set),
                index,
                problem: None,
                phrases: Vec::new(),
            },
            Err(e) => Self {
                set: None,
                index: vec![None; banned.len()],
                problem: Some(first_line(&e.to_string())),
                phrases: Vec::new(),
            },
        }
    }

    /// Every pattern matched against `text`. Most names match none, which `is_match`
    /// settles without the overlapping search that lists every match.
    #[must_use]
    pub fn matches(&self, text: &str) -> Matches {
        Matches(
            self.set
                .as_ref()
                .filter(|s| s.is_match(text))
                .map(|s| s.matches(text)),
        )
    }

    /// Whether banned entry `i`'s pattern is among `matches`.
    #[must_use]
    pub fn matched(&self, matches: &Matches, i: usize) -> bool {
        match (&matches.0, self.index.get(i).copied().flatten()) {
            (Some(m), Some(p)) => m.matched(p),
            _ => false,
        }
    }

    /// Banned entry `i`'s `words` phrases, each as its words.
    #[must_use]
    pub fn phrases(&self, i: usize) -> &[Vec<String>] {
        self.phrases.get(i).map_or(&[], Vec::as_slice)
    }

    /// Whether banned entry `i` has a pattern that was compiled.
    #[must_use]
    pub fn compiled(&self, i: usize) -> bool {
        self.set.is_some() && self.index.get(i).copied().flatten().is_some()
    }
}

/// Why a pattern is not valid Rust regex syntax, checked without compiling it; `None` when
/// it is valid.
#[must_use]
pub fn syntax_error(pattern: &str) -> Option<String> {
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .err()
        .map(|e| first_line(&e.to_string()))
}

/// The last line of an engine's error, where it says what is wrong.
fn first_line(error: &str) -> String {
    error
        .lines()
        .last()
        .unwrap_or("invalid regex")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_of_heavy_patterns_are_bounded_in_time_and_memory() {
        // Each of these compiles to hundreds of kilobytes alone (Unicode word classes).
        let mut text = String::new();
        for i in 0..3000 {
            text += &format!(
                "[[banned]]\nid = \"b{i}\"\nmatch = {{ name = '\\w{{40}}{i}\\w{{40}}' }}\n"
            );
        }
        let root = crate::parse::toml::parse(&format!("[policy]\nid = \"p\"\n{text}")).unwrap();
        let layer = crate::load::extract::policy(&root, crate::source::FileId(0)).unwrap();
        let started = std::time::Instant::now();
        let policy = super::super::Policy::merge(vec![layer]);
        assert!(policy.patterns.problem.is_some(), "the set is too large");
        // Unbounded, this took 29.5 s and 3.5 GB in a release build; bounded, a few seconds
        // in a debug one. The margin is for a loaded CI machine.
        assert!(started.elapsed() < std::time::Duration::from_mins(1));
    }

    #[test]
    fn syntax_is_checked_without_compiling() {
        assert_eq!(syntax_error("(?i)^number of scans$"), None);
        assert_eq!(
            syntax_error("(?i)number of (scans|alerts").as_deref(),
            Some("error: unclosed group")
        );
    }
}
