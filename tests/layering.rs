//! Policy layers, checked on small org/team repositories in tests/fixtures/layering/: a
//! team policy that `extends` the group's may tighten it, never loosen it, and each layer
//! answers for what it writes (issue "Policy layers keep their provenance").

use std::path::Path;
use std::process::Command;

/// One finding: rule, severity, file, line, message.
type Found = (String, String, String, u64, String);

/// The fixture directory `tests/fixtures/layering/<path>`.
fn fixture(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/layering")
        .join(path)
}

/// Runs kpilint in `dir`.
fn kpilint(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kpilint"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// `kpilint diff` against `../base`, as of the fixtures' day, with extra arguments.
fn diff_in(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["diff", "--base-dir", "../base", "--as-of=2026-11-24"];
    args.extend_from_slice(extra);
    kpilint(dir, &args)
}

/// (rule, file, line, message) of each finding.
fn located(found: &[Found]) -> Vec<(&str, &str, u64, &str)> {
    found
        .iter()
        .map(|f| (f.0.as_str(), f.2.as_str(), f.3, f.4.as_str()))
        .collect()
}

/// The findings of a JSON report.
fn findings(what: &str, out: &std::process::Output) -> Vec<Found> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{what}: {e}\n{}", String::from_utf8_lossy(&out.stderr)));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Runs `kpilint check --format json` in a fixture repository with extra arguments.
fn check(name: &str, args: &[&str]) -> (Option<i32>, Vec<Found>) {
    let mut all = vec!["check", "--as-of=2026-11-24", "--format=json"];
    all.extend_from_slice(args);
    let out = kpilint(&fixture(name), &all);
    (out.status.code(), findings(name, &out))
}

/// `kpilint diff --format json` in a fixture's `head/` against its `base/`.
fn diff(name: &str) -> Vec<Found> {
    findings(
        name,
        &diff_in(&fixture(name).join("head"), &["--format=json"]),
    )
}

fn of_rule<'a>(found: &'a [Found], rule: &str) -> Vec<(&'a str, u64, &'a str)> {
    found
        .iter()
        .filter(|f| f.0 == rule)
        .map(|f| (f.2.as_str(), f.3, f.4.as_str()))
        .collect()
}

/// Defects 1 and 10: a team policy raising `max_board_kpis` and `stale_grace_days`,
/// switching off `missing-required-kpi` and lowering an org `error` is told so at its own
/// lines, and every one of those checks stays enforced at the group's level.
#[test]
fn a_team_policy_cannot_weaken_settings_or_rules() {
    let (code, found) = check("weakened-settings", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        of_rule(&found, "looser-than-policy"),
        [
            (
                "policies/team.toml",
                7,
                "`max_board_kpis = 9` is looser than `1` in force in the policies this one extends; it is ignored"
            ),
            (
                "policies/team.toml",
                8,
                "`stale_grace_days = 60` is looser than `10` in force in the policies this one extends; it is ignored"
            ),
            (
                "policies/team.toml",
                9,
                "`required_kpis = \"organisation\"` is looser than `\"each-catalogue\"` in force in the policies this one extends; it is ignored"
            ),
            (
                "policies/team.toml",
                12,
                "rule `missing-required-kpi` is `off` here but `error` (its default) in the policies this one extends; this setting is ignored"
            ),
            (
                "policies/team.toml",
                13,
                "rule `missing-owner` is `warning` here but `error` in the policies this one extends; this setting is ignored"
            ),
        ]
    );
    // What the team tried to switch off or relax is still enforced, at the org's level.
    for rule in [
        "board-kpi-limit",
        "stale-data",
        "missing-required-kpi",
        "missing-owner",
    ] {
        assert!(found.iter().any(|f| f.0 == rule), "{rule}: {found:#?}");
    }
    assert!(
        found
            .iter()
            .filter(|f| f.0 == "missing-owner")
            .all(|f| f.1 == "error"),
        "{found:#?}"
    );
}

