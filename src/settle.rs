//! Settlement: every finding gets the level its rule has in the policy (as of `--as-of`),
//! live and approved exceptions waive what they name, what the exceptions waived is judged
//! in turn (`unused-exception`), help in a YAML file is written as YAML, and the findings
//! are put in output order (file, line, column, rule, message). The result is the
//! [`Report`] every emitter renders.

use crate::analyze::Model;
use crate::analyze::scorecard::Scorecard;
use crate::diag::{Diagnostics, Finding, Label, Level, Message};
use crate::model::{Exception, RuleSetting};
use crate::policy::{Policy, rule_level};
use crate::rule::Severity;
use crate::rule::{Group, Rule};
use crate::source::SourceMap;
use std::path::PathBuf;

/// The outcome of a run: every file read and every finding, sorted.
#[derive(Debug)]
pub struct Report {
    /// Files read.
    pub sources: SourceMap,
    /// Findings in output order (file, line, column, rule).
    pub findings: Vec<Finding>,
    /// Number of catalogue metrics checked.
    pub metrics: usize,
    /// Number of files read from disk (the embedded baseline not counted).
    pub files: usize,
    /// Every series' latest value, status and trend, when data files were evaluated.
    pub scorecard: Option<Scorecard>,
    /// What was checked: the effective policy, the catalogues and the frameworks.
    pub model: Option<Box<Model>>,
    /// The repository root, which formats read by other programs (SARIF, GitHub
    /// annotations) name files against.
    pub root: Option<PathBuf>,
    /// Whether a baseline file was applied (see [`crate::baseline`]).
    pub baseline: bool,
}

impl Report {
    /// Findings neither waived by an exception nor baselined, at `severity`.
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.is_open() && f.severity == severity)
            .count()
    }

    /// Findings the baseline file records; `None` when no baseline was applied.
    #[must_use]
    pub fn baselined(&self) -> Option<usize> {
        self.baseline
            .then(|| self.findings.iter().filter(|f| f.baselined).count())
    }

    /// Findings waived by an exception.
    #[must_use]
    pub fn suppressed(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppressed_by.is_some())
            .count()
    }

    /// Whether any unwaived finding is at or above `threshold`; in a `diff` report only
    /// the findings the change introduced count, unless `all_findings`.
    #[must_use]
    pub fn fails(&self, threshold: Option<Severity>, all_findings: bool) -> bool {
        threshold.is_some_and(|t| {
            self.findings.iter().any(|f| {
                f.is_open() && f.severity >= t && (all_findings || f.introduced != Some(false))
            })
        })
    }

    /// In a `diff` report, the findings the change introduced and those the base revision
    /// has too; `None` outside `diff`.
    #[must_use]
    pub fn introduced(&self) -> Option<(usize, usize)> {
        self.findings
            .iter()
            .filter_map(|f| f.introduced)
            .fold(None, |counts, introduced| {
                let (new, old) = counts.unwrap_or((0, 0));
                Some(if introduced {
                    (new + 1, old)
                } else {
                    (new, old + 1)
                })
            })
    }
}

/// What became of a live, approved exception of a rule that can be waived.
#[derive(Debug)]
pub enum Waiver<'a> {
    /// It waived at least one finding.
    Used,
    /// No finding of its rule has its subject.
    Unused,
    /// Its rule is locked, so it waived nothing.
    Locked(&'a RuleSetting),
    /// It waived nothing, but only some files were checked and its subject is not among
    /// them: its finding could not have been raised.
    NotChecked,
}

/// What the exceptions did, for the rules that judge them.
#[derive(Debug, Default)]
pub struct Waivers<'a> {
    /// Each live, approved exception of a waivable rule, with its rule and outcome.
    pub waivers: Vec<(&'a Exception, &'static Rule, Waiver<'a>)>,
}

/// What settlement needs besides the findings.
pub struct Settings<'p> {
    /// The policy whose levels and exceptions apply.
    pub policy: &'p Policy,
    /// The policy that sets the levels of the `diff` rules (the base revision's), if any:
    /// a pull request cannot switch off the checks that review it.
    pub diff_policy: Option<&'p Policy>,
    /// "Today".
    pub as_of: jiff::civil::Date,
    /// The rules about exceptions, run once it is known what each one waived.
    pub waiver_rules: fn(&Waivers<'_>, &mut Diagnostics),
    /// When only some input files were named (as pre-commit does), the subjects they
    /// define; `None` when the whole repository was checked.
    pub checked: Option<&'p crate::hash::Set<String>>,
}

