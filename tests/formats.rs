//! Every output format on one fixture (the demo), snapshotted; SARIF validated against the
//! OASIS SARIF 2.1.0 schema (a copy lives in `tests/data/`), JUnit parsed as XML.

use std::process::{Command, Output};

fn kpilint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpilint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("kpilint runs")
}

fn demo(format: &str) -> String {
    let o = kpilint(&[
        "check",
        "fixtures/demo",
        "--as-of=2026-11-24",
        "--format",
        format,
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn sarif_validates_against_the_oasis_schema() {
    let sarif: serde_json::Value = serde_json::from_str(&demo("sarif")).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), kpilint::rules::ALL.len());
    let vanity = rules.iter().find(|r| r["name"] == "vanity-metric").unwrap();
    assert!(
        vanity["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .contains("## Why is this bad?")
    );
    // Every result is located relative to the repository root and fingerprinted.
    for r in run["results"].as_array().unwrap() {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("fixtures/demo/"), "{uri}");
        assert!(r["partialFingerprints"]["kpilint/v1"].is_string());
    }
    insta::assert_json_snapshot!("sarif", sarif["runs"][0]["results"]);
}

#[test]
fn sarif_fingerprints_survive_moved_lines() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    let copy = |extra: &str| {
        for sub in ["policies/frameworks", "metrics"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        for f in [
            "policies/acme-kpi-policy.toml",
            "policies/frameworks/acme-iam-standard.toml",
            "metrics/identity-team.json",
        ] {
            std::fs::copy(root.join(f), dir.path().join(f)).unwrap();
        }
        let text = std::fs::read_to_string(root.join("metrics/platform-security.toml")).unwrap();
        std::fs::write(
            dir.path().join("metrics/platform-security.toml"),
            format!("{extra}{text}"),
        )
        .unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_kpilint"))
            .args(["check", ".", "--as-of=2026-11-24", "--format", "sarif"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["kpilint/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect::<std::collections::BTreeSet<_>>()
    };
    let before = copy("");
    let after = copy("# a new comment\n# moves every line down\n");
    assert_eq!(before, after);
}

#[test]
fn junit_is_well_formed_with_a_suite_per_file() {
    let xml = demo("junit");
    assert!(xml.starts_with("<?xml"));
    assert_eq!(
        xml.matches("<testsuite ").count(),
        xml.matches("</testsuite>").count()
    );
    assert_eq!(
        xml.matches("<testcase ").count(),
        xml.matches("</testcase>").count()
    );
    assert!(xml.contains(r#"<testsuite name="fixtures/demo/metrics/platform-security.toml""#));
    assert!(xml.contains("<skipped message=\"waived by an exception"));
    insta::assert_snapshot!("junit", xml);
}

#[test]
fn github_annotations() {
    let out = demo("github");
    for line in out.lines() {
        assert!(
            line.starts_with("::error file=")
                || line.starts_with("::warning file=")
                || line.starts_with("::notice file="),
            "{line}"
        );
        assert!(!line[2..].contains('\n'));
    }
    insta::assert_snapshot!("github", out);
}

#[test]
fn markdown_summary_with_scorecard() {
    let out = demo("markdown");
    assert!(out.contains("### Scorecard"));
    insta::assert_snapshot!("markdown", out);
}