/// The same shape tightened everywhere: nothing to report.
#[test]
fn tightening_is_applied_without_a_word() {
    let (code, found) = check("tightened", &[]);
    assert_eq!(code, Some(0), "{found:#?}");
    assert!(found.is_empty(), "{found:#?}");
}

/// Defect 2: the group's own contradiction stays reported, at the group's line, when a
/// team restates the KPI.
#[test]
fn a_parent_s_contradiction_is_reported_at_the_parent() {
    let (_, found) = check("parent-contradiction", &[]);
    assert_eq!(
        of_rule(&found, "threshold-order"),
        [(
            "policies/org.toml",
            19,
            "`secrets-rotated` is `higher_is_better`, so `target` must be >= `warn`"
        )]
    );
    assert_eq!(found.len(), 1, "{found:#?}");
}

/// Defect 8: a child that loosens `warn` keeps its tighter `critical`: 81 is judged
/// against the org's warn 90 and the team's critical 82, a breach.
#[test]
fn layers_merge_level_by_level() {
    let (_, found) = check("level-by-level", &[]);
    assert_eq!(
        of_rule(&found, "threshold-breach"),
        [(
            "data/team.csv",
            3,
            "`secrets-rotated` is 81 in 2026-10, past its critical threshold 82"
        )]
    );
    assert_eq!(
        of_rule(&found, "looser-than-policy"),
        [(
            "policies/team.toml",
            8,
            "KPI `secrets-rotated` in the extending policy sets warn 85 but the policy requires 90 for `secrets-rotated` (higher_is_better)"
        )]
    );
}

/// Defect 9: a quarterly metric under a monthly KPI is `looser-than-policy`, and its data
/// goes stale by the KPI's monthly cadence.
#[test]
fn the_stricter_cadence_judges_staleness() {
    let (_, found) = check("looser-cadence", &[]);
    assert_eq!(
        of_rule(&found, "stale-data"),
        [(
            "data/team.csv",
            2,
            "`secrets-rotated`: latest value is for 2026-08; the next was due by 2026-10-15"
        )]
    );
    assert_eq!(of_rule(&found, "looser-than-policy").len(), 1, "{found:#?}");
}

/// Defect 7: checking one catalogue (as pre-commit does) does not call an exception for a
/// metric in another catalogue unused; an exception whose subject is among the named files
/// is still judged, and checking the repository judges them all.
#[test]
fn an_exception_for_a_file_not_checked_is_not_unused() {
    let unused = |args: &[&str]| -> Vec<String> {
        let (_, found) = check("subset-of-files", args);
        found
            .into_iter()
            .filter(|f| f.0 == "unused-exception")
            .map(|f| f.4)
            .collect()
    };
    let pipeline = "exception for `manual-source` on `pipeline-secrets-scanned` is unused: no `manual-source` finding has subject `pipeline-secrets-scanned`";
    assert_eq!(unused(&["metrics/platform.toml"]), [pipeline]);
    assert_eq!(unused(&["metrics/identity.toml"]), Vec::<String>::new());
    assert_eq!(unused(&[]), [pipeline]);
    assert_eq!(
        unused(&["metrics"]),
        [pipeline],
        "a directory is checked whole"
    );
}

/// Defect 3: the group loosens a threshold and a setting that a team restates more
/// strictly. Nothing changes in effect, but the group's own policy got weaker: reported in
/// the group's file.
#[test]
fn diff_reports_a_group_loosening_hidden_by_a_stricter_team() {
    assert_eq!(
        located(&diff("diff-group-loosened")),
        [
            (
                "policy-weakened",
                "policies/org.toml",
                5,
                "`max_board_kpis` goes from 5 to 9"
            ),
            (
                "threshold-loosened",
                "policies/org.toml",
                20,
                "this change lowers target from 95 to 90 for KPI `secrets-rotated`"
            ),
        ]
    );
}

