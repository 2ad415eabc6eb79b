//! Activity metrics recognised by the structure of their names.
//!
//! A metric counts *activity* when its name says that something was done to work items
//! ("Number of alerts handled", "Vulnerabilities patched this month", "Weekly scans") and
//! nothing in it measures an *outcome*: a ratio against a population ("percent of ..."),
//! a deadline ("within SLA", "on time"), a time ("time to revoke", "median hours"), or
//! exposure ("residual", "reduction", "exposed"). Seed 000 names rotation counts and alert
//! volume as legitimate tactical metrics; seed 002 calls ticket-closure counts presented as
//! outcomes the most common misapplication. So this module only says *whether a name
//! counts activity*, with the words that say so; whether that is vanity depends on where
//! the metric stands (see the `vanity-metric` rule).
//!
//! Words are compared in lower case after an inflection is taken back to its lexicon form
//! ("triaged", "triages", "triaging" -> "triage"; "vulnerabilities" -> "vulnerability"), so
//! one lexicon entry covers every form. Nothing here allocates per word beyond the word
//! list of the name itself, and the time is linear in the name's length.

use crate::model::{Direction, Unit};
use std::collections::HashMap;
use std::sync::LazyLock;

/// Verbs of doing something to a work item: their past participle ("closed") or gerund
/// ("closing") in a name counts the times it was done.
#[rustfmt::skip]
const ACTION_VERBS: &[&str] = &[
    "acknowledge", "apply", "approve", "collect", "assess", "attend", "audit", "block",
    "catalogue", "certify", "clean", "close", "complete", "conduct", "configure", "create",
    "deactivate", "decommission", "delete", "deliver", "deny", "deploy", "deprovision",
    "detect", "disable", "discover", "dismiss", "document", "enable", "enroll", "enrol",
    "escalate", "execute", "file", "fire", "fix", "flag", "generate", "grant", "handle",
    "harden", "identify", "implement", "install", "inventory", "investigate", "issue", "launch",
    "log", "merge", "migrate", "mitigate", "offboard", "onboard", "open", "patch", "perform",
    "process", "provision", "publish", "quarantine", "raise", "receive", "reject", "remediate",
    "remove", "renew", "replace", "report", "resolve", "respond", "review", "revoke", "rotate",
    "run", "scan", "send", "sign", "submit", "tag", "test", "train", "triage", "trigger",
    "update", "upgrade", "vault", "work",
];

/// Forms the rules of [`inflections`] do not make.
const IRREGULAR: &[(&str, &str)] = &[
    ("ran", "run"),
    ("run", "run"),
    ("submitted", "submit"),
    ("submitting", "submit"),
    ("enrolled", "enrol"),
    ("found", "identify"),
    ("sent", "send"),
    ("done", "complete"),
    ("did", "complete"),
    ("held", "conduct"),
    ("taken", "complete"),
    ("written", "document"),
];

/// Work items that activity is done to. A bare count of them ("Number of incidents",
/// "Open vulnerabilities") is a state, not activity.
#[rustfmt::skip]
const ITEMS: &[&str] = &[
    "access", "account", "alert", "api", "app", "application", "approval", "asset", "attempt",
    "bucket", "bug", "case", "cert", "certificate", "change", "commit", "container", "control",
    "credential", "cve", "device", "email", "employee", "endpoint", "entitlement", "event",
    "exception", "file", "finding", "grant", "host", "identity", "image", "incident", "issue",
    "item", "job", "key", "login", "malware", "message", "module", "nhi", "password",
    "permission", "phishing", "policy", "privilege", "pr", "repo", "repository", "request",
    "risk", "role", "rule", "secret", "server", "service", "staff", "story", "task", "threat",
    "ticket", "token", "user", "vendor", "vuln", "vulnerability", "workload",
];

/// Nouns that name an activity themselves: a count of them is a count of things done
/// ("Scans", "Weekly rotations", "Alert count", "Security trainings completed").
#[rustfmt::skip]
const ACTIONS: &[&str] = &[
    "alert", "approval", "assessment", "audit", "campaign", "closure", "course", "deployment",
    "detection", "exercise", "investigation", "patch", "pentest", "refresh", "remediation",
    "review", "rotation", "scan", "session", "simulation", "test", "ticket", "training",
    "triage", "update", "workshop",
];

/// Words that make a name a count: "number of", "#", "total", "volume".
#[rustfmt::skip]
const COUNT_WORDS: &[&str] = &[
    "number", "count", "#", "total", "volume", "tally", "quantity",
];

