//! The command line as users and CI see it: exit codes, formats, `explain`, `rules`,
//! `schema`, `--output`, and errors that stop a run.

use std::path::Path;
use std::process::{Command, Output};

fn kpilint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpilint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env("COLUMNS", "100")
        .output()
        .expect("kpilint runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

const AS_OF: &str = "--as-of=2026-11-24";

#[test]
fn demo_fails_with_located_findings() {
    let o = kpilint(&["check", "fixtures/demo", AS_OF]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!("demo_human", stdout(&o));
}

#[test]
fn demo_json_matches_the_report_schema() {
    let o = kpilint(&["check", "fixtures/demo", AS_OF, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&stdout(&kpilint(&["schema", "report"]))).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(report["summary"]["errors"].as_u64().unwrap() > 0);
    insta::assert_json_snapshot!("demo_json", report);
}

#[test]
fn output_is_stable_from_run_to_run() {
    let a = kpilint(&["check", "fixtures/demo", AS_OF, "--format", "json"]);
    let b = kpilint(&["check", "fixtures/demo", AS_OF, "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn fail_on_sets_the_exit_code() {
    let never = kpilint(&["check", "fixtures/demo", AS_OF, "--fail-on", "never"]);
    assert_eq!(never.status.code(), Some(0));
    let clean = kpilint(&["check", "tests/fixtures/cli/warnings-only", AS_OF]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
    let strict = kpilint(&[
        "check",
        "tests/fixtures/cli/warnings-only",
        AS_OF,
        "--fail-on",
        "warning",
    ]);
    assert_eq!(strict.status.code(), Some(1), "{}", stdout(&strict));
}

#[test]
fn clean_catalogue_under_the_builtin_baseline_passes() {
    let o = kpilint(&[
        "check",
        "tests/fixtures/cli/clean",
        AS_OF,
        "--fail-on",
        "warning",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("0 errors, 0 warnings"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn explain_by_name_and_code() {
    let by_name = kpilint(&["explain", "vanity-metric"]);
    let by_code = kpilint(&["explain", "kpi301"]);
    assert_eq!(by_name.status.code(), Some(0));
    assert_eq!(by_name.stdout, by_code.stdout);
    insta::assert_snapshot!("explain_vanity_metric", stdout(&by_name));
    let json: serde_json::Value =
        serde_json::from_slice(&kpilint(&["explain", "KPI301", "--format", "json"]).stdout)
            .unwrap();
    assert_eq!(json["name"], "vanity-metric");
    let unknown = kpilint(&["explain", "vanity-metrc"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("did you mean `vanity-metric`?"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn rules_lists_every_rule() {
    let o = kpilint(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!("rules", stdout(&o));
}

#[test]
fn frameworks_lists_builtins_and_controls() {
    let list = stdout(&kpilint(&["frameworks"]));
    for id in ["owasp-nhi-2025", "nist-csf-2.0", "nist-ai-rmf-1.0"] {
        assert!(list.contains(id), "{list}");
    }
    let nhi = stdout(&kpilint(&["frameworks", "owasp-nhi-2025"]));
    assert!(nhi.contains("NHI10:2025   Human Use of NHI"), "{nhi}");
    let csf = stdout(&kpilint(&["frameworks", "nist-csf-2.0"]));
    assert!(
        csf.contains("PR.AC-01") && csf.contains("withdrawn -> PR.AA-01, PR.AA-05"),
        "{csf}"
    );
    assert_eq!(kpilint(&["frameworks", "iso-27001"]).status.code(), Some(2));
}

/// The kinds `kpilint schema` prints.
const SCHEMA_KINDS: [&str; 6] = [
    "policy",
    "catalogue",
    "framework",
    "events",
    "data",
    "report",
];

#[test]
fn schema_prints_each_kind() {
    for kind in SCHEMA_KINDS {
        let o = kpilint(&["schema", kind]);
        assert_eq!(o.status.code(), Some(0));
        let on_disk = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schemas/{kind}.schema.json")),
        )
        .unwrap();
        assert_eq!(stdout(&o), on_disk);
    }
}

#[test]
fn unparsable_policy_is_exit_2_with_its_location() {
    let o = kpilint(&["check", "tests/fixtures/cli/broken-policy", AS_OF]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("policy.toml:3:"), "{err}");
    assert!(err.contains("a policy file could not be parsed"), "{err}");
}

#[test]
fn unknown_extends_is_exit_2() {
    let o = kpilint(&["check", "tests/fixtures/cli/unknown-extends", AS_OF]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("extends `org-minimum`, which no policy file defines"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn missing_path_and_bad_arguments_are_exit_2() {
    let o = kpilint(&["check", "no/such/dir"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read `no/such/dir`: no such file or directory"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        kpilint(&["check", "--as-of", "yesterday"]).status.code(),
        Some(2)
    );
    assert_eq!(
        kpilint(&["check", "--format", "yaml"]).status.code(),
        Some(2)
    );
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let o = kpilint(&[
        "check",
        "fixtures/demo",
        AS_OF,
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written["version"], 1);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "temporary file left behind");
    let bad = kpilint(&[
        "check",
        "fixtures/demo",
        AS_OF,
        "--output",
        "/nonexistent-dir/report.txt",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn as_of_moves_expiry_and_overdue() {
    // Before the demo OKR's due date and before the expired exception lapsed, neither
    // finding exists.
    let early = stdout(&kpilint(&[
        "check",
        "fixtures/demo",
        "--as-of=2026-05-01",
        "--format",
        "json",
    ]));
    let late = stdout(&kpilint(&[
        "check",
        "fixtures/demo",
        AS_OF,
        "--format",
        "json",
    ]));
    for rule in ["okr-overdue", "expired-exception"] {
        assert!(
            !early.contains(&format!("\"rule\": \"{rule}\"")),
            "{rule} early"
        );
        assert!(
            late.contains(&format!("\"rule\": \"{rule}\"")),
            "{rule} late"
        );
    }
}

#[test]
fn effective_date_turns_a_warning_into_an_error() {
    // The demo policy: `okr-overdue = { severity = "error", effective = 2027-01-01 }`.
    let severity_on = |date: &str| {
        let o = kpilint(&[
            "check",
            "fixtures/demo",
            &format!("--as-of={date}"),
            "--format",
            "json",
        ]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "okr-overdue")
            .map(|f| f["severity"].as_str().unwrap().to_owned())
    };
    assert_eq!(severity_on("2026-12-31").as_deref(), Some("warning"));
    assert_eq!(severity_on("2027-01-01").as_deref(), Some("error"));
}

#[test]
fn a_live_exception_is_reported_as_suppressed_not_hidden() {
    let o = kpilint(&["check", "fixtures/demo", AS_OF, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let waived: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == true)
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["subject"], "audit-findings-closed-on-time");
    assert_eq!(
        waived[0]["suppressed_by"]["file"],
        "fixtures/demo/policies/acme-kpi-policy.toml"
    );
    assert_eq!(v["summary"]["suppressed"], 1);
}

#[test]
fn eval_prints_the_scorecard_board_first() {
    let o = kpilint(&["eval", "fixtures/demo", AS_OF, "--color", "never"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!("demo_eval", stdout(&o));
}

#[test]
fn eval_json_scorecard_matches_the_report_schema() {
    let o = kpilint(&["eval", "fixtures/demo", AS_OF, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&stdout(&kpilint(&["schema", "report"]))).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let card = report["scorecard"].as_array().unwrap();
    let status = |m: &str| {
        card.iter().find(|l| l["metric"] == m).map(|l| {
            (
                l["status"].as_str().unwrap().to_owned(),
                l["trend"].as_str().unwrap().to_owned(),
            )
        })
    };
    assert_eq!(
        status("privileged-access-zsp"),
        Some(("breach".into(), "down".into()))
    );
    assert_eq!(
        status("nhi-owner-coverage"),
        Some(("off-target".into(), "down".into()))
    );
    assert_eq!(
        status("insecure-auth-nhi"),
        // Stale too, but short of its target: off-target outranks stale.
        Some(("off-target".into(), "down".into()))
    );
    assert_eq!(
        status("mean-time-to-detect"),
        Some(("missing".into(), "flat".into()))
    );
    assert_eq!(card[0]["tier"], "board");
}

#[test]
fn data_rows_are_checked_by_check_too() {
    let o = kpilint(&["check", "fixtures/demo", AS_OF, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "threshold-breach",
        "negative-trend",
        "stale-data",
        "manual-data",
        "missing-data",
    ] {
        assert!(rules.contains(&rule), "{rule} missing from {rules:?}");
    }
}

fn kpilint_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpilint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("kpilint runs")
}

#[test]
fn init_scaffolds_a_repository_that_passes_check() {
    let dir = tempfile::tempdir().unwrap();
    let o = kpilint_in(dir.path(), &["init", AS_OF]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in [
        "kpilint.toml",
        "policies/kpi-policy.toml",
        "metrics/my-team.toml",
        "data/my-team.csv",
    ] {
        assert!(dir.path().join(f).is_file(), "{f}");
    }
    let check = kpilint_in(dir.path(), &["check", AS_OF, "--fail-on", "warning"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert!(
        stdout(&check).contains("0 errors, 0 warnings"),
        "{}",
        stdout(&check)
    );
    let eval = kpilint_in(dir.path(), &["eval", AS_OF, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert!(
        v["scorecard"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["status"] == "on-target" || l["status"] == "on-track"),
        "{v:#}"
    );
}

#[test]
fn init_refuses_to_overwrite_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kpilint.toml"), "format = \"json\"\n").unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/my-team.csv"), "metric,period,value\n").unwrap();
    let o = kpilint_in(dir.path(), &["init", AS_OF]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("data/my-team.csv"), "{}", stderr(&o));
    assert!(
        !dir.path().join("metrics/my-team.toml").exists(),
        "nothing is half-written"
    );
    // Another team joins the layout; the configuration is kept.
    let o = kpilint_in(dir.path(), &["init", "--team", "soc", AS_OF]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.path().join("metrics/soc.toml").is_file());
    assert!(!stdout(&o).contains("kpilint.toml"), "{}", stdout(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("kpilint.toml")).unwrap(),
        "format = \"json\"\n"
    );
    let o = kpilint_in(dir.path(), &["init", "--team", "Bad Team", AS_OF]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("a team name is lower-case"),
        "{}",
        stderr(&o)
    );
    let forced = kpilint_in(dir.path(), &["init", "--force", AS_OF]);
    assert_eq!(forced.status.code(), Some(0));
    assert!(
        std::fs::read_to_string(dir.path().join("kpilint.toml"))
            .unwrap()
            .contains("policies =")
    );
}

#[test]
fn config_sets_defaults_the_command_line_overrides_and_typos_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        kpilint_in(dir.path(), &["init", AS_OF]).status.code(),
        Some(0)
    );
    std::fs::write(
        dir.path().join("kpilint.toml"),
        "catalogues = [\"metrics/*.toml\"]\nformat = \"json\"\nfail_on = \"warning\"\nfial_on = \"never\"\n",
    )
    .unwrap();
    // Run from a subdirectory: the config is found upward.
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let o = kpilint_in(&dir.path().join("sub"), &["check", AS_OF]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("format = json from the config");
    let typo = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "schema")
        .unwrap();
    assert!(
        typo["message"]
            .as_str()
            .unwrap()
            .contains("unknown key `fial_on`"),
        "{typo}"
    );
    assert_eq!(typo["line"], 4);
    let human = kpilint_in(
        &dir.path().join("sub"),
        &["check", AS_OF, "--format", "human"],
    );
    assert!(
        stdout(&human).contains("kpilint: 1 error"),
        "{}",
        stdout(&human)
    );
}

/// A repository in a temporary directory: `files` are (path, text).
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const TEAM_POLICY: &str = "[policy]\nid = \"team\"\n\n[[category]]\nid = \"identity_access\"\nowner = \"iam@example.com\"\n";

const ONE_METRIC: &str = r#"[catalogue]
id = "team"

[[metric]]
id = "orphaned-nhis"
name = "Orphaned NHIs"
tier = "tactical"
category = "identity_access"
unit = "count"
direction = "lower_is_better"
owner = "iam@example.com"
cadence = "monthly"
source = "automated"
thresholds = { target = 0, warn = 5, critical = 10 }
"#;

fn findings(o: &Output) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(o), stderr(o)));
    v["findings"].as_array().unwrap().clone()
}

#[test]
fn a_named_policy_that_is_not_there_is_exit_2_not_the_baseline() {
    let dir = repo(&[("metrics/c.toml", ONE_METRIC), ("empty/.keep", "")]);
    for policy in ["empty", "metrics/c.toml"] {
        let o = kpilint_in(dir.path(), &["check", "metrics", "--policy", policy, AS_OF]);
        assert_eq!(o.status.code(), Some(2), "{policy}: {}", stdout(&o));
        assert!(stderr(&o).contains("no policy found in"), "{}", stderr(&o));
    }
}

#[test]
fn a_policy_named_and_walked_is_the_policy() {
    let dir = repo(&[
        ("policies/p.toml", TEAM_POLICY),
        ("metrics/c.toml", ONE_METRIC),
    ]);
    let o = kpilint_in(
        dir.path(),
        &["check", ".", "--policy", "policies/p.toml", AS_OF],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn nothing_to_check_is_exit_2() {
    let dir = repo(&[
        ("README.md", "no kpilint files here\n"),
        ("Cargo.toml", "[package]\nname = \"x\"\n"),
    ]);
    let o = kpilint_in(dir.path(), &["check", AS_OF]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("nothing to check"), "{}", stderr(&o));
    let o = kpilint_in(dir.path(), &["check", ".", AS_OF]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("no policy, catalogue, event register or data file in `.`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_file_named_twice_is_read_once() {
    let dir = repo(&[
        ("policies/p.toml", TEAM_POLICY),
        ("metrics/c.toml", ONE_METRIC),
    ]);
    let o = kpilint_in(
        dir.path(),
        &[
            "check",
            "metrics/c.toml",
            "metrics",
            "./metrics/c.toml",
            AS_OF,
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(findings(&o).is_empty(), "{:#?}", findings(&o));
}

#[test]
fn the_repository_policy_applies_in_a_subdirectory() {
    // A rule the team policy turns off would fire under the baseline.
    let policy = format!("{TEAM_POLICY}\n[rules]\nunmapped-kpi = \"off\"\n");
    let dir = repo(&[
        (".git/HEAD", ""),
        ("policies/p.toml", &policy),
        ("metrics/c.toml", ONE_METRIC),
    ]);
    let o = kpilint_in(
        &dir.path().join("metrics"),
        &["check", "c.toml", AS_OF, "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // The baseline would require its board KPIs: nothing says so, the team policy is used.
    assert!(findings(&o).is_empty(), "{:#?}", findings(&o));
}

#[test]
fn parse_errors_and_schema_findings_cannot_be_switched_off() {
    let policy = format!("{TEAM_POLICY}\n[rules]\nschema = \"off\"\n");
    let typo = ONE_METRIC.replace("owner = \"iam", "ownr = \"iam");
    let dir = repo(&[("policies/p.toml", &policy), ("metrics/c.toml", &typo)]);
    let o = kpilint_in(dir.path(), &["check", AS_OF, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let messages: Vec<String> = findings(&o)
        .iter()
        .filter(|f| f["rule"] == "schema")
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`schema`, which cannot be configured")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("unknown key `ownr`")),
        "{messages:#?}"
    );
}

#[test]
fn an_unapproved_exception_waives_nothing() {
    let policy = format!(
        "{TEAM_POLICY}\n[rules]\nunapproved-exception = \"off\"\n\n[[exception]]\nrule = \"manual-source\"\nsubject = \"orphaned-nhis\"\nexpires = 2027-01-31\n"
    );
    let manual = ONE_METRIC.replace("\"automated\"", "\"manual\"");
    let dir = repo(&[("policies/p.toml", &policy), ("metrics/c.toml", &manual)]);
    let o = kpilint_in(dir.path(), &["check", AS_OF, "--format", "json"]);
    let f = findings(&o);
    let manual = f
        .iter()
        .find(|f| f["rule"] == "manual-source")
        .expect("still reported");
    assert_eq!(manual["suppressed"], false, "{manual}");
    assert!(
        manual["notes"][0]
            .as_str()
            .unwrap()
            .contains("waives nothing"),
        "{manual}"
    );
}

#[test]
fn two_policies_with_one_id_are_a_duplicate() {
    let dir = repo(&[
        ("policies/a.toml", TEAM_POLICY),
        ("policies/b.toml", "[policy]\nid = \"team\"\n"),
        ("metrics/c.toml", ONE_METRIC),
    ]);
    let o = kpilint_in(dir.path(), &["check", AS_OF, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let dup = findings(&o)
        .into_iter()
        .find(|f| f["rule"] == "duplicate-id")
        .expect("duplicate-id");
    assert_eq!(dup["file"], "policies/b.toml");
    assert!(
        dup["message"].as_str().unwrap().contains("policy `team`"),
        "{dup}"
    );
}

#[test]
fn a_yaml_catalogue_is_read_and_other_yaml_is_skipped() {
    let dir = repo(&[
        ("policies/p.toml", TEAM_POLICY),
        ("metrics/c.toml", ONE_METRIC),
        (
            "metrics/more.yaml",
            "# team metrics\ncatalogue:\n  id: more\nmetric:\n  - id: x\n",
        ),
        ("metrics/unrelated.yml", "steps:\n  - run: echo\n"),
    ]);
    let o = kpilint_in(dir.path(), &["check", AS_OF, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let f = findings(&o);
    // Read as TOML and JSON are: what the metric lacks is reported at its id.
    let rules: Vec<_> = f
        .iter()
        .map(|x| {
            (
                x["file"].as_str(),
                x["rule"].as_str(),
                x["line"].as_u64(),
                x["column"].as_u64(),
            )
        })
        .collect();
    let at = |rule| (Some("metrics/more.yaml"), Some(rule), Some(5), Some(9));
    assert_eq!(
        rules,
        [
            at("missing-owner"),
            at("missing-threshold"),
            at("missing-cadence")
        ]
    );
}

#[test]
fn an_invalid_config_glob_is_a_finding() {
    let dir = repo(&[
        (
            "kpilint.toml",
            "catalogues = [\"metrics/*.toml\", \"metrics/[*.toml\"]\n",
        ),
        ("policies/p.toml", TEAM_POLICY),
        ("metrics/c.toml", ONE_METRIC),
    ]);
    let o = kpilint_in(dir.path(), &["check", AS_OF, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let f = findings(&o);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("glob `metrics/[*.toml` is invalid"),
        "{f:#?}"
    );
    assert_eq!(
        (f[0]["line"].as_u64(), f[0]["column"].as_u64()),
        (Some(1), Some(33))
    );
}

#[test]
fn a_broken_config_does_not_stop_init_or_explain() {
    let dir = repo(&[("kpilint.toml", "format = = 1\n")]);
    let o = kpilint_in(dir.path(), &["explain", "vanity-metric"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = kpilint_in(dir.path(), &["check", AS_OF]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("kpilint.toml:1:10"), "{}", stderr(&o));
}

#[test]
fn a_fatal_error_still_writes_the_machine_report() {
    let o = kpilint(&[
        "check",
        "tests/fixtures/cli/broken-policy",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let f = findings(&o);
    assert_eq!(f[0]["rule"], "parse-error", "{f:#?}");
}

#[test]
fn frameworks_lists_the_repository_frameworks_and_where_withdrawn_ids_went() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    let o = kpilint_in(&demo, &["frameworks"]);
    assert!(
        stdout(&o).contains("acme-iam-standard  ACME Internal IAM Standard (6 controls)"),
        "{}",
        stdout(&o)
    );
    let o = kpilint_in(&demo, &["frameworks", "acme-iam-standard"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("IAM-04       Privileged access is just in time"),
        "{}",
        stdout(&o)
    );
    let o = kpilint(&["frameworks", "nist-csf-2.0"]);
    assert!(
        stdout(&o).contains("RS.RP        Response Planning  [withdrawn -> RS.MA-01]"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn coverage_lists_controls_against_the_kpis_that_evidence_them() {
    let o = kpilint(&["coverage", "fixtures/demo", AS_OF]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "findings decide the exit code: {}",
        stderr(&o)
    );
    insta::assert_snapshot!("demo_coverage", stdout(&o));
    let o = kpilint(&[
        "coverage",
        "fixtures/demo",
        AS_OF,
        "--framework",
        "owasp-nhi-2025",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let fw = &v["frameworks"][0];
    assert_eq!(
        (
            fw["id"].as_str(),
            fw["covered"].as_u64(),
            fw["total"].as_u64()
        ),
        (Some("owasp-nhi-2025"), Some(10), Some(10))
    );
    assert_eq!(
        fw["controls"][3]["kpis"],
        serde_json::json!(["insecure-auth-nhi"])
    );
    let o = kpilint(&["coverage", "fixtures/demo", AS_OF, "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_secondary_label_points_into_the_file_it_names() {
    // The team layer restates a KPI; `required` and the thresholds it leaves out come from
    // the org layer, and findings about them point into the org file, at their lines.
    let org = "[policy]\nid = \"org\"\n\n[[category]]\nid = \"identity_access\"\nowner = \"iam@example.com\"\n\n[[kpi]]\nid = \"k\"\ntitle = \"K\"\ntier = \"tactical\"\ncategory = \"identity_access\"\nunit = \"percent\"\ndirection = \"higher_is_better\"\ncadence = \"monthly\"\nrequired = true\nthresholds = { target = 95, warn = 90, critical = 80 }\n";
    let team = "[policy]\nid = \"team\"\nextends = [\"org\"]\n\n[[kpi]]\nid = \"k\"\nthresholds = { target = 97 }\n";
    let dir = repo(&[
        ("policies/org.toml", org),
        ("policies/team.toml", team),
        ("metrics/c.toml", ONE_METRIC),
    ]);
    let o = kpilint_in(dir.path(), &["check", AS_OF, "--format", "json"]);
    let f = findings(&o);
    let missing = f
        .iter()
        .find(|f| f["rule"] == "missing-required-kpi")
        .unwrap_or_else(|| panic!("{f:#?}"));
    let related = &missing["related"][0];
    assert_eq!(related["file"], "policies/org.toml", "{missing:#}");
    assert_eq!(related["line"], 16, "{missing:#}");
    assert_eq!(related["column"], 12, "{missing:#}");
}

#[test]
fn an_invalid_format_or_fail_on_in_the_config_is_a_schema_finding() {
    let dir = repo(&[
        (
            "kpilint.toml",
            "format = \"xml\"\nfail_on = \"sometimes\"\n",
        ),
        ("policies/p.toml", TEAM_POLICY),
        ("metrics/c.toml", ONE_METRIC),
    ]);
    // Neither value is used: the defaults hold (human output, fail on errors).
    let o = kpilint_in(dir.path(), &["check", AS_OF]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("`xml` is not one of"), "{out}");
    assert!(out.contains("`sometimes` is not one of"), "{out}");
    assert!(out.contains("kpilint: 2 errors"), "{out}");
}

#[test]
fn a_match_key_written_under_banned_says_where_it_belongs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.toml"),
        "[policy]\nid = \"p\"\n\n[[banned]]\nid = \"x\"\nname = \"number of alerts handled\"\nmatch = { tier = \"board\" }\n",
    )
    .unwrap();
    let o = kpilint_in(
        dir.path(),
        &["check", "--format", "json", AS_OF, "policy.toml"],
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "schema")
        .expect("a schema finding");
    assert_eq!(f["message"], "unknown key `name` in `banned[0]`");
    assert_eq!(f["line"], 6);
    assert_eq!(
        f["help"],
        "`name` belongs in the entry's `match` table: `match = { name = ... }`"
    );
}

/// The scorecard lines of `kpilint eval --format json` in `dir`, by metric id.
fn scorecard_in(dir: &Path) -> std::collections::BTreeMap<String, serde_json::Value> {
    let o = kpilint_in(dir, &["eval", "--format", "json", AS_OF, "."]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    report["scorecard"]
        .as_array()
        .expect("a scorecard")
        .iter()
        .map(|l| (l["metric"].as_str().unwrap().to_owned(), l.clone()))
        .collect()
}

#[test]
fn the_status_ladder_and_okr_progress() {
    let dir = tempfile::tempdir().unwrap();
    let metric = |id: &str, extra: &str| {
        format!(
            "[[metric]]\nid = \"{id}\"\nname = \"Metric {id}\"\ntier = \"tactical\"\nunit = \"percent\"\n\
             direction = \"higher_is_better\"\nowner = \"o@example.com\"\ncadence = \"monthly\"\n{extra}\n"
        )
    };
    // OKRs from 2026-01-01 to 2026-12-31: by the end of 2026-10, 83% of the way is expected.
    let okr = |id: &str, baseline: u32, target: u32| {
        format!(
            "[[metric]]\nid = \"{id}\"\nname = \"OKR {id}\"\ntier = \"okr\"\nunit = \"percent\"\nowner = \"o@example.com\"\n\
             cadence = \"monthly\"\nokr = {{ objective = \"x\", baseline = {baseline}, target = {target}, start = 2026-01-01, due = 2026-12-31 }}\n"
        )
    };
    let mut catalogue = String::from("[catalogue]\nid = \"c\"\n");
    catalogue += &metric(
        "breach",
        "thresholds = { target = 95, warn = 90, critical = 80 }",
    );
    catalogue += &metric(
        "warn",
        "thresholds = { target = 95, warn = 90, critical = 80 }",
    );
    catalogue += &metric(
        "short",
        "thresholds = { target = 95, warn = 90, critical = 80 }",
    );
    catalogue += &metric(
        "fine",
        "thresholds = { target = 95, warn = 90, critical = 80 }",
    );
    catalogue += &metric(
        "old",
        "thresholds = { target = 95, warn = 90, critical = 80 }",
    );
    catalogue += &metric("falling", "thresholds = { trend = \"up\" }");
    catalogue += &metric("nodata", "thresholds = { target = 95 }");
    catalogue += &okr("achieved", 40, 90);
    catalogue += &okr("ontrack", 40, 90);
    catalogue += &okr("atrisk", 40, 90);
    catalogue += &okr("offtrack", 40, 90);
    catalogue += &okr("down", 50, 10);
    catalogue += &okr("stopped", 40, 90);
    std::fs::write(dir.path().join("c.toml"), catalogue).unwrap();
    let mut csv = String::from("metric,period,value\n");
    for (id, values) in [
        ("breach", [96, 95, 90, 85, 82, 79]),
        ("warn", [96, 95, 94, 93, 90, 89]),
        ("short", [96, 95, 94, 93, 92, 93]),
        ("fine", [96, 95, 96, 95, 96, 95]),
        ("falling", [90, 88, 86, 84, 82, 80]),
        ("achieved", [50, 60, 70, 80, 85, 91]),
        ("ontrack", [50, 60, 70, 80, 82, 83]),
        ("atrisk", [50, 60, 70, 70, 75, 77]),
        ("offtrack", [50, 55, 56, 57, 58, 60]),
        ("down", [45, 40, 30, 25, 20, 14]),
    ] {
        for (m, v) in (5..=10).zip(values) {
            csv += &format!("{id},2026-{m:02},{v}\n");
        }
    }
    csv += "old,2026-06,97\nold,2026-07,97\nold,2026-08,97\n";
    // On track by its last value, but that value is from July: stale.
    csv += "stopped,2026-05,60\nstopped,2026-06,65\nstopped,2026-07,75\n";
    std::fs::write(dir.path().join("data.csv"), csv).unwrap();
    let card = scorecard_in(dir.path());
    let status = |id: &str| card[id]["status"].as_str().unwrap().to_owned();
    for (id, want) in [
        ("breach", "breach"),
        ("warn", "warn"),
        ("short", "off-target"),
        ("fine", "on-target"),
        ("old", "stale"),
        ("falling", "off-target"),
        ("nodata", "missing"),
        ("achieved", "achieved"),
        ("ontrack", "on-track"),
        ("atrisk", "at-risk"),
        ("offtrack", "off-track"),
        ("down", "on-track"),
        ("stopped", "stale"),
    ] {
        assert_eq!(status(id), want, "{id}: {:#}", card[id]);
    }
    // 83 is 43 of the 50 points from 40 to 90: 86% of the way. The line is read at the end
    // of 2026-10, the latest period: 303 of the 364 days from start to due.
    assert_eq!(card["ontrack"]["progress"], 0.86);
    assert!((card["ontrack"]["expected"].as_f64().unwrap() - 303.0 / 364.0).abs() < 1e-9);
    assert_eq!(card["falling"]["trend_verdict"], "worsening");
    assert_eq!(card["down"]["trend_verdict"], "changing");
    assert_eq!(card["breach"]["name"], "Metric breach");
    assert_eq!(card["breach"]["owner"], "o@example.com");
}

#[test]
fn an_okr_past_due_is_overdue_and_a_banned_metric_is_never_healthy() {
    let o = kpilint(&["eval", "--format", "json", AS_OF, "fixtures/demo"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let line = |id: &str| {
        report["scorecard"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["metric"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(line("vault-migration-okr")["status"], "overdue");
    assert_eq!(line("vault-migration-okr")["target"], 95.0);
    assert_eq!(line("secrets-rotated-this-week")["status"], "banned");
    assert_eq!(line("nhi-owner-coverage")["status"], "off-target");
    assert_eq!(line("nhi-owner-coverage")["trend_verdict"], "worsening");
}

#[test]
fn coverage_in_markdown_keeps_control_texts() {
    let o = kpilint(&["coverage", "--format", "markdown", AS_OF, "fixtures/demo"]);
    assert_eq!(o.status.code(), Some(1), "the demo has errors");
    let out = stdout(&o);
    assert!(out.starts_with("## Framework coverage\n"), "{out}");
    assert!(out.contains(
        "| `PR.AA-01` | Identities and credentials for authorized users, services, and hardware are managed by the organization | `identity-unmanaged-nhi-exposure`, `unmanaged-nhi-exposure` |"
    ), "{out}");
    assert!(out.contains("| `NHI10:2025` | Human Use of NHI | `human-use-of-nhi` |"));
}

#[test]
fn completions_man_and_the_schema_list() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = kpilint(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        assert!(
            stdout(&o).contains("report"),
            "{shell}: names the subcommands"
        );
    }
    let man = kpilint(&["man"]);
    assert!(stdout(&man).contains(".TH kpilint 1"));
    assert!(stdout(&man).contains("completions"));
    let list = kpilint(&["schema"]);
    assert_eq!(list.status.code(), Some(0));
    for kind in SCHEMA_KINDS {
        assert!(stdout(&list).contains(&format!("  {kind} ")), "{kind}");
    }
}

#[test]
fn output_says_where_it_wrote_unless_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let out_arg = out.to_str().unwrap();
    let o = kpilint(&[
        "check",
        AS_OF,
        "--format",
        "json",
        "--output",
        out_arg,
        "fixtures/demo",
    ]);
    assert_eq!(stderr(&o), format!("kpilint: wrote {out_arg}\n"));
    let quiet = kpilint(&[
        "check",
        AS_OF,
        "--quiet",
        "--format",
        "json",
        "--output",
        out_arg,
        "fixtures/demo",
    ]);
    assert_eq!(stderr(&quiet), "");
    assert!(out.is_file());
}

#[test]
fn spreadsheet_exports_are_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.toml"),
        "[catalogue]\nid = \"c\"\n[[metric]]\nid = \"pct\"\nunit = \"percent\"\n\
         [[metric]]\nid = \"cnt\"\nunit = \"count\"\n[[metric]]\nid = \"big\"\nunit = \"count\"\n",
    )
    .unwrap();
    // Excel in a decimal-comma locale: `;`, decimal commas, `95 %`, grouped thousands.
    std::fs::write(
        dir.path().join("excel.csv"),
        "metric;period;value\npct;2026-09;97,5\npct;2026-10;95 %\ncnt;2026-10;\"1.234,0\"\n",
    )
    .unwrap();
    // Tab-separated (`.tsv` is a data file too), and a comma file with a quoted grouped
    // number.
    std::fs::write(
        dir.path().join("sheet.tsv"),
        "metric\tperiod\tvalue\npct\t2026-08\t96.5%\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("plain.csv"),
        "metric,period,value\nbig,2026-10,\"1,234,567\"\n",
    )
    .unwrap();
    let card = scorecard_in(dir.path());
    assert_eq!(card["pct"]["window"], serde_json::json!([96.5, 97.5, 95.0]));
    assert_eq!(card["cnt"]["latest"], 1234.0);
    assert_eq!(card["big"]["latest"], 1_234_567.0);
}

/// `scale` multiplies a metric's rows as they are read: fractions exported for a percent
/// metric are judged as percentages (issue 11).
#[test]
fn scale_reads_fractions_as_percentages() {
    let o = kpilint(&[
        "eval",
        "--as-of",
        "2026-09-30",
        "--format",
        "json",
        "tests/fixtures/rules/KPI411/ok",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let line = |id: &str| {
        report["scorecard"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["metric"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(line("coverage")["latest"], 96.2);
    assert_eq!(line("coverage")["status"], "on-target");
    assert_eq!(line("exposure")["latest"], 0.25);
    assert_eq!(line("exposure")["status"], "on-target");
    assert_eq!(report["summary"]["warnings"], 0, "{report:#}");

    // Only plain values are scaled: a `95%` or a ratio is a percentage already; and the
    // scaled value is the decimal's nearest binary (57, not 56.99999999999999).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.toml"),
        "[catalogue]\nid = \"c\"\n[[metric]]\nid = \"pct\"\nunit = \"percent\"\nscale = 100\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("d.csv"),
        "metric,period,value,numerator,denominator\npct,2026-08,0.57,,\npct,2026-09,95%,,\npct,2026-10,,19,20\n",
    )
    .unwrap();
    let card = scorecard_in(dir.path());
    assert_eq!(card["pct"]["window"], serde_json::json!([57.0, 95.0, 95.0]));
}

/// Several teams: each catalogue implements some of the policy's KPIs under its own metric
/// ids, and `required_kpis = "organisation"` asks for each required KPI once (issue 11).
#[test]
fn three_teams_share_the_required_kpis() {
    let clean = kpilint(&["check", AS_OF, "--fail-on", "warning", "fixtures/teams"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));

    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new("fixtures/teams") {
        let entry = entry.unwrap();
        let to = dir
            .path()
            .join(entry.path().strip_prefix("fixtures/teams").unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    let missing = |dir: &Path| -> Vec<String> {
        let o = kpilint_in(dir, &["check", AS_OF, "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "missing-required-kpi")
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect()
    };
    // The one team that carries a required KPI drops it: one finding, at the KPI.
    let platform = dir.path().join("metrics/platform.toml");
    let text = std::fs::read_to_string(&platform).unwrap();
    let cut = text
        .split("\n[[metric]]\n")
        .filter(|b| !b.contains("implements = \"critical-secrets-rotated-within-sla\""))
        .collect::<Vec<_>>()
        .join("\n[[metric]]\n");
    std::fs::write(&platform, cut).unwrap();
    assert_eq!(
        missing(dir.path()),
        ["no catalogue carries required KPI `critical-secrets-rotated-within-sla`"]
    );
    // One team's file alone (as pre-commit may name it) says nothing about the others'.
    let o = kpilint_in(
        dir.path(),
        &["check", AS_OF, "--format", "json", "metrics/soc.toml"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "missing-required-kpi"),
        "{v:#}"
    );
    // Asking each team for every required KPI: platform and identity lack two each, soc
    // three.
    std::fs::write(&platform, &text).unwrap();
    let policy = dir.path().join("policies/kpi-policy.toml");
    let p = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &policy,
        p.replace(
            "required_kpis = \"organisation\"",
            "required_kpis = \"each-catalogue\"",
        ),
    )
    .unwrap();
    let each = missing(dir.path());
    assert_eq!(each.len(), 7, "{each:#?}");
    assert!(
        each.iter().all(|m| m.starts_with("catalogue `")),
        "{each:#?}"
    );
}
