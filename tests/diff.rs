//! `kpilint diff --base REV` on a temporary git repository with a base and a head commit:
//! every diff rule fires on a change that should trigger it and stays quiet on a change
//! that should not; unknown revisions and non-repositories are exit 2.

use std::path::Path;
use std::process::{Command, Output};

const AS_OF: &str = "--as-of=2026-11-24";

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn kpilint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpilint"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

const POLICY: &str = r#"[policy]
id = "team"
extends = ["nhi-baseline"]

[[category]]
id = "ai_agents"
owner = "ai-lead@example.com"

[[kpi]]
id = "agent-actions-owned"
title = "Agent actions with an accountable owner"
tier = "tactical"
category = "ai_agents"
unit = "percent"
direction = "higher_is_better"
cadence = "monthly"
frameworks = ["NHI5:2025"]
thresholds = { target = 99, warn = 97, critical = 95 }

[[kpi]]
id = "agent-credential-age"
title = "Median agent credential age"
tier = "tactical"
category = "ai_agents"
unit = "hours"
direction = "lower_is_better"
cadence = "weekly"
frameworks = ["NHI9:2025"]
thresholds = { target = 1, warn = 4, critical = 12, trend = "down" }
"#;

/// A repository at the base commit: `kpilint init` plus the team policy above.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    assert_eq!(kpilint(dir.path(), &["init", AS_OF]).status.code(), Some(0));
    std::fs::write(dir.path().join("policies/kpi-policy.toml"), POLICY).unwrap();
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    dir
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} not in {file}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Writes the team policy as `text`.
fn write_policy(dir: &Path, text: &str) {
    std::fs::write(dir.join("policies/kpi-policy.toml"), text).unwrap();
}

/// Writes the team policy as `text` and commits it as the new base.
fn commit_policy(dir: &Path, text: &str) {
    write_policy(dir, text);
    git(dir, &["commit", "-qam", "policy"]);
}

/// Runs the diff and returns (rule, message, file, line) of the diff findings.
fn diff(dir: &Path) -> Vec<(String, String, String, u64)> {
    let (code, v) = diff_report(dir);
    assert!(matches!(code, Some(0 | 1)), "exit {code:?}");
    diff_findings(&v)
}

/// Runs `kpilint diff --base HEAD --format json`: its exit code and its report (`Null`
/// when it printed none; stderr is shown on a failed parse).
fn diff_report(dir: &Path) -> (Option<i32>, serde_json::Value) {
    let o = kpilint(dir, &["diff", "--base", "HEAD", AS_OF, "--format", "json"]);
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    (o.status.code(), v)
}

/// (rule, message, file, line) of a report's diff findings.
fn diff_findings(v: &serde_json::Value) -> Vec<(String, String, String, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("KPI5"))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn an_unchanged_tree_has_no_diff_findings() {
    let dir = repo();
    assert_eq!(diff(dir.path()), vec![]);
}

#[test]
fn threshold_loosened_is_direction_aware() {
    let dir = repo();
    // Looser: higher_is_better critical down; lower_is_better warn up; trend dropped;
    // cadence longer.
    edit(
        dir.path(),
        "policies/kpi-policy.toml",
        "target = 99, warn = 97, critical = 95",
        "target = 99, warn = 97, critical = 90",
    );
    edit(
        dir.path(),
        "policies/kpi-policy.toml",
        "target = 1, warn = 4, critical = 12, trend = \"down\"",
        "target = 1, warn = 6, critical = 12",
    );
    edit(
        dir.path(),
        "policies/kpi-policy.toml",
        "cadence = \"weekly\"",
        "cadence = \"monthly\"",
    );
    let found = diff(dir.path());
    let messages: Vec<&str> = found
        .iter()
        .filter(|f| f.0 == "threshold-loosened")
        .map(|f| f.1.as_str())
        .collect();
    assert!(
        messages
            .contains(&"this change lowers critical from 95 to 90 for KPI `agent-actions-owned`"),
        "{found:#?}"
    );
    assert!(
        messages.contains(&"this change raises warn from 4 to 6 for KPI `agent-credential-age`"),
        "{found:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("trend target from `down` to none")),
        "{found:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("reports `monthly` instead of `weekly`")),
        "{found:#?}"
    );
    assert!(
        found.iter().all(|f| f.2 == "policies/kpi-policy.toml"),
        "{found:#?}"
    );
    // Tightening is never a finding.
    let dir = repo();
    edit(
        dir.path(),
        "policies/kpi-policy.toml",
        "target = 99, warn = 97, critical = 95",
        "target = 99.5, warn = 98, critical = 96",
    );
    edit(
        dir.path(),
        "policies/kpi-policy.toml",
        "warn = 4, critical = 12",
        "warn = 3, critical = 8",
    );
    assert_eq!(diff(dir.path()), vec![]);
}