/// Applies levels and exceptions, judges the exceptions, and sorts.
#[must_use]
pub fn settle(sources: &SourceMap, diags: Diagnostics, s: &Settings<'_>) -> Vec<Finding> {
    let governing = |rule: &Rule| match s.diff_policy {
        Some(base) if rule.group == Group::Diff => base,
        _ => s.policy,
    };
    let mut findings = leveled(diags, |r| rule_level(governing(r), r, s.as_of));
    let waivers = waive(s, &mut findings, sources);
    let mut judged = Diagnostics::default();
    (s.waiver_rules)(&waivers, &mut judged);
    findings.extend(leveled(judged, |r| rule_level(s.policy, r, s.as_of)));
    speak_yaml(&mut findings, sources);
    sort(&mut findings, sources);
    findings
}

/// Help for a finding in a YAML file says what to write in YAML: rules write their help
/// in TOML (add `owner = "..."`), and a team that keeps its catalogues in YAML would
/// paste a line its parser refuses. Each distinct help is converted once.
fn speak_yaml(findings: &mut [Finding], sources: &SourceMap) {
    // Keyed by where the help is; the original is kept so that its address is not reused.
    type Converted = (std::sync::Arc<Message>, std::sync::Arc<Message>);
    let yaml: Vec<bool> = sources
        .iter()
        .map(crate::source::SourceFile::is_yaml)
        .collect();
    if !yaml.contains(&true) {
        return;
    }
    let mut converted: crate::hash::Map<usize, Converted> = crate::hash::Map::default();
    for f in findings {
        if !yaml
            .get(f.primary.file.0 as usize)
            .copied()
            .unwrap_or(false)
        {
            continue;
        }
        let Some(help) = &f.help else { continue };
        let key = std::sync::Arc::as_ptr(help) as usize;
        let (_, yaml_help) = converted.entry(key).or_insert_with(|| {
            let as_yaml = help
                .as_yaml()
                .map_or_else(|| help.clone(), std::sync::Arc::new);
            (help.clone(), as_yaml)
        });
        f.help = Some(yaml_help.clone());
    }
}

/// The findings whose rule is on, at the rule's level (or their cap, if lower).
fn leveled(diags: Diagnostics, level: impl Fn(&Rule) -> Level) -> Vec<Finding> {
    diags
        .findings
        .into_iter()
        .filter_map(|mut f| {
            let Level::On(sev) = level(f.rule) else {
                return None;
            };
            f.severity = f.cap.map_or(sev, |c| sev.min(c));
            Some(f)
        })
        .collect()
}

/// What an exception does to a finding it names.
enum Effect {
    /// Adds a note: the exception cannot waive it.
    Note(crate::diag::Message),
    /// Waives it.
    Waive(Label),
}

/// Lets `policy`'s live, approved exceptions waive the findings they name (never those of
/// rules that cannot be waived), and says what each one did.
fn waive<'p>(s: &Settings<'p>, findings: &mut [Finding], sources: &SourceMap) -> Waivers<'p> {
    let (policy, as_of) = (s.policy, s.as_of);
    // Findings by (rule, subject), so each exception finds its own without a scan of all.
    let mut by_subject: crate::hash::Map<(&str, &str), Vec<usize>> = crate::hash::Map::default();
    for (i, f) in findings.iter().enumerate() {
        if let Some(subject) = &f.subject {
            by_subject
                .entry((f.rule.code, &**subject))
                .or_default()
                .push(i);
        }
    }
    // What each exception does to the findings it names, decided first, then applied.
    let mut effects: Vec<(Vec<usize>, Effect)> = Vec::new();
    let mut waivers = Waivers::default();
    for x in &policy.exceptions {
        let Some(rule) = x.rule_ref.filter(|r| r.is_waivable()) else {
            continue;
        };
        if !x.is_live(as_of) {
            continue;
        }
        let named = by_subject
            .get(&(rule.code, x.subject.value.as_str()))
            .cloned()
            .unwrap_or_default();
        if !x.is_approved() {
            // `unapproved-exception` reports the exception; what it names stays reported.
            let src = sources.get(x.file);
            let (line, _) = src.line_col(x.span.start);
            let note = msg!(
                "the exception at {}:{} has no reason or approver, so it waives nothing",
                src.display,
                line
            );
            effects.push((named, Effect::Note(note)));
            continue;
        }
        let outcome = match policy.rules.get(rule.name).filter(|s| s.locked) {
            Some(lock) => {
                let src = sources.get(lock.file);
                let (line, _) = src.line_col(lock.key_span.start);
                let note = msg!(
                    "an exception exists, but `{}` is locked by {}:{} and cannot be waived",
                    rule.name,
                    src.display,
                    line
                );
                effects.push((named, Effect::Note(note)));
                Waiver::Locked(lock)
            }
            // Policies are always read whole; a catalogue or data subject may be in a file
            // that was not named.
            None if named.is_empty()
                && rule.group != Group::Policy
                && s.checked.is_some_and(|c| !c.contains(&x.subject.value)) =>
            {
                Waiver::NotChecked
            }
            None if named.is_empty() => Waiver::Unused,
            None => {
                let here = Label::at(x.file, x.span).with_message("waived by this exception");
                effects.push((named, Effect::Waive(here)));
                Waiver::Used
            }
        };
        waivers.waivers.push((x, rule, outcome));
    }
    drop(by_subject);
    for (named, effect) in effects {
        for i in named {
            match &effect {
                Effect::Note(n) => findings[i].notes.push(n.clone()),
                Effect::Waive(here) => findings[i].suppressed_by = Some(Box::new(here.clone())),
            }
        }
    }
    waivers
}

