//! `--format junit`: `JUnit` XML as CI dashboards read it. A test suite per file and a test
//! case per finding there, named by its subject and rule. A finding at or above the
//! failing threshold (`--fail-on`) is a `<failure>`; one below it is a passing test case
//! that carries the finding in `<system-out>`, so the dashboard agrees with the exit code;
//! a finding waived by an exception is `<skipped>`. A run without findings is one passing
//! test case, so that a dashboard never reads "no tests" as "no results".
//!
//! Why a case per finding rather than per subject, when the schema (Jenkins'
//! `junit-10.xsd`) allows several `<failure>`s in one case: readers do not agree on what
//! they count. xunitparser, Jenkins and Surefire keep one result per test case (the last or
//! first element) and count failing *cases*; junitparser counts `<failure>` *elements*. A
//! case with two failures, or a failure and a waiver, makes one of them disagree with the
//! totals (xunitparser asserts on them and fails). With one result per case both readings
//! give the same numbers. Case names stay unique within a suite: a second finding with the
//! same subject and rule is `… #2`, an index that moving lines does not change (a line
//! number in the name would turn every edit into a new test for history-keeping
//! dashboards).

use super::{Emitter, locate};
use crate::rule::Severity;
use crate::settle::Report;
use std::collections::{BTreeMap, HashMap};
use std::io;

/// The `JUnit` emitter.
pub struct Junit {
    /// The lowest severity that fails the run (`--fail-on`); `None` never fails. Findings
    /// below it are passing test cases.
    pub fail_on: Option<Severity>,
}

/// Escapes text for XML attributes and content. Line breaks and tabs become character
/// references, which attribute-value normalisation leaves alone (a literal newline in an
/// attribute is read back as a space); characters XML 1.0 forbids are dropped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            // XML 1.0 cannot hold most controls even as references: shown as `\u{1b}`, as in
            // every text format.
            c if crate::escape::is_unsafe(c) => {
                out.push_str(&crate::escape::escape_unsafe(c.encode_utf8(&mut [0; 4])));
            }
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// What a test case reports.
enum Outcome {
    Failure,
    Passed,
    Skipped { by: String },
}

struct Case {
    name: String,
    /// The finding's message, whole.
    message: String,
    severity: Severity,
    /// Location, message, rule, severity, help: the finding as a log line.
    body: String,
    outcome: Outcome,
}

impl Case {
    fn write(&self, w: &mut dyn io::Write, classname: &str) -> io::Result<()> {
        writeln!(
            w,
            r#"    <testcase name="{}" classname="{}">"#,
            esc(&self.name),
            esc(classname)
        )?;
        match &self.outcome {
            Outcome::Failure => writeln!(
                w,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                esc(&self.message),
                self.severity.as_str(),
                esc(&self.body)
            )?,
            Outcome::Skipped { by } => writeln!(
                w,
                r#"      <skipped message="{}">{}</skipped>"#,
                esc(&format!(
                    "waived by the exception at {by}: {}",
                    self.message
                )),
                esc(&self.body)
            )?,
            Outcome::Passed => writeln!(w, r"      <system-out>{}</system-out>", esc(&self.body))?,
        }
        writeln!(w, "    </testcase>")
    }
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    skipped: usize,
}

impl Counts {
    fn of(cases: &[Case]) -> Self {
        Self {
            tests: cases.len(),
            failures: cases
                .iter()
                .filter(|c| matches!(c.outcome, Outcome::Failure))
                .count(),
            skipped: cases
                .iter()
                .filter(|c| matches!(c.outcome, Outcome::Skipped { .. }))
                .count(),
        }
    }

    fn attributes(&self) -> String {
        format!(
            r#"tests="{}" failures="{}" errors="0" skipped="{}""#,
            self.tests, self.failures, self.skipped
        )
    }
}

impl Emitter for Junit {
    fn emit(&mut self, w: &mut dyn io::Write, report: &Report) -> io::Result<()> {
        let mut suites: BTreeMap<String, Vec<Case>> = BTreeMap::new();
        let mut names: HashMap<(String, String), usize> = HashMap::new();
        // Baselined findings are accepted debt, not failed tests.
        for f in report.findings.iter().filter(|f| !f.baselined) {
            let at = locate(report, &f.primary);
            let mut name = format!(
                "{} {}",
                f.subject.as_deref().unwrap_or("(file)"),
                f.rule.name
            );
            let n = names.entry((at.file.to_owned(), name.clone())).or_default();
            *n += 1;
            if *n > 1 {
                name = format!("{name} #{n}");
            }
            let mut body = format!(
                "{}:{}:{}: {} [{} {}]",
                at.file,
                at.line,
                at.column,
                f.message.plain(),
                f.rule.code,
                f.severity.as_str()
            );
            if let Some(h) = &f.help {
                body.push_str("\nhelp: ");
                body.push_str(&h.plain());
            }
            let outcome = match &f.suppressed_by {
                Some(x) => {
                    let ex = locate(report, x);
                    Outcome::Skipped {
                        by: format!("{}:{}", ex.file, ex.line),
                    }
                }
                None if self.fail_on.is_some_and(|t| f.severity >= t) => Outcome::Failure,
                None => {
                    body.push_str("\n(below the failing threshold: reported, not failed)");
                    Outcome::Passed
                }
            };
            suites.entry(at.file.to_owned()).or_default().push(Case {
                name,
                message: f.message.plain(),
                severity: f.severity,
                body,
                outcome,
            });
        }
        if suites.is_empty() {
            suites.insert(
                "kpilint".to_owned(),
                vec![Case {
                    name: "no findings".to_owned(),
                    message: String::new(),
                    severity: Severity::Info,
                    body: "kpilint found nothing to report".to_owned(),
                    outcome: Outcome::Passed,
                }],
            );
        }
        let total = suites
            .values()
            .map(|c| Counts::of(c))
            .fold(Counts::default(), |a, b| Counts {
                tests: a.tests + b.tests,
                failures: a.failures + b.failures,
                skipped: a.skipped + b.skipped,
            });
        writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        // The common JUnit schema (Jenkins' junit-10.xsd) allows no `skipped` on the root:
        // the suites carry it.
        writeln!(
            w,
            r#"<testsuites name="kpilint" tests="{}" failures="{}" errors="0">"#,
            total.tests, total.failures
        )?;
        for (file, cases) in &suites {
            writeln!(
                w,
                r#"  <testsuite name="{}" {}>"#,
                esc(file),
                Counts::of(cases).attributes()
            )?;
            for case in cases {
                case.write(w, file)?;
            }
            writeln!(w, "  </testsuite>")?;
        }
        writeln!(w, "</testsuites>")
    }
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_keep_line_breaks_and_tabs_as_references() {
        assert_eq!(esc("a\nb\tc\rd"), "a&#10;b&#9;c&#13;d");
        assert_eq!(esc("<&>\"'"), "&lt;&amp;&gt;&quot;&apos;");
        assert_eq!(esc("a\u{1}b\u{202e}"), r"a\u{1}b\u{202e}");
    }
}