#[test]
fn kpi_removed_and_coverage_regressed() {
    let dir = repo();
    let text = std::fs::read_to_string(dir.path().join("policies/kpi-policy.toml")).unwrap();
    let cut = text.find("[[kpi]]\nid = \"agent-credential-age\"").unwrap();
    std::fs::write(dir.path().join("policies/kpi-policy.toml"), &text[..cut]).unwrap();
    let found = diff(dir.path());
    assert!(
        found.iter().any(|f| f.0 == "kpi-removed"
            && f.1 == "KPI `agent-credential-age` was removed from the policy"),
        "{found:#?}"
    );
    // NHI9 is still evidenced by the baseline's `shared-nhi-workloads` KPI: no regression.
    assert!(
        !found.iter().any(|f| f.0 == "coverage-regressed"),
        "{found:#?}"
    );

    // Remapping the only KPI of a custom control loses its coverage.
    let dir = repo();
    std::fs::create_dir_all(dir.path().join("policies/frameworks")).unwrap();
    std::fs::write(
        dir.path().join("policies/frameworks/acme.toml"),
        "[framework]\nid = \"acme-standard\"\nname = \"ACME\"\n[[control]]\nid = \"AC-1\"\n[[control]]\nid = \"AC-2\"\n",
    )
    .unwrap();
    // Coverage is what the catalogues evidence (as `uncovered-control` judges it): map a
    // catalogue metric.
    edit(
        dir.path(),
        "metrics/my-team.toml",
        "implements = \"critical-secrets-rotated-within-sla\"\n",
        "implements = \"critical-secrets-rotated-within-sla\"\nframeworks = [\"acme-standard:AC-1\"]\n",
    );
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "map AC-1"]);
    edit(
        dir.path(),
        "metrics/my-team.toml",
        "\"acme-standard:AC-1\"",
        "\"acme-standard:AC-2\"",
    );
    let found = diff(dir.path());
    let lost: Vec<_> = found
        .iter()
        .filter(|f| f.0 == "coverage-regressed")
        .collect();
    assert_eq!(lost.len(), 1, "{found:#?}");
    assert_eq!(
        lost[0].1,
        "`acme-standard` control `AC-1` lost its last KPI"
    );
}

#[test]
fn owner_removed() {
    let dir = repo();
    edit(
        dir.path(),
        "policies/kpi-policy.toml",
        "owner = \"ai-lead@example.com\"\n",
        "",
    );
    let text = std::fs::read_to_string(dir.path().join("metrics/my-team.toml")).unwrap();
    let at = text
        .find("owner = \"my-team@example.com\"\nsource")
        .unwrap();
    let text = format!(
        "{}{}",
        &text[..at],
        &text[at + "owner = \"my-team@example.com\"\n".len()..]
    );
    std::fs::write(dir.path().join("metrics/my-team.toml"), text).unwrap();
    let found = diff(dir.path());
    let owners: Vec<_> = found.iter().filter(|f| f.0 == "owner-removed").collect();
    assert_eq!(owners.len(), 2, "{found:#?}");
    assert!(owners.iter().any(
        |f| f.1 == "category `ai_agents` no longer names its owner (was `ai-lead@example.com`)"
    ));
    assert!(owners.iter().any(|f| {
        f.1 == "metric `my-team.critical-secrets-rotated-within-sla` no longer names its owner (was `my-team@example.com`)"
    }));
}