/// Puts findings in output order: file (by displayed name), position, rule code, message,
/// then the order rules raised them. Files are ranked once, and small keys are sorted, not
/// the findings: a finding is a few hundred bytes, and a run may have a million.
fn sort(findings: &mut [Finding], sources: &SourceMap) {
    let mut files: Vec<(&str, usize)> = sources
        .iter()
        .enumerate()
        .map(|(i, f)| (f.display.as_str(), i))
        .collect();
    files.sort_unstable();
    let mut rank = vec![0u32; files.len()];
    for (r, (_, i)) in files.into_iter().enumerate() {
        rank[i] = u32::try_from(r).unwrap_or(u32::MAX);
    }
    let mut keys: Vec<(u32, u32, &'static str, usize)> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let file = rank
                .get(f.primary.file.0 as usize)
                .copied()
                .unwrap_or(u32::MAX);
            (file, f.primary.sort_key(), f.rule.code, i)
        })
        .collect();
    keys.sort_unstable_by(|a, b| {
        (a.0, a.1, a.2)
            .cmp(&(b.0, b.1, b.2))
            .then_with(|| findings[a.3].message.cmp_plain(&findings[b.3].message))
            .then(a.3.cmp(&b.3))
    });
    // Apply the order in place, cycle by cycle: each finding moves once.
    let mut order: Vec<usize> = keys.into_iter().map(|k| k.3).collect();
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != start {
            let from = order[at];
            findings.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceFile, Span};

    #[test]
    fn exceptions_find_their_findings_without_a_scan_of_all() {
        // 100,000 exceptions and 100,000 findings: a scan of every finding per exception is
        // 10 billion comparisons (many minutes in a debug build); the index makes it linear
        // (about a second).
        let n = 100_000;
        let mut policy = String::from("[policy]\nid = \"p\"\n");
        for i in 0..n {
            policy.push_str(&format!(
                "[[exception]]\nrule = \"missing-owner\"\nsubject = \"m{i}\"\nreason = \"r\"\napproved_by = \"a\"\nexpires = \"2099-01-01\"\n"
            ));
        }
        let mut sources = SourceMap::default();
        let file = sources.add(SourceFile::new("p.toml".into(), None, policy.clone()));
        let catalogue = sources.add(SourceFile::new("c.toml".into(), None, String::new()));
        let root = crate::parse::toml::parse(&policy).unwrap();
        let layer = crate::load::extract::policy(&root, file).unwrap();
        let mut diags = Diagnostics::default();
        let policy =
            crate::policy::build(vec![layer], crate::rules::ALL, &mut sources, &mut diags).unwrap();
        assert!(diags.findings.is_empty(), "{:?}", diags.findings.first());
        for i in 0..n {
            diags
                .push(
                    &crate::rules::MISSING_OWNER,
                    Label::at(catalogue, Span::default()),
                    "no owner",
                )
                .subject(format!("m{i}"));
        }
        let started = std::time::Instant::now();
        let findings = settle(
            &sources,
            diags,
            &Settings {
                policy: &policy,
                diff_policy: None,
                as_of: jiff::civil::date(2026, 11, 24),
                waiver_rules: |_, _| {},
                checked: None,
            },
        );
        let waived = findings
            .iter()
            .filter(|f| f.suppressed_by.is_some())
            .count();
        assert_eq!(waived, n);
        assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    }
}
