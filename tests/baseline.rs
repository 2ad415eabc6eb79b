//! The baseline file (`--baseline`, `--write-baseline`, `baseline` in kpilint.toml): an
//! existing repository adopts kpilint and fails only on what a change adds.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

/// A copy of the demo in its own repository (so paths, and fingerprints, are relative to
/// it).
fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let to = dir.path().join(entry.path().strip_prefix(&src).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

fn kpilint(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_kpilint"))
        .args(["check", "--as-of", "2026-11-24"])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(text)).unwrap();
}

/// The messages of a report's findings of `rule` that the baseline does not hold.
fn open_findings(report: &Value, rule: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule && f["baselined"] != true)
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect()
}

/// A repository with KPI401's fixture policy and catalogue (metric `rotation`, a percent
/// with thresholds) and an empty `data/`.
fn rotation_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/KPI401/bad");
    for (from, to) in [("policy.toml", "policies"), ("catalogue.toml", "metrics")] {
        std::fs::create_dir(dir.path().join(to)).unwrap();
        std::fs::copy(rules.join(from), dir.path().join(to).join(from)).unwrap();
    }
    std::fs::create_dir(dir.path().join("data")).unwrap();
    dir
}

/// A breach is known by its scope: once the baselined breach in one scope is mended, a new
/// breach of the same metric in another scope is new, not the old entry's.
#[test]
fn a_breach_in_another_scope_is_not_the_baselined_one() {
    let dir = rotation_repo();
    let data = |payments: u32, platform: u32| {
        let mut csv = String::from("metric,period,value,scope,source\n");
        for month in ["2026-09", "2026-10"] {
            for (scope, latest) in [("payments", payments), ("platform", platform)] {
                let v = if month == "2026-09" { 96 } else { latest };
                csv.push_str(&format!("rotation,{month},{v},{scope},automated\n"));
            }
        }
        csv
    };
    let csv = dir.path().join("data/data.csv");
    std::fs::write(&csv, data(70, 96)).unwrap();
    let written = kpilint(dir.path(), &["--write-baseline", "b.json", "-q"]);
    assert_eq!(written.status.code(), Some(1), "{written:?}");
    let run = ["--baseline", "b.json", "--format", "json"];
    let same = json(&kpilint(dir.path(), &run));
    let open = |report: &Value| open_findings(report, "threshold-breach");
    assert!(open(&same).is_empty(), "{same:#}");
    // payments mended, platform breaching: one breach, as before, in another scope.
    std::fs::write(&csv, data(96, 70)).unwrap();
    let moved = json(&kpilint(dir.path(), &run));
    let open = open(&moved);
    assert_eq!(open.len(), 1, "{moved:#}");
    assert!(open[0].contains("scope `platform`"), "{open:?}");
}

/// A baselined bad row, once mended, never covers a new one in another period of the same
/// metric and scope.
#[test]
fn a_bad_row_in_another_period_is_not_the_baselined_one() {
    let dir = rotation_repo();
    let data = |bad: &str| {
        let mut csv = String::from("metric,period,value,scope,source\n");
        for month in ["2026-08", "2026-09", "2026-10"] {
            let v = if month == bad { 140 } else { 96 };
            csv.push_str(&format!("rotation,{month},{v},payments,automated\n"));
        }
        csv
    };
    let csv = dir.path().join("data/data.csv");
    std::fs::write(&csv, data("2026-08")).unwrap();
    let written = kpilint(dir.path(), &["--write-baseline", "b.json", "-q"]);
    assert_eq!(written.status.code(), Some(1), "{written:?}");
    let run = ["--baseline", "b.json", "--format", "json"];
    let open = |report: &Value| open_findings(report, "value-out-of-domain");
    assert!(open(&json(&kpilint(dir.path(), &run))).is_empty());
    // August mended, September impossible: one bad row, as before, in another period.
    std::fs::write(&csv, data("2026-09")).unwrap();
    let moved = json(&kpilint(dir.path(), &run));
    let open = open(&moved);
    assert_eq!(open.len(), 1, "{moved:#}");
    assert!(open[0].contains("2026-09"), "{open:?}");
}

/// `--write-baseline F --output F` would have the report replace the baseline just written:
/// refused before anything is written, exit 2.
#[test]
fn the_baseline_and_the_report_cannot_share_a_file() {
    let dir = demo();
    let out = kpilint(
        dir.path(),
        &[
            "--write-baseline",
            "b.json",
            "--format",
            "json",
            "--output",
            "./b.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`--write-baseline` and `--output` both name `./b.json`"),
        "{stderr}"
    );
    assert!(!dir.path().join("b.json").exists(), "nothing is written");
}