#[test]
fn exception_added_and_extended() {
    let dir = repo();
    let exception = "\n[[exception]]\nrule = \"manual-source\"\nsubject = \"insecure-auth-nhi\"\nreason = \"vendor export\"\napproved_by = \"ciso@example.com\"\nexpires = 2027-01-31\n";
    write_policy(dir.path(), &format!("{POLICY}{exception}"));
    let found = diff(dir.path());
    assert!(
        found.iter().any(|f| f.0 == "exception-added"
            && f.1
                == "new exception waives `manual-source` for `insecure-auth-nhi` until 2027-01-31"),
        "{found:#?}"
    );
    git(dir.path(), &["commit", "-qam", "exception"]);
    assert_eq!(
        diff(dir.path()),
        vec![],
        "an exception already in the base is not new"
    );
    edit(
        dir.path(),
        "policies/kpi-policy.toml",
        "expires = 2027-01-31",
        "expires = 2027-06-30",
    );
    let found = diff(dir.path());
    assert!(found.iter().any(|f| f.1 == "exception for `manual-source` on `insecure-auth-nhi` extended from 2027-01-31 to 2027-06-30"), "{found:#?}");
}

#[test]
fn unknown_revision_and_non_repository_are_exit_2() {
    let dir = repo();
    let o = kpilint(dir.path(), &["diff", "--base", "no-such-branch", AS_OF]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown revision `no-such-branch`"));
    let plain = tempfile::tempdir().unwrap();
    let o = kpilint(plain.path(), &["diff", "--base", "HEAD", AS_OF]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("needs a git repository"));
}

#[test]
fn works_in_a_shallow_clone_with_only_the_base_commit() {
    let dir = repo();
    edit(
        dir.path(),
        "policies/kpi-policy.toml",
        "critical = 95",
        "critical = 90",
    );
    git(dir.path(), &["commit", "-qam", "loosen"]);
    git(dir.path(), &["tag", "base", "HEAD~1"]);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    git(clone.path(), &["clone", "-q", "--depth=1", &url, "."]);
    git(
        clone.path(),
        &["fetch", "-q", "--depth=1", "origin", "tag", "base"],
    );
    let o = kpilint(
        clone.path(),
        &["diff", "--base", "base", AS_OF, "--format", "json"],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "threshold-loosened")
    );
}

#[test]
fn a_metric_that_inherits_its_direction_is_still_judged() {
    // `init` writes metrics that implement a KPI and leave out `direction`.
    let dir = repo();
    edit(
        dir.path(),
        "metrics/my-team.toml",
        "implements = \"critical-secrets-rotated-within-sla\"\n",
        "implements = \"critical-secrets-rotated-within-sla\"\nthresholds = { target = 97, warn = 93 }\n",
    );
    git(dir.path(), &["commit", "-qam", "tighter metric"]);
    edit(dir.path(), "metrics/my-team.toml", "warn = 93", "warn = 91");
    let found = diff(dir.path());
    assert!(
        found.iter().any(|f| f.0 == "threshold-loosened"
            && f.1 == "this change lowers warn from 93 to 91 for metric `my-team.critical-secrets-rotated-within-sla`"),
        "{found:#?}"
    );
}