/// Words of a reporting period: "this week", "per month", "weekly", "in October".
#[rustfmt::skip]
const PERIOD_WORDS: &[&str] = &[
    "day", "week", "month", "quarter", "year", "sprint", "daily", "weekly", "monthly",
    "quarterly", "annually", "yearly", "ytd", "mtd", "qtd", "january", "february", "march",
    "april", "june", "july", "august", "september", "october", "november", "december",
];

/// Words around what is counted: "number *of* scans *per* week".
#[rustfmt::skip]
const FILLER: &[&str] = &[
    "of", "per", "this", "last", "each", "every", "in", "the", "a", "an", "by",
];

/// Words that frame a name as an outcome: a ratio against a population, a deadline, a
/// time, exposure or its reduction, a quality check on the work. Any of them makes the
/// name an outcome, however many activity words it holds.
#[rustfmt::skip]
const OUTCOME_WORDS: &[&str] = &[
    // a ratio against a population
    "%", "percent", "percentage", "pct", "ratio", "rate", "share", "proportion", "fraction",
    "coverage", "covered", "per-cent",
    // a deadline
    "within", "sla", "slo", "timely", "overdue", "late", "breach", "breached", "deadline",
    // a time
    "time", "mean", "median", "average", "avg", "mttr", "mttd", "mtta", "mttc", "mttr",
    "latency", "duration", "age", "aging", "ageing", "dwell", "p50", "p90", "p95", "p99",
    "percentile", "hours", "minutes", "days", "seconds",
    // exposure, and whether the work reduced it
    "exposure", "exposed", "residual", "reduction", "reduced", "risk", "unmanaged", "reopen",
    "reopened", "recurrence", "recurring", "repeat", "regression", "false", "verified",
    "confirmed", "validated", "effectiveness", "success", "click", "clicked", "compromised",
    "leaked", "without", "lacking", "missing", "zero", "never",
];

/// Words that describe a state of the items ("open", "orphaned", "expired"): a bare count
/// of items in a state is a state (a backlog, an exposure), but they do not cancel an
/// explicit action ("Orphaned accounts removed" still counts removals).
#[rustfmt::skip]
const STATE_WORDS: &[&str] = &[
    "open", "outstanding", "remaining", "unresolved", "backlog", "orphaned", "dormant", "stale",
    "expired", "unowned", "unrotated", "unpatched", "unused", "inactive", "standing",
    "excessive", "overprivileged", "privileged", "shared", "hardcoded", "failed",
    "unauthorized", "unauthorised", "invalid", "valid", "active", "current",
];

/// An outcome to measure instead, by the family of the item an activity is done to.
#[rustfmt::skip]
const OUTCOMES: &[(&[&str], &str)] = &[
    (
        &[
            "secret",
            "key",
            "credential",
            "token",
            "password",
            "cert",
            "certificate",
            "rotation",
        ],
        "percent of critical secrets rotated within policy SLA",
    ),
    (
        &[
            "alert",
            "incident",
            "event",
            "threat",
            "detection",
            "triage",
            "malware",
        ],
        "median time to contain an incident, or percent of alerts triaged within SLA",
    ),
    (
        &["vulnerability", "vuln", "cve", "patch", "bug"],
        "open critical vulnerabilities past their remediation SLA",
    ),
    (
        &[
            "ticket",
            "finding",
            "issue",
            "case",
            "task",
            "remediation",
            "closure",
            "item",
        ],
        "percent of findings closed with verified exposure reduction",
    ),
    (
        &[
            "scan",
            "repository",
            "repo",
            "commit",
            "pr",
            "pentest",
            "test",
        ],
        "percent of critical repositories with no valid secret in code",
    ),
    (
        &[
            "approval",
            "request",
            "access",
            "privilege",
            "grant",
            "role",
            "permission",
            "entitlement",
        ],
        "percent of privileged access granted with zero standing privilege",
    ),
    (
        &[
            "account",
            "identity",
            "nhi",
            "user",
            "service",
            "workload",
            "api",
            "app",
            "application",
        ],
        "reduction in unmanaged identity exposure month over month",
    ),
    (
        &[
            "training",
            "course",
            "module",
            "session",
            "workshop",
            "simulation",
            "campaign",
            "employee",
            "staff",
        ],
        "phishing simulation click rate, or percent of staff passing it",
    ),
    (
        &["email", "phishing", "message"],
        "percent of phishing emails that reached a user and were clicked",
    ),
];