/// Adoption: write the baseline, and the same repository passes; its findings are marked,
/// counted apart, and SARIF says they are unchanged.
#[test]
fn a_written_baseline_makes_the_same_findings_pass() {
    let dir = demo();
    let before = kpilint(dir.path(), &["--format", "json"]);
    assert_eq!(before.status.code(), Some(1), "the demo has errors");
    let before = json(&before);
    let out = kpilint(
        dir.path(),
        &["--write-baseline", "kpilint-baseline.json", "-q"],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "writing a baseline changes no verdict"
    );
    let text = std::fs::read_to_string(dir.path().join("kpilint-baseline.json")).unwrap();
    let written: Value = serde_json::from_str(&text).unwrap();
    let open = before["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false)
        .count();
    assert_eq!(written["findings"].as_array().unwrap().len(), open);
    assert_eq!(written["kpilint_baseline"], 1);

    let out = kpilint(
        dir.path(),
        &["--baseline", "kpilint-baseline.json", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out);
    assert_eq!(report["summary"]["baselined"], open);
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(report["summary"]["warnings"], 0);
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .all(|f| f["baselined"] == (f["suppressed"] == false))
    );

    let out = kpilint(dir.path(), &["--baseline", "kpilint-baseline.json"]);
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.ends_with(&format!("; {open} baselined\n")), "{human}");
    assert!(
        !human.contains("negative-trend"),
        "baselined findings are not shown: {human}"
    );

    let out = kpilint(
        dir.path(),
        &["--baseline", "kpilint-baseline.json", "--format", "sarif"],
    );
    let sarif = json(&out);
    let states: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_none())
        .map(|r| r["baselineState"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), open);
    assert!(states.iter().all(|s| *s == "unchanged"), "{states:?}");
}