/// A ban kept under its id but made to match less is a weakening, one finding per way;
/// a ban made to match more is not.
#[test]
fn a_narrowed_ban_is_policy_weakened() {
    let dir = repo();
    let ban = |m: &str| {
        format!(
            "{POLICY}\n[[banned]]\nid = \"alerts-closed\"\nmatch = {m}\nreason = \"activity\"\n"
        )
    };
    commit_policy(
        dir.path(),
        &ban("{ name = '^alerts closed$', words = [\"alerts handled\", \"tickets closed\"] }"),
    );
    write_policy(
        dir.path(),
        &ban("{ name = '^alerts closed today$', words = [\"alerts handled\"], tier = \"board\" }"),
    );
    let weakened: Vec<String> = diff(dir.path())
        .into_iter()
        .filter(|f| f.0 == "policy-weakened")
        .map(|f| f.1)
        .collect();
    assert_eq!(
        weakened,
        [
            "banned metric `alerts-closed` may match less: it now also needs `tier = \"board\"`",
            "banned metric `alerts-closed` may match less: its `name` pattern went from `^alerts closed$` to `^alerts closed today$`",
            "banned metric `alerts-closed` may match less: its `words` no longer hold `tickets closed`",
        ],
    );
    // Wider: a phrase added, the pattern and the structural condition dropped.
    write_policy(
        dir.path(),
        &ban("{ words = [\"alerts handled\", \"tickets closed\", \"alerts closed\"] }"),
    );
    let weakened: Vec<_> = diff(dir.path())
        .into_iter()
        .filter(|f| f.0 == "policy-weakened")
        .collect();
    assert!(weakened.is_empty(), "{weakened:#?}");
}

#[test]
fn policy_weakened_and_a_pull_request_cannot_switch_off_its_own_review() {
    let dir = repo();
    commit_policy(
        dir.path(),
        &format!(
            "{POLICY}\n[settings]\nmax_board_kpis = 6\n\n[rules]\nmanual-source = \"error\"\n\n[[banned]]\nid = \"alerts-closed\"\nmatch = {{ name = '^alerts closed$' }}\nreason = \"activity\"\n\n[coverage]\nrequire = [\"owasp-nhi-2025\"]\n"
        ),
    );
    write_policy(
        dir.path(),
        &format!(
            "{}\n[settings]\nmax_board_kpis = 9\n\n[rules]\nmanual-source = \"warning\"\nthreshold-loosened = \"off\"\npolicy-weakened = \"off\"\n\n[[exception]]\nrule = \"threshold-loosened\"\nsubject = \"agent-actions-owned\"\nreason = \"trust me\"\napproved_by = \"me@example.com\"\nexpires = 2027-01-31\n",
            POLICY.replace("critical = 95", "critical = 90")
        ),
    );
    let (code, v) = diff_report(dir.path());
    assert_eq!(code, Some(1));
    let found = diff_findings(&v);
    let weakened: Vec<&str> = found
        .iter()
        .filter(|f| f.0 == "policy-weakened")
        .map(|f| f.1.as_str())
        .collect();
    for expected in [
        "rule `manual-source` goes from error to warning",
        "banned metric `alerts-closed` was removed from the policy",
        "`max_board_kpis` goes from 6 to 9",
    ] {
        assert!(weakened.contains(&expected), "{expected}: {found:#?}");
    }
    // The coverage requirement is restated by the baseline the policy extends: not dropped.
    assert!(
        !weakened.iter().any(|m| m.contains("coverage")),
        "{found:#?}"
    );
    // Switched off and waived in the same change, and still reported.
    let loosened = found
        .iter()
        .find(|f| f.0 == "threshold-loosened")
        .expect("the head cannot switch it off");
    assert_eq!(
        loosened.1,
        "this change lowers critical from 95 to 90 for KPI `agent-actions-owned`"
    );
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "threshold-loosened")
        .unwrap();
    assert_eq!(f["suppressed"], false, "{f}");
    assert_eq!(f["severity"], "error");
    // And the exception itself is a finding: diff findings are approved in review.
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "schema"
                && f["message"].as_str().unwrap().contains("cannot be waived"))
    );
}

