//! Every output format on the demo, snapshotted, and on `fixtures/formats/odd` (a file name
//! and values hostile to each format): SARIF validated against the OASIS SARIF 2.1.0 schema
//! (a copy lives in `tests/data/`), `JUnit` parsed as XML, Markdown tables split into cells.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

fn kpilint_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpilint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("kpilint runs")
}

fn kpilint(args: &[&str]) -> Output {
    kpilint_in(Path::new(MANIFEST), args)
}

fn stdout(o: Output, code: i32) -> String {
    assert_eq!(
        o.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn demo_with(format: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "check",
        "fixtures/demo",
        "--as-of=2026-11-24",
        "--format",
        format,
    ];
    args.extend(extra);
    stdout(kpilint(&args), 1)
}

fn demo(format: &str) -> String {
    demo_with(format, &[])
}

/// A repository (a `.git` directory) holding the odd fixture at `sub/odd dir/`, and the
/// directory `sub` kpilint runs in: paths for code scanning and the Actions runner are
/// relative to the repository, the ones for people to the working directory.
struct OddRepo {
    root: tempfile::TempDir,
}

impl OddRepo {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(".git")).unwrap();
        let to = root.path().join("sub/odd dir");
        std::fs::create_dir_all(&to).unwrap();
        let from = Path::new(MANIFEST).join("tests/fixtures/formats/odd/odd dir");
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
        Self { root }
    }

    fn sub(&self) -> PathBuf {
        self.root.path().join("sub")
    }

    fn run(&self, format: &str, extra: &[&str]) -> String {
        let mut args = vec!["check", "odd dir", "--as-of=2026-11-24", "--format", format];
        args.extend(extra);
        stdout(kpilint_in(&self.sub(), &args), 1)
    }

    /// The findings of the same run, from the JSON contract.
    fn findings(&self) -> Vec<Value> {
        let v: Value = serde_json::from_str(&self.run("json", &[])).unwrap();
        v["findings"].as_array().unwrap().clone()
    }
}

/// The name of the odd catalogue, percent-encoded.
const ODD_URI: &str = "sub/odd%20dir/c%3Ax%2050%25%26%C3%A9.toml";

fn assert_valid_sarif(sarif: &Value) {
    let schema: Value = serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn artifact(result: &Value) -> &Value {
    &result["locations"][0]["physicalLocation"]["artifactLocation"]
}

fn fingerprints(sarif: &Value) -> Vec<String> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["kpilint/v1"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn sarif_validates_against_the_oasis_schema() {
    let sarif: Value = serde_json::from_str(&demo("sarif")).unwrap();
    assert_valid_sarif(&sarif);
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), kpilint::rules::ALL.len());
    // The working directory is the repository root here: `%SRCROOT%` is it, as a URI.
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    assert!(run["originalUriBaseIds"]["KPILINT_BUILTIN"]["uri"].is_null());
    assert!(run["originalUriBaseIds"]["KPILINT_BUILTIN"]["description"]["text"].is_string());
    for r in run["results"].as_array().unwrap() {
        let at = artifact(r);
        let uri = at["uri"].as_str().unwrap();
        match at["uriBaseId"].as_str() {
            Some("%SRCROOT%") => assert!(uri.starts_with("fixtures/demo/"), "{uri}"),
            Some("KPILINT_BUILTIN") => assert_eq!(uri, "policies/nhi-baseline.toml"),
            other => panic!("{uri} has base {other:?}"),
        }
        assert!(r["partialFingerprints"]["kpilint/v1"].is_string());
    }
    insta::assert_json_snapshot!("sarif", sarif["runs"][0]["results"]);
}

#[test]
fn sarif_rules_carry_summary_description_and_help_from_the_docs() {
    let sarif: Value = serde_json::from_str(&demo("sarif")).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for (r, meta) in rules.iter().zip(kpilint::rules::ALL) {
        assert_eq!(r["id"], meta.code);
        assert_eq!(r["shortDescription"]["text"], meta.summary);
        assert_eq!(r["help"]["markdown"], meta.docs());
        // Plain text: no fences, heading marks or code spans (code blocks are indented and
        // kept verbatim).
        let help = r["help"]["text"].as_str().unwrap();
        for line in help.lines().filter(|l| !l.starts_with("    ")) {
            assert!(!line.starts_with('#') && !line.contains('`'), "{line}");
        }
        let full = r["fullDescription"]["text"].as_str().unwrap();
        assert!(!full.contains('\n') && !full.contains('#') && !full.contains('`'));
    }
    let vanity = rules.iter().find(|r| r["name"] == "vanity-metric").unwrap();
    assert!(
        vanity["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .starts_with(
                "Matches every catalogue metric against the policy's [[banned]] entries, each of"
            )
    );
    assert!(
        vanity["help"]["text"]
            .as_str()
            .unwrap()
            .contains("\nWhy is this bad?\n")
    );
}

