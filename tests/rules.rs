//! Every rule has a fixture that triggers it and one that does not.
//!
//! `tests/fixtures/rules/<CODE>/bad/` must make rule `<CODE>` fire on exactly the lines
//! marked `# <CODE>` (in any `.toml` file of the fixture; data files, which cannot hold
//! comments, list theirs in `expected.txt` as `file:line`), and `ok/` must not make it fire
//! at all. Each fixture is its own repository: the policy is in the fixture directory, and
//! "today" is fixed at 2026-11-24. The human rendering of each `bad/` run is snapshotted.

use kpilint::pipeline::{Fatal, Request};
use kpilint::report::{Emitter, human::Human, locate};
use kpilint::settle::Report;
use kpilint::workspace::Workspace;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

/// Checks a fixture directory from the project's root, as of 2026-11-24.
fn run(dir: &Path) -> Result<Report, Fatal> {
    let ws = Workspace::new(Path::new(env!("CARGO_MANIFEST_DIR")));
    let req = Request {
        paths: vec![dir.to_path_buf()],
        policies: Vec::new(),
        as_of: "2026-11-24".parse().unwrap(),
    };
    kpilint::pipeline::check(&ws, &req)
}

/// (file, line) of every `# CODE` marker under `dir`, and of every `file:line` entry of
/// its `expected.txt`.
fn markers(dir: &Path, code: &str) -> BTreeSet<(String, usize)> {
    let mut out = BTreeSet::new();
    if let Ok(text) = std::fs::read_to_string(dir.join("expected.txt")) {
        for entry in text.lines().filter(|l| !l.trim().is_empty()) {
            let (file, line) = entry
                .trim()
                .rsplit_once(':')
                .expect("expected.txt lines are file:line");
            out.insert((file.to_owned(), line.parse().expect("a line number")));
        }
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        for (i, line) in text.lines().enumerate() {
            if line
                .split('#')
                .skip(1)
                .any(|c| c.split_whitespace().next() == Some(code))
            {
                out.insert((name.clone(), i + 1));
            }
        }
    }
    out
}

#[test]
fn every_rule_has_a_triggering_and_a_clean_fixture() {
    let root = fixture_root();
    let mut failures = Vec::new();
    // Diff rules compare two git revisions: tests/diff.rs covers each with a triggering and
    // a clean change.
    for rule in kpilint::rules::ALL
        .iter()
        .filter(|r| r.group != kpilint::rules::Group::Diff)
    {
        let dir = root.join(rule.code);
        for kind in ["bad", "ok"] {
            if !dir.join(kind).is_dir() {
                failures.push(format!(
                    "{} ({}): no `{kind}` fixture",
                    rule.code, rule.name
                ));
            }
        }
        if !dir.join("bad").is_dir() || !dir.join("ok").is_dir() {
            continue;
        }
        // bad: fires exactly on the marked lines.
        let report = match run(&dir.join("bad")) {
            Ok(r) => r,
            Err(f) => {
                let Some(r) = f.report else {
                    failures.push(format!("{}: bad fixture failed: {}", rule.code, f.message));
                    continue;
                };
                *r
            }
        };
        let hits: BTreeSet<(String, usize)> = report
            .findings
            .iter()
            .filter(|f| f.rule.code == rule.code)
            .map(|f| {
                let at = locate(&report, &f.primary);
                let name = Path::new(&at.file)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (name, at.line)
            })
            .collect();
        let expected = markers(&dir.join("bad"), rule.code);
        if expected.is_empty() {
            failures.push(format!(
                "{}: bad fixture has no `# {}` marker",
                rule.code, rule.code
            ));
        }
        if hits != expected {
            failures.push(format!(
                "{} ({}): fired at {hits:?}, marked {expected:?}",
                rule.code, rule.name
            ));
        }
        let mut human = Human {
            color: false,
            width: 100,
            quiet: false,
        };
        let mut out = Vec::new();
        let only_rule = Report {
            findings: report
                .findings
                .iter()
                .filter(|f| f.rule.code == rule.code)
                .cloned()
                .collect(),
            ..report
        };
        human.emit(&mut out, &only_rule).unwrap();
        let text = String::from_utf8(out)
            .unwrap()
            .replace(&*root.to_string_lossy(), "[FIXTURES]");
        insta::assert_snapshot!(format!("{}-{}", rule.code, rule.name), text);

        // ok: never fires.
        match run(&dir.join("ok")) {
            Ok(report) => {
                let stray: Vec<_> = report
                    .findings
                    .iter()
                    .filter(|f| f.rule.code == rule.code)
                    .map(|f| format!("{:?}: {}", locate(&report, &f.primary), f.message.plain()))
                    .collect();
                if !stray.is_empty() {
                    failures.push(format!("{}: ok fixture fired: {stray:?}", rule.code));
                }
            }
            Err(f) => failures.push(format!("{}: ok fixture failed: {}", rule.code, f.message)),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