#[test]
fn policy_weakened_sees_defaults_and_new_effective_dates() {
    let dir = repo();
    commit_policy(
        dir.path(),
        &format!("{POLICY}\n[rules]\nmanual-source = \"error\"\n"),
    );
    write_policy(
        dir.path(),
        &format!(
            "{POLICY}\n[settings]\nrequire_mapping = []\n\n[rules]\nmanual-source = {{ severity = \"error\", effective = 2030-01-01 }}\n"
        ),
    );
    let found = diff(dir.path());
    let weakened: Vec<&str> = found
        .iter()
        .filter(|f| f.0 == "policy-weakened")
        .map(|f| f.1.as_str())
        .collect();
    assert!(
        weakened.contains(&"`require_mapping` no longer includes `board`"),
        "{found:#?}"
    );
    assert!(
        weakened.contains(&"rule `manual-source` takes full effect on 2030-01-01 instead of now (a warning until then)"),
        "{found:#?}"
    );
}

#[test]
fn owners_of_catalogues_and_kpi_decisions_are_tracked() {
    let dir = repo();
    let with_owners = POLICY.replace(
        "frameworks = [\"NHI5:2025\"]",
        "frameworks = [\"NHI5:2025\"]\ndecision_owner = \"ciso@example.com\"\nimplementation_owner = \"ai-platform@example.com\"",
    );
    commit_policy(dir.path(), &with_owners);
    write_policy(
        dir.path(),
        &with_owners.replace("decision_owner = \"ciso@example.com\"\n", ""),
    );
    let text = std::fs::read_to_string(dir.path().join("metrics/my-team.toml")).unwrap();
    let owner_line = text
        .lines()
        .skip_while(|l| *l != "[catalogue]")
        .find(|l| l.starts_with("owner = "))
        .unwrap()
        .to_owned();
    edit(
        dir.path(),
        "metrics/my-team.toml",
        &format!("{owner_line}\n"),
        "",
    );
    let found = diff(dir.path());
    let owners: Vec<&str> = found
        .iter()
        .filter(|f| f.0 == "owner-removed")
        .map(|f| f.1.as_str())
        .collect();
    assert!(
        owners.contains(
            &"KPI `agent-actions-owned` no longer names its decision owner (was `ciso@example.com`)"
        ),
        "{found:#?}"
    );
    assert!(
        owners
            .iter()
            .any(|m| m.starts_with("catalogue `my-team` no longer names its owner")),
        "{found:#?}"
    );
}

#[test]
fn a_base_from_before_kpilint_has_nothing_to_compare() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    std::fs::write(dir.path().join("README.md"), "before kpilint\n").unwrap();
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "before"]);
    assert_eq!(kpilint(dir.path(), &["init", AS_OF]).status.code(), Some(0));
    assert_eq!(diff_report(dir.path()).0, Some(0));
}

/// A catalogue metric whose category no policy defines: an `unknown-category` error that
/// `check` raises on its own, whatever the diff.
fn broken_metric(id: &str) -> String {
    format!(
        "\n[[metric]]\nid = \"{id}\"\nname = \"{id}\"\ntier = \"tactical\"\ncategory = \"no-such-category\"\nunit = \"percent\"\ndirection = \"higher_is_better\"\nowner = \"a@example.com\"\ncadence = \"monthly\"\nsource = \"automated\"\nframeworks = [\"NHI7:2025\"]\nthresholds = {{ target = 95, warn = 90, critical = 80 }}\n"
    )
}

fn append(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    let mut all = std::fs::read_to_string(&path).unwrap();
    all.push_str(text);
    std::fs::write(path, all).unwrap();
}