/// Fingerprints name what a finding is about, not where: moved lines and reordered
/// metrics keep every entry matched. A new finding fails the run alone, marked new.
#[test]
fn moved_lines_still_match_and_only_new_findings_fail() {
    let dir = demo();
    kpilint(
        dir.path(),
        &["--write-baseline", "kpilint-baseline.json", "-q"],
    );
    let catalogue = dir.path().join("metrics/platform-security.toml");
    // Twenty lines above everything, and the last metric moved before the first.
    edit(&catalogue, |text| {
        let cut = text.rfind("\n[[metric]]").unwrap();
        let first = text.find("\n[[metric]]").unwrap();
        format!(
            "{}{}{}\n{}",
            "# moved\n".repeat(20),
            &text[..first],
            &text[cut..],
            &text[first..cut]
        )
    });
    let out = kpilint(
        dir.path(),
        &["--baseline", "kpilint-baseline.json", "--format", "json"],
    );
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(
        report["summary"]["infos"], 0,
        "no entry went stale: {report:#}"
    );

    // A new metric without an owner or data: its two findings are new, the rest still
    // baselined.
    edit(&catalogue, |text| {
        text + "\n[[metric]]\nid = \"new-metric\"\nname = \"Dormant service accounts\"\n\
                tier = \"tactical\"\ncategory = \"identity_access\"\nunit = \"count\"\n\
                direction = \"lower_is_better\"\ncadence = \"monthly\"\nsource = \"automated\"\n\
                thresholds = { target = 0, warn = 5, critical = 10 }\n"
    });
    let out = kpilint(
        dir.path(),
        &["--baseline", "kpilint-baseline.json", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let open: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["baselined"] == false && f["suppressed"] == false)
        .map(|f| (f["rule"].as_str().unwrap(), f["subject"].as_str().unwrap()))
        .collect();
    assert_eq!(
        open,
        [
            ("missing-owner", "new-metric"),
            ("missing-data", "new-metric")
        ]
    );
}

/// An entry nothing matches is a `stale-baseline` info; `--baseline F --write-baseline F`
/// rewrites the file without it. kpilint.toml can name the baseline.
#[test]
fn stale_entries_are_reported_and_rewriting_drops_them() {
    let dir = demo();
    kpilint(
        dir.path(),
        &["--write-baseline", "kpilint-baseline.json", "-q"],
    );
    let path = dir.path().join("kpilint-baseline.json");
    let mut baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let entries = baseline["findings"].as_array().unwrap().len();
    baseline["findings"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "fingerprint": "0123456789abcdef",
            "rule": "missing-owner",
            "subject": "retired-metric",
        }));
    std::fs::write(&path, serde_json::to_string_pretty(&baseline).unwrap()).unwrap();
    std::fs::write(
        dir.path().join("kpilint.toml"),
        "baseline = \"kpilint-baseline.json\"\n",
    )
    .unwrap();

    let out = kpilint(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "an info does not fail the run");
    let report = json(&out);
    let stale: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "stale-baseline")
        .collect();
    assert_eq!(stale.len(), 1, "{report:#}");
    assert_eq!(stale[0]["severity"], "info");
    assert_eq!(stale[0]["file"], "kpilint-baseline.json");
    assert_eq!(
        stale[0]["message"],
        "the baseline's `missing-owner` finding about `retired-metric` is gone"
    );
    let line = usize::try_from(stale[0]["line"].as_u64().unwrap()).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.lines()
            .nth(line - 1)
            .unwrap()
            .contains("0123456789abcdef")
    );

    let out = kpilint(
        dir.path(),
        &["--write-baseline", "kpilint-baseline.json", "-q"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rewritten: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(rewritten["findings"].as_array().unwrap().len(), entries);
    let out = kpilint(dir.path(), &["--format", "json"]);
    assert_eq!(json(&out)["summary"]["infos"], 0);
}

/// A file kpilint cannot read is a broken gate, not debt: `parse-error` and `schema` are
/// never written to a baseline. A baseline that is not one, or outside the repository,
/// stops the run with a located message.
#[test]
fn broken_files_are_never_baselined_and_a_broken_baseline_stops_the_run() {
    let dir = demo();
    std::fs::write(
        dir.path().join("metrics/broken.toml"),
        "[catalogue]\nid = \"broken\"\nowner = 3\n",
    )
    .unwrap();
    kpilint(
        dir.path(),
        &["--write-baseline", "kpilint-baseline.json", "-q"],
    );
    let text = std::fs::read_to_string(dir.path().join("kpilint-baseline.json")).unwrap();
    assert!(!text.contains("\"schema\""), "{text}");
    let out = kpilint(
        dir.path(),
        &["--baseline", "kpilint-baseline.json", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1), "the schema error still fails");

    std::fs::write(
        dir.path().join("bad.json"),
        "{\n  \"kpilint_baseline\": 1,\n  \"findings\": [{\"rule\": \"x\"}]\n}\n",
    )
    .unwrap();
    let out = kpilint(dir.path(), &["--baseline", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "kpilint: error: bad.json:3:16: `findings[0]`: missing required key `fingerprint`"
        ),
        "{stderr}"
    );
    let out = kpilint(dir.path(), &["--baseline", "missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        outside.path(),
        "{\"kpilint_baseline\": 1, \"findings\": []}",
    )
    .unwrap();
    let out = kpilint(
        dir.path(),
        &["--baseline", outside.path().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the baseline must be inside the repository")
    );
}

/// An entry matches only the rule and file it names; a run over some files leaves the
/// entries about the others alone, and will not write a baseline from them.
#[test]
fn entries_match_their_rule_and_partial_runs_leave_the_rest_alone() {
    let dir = demo();
    kpilint(
        dir.path(),
        &["--write-baseline", "kpilint-baseline.json", "-q"],
    );
    let path = dir.path().join("kpilint-baseline.json");

    // Only the catalogue: the data files' entries are neither matched nor stale.
    let out = kpilint(
        dir.path(),
        &[
            "--baseline",
            "kpilint-baseline.json",
            "--format",
            "json",
            "metrics/platform-security.toml",
        ],
    );
    let report = json(&out);
    assert_eq!(report["summary"]["infos"], 0, "{report:#}");
    let out = kpilint(
        dir.path(),
        &["--write-baseline", "kpilint-baseline.json", "metrics"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("records a whole repository"));

    // An entry relabelled with another rule no longer accepts its finding.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen(
            "\"rule\": \"missing-owner\"",
            "\"rule\": \"manual-data\"",
            1,
        ),
    )
    .unwrap();
    let out = kpilint(
        dir.path(),
        &["--baseline", "kpilint-baseline.json", "--format", "json"],
    );
    let report = json(&out);
    let open: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["baselined"] == false && f["suppressed"] == false)
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(open, ["missing-owner", "stale-baseline"], "{report:#}");
}