#[test]
fn sarif_results_carry_related_locations_and_waivers() {
    let sarif: Value = serde_json::from_str(&demo("sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let looser = results.iter().find(|r| r["ruleId"] == "KPI308").unwrap();
    let related = &looser["relatedLocations"][0];
    assert_eq!(related["id"], 1);
    assert_eq!(related["message"]["text"], "the policy sets it here");
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uriBaseId"],
        "KPILINT_BUILTIN"
    );
    assert!(related["physicalLocation"]["region"]["startLine"].is_u64());
    // A waived finding is not counted as an active error by readers that ignore
    // suppressions; its severity is kept.
    let waived: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["level"], "note");
    assert_eq!(waived[0]["properties"]["severity"], "error");
    assert_eq!(waived[0]["suppressions"][0]["kind"], "external");
}

#[test]
fn sarif_uris_are_percent_encoded_against_the_repository_root() {
    let repo = OddRepo::new();
    // A file outside the repository, named by an absolute path.
    let outside = tempfile::tempdir().unwrap();
    let broken = outside.path().join("broken file.toml");
    std::fs::write(&broken, "[catalogue\n").unwrap();
    let sarif: Value =
        serde_json::from_str(&repo.run("sarif", &[broken.to_str().unwrap()])).unwrap();
    assert_valid_sarif(&sarif);
    let run = &sarif["runs"][0];
    let root = std::fs::canonicalize(repo.root.path()).unwrap();
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", root.display())
    );
    let mut bases = BTreeSet::new();
    for r in run["results"].as_array().unwrap() {
        let at = artifact(r);
        let uri = at["uri"].as_str().unwrap();
        let base = at["uriBaseId"].as_str();
        bases.insert(base.unwrap_or("-").to_owned());
        match base {
            // Relative to the repository, not to `sub/` where kpilint ran; a `:` in the
            // first segment would read as a scheme.
            Some("%SRCROOT%") => {
                assert!(uri == ODD_URI || uri == "sub/odd%20dir/data.csv", "{uri}");
            }
            Some("KPILINT_BUILTIN") => assert_eq!(uri, "policies/nhi-baseline.toml"),
            Some(other) => panic!("base {other}"),
            None => {
                let want = format!("file://{}/broken%20file.toml", outside.path().display());
                assert_eq!(uri, want);
            }
        }
        assert!(!uri.contains(' ') && !uri.contains('&') && !uri.contains('é'));
    }
    assert_eq!(
        bases,
        ["%SRCROOT%", "-", "KPILINT_BUILTIN"]
            .map(String::from)
            .into()
    );
}

#[test]
fn sarif_fingerprints_are_distinct() {
    let sarif: Value = serde_json::from_str(&demo("sarif")).unwrap();
    let all = fingerprints(&sarif);
    let distinct: BTreeSet<&String> = all.iter().collect();
    assert_eq!(distinct.len(), all.len(), "{all:#?}");
    // Same rule, file and subject: `target` and `warn` looser than the policy.
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let looser: Vec<&Value> = results.iter().filter(|r| r["ruleId"] == "KPI308").collect();
    assert_eq!(looser.len(), 2);
    assert_ne!(
        looser[0]["partialFingerprints"],
        looser[1]["partialFingerprints"]
    );
}

#[test]
fn sarif_fingerprints_ignore_volatile_message_parts() {
    let one: Value = serde_json::from_str(&demo("sarif")).unwrap();
    let next_day = stdout(
        kpilint(&[
            "check",
            "fixtures/demo",
            "--as-of=2026-11-25",
            "--format",
            "sarif",
        ]),
        1,
    );
    let two: Value = serde_json::from_str(&next_day).unwrap();
    let pick = |v: &Value, rule: &str| -> (String, Value) {
        let r = v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == rule)
            .unwrap();
        (
            r["message"]["text"].as_str().unwrap().to_owned(),
            r["partialFingerprints"].clone(),
        )
    };
    // `okr-overdue` and `expired-exception` count days.
    for rule in ["KPI313", "KPI201"] {
        let (m1, f1) = pick(&one, rule);
        let (m2, f2) = pick(&two, rule);
        assert_ne!(m1, m2);
        assert_eq!(f1, f2, "{rule}");
    }
}

#[test]
fn sarif_fingerprints_survive_moved_lines() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(MANIFEST).join("fixtures/demo");
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
        let o = kpilint_in(
            dir.path(),
            &["check", ".", "--as-of=2026-11-24", "--format", "sarif"],
        );
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let all = fingerprints(&v);
        let set: BTreeSet<String> = all.iter().cloned().collect();
        assert_eq!(set.len(), all.len());
        set
    };
    let before = copy("");
    let after = copy("# a new comment\n# moves every line down\n");
    assert_eq!(before, after);
}