/// (subject, introduced) of a rule's findings in a JSON report, sorted.
fn marks(v: &serde_json::Value, rule: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["subject"].as_str().unwrap_or("").to_owned(),
                f["introduced"].as_bool().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// [`repo`] with KPI401's fixture catalogue (metric `rotation`, a percent with thresholds).
fn rotation_repo() -> tempfile::TempDir {
    let dir = repo();
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/KPI401/bad");
    std::fs::copy(
        rules.join("catalogue.toml"),
        dir.path().join("metrics/rotation.toml"),
    )
    .unwrap();
    dir
}

/// A breach that moved from one scope to another is the change's, though the metric had
/// one breach before and has one after.
#[test]
fn a_breach_moving_to_another_scope_is_introduced() {
    let dir = rotation_repo();
    let data = |payments: u32, platform: u32| {
        format!(
            "metric,period,value,scope,source\nrotation,2026-09,96,payments,automated\n\
             rotation,2026-09,96,platform,automated\nrotation,2026-10,{payments},payments,automated\n\
             rotation,2026-10,{platform},platform,automated\n"
        )
    };
    std::fs::write(dir.path().join("data/rotation.csv"), data(70, 96)).unwrap();
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "payments breaches"]);
    std::fs::write(dir.path().join("data/rotation.csv"), data(96, 70)).unwrap();
    let (code, v) = diff_report(dir.path());
    let breaches: Vec<(String, bool)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "threshold-breach" && f["subject"] == "rotation")
        .map(|f| {
            (
                f["message"].as_str().unwrap().to_owned(),
                f["introduced"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(breaches.len(), 1, "{v:#}");
    assert!(breaches[0].0.contains("scope `platform`"), "{breaches:?}");
    assert!(breaches[0].1, "the platform breach is new: {breaches:?}");
    assert_eq!(code, Some(1));
}

/// A bad row mended and another added in another period is the change's, though the
/// metric had one bad row before and has one after; so is a duplicated period.
#[test]
fn a_bad_row_moving_to_another_period_is_introduced() {
    let dir = rotation_repo();
    let data = |bad: &str, twice: &str| {
        let mut csv = String::from("metric,period,value,scope,source\n");
        for month in ["2026-08", "2026-09", "2026-10"] {
            let v = if month == bad { 140 } else { 96 };
            csv.push_str(&format!("rotation,{month},{v},payments,automated\n"));
            if month == twice {
                csv.push_str(&format!("rotation,{month},96,payments,automated\n"));
            }
        }
        csv
    };
    std::fs::write(
        dir.path().join("data/rotation.csv"),
        data("2026-08", "2026-09"),
    )
    .unwrap();
    git(dir.path(), &["add", "-A"]);
    git(
        dir.path(),
        &["commit", "-qm", "a bad row and a repeated one"],
    );
    std::fs::write(
        dir.path().join("data/rotation.csv"),
        data("2026-09", "2026-10"),
    )
    .unwrap();
    let (code, v) = diff_report(dir.path());
    for rule in ["value-out-of-domain", "duplicate-row"] {
        let found: Vec<(String, bool)> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| {
                (
                    f["message"].as_str().unwrap().to_owned(),
                    f["introduced"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(found.len(), 1, "{rule}: {v:#}");
        assert!(found[0].1, "{rule}: the row is new: {found:?}");
    }
    assert_eq!(code, Some(1));
}

/// A repository whose base commit already has an `unknown-category` error.
fn repo_with_a_known_problem() -> tempfile::TempDir {
    let dir = repo();
    append(
        dir.path(),
        "metrics/my-team.toml",
        &broken_metric("old-broken"),
    );
    git(dir.path(), &["commit", "-qam", "a known problem"]);
    dir
}

#[test]
fn findings_the_base_has_too_are_marked_and_do_not_fail_the_change() {
    let dir = repo_with_a_known_problem();
    // Unchanged apart from a comment: the old error is pre-existing and passes the gate.
    append(dir.path(), "metrics/my-team.toml", "# a comment\n");
    let (code, v) = diff_report(dir.path());
    assert_eq!(
        marks(&v, "unknown-category"),
        [("old-broken".to_owned(), false)],
        "{v:#}"
    );
    // The base's data is read too: its missing row is not the change's either.
    assert_eq!(
        marks(&v, "missing-data"),
        [("old-broken".to_owned(), false)],
        "{v:#}"
    );
    assert_eq!(code, Some(0), "only introduced findings fail a diff");
    assert_eq!(v["summary"]["introduced"], 0, "{}", v["summary"]);
    assert!(v["summary"]["preexisting"].as_u64().unwrap() >= 1);
    let all = kpilint(
        dir.path(),
        &["diff", "--base", "HEAD", AS_OF, "--all-findings"],
    );
    assert_eq!(all.status.code(), Some(1), "--all-findings fails on it");
    let human =
        String::from_utf8_lossy(&all.stdout).into_owned() + &String::from_utf8_lossy(&all.stderr);
    assert!(human.contains("already at the base: "), "{human}");
    assert!(
        human.contains("0 findings introduced by this change"),
        "{human}"
    );

    // `check` marks nothing.
    let o = kpilint(dir.path(), &["check", AS_OF, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f.get("introduced").is_none()));
    assert!(v["summary"].get("introduced").is_none());
}

#[test]
fn an_introduced_finding_fails_and_every_format_says_which_is_which() {
    let dir = repo_with_a_known_problem();
    append(
        dir.path(),
        "metrics/my-team.toml",
        &broken_metric("new-broken"),
    );
    let (code, v) = diff_report(dir.path());
    assert_eq!(code, Some(1));
    assert_eq!(
        marks(&v, "unknown-category"),
        [
            ("new-broken".to_owned(), true),
            ("old-broken".to_owned(), false)
        ]
    );
    let sarif = kpilint(
        dir.path(),
        &["diff", "--base", "HEAD", AS_OF, "--format", "sarif"],
    );
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let mut states: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "KPI108")
        .map(|r| r["baselineState"].as_str().unwrap())
        .collect();
    states.sort_unstable();
    assert_eq!(states, ["new", "unchanged"]);
    let md = kpilint(
        dir.path(),
        &["diff", "--base", "HEAD", AS_OF, "--format", "markdown"],
    );
    let md = String::from_utf8_lossy(&md.stdout);
    let (new, old) = (
        md.find("### Introduced by this change")
            .expect("introduced heading"),
        md.find("### Already at the base revision")
            .expect("pre-existing heading"),
    );
    assert!(new < old, "{md}");
    assert!(
        md[new..old].contains("new-broken") && md[old..].contains("old-broken"),
        "{md}"
    );
}

#[test]
fn a_change_to_the_gate_is_reported_and_does_not_govern_its_own_review() {
    let dir = repo();
    edit(
        dir.path(),
        "kpilint.toml",
        "fail_on = \"error\"",
        "fail_on = \"never\"",
    );
    edit(
        dir.path(),
        "kpilint.toml",
        "catalogues = [\"metrics/**/*.toml\", \"metrics/**/*.json\"]",
        "catalogues = [\"decoy/*.toml\"]",
    );
    let (code, v) = diff_report(dir.path());
    let gate: Vec<(String, String, u64)> = diff_findings(&v)
        .into_iter()
        .filter(|f| f.0 == "gate-changed")
        .map(|f| (f.1, f.2, f.3))
        .collect();
    assert_eq!(
        gate,
        [
            (
                "`catalogues` no longer has the glob `metrics/**/*.json`: files it matched may no longer be checked".to_owned(),
                "kpilint.toml".to_owned(),
                4
            ),
            (
                "`catalogues` no longer has the glob `metrics/**/*.toml`: files it matched may no longer be checked".to_owned(),
                "kpilint.toml".to_owned(),
                4
            ),
            (
                "`fail_on` goes from `error` to `never`: fewer findings fail the checks".to_owned(),
                "kpilint.toml".to_owned(),
                7
            ),
        ]
    );
    // The base's `fail_on` governs this review: the gate change itself fails it.
    assert_eq!(code, Some(1));
}
