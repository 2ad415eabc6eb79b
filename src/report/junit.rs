//! `--format junit`: JUnit XML as CI dashboards read it. A test suite per file, a test case
//! per (subject, rule) found there, a failure per finding (warnings and infos too, so the
//! report matches `--fail-on`'s view is left to the exit code). Suppressed findings are
//! skipped test cases.

use super::{Emitter, locate};
use crate::check::Report;
use std::collections::BTreeMap;
use std::io;

/// The JUnit emitter.
pub struct Junit;

/// Escapes text for XML attributes and content; drops characters XML 1.0 forbids.
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
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

impl Emitter for Junit {
    fn emit(&mut self, w: &mut dyn io::Write, report: &Report) -> io::Result<()> {
        let mut suites: BTreeMap<String, Vec<(String, String, String, bool)>> = BTreeMap::new();
        for f in &report.findings {
            let at = locate(report, &f.primary);
            let case = format!(
                "{} {}",
                f.subject.as_deref().unwrap_or("(file)"),
                f.rule.name
            );
            let body = format!(
                "{}:{}:{}: {} [{} {}]{}",
                at.file,
                at.line,
                at.column,
                f.message,
                f.rule.code,
                f.severity.as_str(),
                f.help
                    .as_ref()
                    .map(|h| format!("\nhelp: {h}"))
                    .unwrap_or_default()
            );
            suites.entry(at.file.clone()).or_default().push((
                case,
                f.severity.as_str().to_owned(),
                body,
                f.suppressed_by.is_some(),
            ));
        }
        let failures: usize = suites.values().flatten().filter(|c| !c.3).count();
        let tests: usize = suites.values().map(Vec::len).sum();
        writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            w,
            r#"<testsuites name="kpilint" tests="{tests}" failures="{failures}" errors="0">"#
        )?;
        for (file, cases) in &suites {
            let fails = cases.iter().filter(|c| !c.3).count();
            let skipped = cases.len() - fails;
            writeln!(
                w,
                r#"  <testsuite name="{}" tests="{}" failures="{fails}" errors="0" skipped="{skipped}">"#,
                esc(file),
                cases.len()
            )?;
            for (name, severity, body, suppressed) in cases {
                writeln!(
                    w,
                    r#"    <testcase name="{}" classname="{}">"#,
                    esc(name),
                    esc(file)
                )?;
                if *suppressed {
                    writeln!(
                        w,
                        r#"      <skipped message="waived by an exception: {}"/>"#,
                        esc(body)
                    )?;
                } else {
                    let message = body.lines().next().unwrap_or_default();
                    writeln!(
                        w,
                        r#"      <failure message="{}" type="{severity}">{}</failure>"#,
                        esc(message),
                        esc(body)
                    )?;
                }
                writeln!(w, "    </testcase>")?;
            }
            writeln!(w, "  </testsuite>")?;
        }
        if suites.is_empty() {
            writeln!(
                w,
                r#"  <testsuite name="kpilint" tests="1" failures="0" errors="0" skipped="0">"#
            )?;
            writeln!(
                w,
                r#"    <testcase name="no findings" classname="kpilint"/>"#
            )?;
            writeln!(w, "  </testsuite>")?;
        }
        writeln!(w, "</testsuites>")
    }
}