/// Defect 4: each change is reported in the file that makes it: the team dropping its
/// tighter warn at the team's file, a KPI removed from the group at the group's. And an
/// unlocked rule (defect 5) at the line that unlocks it.
#[test]
fn diff_reports_each_change_in_its_own_file() {
    assert_eq!(
        located(&diff("diff-team-loosened")),
        [
            (
                "kpi-removed",
                "policies/org.toml",
                2,
                "KPI `orphaned-nhis` was removed from the policy"
            ),
            (
                "policy-weakened",
                "policies/org.toml",
                8,
                "rule `manual-source` is no longer `locked`: exceptions can now waive it"
            ),
            (
                "threshold-loosened",
                "policies/team.toml",
                10,
                "this change drops warn (was 92) for KPI `secrets-rotated`"
            ),
        ]
    );
}

/// A diff finding about a policy file shows the base value beside the new one: in JSON as
/// a related location in the base's copy of the file; SARIF, whose locations must be files
/// of the checkout, leaves it out.
#[test]
fn diff_findings_point_at_the_base_value_too() {
    let head = fixture("diff-group-loosened/head");
    let run = |format: &str| -> serde_json::Value {
        serde_json::from_slice(&diff_in(&head, &["--format", format]).stdout).unwrap()
    };
    let v = run("json");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "threshold-loosened")
        .unwrap();
    assert_eq!(f["related"][0]["file"], "policies/org.toml (base)", "{f:#}");
    assert_eq!(f["related"][0]["line"], 20);
    assert_eq!(f["related"][0]["message"], "at the base");
    let sarif = run("sarif");
    let text = sarif.to_string();
    assert!(!text.contains("(base)"), "{text}");
}

/// Defect 6: a diff report tells the findings the change introduced from those the base
/// has too, and only the introduced ones fail it.
#[test]
fn diff_tells_introduced_findings_from_pre_existing_ones() {
    let head = fixture("diff-preexisting/head");
    let run = |extra: &[&str]| diff_in(&head, &[&["--format=json"], extra].concat());
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(1), "the new error fails the change");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let marks: Vec<(&str, bool)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["subject"].as_str().unwrap(),
                f["introduced"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(marks, [("old-broken", false), ("new-broken", true)]);
    assert_eq!(v["summary"]["introduced"], 1);
    assert_eq!(v["summary"]["preexisting"], 1);
    // The marks are part of the report's contract.
    let schema = kpilint(&head, &["schema", "report"]);
    let schema: serde_json::Value = serde_json::from_slice(&schema.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Two team policies beside each other (each extending the organisation's) that derive one
/// KPI differently: the first read governs, and the other is `looser-than-policy` at its
/// formula, so that a policy file added beside another cannot redefine a KPI unseen.
#[test]
fn a_layer_beside_another_cannot_redefine_a_formula_unseen() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(
        policies.join("org.toml"),
        "[policy]\nid = \"org\"\n[[category]]\nid = \"identity_access\"\nowner = \"iam@example.com\"\n",
    )
    .unwrap();
    let team = |id: &str, formula: &str| {
        format!(
            "[policy]\nid = \"{id}\"\nextends = [\"org\"]\n\n[[kpi]]\nid = \"orphan-rate\"\nformula = \"{formula}\"\n"
        )
    };
    std::fs::write(policies.join("a.toml"), team("a", "100 * orphaned / total")).unwrap();
    std::fs::write(policies.join("b.toml"), team("b", "0 * orphaned")).unwrap();
    let out = kpilint(
        dir.path(),
        &["check", "--format", "json", "--as-of=2026-11-24"],
    );
    let found = findings("siblings", &out);
    let looser: Vec<_> = located(&found)
        .into_iter()
        .filter(|f| f.0 == "looser-than-policy")
        .collect();
    assert_eq!(looser.len(), 1, "{found:#?}");
    assert_eq!(
        (looser[0].1, looser[0].2),
        ("policies/b.toml", 7),
        "{looser:?}"
    );
    assert!(
        looser[0].3.contains("`0 * orphaned`") && looser[0].3.contains("`100 * orphaned / total`"),
        "{looser:?}"
    );
}