/// What a word is, once its inflection is taken back to its lexicon form.
// Independent properties of a word: "scans" is an activity noun and a verb form.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, Default)]
struct Word {
    /// The lexicon form, for reporting and families.
    base: &'static str,
    /// An `-ed` or `-ing` form of an action verb ("handled", "rotating", "ran").
    action_verb: bool,
    /// A work item.
    item: bool,
    /// An activity noun.
    action: bool,
    count: bool,
    period: bool,
    outcome: bool,
    state: bool,
}

/// Builds the lexicon now (see [`crate::pipeline::warm_up`]).
pub fn warm_up() {
    LazyLock::force(&LEXICON);
}

/// Every known word form, with what it is.
static LEXICON: LazyLock<HashMap<String, Word>> = LazyLock::new(build);

fn build() -> HashMap<String, Word> {
    let mut map: HashMap<String, Word> = HashMap::new();
    let mut put = |form: String, base: &'static str, set: &dyn Fn(&mut Word)| {
        let w = map.entry(form).or_default();
        if w.base.is_empty() {
            w.base = base;
        }
        set(w);
    };
    for &n in ITEMS {
        for form in plurals(n) {
            put(form, n, &|w| w.item = true);
        }
    }
    for &n in ACTIONS {
        for form in plurals(n) {
            put(form, n, &|w| w.action = true);
        }
        // "scanning", "training", "patching": the gerund names the activity too.
        for g in inflections(n).into_iter().filter(|f| f.ends_with("ing")) {
            put(g, n, &|w| w.action = true);
        }
    }
    // Verbs after nouns: "training" and "trainings" share the noun's base.
    for &v in ACTION_VERBS {
        for form in inflections(v) {
            put(form, v, &|w| w.action_verb = true);
        }
    }
    for &(form, v) in IRREGULAR {
        put(form.to_owned(), v, &|w| w.action_verb = true);
    }
    for &c in COUNT_WORDS {
        for form in plurals(c) {
            put(form, c, &|w| w.count = true);
        }
    }
    for &p in PERIOD_WORDS {
        for form in plurals(p) {
            put(form, p, &|w| w.period = true);
        }
    }
    for &o in OUTCOME_WORDS {
        for form in plurals(o) {
            put(form, o, &|w| w.outcome = true);
        }
    }
    for &s in STATE_WORDS {
        for form in plurals(s) {
            put(form, s, &|w| w.state = true);
        }
    }
    map
}

/// The base form and its plural.
fn plurals(n: &str) -> Vec<String> {
    let plural = if n.ends_with('y') && !n.ends_with("ey") && !n.ends_with("ay") {
        format!("{}ies", &n[..n.len() - 1])
    } else if n.ends_with('s') || n.ends_with("sh") || n.ends_with("ch") || n.ends_with('x') {
        format!("{n}es")
    } else {
        format!("{n}s")
    };
    vec![n.to_owned(), plural]
}

/// The `-ed` and `-ing` forms of verb `v`, with the spelling rules English uses. Not the
/// base form nor `-s`: "tests", "reviews", "reports" in a name are nouns.
fn inflections(v: &str) -> Vec<String> {
    let last = v.chars().last().unwrap_or('x');
    let before = v.chars().rev().nth(1).unwrap_or('x');
    let vowel = |c: char| "aeiou".contains(c);
    let mut out = Vec::new();
    if last == 'e' {
        let stem = &v[..v.len() - 1];
        out.push(format!("{v}d"));
        out.push(format!("{stem}ing"));
    } else if last == 'y' && !vowel(before) {
        let stem = &v[..v.len() - 1];
        out.push(format!("{stem}ied"));
        out.push(format!("{v}ing"));
    } else {
        out.push(format!("{v}ed"));
        out.push(format!("{v}ing"));
        // One short vowel before one consonant: the consonant doubles ("scanned",
        // "running", "patched" does not: two consonants).
        let doubles = v.len() <= 4
            && !vowel(last)
            && !"wxy".contains(last)
            && vowel(before)
            && !v.chars().rev().nth(2).is_some_and(vowel);
        if doubles {
            out.push(format!("{v}{last}ed"));
            out.push(format!("{v}{last}ing"));
        }
    }
    out
}