/// Counts of one `<testsuites>` or `<testsuite>` element, as written and as found.
fn check_counts(node: roxmltree::Node, cases: &[roxmltree::Node]) {
    let with = |tag: &str| {
        cases
            .iter()
            .filter(|c| c.children().any(|e| e.has_tag_name(tag)))
            .count()
    };
    let attr = |name: &str| -> usize { node.attribute(name).unwrap().parse().unwrap() };
    let name = node.attribute("name").unwrap_or_default();
    assert_eq!(attr("tests"), cases.len(), "tests of {name}");
    assert_eq!(attr("failures"), with("failure"), "failures of {name}");
    assert_eq!(attr("errors"), with("error"), "errors of {name}");
    // junit-10.xsd has no `skipped` on `<testsuites>`: only the suites carry it.
    if node.has_tag_name("testsuite") {
        assert_eq!(attr("skipped"), with("skipped"), "skipped of {name}");
    } else {
        assert_eq!(node.attribute("skipped"), None);
    }
    for c in cases {
        // One result per test case: readers keep one, and count cases.
        let results = c
            .children()
            .filter(|e| ["failure", "error", "skipped"].contains(&e.tag_name().name()))
            .count();
        assert!(results <= 1, "{:?}", c.attribute("name"));
    }
}

/// Parses a `JUnit` report, checks that every count agrees with the content and that test
/// case names are unique in their suite, and returns (case name, outcome, message).
fn junit(xml: &str) -> Vec<(String, String, String)> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let root = doc.root_element();
    assert!(root.has_tag_name("testsuites"));
    let all: Vec<_> = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    check_counts(root, &all);
    let mut out = Vec::new();
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        check_counts(suite, &cases);
        let names: BTreeSet<_> = cases.iter().map(|c| c.attribute("name")).collect();
        assert_eq!(names.len(), cases.len(), "names repeat in {suite:?}");
        for c in cases {
            let result = c.children().find(roxmltree::Node::is_element);
            let (outcome, message) = result.map_or(("passed", ""), |e| {
                let outcome = match e.tag_name().name() {
                    "system-out" => "passed",
                    tag => tag,
                };
                (outcome, e.attribute("message").unwrap_or_default())
            });
            out.push((
                c.attribute("name").unwrap().to_owned(),
                outcome.to_owned(),
                message.to_owned(),
            ));
        }
    }
    out
}

#[test]
fn junit_counts_agree_with_content() {
    let xml = demo("junit");
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains(r#"<testsuite name="fixtures/demo/metrics/platform-security.toml""#));
    let cases = junit(&xml);
    let outcomes =
        |cases: &[(String, String, String)], o: &str| cases.iter().filter(|c| c.1 == o).count();
    // The demo: 13 errors, 22 warnings, 1 waived.
    assert_eq!(cases.len(), 36);
    assert_eq!(outcomes(&cases, "failure"), 13);
    assert_eq!(outcomes(&cases, "skipped"), 1);
    assert_eq!(outcomes(&cases, "passed"), 22);
    // Both `looser-than-policy` findings on one metric, under two names.
    let looser: Vec<&str> = cases
        .iter()
        .map(|c| c.0.as_str())
        .filter(|n| n.starts_with("privileged-access-zsp looser-than-policy"))
        .collect();
    assert_eq!(
        looser,
        [
            "privileged-access-zsp looser-than-policy",
            "privileged-access-zsp looser-than-policy #2"
        ]
    );
    insta::assert_snapshot!("junit", xml);

    let warning = junit(&demo_with("junit", &["--fail-on=warning"]));
    assert_eq!(outcomes(&warning, "failure"), 35);
    let never = stdout(
        kpilint(&[
            "check",
            "fixtures/demo",
            "--as-of=2026-11-24",
            "--format=junit",
            "--fail-on=never",
        ]),
        0,
    );
    let never = junit(&never);
    assert_eq!(outcomes(&never, "failure"), 0);
    assert_eq!(outcomes(&never, "passed"), 35);

    let clean = stdout(
        kpilint(&[
            "check",
            "tests/fixtures/cli/clean",
            "--as-of=2026-11-24",
            "--format=junit",
        ]),
        0,
    );
    assert_eq!(
        junit(&clean),
        [("no findings".to_owned(), "passed".to_owned(), String::new())]
    );
}

#[test]
fn junit_failure_messages_are_whole() {
    let repo = OddRepo::new();
    let cases = junit(&repo.run("junit", &[]));
    let failed: BTreeSet<&str> = cases
        .iter()
        .filter(|c| c.1 == "failure")
        .map(|c| c.2.as_str())
        .collect();
    let errors: Vec<Value> = repo
        .findings()
        .into_iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    let want: BTreeSet<&str> = errors
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(failed, want);
    // The carriage return inside the framework id survives as a character reference.
    assert!(failed.iter().any(|m| m.contains("GV.RM-99\r| <b>bold</b>")));
}

#[test]
fn github_annotations() {
    let out = demo("github");
    for line in out.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
        assert!(!line[2..].contains('\n'));
    }
    insta::assert_snapshot!("github", out);
}

