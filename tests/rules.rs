//! Every rule has a fixture that triggers it and one that does not: one test per rule,
//! named by its code and name, so `cargo test --test rules KPI303` runs one rule.
//!
//! `tests/fixtures/rules/<CODE>/bad/` must make rule `<CODE>` fire on exactly the lines
//! marked `# <CODE>` (in any `.toml` file of the fixture; data files, which cannot hold
//! comments, list theirs in `expected.txt` as `file:line`), and `ok/` must not make it fire
//! at all. "Today" is fixed at 2026-11-24. The human rendering of each `bad/` run is
//! snapshotted.
//!
//! A fixture's `kpilint-baseline.json` applies as `--baseline` would apply it.
//!
//! A `diff` rule's fixture holds `base/` and `head/`: the working tree `head/` is compared
//! with `base/` as `kpilint diff --base-dir` does it, without git; its markers are in
//! `head/`.

use kpilint::diff::Base;
use kpilint::pipeline::{Fatal, Request};
use kpilint::report::{Emitter, human::Human, locate};
use kpilint::rule::{Group, Rule};
use kpilint::rules::ALL;
use kpilint::settle::Report;
use kpilint::workspace::Workspace;
use libtest_mimic::{Arguments, Failed, Trial};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn main() {
    let args = Arguments::from_args();
    let mut trials: Vec<Trial> = ALL
        .iter()
        .map(|rule| {
            Trial::test(format!("{} {}", rule.code, rule.name), move || {
                check_rule(rule)
            })
        })
        .collect();
    trials.push(Trial::test(
        "every fixture names a rule",
        every_fixture_names_a_rule,
    ));
    libtest_mimic::run(&args, trials).exit();
}

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

fn as_of() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 24)
}

/// Checks a fixture directory from the project's root.
fn check(dir: &Path) -> Result<Report, Fatal> {
    let ws = Workspace::new(Path::new(env!("CARGO_MANIFEST_DIR")));
    let req = Request {
        paths: vec![dir.to_path_buf()],
        policies: Vec::new(),
        as_of: as_of(),
    };
    let mut report = kpilint::pipeline::check(&ws, &req)?;
    // A fixture's baseline applies as `--baseline` would apply it.
    let baseline = dir.join("kpilint-baseline.json");
    if baseline.is_file() {
        let read = kpilint::baseline::read(&baseline, ws.display(&baseline)).map_err(Fatal::msg)?;
        kpilint::baseline::apply(&mut report, read, as_of(), false);
    }
    Ok(report)
}

/// Compares `dir/head` with `dir/base`, from `dir/head`.
fn diff(dir: &Path) -> Result<Report, Fatal> {
    let head = dir.join("head");
    let mut ws = Workspace::new(&head);
    // As `kpilint diff` does: the base's kpilint.toml governs, the head's is reviewed.
    let own = kpilint::config::load(&head.join(kpilint::config::FILE_NAME)).ok();
    let req = Request {
        paths: vec![head.clone()],
        policies: Vec::new(),
        as_of: as_of(),
    };
    let plan = kpilint::diff::prepare(&ws, &Base::Dir(dir.join("base")), &req)?;
    ws.config.clone_from(&plan.config);
    kpilint::diff::run(&ws, own.as_ref(), &req, &plan)
}

/// The report of a fixture: a fatal error's findings count too (a policy that does not
/// parse is the point of some fixtures).
fn run(rule: &Rule, dir: &Path) -> Result<Report, String> {
    let result = if rule.group == Group::Diff {
        diff(dir)
    } else {
        check(dir)
    };
    match result {
        Ok(r) => Ok(r),
        Err(f) => f.report.map(|r| *r).ok_or(f.message),
    }
}

/// (file name, line) of every `# CODE` marker under `dir`, and of every `file:line` entry
/// of its `expected.txt`.
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

/// (file name, line) of each finding of `rule`.
fn hits(report: &Report, rule: &Rule) -> BTreeSet<(String, usize)> {
    report
        .findings
        .iter()
        .filter(|f| f.rule.code == rule.code)
        .map(|f| {
            let at = locate(report, &f.primary);
            let name = Path::new(&at.file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, at.line)
        })
        .collect()
}

fn check_rule(rule: &'static Rule) -> Result<(), Failed> {
    let dir = fixture_root().join(rule.code);
    let (bad, ok) = (dir.join("bad"), dir.join("ok"));
    for d in [&bad, &ok] {
        if !d.is_dir() {
            return Err(format!("no `{}` fixture", d.display()).into());
        }
    }
    // bad: fires exactly on the marked lines.
    let report = run(rule, &bad)?;
    let marked_in = if rule.group == Group::Diff {
        bad.join("head")
    } else {
        bad.clone()
    };
    let expected = markers(&marked_in, rule.code);
    if expected.is_empty() {
        return Err(format!("the bad fixture has no `# {}` marker", rule.code).into());
    }
    let found = hits(&report, rule);
    if found != expected {
        return Err(format!("fired at {found:?}, marked {expected:?}").into());
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
        .replace(&*fixture_root().to_string_lossy(), "[FIXTURES]");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_snapshot!(format!("rules__{}-{}", rule.code, rule.name), text);
    });

    // ok: never fires.
    let report = run(rule, &ok)?;
    let stray: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule.code == rule.code)
        .map(|f| format!("{:?}: {}", locate(&report, &f.primary), f.message.plain()))
        .collect();
    if !stray.is_empty() {
        return Err(format!("the ok fixture fired: {stray:#?}").into());
    }
    Ok(())
}

/// A fixture directory for a code no rule has would never run.
fn every_fixture_names_a_rule() -> Result<(), Failed> {
    for entry in std::fs::read_dir(fixture_root()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !ALL.iter().any(|r| r.code == name) {
            return Err(format!("tests/fixtures/rules/{name} names no rule").into());
        }
    }
    Ok(())
}