/// The words of a text, lower-cased: letters and digits, and `%` and `#` alone. A
/// hyphen, underscore or dot separates words, so ids read like names.
#[must_use]
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() || c == '\'' {
            if c != '\'' {
                cur.extend(c.to_lowercase());
            }
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if c == '%' || c == '#' {
                out.push(c.to_string());
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The lexicon form of a word: "handled" -> "handle", "vulnerabilities" ->
/// "vulnerability"; a word the lexicon does not know is itself.
#[must_use]
pub fn base(word: &str) -> &str {
    LEXICON.get(word).map_or(word, |w| w.base)
}

/// Why a name counts activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// The words that made it activity, as written in the name (lower case).
    pub words: Vec<String>,
    /// An outcome to measure instead.
    pub instead: String,
}

/// Whether `name` counts activity, given the metric's unit and direction (the KPI's when
/// the metric has none). `None` when the name measures an outcome or a state, or says
/// nothing the lexicon knows.
///
/// A name counts activity when
/// - an action verb is done to work items or counted ("Alerts triaged per week", "Number
///   of keys rotated", "Scans run"), or
/// - it counts activity nouns ("Weekly rotations", "Alert count", "Security trainings"),
///   unless the unit is not a count or the count is meant to fall (`lower_is_better`:
///   "fewer alerts" is tuning, an outcome),
///
/// and no word frames it as an outcome, nor does the unit (a percent, ratio, duration or
/// score is not a count of things done).
#[must_use]
pub fn activity(name: &str, unit: Option<Unit>, direction: Option<Direction>) -> Option<Activity> {
    if matches!(
        unit,
        Some(
            Unit::Percent
                | Unit::Ratio
                | Unit::Minutes
                | Unit::Hours
                | Unit::Days
                | Unit::Score
                | Unit::Currency
        )
    ) {
        return None;
    }
    let written = words(name);
    let lex: Vec<Word> = written
        .iter()
        .enumerate()
        .map(|(i, w)| classify(&written, i, w))
        .collect();
    if lex.iter().any(|w| w.outcome) {
        return None;
    }
    let count_at = (0..lex.len()).find(|&i| lex[i].count || no_of(&written, i));
    let period_at = lex.iter().position(|w| w.period);
    let verb_at = lex.iter().position(|w| w.action_verb);
    let noun_at = lex.iter().position(|w| w.item || w.action);
    let mut evidence: Vec<usize> = Vec::new();
    if let Some(v) = verb_at {
        // A verb alone ("Processed") says too little: it counts when it acts on a work
        // item, is counted, or is counted per period.
        if noun_at.is_none() && count_at.is_none() && period_at.is_none() {
            return None;
        }
        evidence.extend(count_at);
        evidence.extend(noun_at);
        evidence.push(v);
        evidence.extend(period_at);
    } else {
        // The count is of the head noun, the last word that says what is counted: "Audit
        // findings" counts findings (a state), "Cloud deployment misconfigurations"
        // misconfigurations, "Malware detections" detections (activity).
        let action_at = (0..lex.len()).rev().find(|&i| {
            let w = &lex[i];
            let filler = w.count
                || w.period
                || no_of(&written, i)
                || FILLER.contains(&written[i].as_str())
                || written[i].bytes().all(|b| b.is_ascii_digit());
            !filler
        })?;
        if !lex[action_at].action {
            return None;
        }
        if lex.iter().any(|w| w.state) || direction == Some(Direction::LowerIsBetter) {
            return None;
        }
        evidence.extend(count_at);
        evidence.push(action_at);
        evidence.extend(period_at);
    }
    evidence.sort_unstable();
    evidence.dedup();
    let object = lex
        .iter()
        .rev()
        .find(|w| w.item || w.action)
        .map(|w| w.base)
        .unwrap_or_default();
    Some(Activity {
        words: evidence.iter().map(|&i| written[i].clone()).collect(),
        instead: instead(object),
    })
}

/// What word `i` of `words` is. Plural durations after "last"/"past" are a period ("in
/// the last 30 days"), not a time measured.
fn classify(words: &[String], i: usize, w: &str) -> Word {
    let mut word = LEXICON.get(w).copied().unwrap_or_default();
    // "risk" is an outcome ("residual risk"), except as the object of an activity noun
    // ("risk assessments completed").
    if w == "risk"
        && words
            .get(i + 1)
            .and_then(|n| LEXICON.get(n.as_str()))
            .is_some_and(|n| n.action)
    {
        word.outcome = false;
    }
    if word.outcome && matches!(w, "days" | "hours" | "minutes" | "seconds") {
        let window = words[i.saturating_sub(3)..i]
            .iter()
            .any(|p| matches!(p.as_str(), "last" | "past" | "previous" | "per" | "each"));
        if window {
            word.outcome = false;
            word.period = true;
        }
    }
    // "with no owner" is a state of exposure; "no. of scans" is a count.
    if w == "no" && !no_of(words, i) {
        word.outcome = true;
    }
    // "time to revoke", "processing time", "on time" measure a time; "this time",
    // "each time" do not.
    if w == "time" {
        let prev = i.checked_sub(1).map(|p| words[p].as_str());
        word.outcome = !matches!(
            prev,
            Some("this" | "one" | "each" | "every" | "first" | "last" | "any" | "at" | "per")
        );
    }
    word
}

/// Whether word `i` is "no" of "no. of".
fn no_of(words: &[String], i: usize) -> bool {
    words[i] == "no" && words.get(i + 1).is_some_and(|n| n == "of")
}

/// The outcome to measure instead of activity done to `object`.
fn instead(object: &str) -> String {
    OUTCOMES
        .iter()
        .find(|(family, _)| family.contains(&object))
        .map_or_else(
            || {
                "the share of the population that reached the intended state, within its SLA"
                    .to_owned()
            },
            |(_, outcome)| (*outcome).to_owned(),
        )
}

/// Whether the words of `phrase` occur in `text` in order and next to each other, each
/// compared in its lexicon form: `alerts handled` matches "Number of alerts handled" and
/// "Alert handled", not "Alerts were handled" or "handled alerts".
#[must_use]
pub fn has_phrase(text: &[String], phrase: &[String]) -> bool {
    if phrase.is_empty() || phrase.len() > text.len() {
        return false;
    }
    text.windows(phrase.len()).any(|w| {
        w.iter()
            .zip(phrase)
            .all(|(a, b)| a == b || base(a) == base(b))
    })
}

/// Whether `text` frames an outcome: a ratio, a deadline, a time, exposure.
#[must_use]
pub fn frames_outcome(text: &[String]) -> bool {
    (0..text.len()).any(|i| classify(text, i, &text[i]).outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(name: &str) -> Option<Vec<String>> {
        activity(name, Some(Unit::Count), None).map(|a| a.words)
    }

    #[test]
    fn inflections_reach_the_lexicon_form() {
        for (form, want) in [
            ("triaged", "triage"),
            ("triaging", "triage"),
            ("scanned", "scan"),
            ("running", "run"),
            ("ran", "run"),
            ("patched", "patch"),
            ("vulnerabilities", "vulnerability"),
            ("identified", "identify"),
            ("blocked", "block"),
            ("approvals", "approval"),
        ] {
            assert_eq!(base(form), want, "{form}");
        }
    }

    #[test]
    fn activity_names_the_words_that_made_it() {
        assert_eq!(
            act("Number of alerts handled"),
            Some(vec!["number".into(), "alerts".into(), "handled".into()])
        );
        assert_eq!(
            act("Weekly rotations"),
            Some(vec!["weekly".into(), "rotations".into()])
        );
        assert_eq!(act("Scans run"), Some(vec!["scans".into(), "run".into()]));
    }

    #[test]
    fn outcomes_and_states_are_not_activity() {
        for name in [
            "Percent of alerts handled within SLA",
            "Median time to revoke an exposed key",
            "Secrets rotated on time",
            "Open critical vulnerabilities",
            "Number of incidents",
            "Dormant NHI count",
            "Alert-to-incident ratio",
            "Findings closed with verified exposure reduction",
            "Alerts triaged before deadlines",
        ] {
            assert_eq!(act(name), None, "{name}");
        }
        // Not a count of things done, whatever the words.
        assert_eq!(activity("Tickets closed", Some(Unit::Hours), None), None);
        // Fewer alerts is tuning, an outcome; more alerts closed is still activity.
        assert_eq!(
            activity("Alert volume", None, Some(Direction::LowerIsBetter)),
            None
        );
        assert!(activity("Alerts closed", None, Some(Direction::LowerIsBetter)).is_some());
    }

    #[test]
    fn a_period_window_is_not_a_duration() {
        assert!(act("Alerts handled in the last 30 days").is_some());
        assert_eq!(act("Alerts handled within 30 days"), None);
    }

    #[test]
    fn phrases_match_at_word_boundaries_across_inflections() {
        let p = words("alerts handled");
        assert!(has_phrase(&words("Number of alert handled"), &p));
        assert!(has_phrase(&words("number-of-alerts-handled"), &p));
        assert!(!has_phrase(&words("Handled alerts"), &p));
        assert!(!has_phrase(&words("Alertsx handled"), &p));
        // A noun and its plural share a base, though the noun is also a verb's -ing form.
        assert!(has_phrase(
            &words("Security trainings"),
            &words("security training")
        ));
    }
}