#[test]
fn github_files_are_relative_to_the_repository_root() {
    let out = OddRepo::new().run("github", &[]);
    let mut files = BTreeSet::new();
    let mut builtin = 0;
    for line in out.lines() {
        let (props, _) = line[2..].split_once("::").unwrap();
        let file = props
            .split_once(' ')
            .unwrap()
            .1
            .split(',')
            .find_map(|p| p.strip_prefix("file="));
        match file {
            Some(f) => {
                files.insert(f.to_owned());
            }
            None => builtin += 1,
        }
        assert!(!line.contains("kpilint%3Apolicies"), "{line}");
    }
    assert_eq!(
        files,
        [
            "sub/odd dir/c%3Ax 50%25&é.toml".to_owned(),
            "sub/odd dir/data.csv".to_owned()
        ]
        .into()
    );
    // The built-in baseline's `uncovered-control` findings: annotations without a file.
    assert_eq!(builtin, 9);
}

#[test]
fn markdown_summary_with_scorecard() {
    let out = demo("markdown");
    assert!(out.contains("### Scorecard"));
    // Names with ids, owners, units and thresholds kept, rounded as the scorecard table
    // rounds; a missing series has no trend.
    assert!(out.contains(
        "| NHIs shared by several workloads (`shared-nhi-workloads`) | platform-team@example.com | - | 1.83% | 2026-10 | 2 / 4 / 8 | ON-TARGET |"
    ));
    assert!(out.contains("| MISSING | - |"));
    insta::assert_snapshot!("markdown", out);
}

/// The cells of a table row, split where GFM splits: at a `|` not escaped by a backslash.
/// A `\\|` (escaped backslash, then a pipe) splits in some readers and not in others, so it
/// must never be written.
fn cells(row: &str) -> Vec<&str> {
    assert!(!row.contains(r"\\|"), "ambiguous `\\\\|` in {row}");
    let bytes = row.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'|' && (i == 0 || bytes[i - 1] != b'\\') {
            out.push(&row[start..i]);
            start = i + 1;
        }
    }
    out.push(&row[start..]);
    // Outer pipes: nothing before the first and after the last.
    assert_eq!(out.first().map(|c| c.trim()), Some(""), "{row}");
    assert_eq!(out.last().map(|c| c.trim()), Some(""), "{row}");
    out[1..out.len() - 1].to_vec()
}

/// The text of a cell outside its code spans (a backtick run opens, the next run of the
/// same length closes).
fn outside_code(cell: &str) -> String {
    let mut out = String::new();
    let mut rest = cell;
    while let Some(i) = rest.find('`') {
        if i > 0 && rest.as_bytes()[i - 1] == b'\\' {
            out.push_str(&rest[..=i]);
            rest = &rest[i + 1..];
            continue;
        }
        out.push_str(&rest[..i]);
        let run = rest[i..].len() - rest[i..].trim_start_matches('`').len();
        let after = &rest[i + run..];
        let fence = "`".repeat(run);
        let close = (0..after.len()).find(|&j| {
            after.is_char_boundary(j)
                && after[j..].starts_with(&fence)
                && !after[j + run..].starts_with('`')
                && (j == 0 || after.as_bytes()[j - 1] != b'`')
        });
        if let Some(j) = close {
            rest = &after[j + run..];
        } else {
            out.push_str(&rest[i..]);
            rest = "";
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn markdown_cells_are_escaped() {
    let repo = OddRepo::new();
    let out = repo.run("markdown", &[]);
    assert!(!out.contains('\r'));
    assert!(out.contains("in 2 files (1 metric)."), "{out}");
    let findings = repo.findings();
    let tables: Vec<Vec<&str>> = out
        .split("\n\n")
        .filter(|block| block.starts_with('|'))
        .map(|block| block.lines().collect())
        .collect();
    assert_eq!(tables.len(), 2);
    assert_eq!(tables[0].len() - 2, findings.len());
    assert_eq!(tables[1].len() - 2, 2, "two scopes of the one metric");
    for table in &tables {
        let width = cells(table[0]).len();
        for row in table {
            let cells = cells(row);
            assert_eq!(cells.len(), width, "{row}");
            for cell in cells {
                let text = outside_code(cell);
                assert!(!text.contains('<') && !text.contains('>'), "{cell}");
            }
        }
    }
    insta::assert_snapshot!("markdown_odd", out);
}
