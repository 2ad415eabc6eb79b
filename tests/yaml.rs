//! YAML policies, catalogues and frameworks (issue 11, part 4): the same findings as TOML
//! and JSON, located in the YAML text; anchors and aliases bounded (a "billion laughs" file
//! is a finding, quickly); and a corpus of YAML that never makes the parser panic.

use kpilint::parse::yaml;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const AS_OF: &str = "--as-of=2026-11-24";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn kpilint_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpilint"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn findings(o: &Output) -> Vec<Value> {
    let report: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    report["findings"].as_array().unwrap().clone()
}

/// (rule, file, line, column, message) of each finding.
fn located(findings: &[Value]) -> Vec<(String, String, u64, u64, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A TOML report's help as a YAML file's finding says it: `key = value` in code spans
/// written `key: value`.
fn as_yaml(help: &str) -> String {
    help.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                part.replace(" = ", ": ")
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

/// [`said`] of a TOML report, as a YAML report of the same findings (`yaml`) says it:
/// the help of a finding located in a YAML file speaks YAML.
fn said_in_yaml(toml: &[Value], yaml: &[Value]) -> Vec<(String, String, String, String)> {
    let in_yaml: std::collections::HashSet<(String, String)> = yaml
        .iter()
        .filter(|f| {
            f["file"]
                .as_str()
                .and_then(|p| Path::new(p).extension())
                .is_some_and(|e| e == "yaml" || e == "yml")
        })
        .map(|f| (f["rule"].to_string(), f["message"].to_string()))
        .collect();
    let mut said: Vec<_> = said(toml)
        .into_iter()
        .map(|(r, s, m, h)| {
            let h = if in_yaml.contains(&(r.clone(), m.clone())) {
                as_yaml(&h)
            } else {
                h
            };
            (r, s, m, h)
        })
        .collect();
    said.sort();
    said
}

/// (rule, severity, message, help) of each finding, sorted: what a finding says, wherever
/// it is.
fn said(findings: &[Value]) -> Vec<(String, String, String, String)> {
    let mut said: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f["rule"].to_string(),
                f["severity"].to_string(),
                f["message"].to_string(),
                f["help"].to_string(),
            )
        })
        .collect();
    said.sort();
    said
}

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const POLICY: &str =
    "policy:\n  id: team\ncategory:\n  - id: identity_access\n    owner: iam@example.com\n";

/// The YAML demo's findings in its own files, by hand: the TOML demo's, at the YAML lines.
const YAML_DEMO: &str = "\
looser-than-policy metrics/platform-security.yaml:40:26 metric `privileged-access-zsp` sets target 85 but the policy requires 90 for `privileged-access-zero-standing-privilege` (higher_is_better)
looser-than-policy metrics/platform-security.yaml:40:36 metric `privileged-access-zsp` sets warn 75 but the policy requires 80 for `privileged-access-zero-standing-privilege` (higher_is_better)
vanity-metric metrics/platform-security.yaml:86:11 `secrets-rotated-this-week` is a vanity metric (`activity-as-outcome`): It counts activity, not outcomes: work done can rise while exposure stays where it was.
legacy-control metrics/platform-security.yaml:137:31 `PR.AC-1` is a withdrawn CSF 1.1 control, not part of NIST Cybersecurity Framework (CSF) 2.0
noncanonical-control metrics/platform-security.yaml:151:18 `NHI-02` is an informal spelling of OWASP Top 10 Non-Human Identities Risks `NHI2:2025` (Secret Leakage)
unknown-control metrics/platform-security.yaml:207:31 `GV.RM-08` is not a control of any known framework
missing-owner metrics/platform-security.yaml:210:9 metric `config-drift-events` has no owner
manual-source metrics/platform-security.yaml:233:13 metric `audit-findings-closed-on-time` is reported manually
manual-source metrics/platform-security.yaml:246:13 metric `access-review-completion` is reported manually
missing-guardrail metrics/platform-security.yaml:253:9 okr `nhi-owner-coverage-okr` names no guardrail
okr-overdue metrics/platform-security.yaml:275:105 OKR `vault-migration-okr` was due on 2026-09-30 (55 days ago)
formula-syntax-error metrics/platform-security.yaml:329:15 the formula of `secrets-overdue-rotation` has `=`, which no formula may hold
expired-exception policies/acme-kpi-policy.yaml:71:14 exception for `missing-owner` on `legacy-vault-health` expired on 2026-06-30 (147 days ago)";

/// Each finding as `rule file:line:column message`, one a line, paths relative to `dir`;
/// findings in kpilint's built-in files left out.
fn rendered(findings: &[Value], dir: &str) -> String {
    located(findings)
        .into_iter()
        .filter(|f| !f.1.starts_with("kpilint:"))
        .map(|(rule, file, line, column, message)| {
            let file = file.strip_prefix(dir).unwrap_or(&file);
            format!("{rule} {file}:{line}:{column} {message}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_yaml_demo_has_the_toml_demos_findings_at_its_own_lines() {
    let toml = kpilint_in(
        root(),
        &[
            "check",
            AS_OF,
            "--format",
            "json",
            "fixtures/demo/policies",
            "fixtures/demo/metrics/platform-security.toml",
        ],
    );
    let yaml = kpilint_in(
        root(),
        &[
            "check",
            AS_OF,
            "--format",
            "json",
            "tests/fixtures/yaml/demo",
        ],
    );
    assert_eq!(toml.status.code(), Some(1));
    assert_eq!(yaml.status.code(), Some(1));
    let (toml, yaml) = (findings(&toml), findings(&yaml));
    assert_eq!(said(&yaml), said_in_yaml(&toml, &yaml));
    // Help speaks YAML: what to paste into a YAML catalogue parses as YAML.
    let owner = yaml
        .iter()
        .find(|f| f["rule"] == "missing-owner")
        .and_then(|f| f["help"].as_str())
        .unwrap();
    assert!(owner.starts_with("add `owner: \""), "{owner}");

    assert_eq!(rendered(&yaml, "tests/fixtures/yaml/demo/"), YAML_DEMO);
    // The live exception (a plain-scalar date) still waives the manual source it names.
    let waived = yaml.iter().filter(|f| f["suppressed"] == true).count();
    assert_eq!(waived, 1);
}

#[test]
fn schema_errors_in_yaml_are_located_with_did_you_mean() {
    let o = kpilint_in(
        root(),
        &[
            "check",
            AS_OF,
            "--format",
            "json",
            "tests/fixtures/yaml/broken",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let f = findings(&o);
    // `due: 2026-10-31` unquoted is a string to YAML 1.2, and a date to kpilint.
    assert_eq!(
        rendered(&f, "tests/fixtures/yaml/broken/"),
        "\
missing-owner metrics/typos.yaml:7:9 metric `secret-scan-coverage` has no owner
schema metrics/typos.yaml:13:5 unknown key `ownr` in `metric[0]`
schema metrics/typos.yaml:17:26 `metric[0].thresholds.target`: \"high\" is not of type \"number\"
okr-overdue metrics/typos.yaml:27:87 OKR `pipeline-secrets-okr` was due on 2026-10-31 (24 days ago)"
    );
    assert_eq!(f[1]["help"], "did you mean `owner`?");
}

/// Ten levels of ten aliases: 10^10 strings once expanded.
fn billion_laughs() -> String {
    let mut text = String::from(
        "policy:\n  id: lol\nlol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for level in 1..10 {
        let refs = vec![format!("*l{}", level - 1); 10].join(", ");
        text.push_str(&format!("lol{level}: &l{level} [{refs}]\n"));
    }
    text
}

#[test]
fn a_billion_laughs_is_a_parse_error_in_well_under_a_second() {
    let text = billion_laughs();
    let dir = repo(&[
        ("policies/lol.yaml", &text),
        ("metrics/c.yaml", "catalogue:\n  id: c\n"),
    ]);
    let started = Instant::now();
    let o = kpilint_in(dir.path(), &["check", AS_OF, "--format", "json", "metrics"]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "{took:?}");
    // A broken policy stops the run (exit 2), with the finding that says why.
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let f = located(&findings(&o));
    assert_eq!(f.len(), 1, "{f:#?}");
    let (rule, file, line, column, message) = &f[0];
    assert_eq!(
        (rule.as_str(), file.as_str()),
        ("parse-error", "policies/lol.yaml")
    );
    assert!(message.contains("billion laughs"), "{message}");
    // At the alias that would have gone over: the fourth level, whose copies pass 10,000.
    assert_eq!(*line, 6);
    let at_line = text.lines().nth(5).unwrap();
    let column = usize::try_from(*column).unwrap();
    assert!(
        at_line[column - 1..].starts_with("*l2"),
        "{at_line}:{column}"
    );

    // The parser alone, as a library: the same error, long before memory matters.
    let started = Instant::now();
    let err = yaml::parse(&text).unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(200));
    assert!(err.message.contains("billion laughs"));
}

#[test]
fn a_depth_bomb_is_a_located_parse_error() {
    let block: String = (0..1000).map(|i| "  ".repeat(i) + "- \n").collect();
    let nesting = "nesting deeper than 64 levels";
    for (name, text, line, column, message) in [
        (
            "block.yaml",
            format!("catalogue:\n  id: c\nmetric:\n{block}"),
            68,
            129,
            nesting,
        ),
        (
            "flow.yaml",
            format!("metric: {}\n", "[".repeat(100)),
            1,
            73,
            nesting,
        ),
        // The parser's own bound on flow nesting (255) stops it before kpilint's turn.
        (
            "bomb.yaml",
            format!("metric: {}\n", "[".repeat(100_000)),
            1,
            264,
            "recursion limit exceeded",
        ),
    ] {
        let dir = repo(&[
            ("policies/p.yaml", POLICY),
            (&format!("metrics/{name}"), &text),
        ]);
        let o = kpilint_in(dir.path(), &["check", AS_OF, "--format", "json", "metrics"]);
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(
            rendered(&findings(&o), ""),
            format!("parse-error metrics/{name}:{line}:{column} {message}")
        );
    }
}

#[test]
fn shared_thresholds_through_an_anchor_are_read_for_every_metric() {
    let policy = "policy:\n  id: team\ncategory:\n  - id: identity_access\n    owner: iam@example.com\nkpi:\n  - id: rotated\n    title: Secrets rotated\n    tier: tactical\n    category: identity_access\n    unit: percent\n    direction: higher_is_better\n    cadence: monthly\n    thresholds: {target: 97, warn: 92, critical: 85}\n";
    let catalogue = "\
catalogue:
  id: c
  owner: iam@example.com
metric:
  - id: rotated-prod
    name: Production secrets rotated
    implements: rotated
    tier: tactical
    category: identity_access
    unit: percent
    direction: higher_is_better
    owner: iam@example.com
    cadence: monthly
    source: automated
    thresholds: &shared {target: 95, warn: 92, critical: 85}
  - id: rotated-staging
    name: Staging secrets rotated
    implements: rotated
    tier: tactical
    category: identity_access
    unit: percent
    direction: higher_is_better
    owner: iam@example.com
    cadence: monthly
    source: automated
    thresholds: *shared
";
    let dir = repo(&[("policies/p.yaml", policy), ("metrics/c.yml", catalogue)]);
    let o = kpilint_in(dir.path(), &["check", AS_OF, "--format", "json", "metrics"]);
    assert_eq!(o.status.code(), Some(1));
    // Each metric's loosened target is reported in that metric: the anchor's value in the
    // first, the alias in the second.
    assert_eq!(
        rendered(&findings(&o), ""),
        "\
looser-than-policy metrics/c.yml:15:34 metric `rotated-prod` sets target 95 but the policy requires 97 for `rotated` (higher_is_better)
looser-than-policy metrics/c.yml:26:17 metric `rotated-staging` sets target 95 but the policy requires 97 for `rotated` (higher_is_better)"
    );
}

#[test]
fn yaml_parse_errors_are_located() {
    for (text, expected) in [
        (
            "catalogue:\n  id: c\n\towner: x\n",
            "3:1 while scanning a plain scalar, found a tab",
        ),
        (
            "catalogue:\n  id: c\n  owner: x\n  id: d\n",
            "4:3 duplicate key `id`",
        ),
        (
            "catalogue:\n  id: [c\n",
            "3:1 while parsing a flow sequence, expected ',' or ']'",
        ),
        (
            "catalogue:\n  id: *c\n",
            "2:7 while parsing node, found unknown anchor",
        ),
        (
            "catalogue:\n  id: c\n---\ncatalogue:\n  id: d\n",
            "3:1 a second YAML document: a kpilint file holds one (put each in its own file)",
        ),
        (
            "catalogue:\n  id: !Ref c\n",
            "2:7 the tag `!Ref` is not read in kpilint files: they use the YAML 1.2 core schema's (`!!str`, `!!int`, ...)",
        ),
        (
            "base: &b {owner: o}\ncatalogue:\n  <<: *b\n  id: c\n",
            "3:3 a merge key (`<<`) is YAML 1.1, not read in kpilint files: alias the whole value (`thresholds: *shared`) or write the keys out",
        ),
    ] {
        let dir = repo(&[("policies/p.yaml", POLICY), ("metrics/c.yaml", text)]);
        let o = kpilint_in(dir.path(), &["check", AS_OF, "--format", "json", "metrics"]);
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(
            rendered(&findings(&o), ""),
            format!("parse-error metrics/c.yaml:{expected}"),
            "{text}"
        );
    }
}

#[test]
fn other_tools_yaml_in_a_walked_directory_is_skipped() {
    let dir = repo(&[
        ("policies/p.yaml", POLICY),
        (
            "metrics/c.yaml",
            "catalogue:\n  id: c\n  owner: iam@example.com\nmetric: []\n",
        ),
        // A Kubernetes manifest stream, a CloudFormation template, a compose file with a
        // merge key: valid YAML, not kpilint's.
        ("metrics/k8s.yaml", "kind: Service\n---\nkind: Deployment\n"),
        (
            "metrics/cfn.yml",
            "Resources:\n  B:\n    Properties:\n      Name: !Ref X\n",
        ),
        (
            "metrics/compose.yml",
            "x-base: &b {image: a}\nservices:\n  web:\n    <<: *b\n",
        ),
    ]);
    let o = kpilint_in(dir.path(), &["check", AS_OF, "--format", "json", "metrics"]);
    assert_eq!(o.status.code(), Some(0), "{:#?}", findings(&o));
    assert!(findings(&o).is_empty());
}

#[test]
fn a_yaml_framework_is_listed_by_kpilint_frameworks() {
    let dir = repo(&[(
        "policies/frameworks/acme.yaml",
        "framework:\n  id: acme-yaml\n  name: ACME in YAML\n  version: '1'\ncontrol:\n  - id: Y-01\n    title: One\n",
    )]);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let o = kpilint_in(dir.path(), &["frameworks"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("acme-yaml"), "{out}");
}

/// The YAML 1.2 specification's examples, as saphyr-parser (the parser kpilint uses) ships
/// them in its package: (name, text).
fn spec_examples() -> Vec<(String, String)> {
    // Only this platform's packages: a fresh machine has not downloaded the others (such
    // as Windows-only ones), and `--offline` must not need them.
    let host = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .unwrap();
    let host = String::from_utf8_lossy(&host.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .expect("rustc -vV names the host");
    let metadata = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(["--filter-platform", &host])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        metadata.status.success(),
        "{}",
        String::from_utf8_lossy(&metadata.stderr)
    );
    let metadata: Value = serde_json::from_slice(&metadata.stdout).unwrap();
    let manifest = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "saphyr-parser")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("saphyr-parser is a dependency");
    let path = Path::new(manifest)
        .parent()
        .unwrap()
        .join("tests/specexamples.rs.inc");
    let source =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let re =
        regex::Regex::new(r#"(?s)const (EX\w+)\s*:\s*&str\s*=\s*"((?:[^"\\]|\\.)*)""#).unwrap();
    re.captures_iter(&source)
        .map(|c| (c[1].to_owned(), unescape(&c[2])))
        .collect()
}

/// A Rust string literal's body as the string it denotes.
fn unescape(body: &str) -> String {
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(char::from(u8::from_str_radix(&hex, 16).unwrap()));
            }
            Some('u') => {
                let hex: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
            }
            Some('\n') => while chars.next_if(|c| c.is_whitespace()).is_some() {},
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// YAML's corners, valid and not: each must give a tree or a located error.
const EDGE_CASES: &[&str] = &[
    "",
    "\u{feff}catalogue:\n  id: c\n",
    "catalogue:\r\n  id: c\r\n",
    "a: &a [*a]\n",
    "&a a: *a\n",
    "? [a, b]\n: c\n",
    "? |\n  block key\n: v\n",
    "- - - - x\n",
    "a: |+\n  keep\n\n",
    "a: >-\n  folded\n  text\n",
    "a: |2\n   indented\n",
    "%YAML 1.2\n---\na: 1\n...\n",
    "%YAML 1.1\n%YAML 1.2\n---\n",
    "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
    "a: 'unterminated\n",
    "a: \"bad \\q escape\"\n",
    "a: \"\\u00e9\\U0001F600\"\n",
    "a:\n- b\n-c\n",
    "{a: 1, b: [2, {c: 3}], ? d}\n",
    "[a, b]: c\n",
    "a: b: c\n",
    "- a\nb: c\n",
    "\0",
    "a: \u{1}\n",
    "é: ü\n😀: [ß]\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!int x\n",
    "a: !!map [1]\n",
    ": no key\n",
    "---\n---\n---\n",
    "# only comments\n# here\n",
    "a: 0x\nb: 0o\nc: .\nd: -\ne: 1e\nf: +.inf\n",
    "a: 99999999999999999999999\n",
    "*unknown\n",
    "&anchor\n",
    "!tag\n",
    "a:\n  - b\n  -\n  - c: d\n    e:\n",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
];

/// The specification's examples of what is not YAML (and one that repeats a directive).
const INVALID_EXAMPLES: &[&str] = &[
    "EX5_14", "EX6_15", "EX6_17", "EX6_27a", "EX6_27b", "EX7_22", "EX8_3a", "EX8_3b", "EX8_3c",
];

/// A tree, or an error whose span lies on character boundaries within the text.
fn parses_or_locates(name: &str, text: &str) -> bool {
    match yaml::parse(text) {
        Ok(_) => true,
        Err(e) => {
            let r = e.span.range();
            assert!(
                r.end <= text.len()
                    && text.is_char_boundary(r.start)
                    && text.is_char_boundary(r.end),
                "{name}: {e:?} in {text:?}"
            );
            assert!(!e.message.is_empty(), "{name}");
            false
        }
    }
}

#[test]
fn a_yaml_corpus_gives_trees_or_located_errors_never_a_panic() {
    let examples = spec_examples();
    assert!(examples.len() >= 100, "{} spec examples", examples.len());
    let invalid: Vec<&str> = examples
        .iter()
        .filter(|(name, text)| !parses_or_locates(name, text))
        .map(|(name, _)| name.as_str())
        .collect();
    // Every valid example is read (streams, tags and complex keys included: none of them
    // is a kpilint file); the invalid ones are located errors.
    assert_eq!(invalid, INVALID_EXAMPLES);
    let trees = EDGE_CASES
        .iter()
        .filter(|text| parses_or_locates("edge case", text))
        .count();
    eprintln!(
        "{} spec examples: {} trees, {} located errors; {} edge cases: {trees} trees",
        examples.len(),
        examples.len() - invalid.len(),
        invalid.len(),
        EDGE_CASES.len(),
    );
}

/// A long string aliased again and again (as a value or as a key) costs what its bytes do:
/// stopped early, not copied into gigabytes.
#[test]
fn a_long_string_aliased_many_times_is_a_parse_error() {
    let big = "x".repeat(1 << 20);
    let values = format!(
        "catalogue:\n  id: c\nbig: &a \"{big}\"\nlist: [{}]\n",
        vec!["*a"; 100_000].join(",")
    );
    let keys = format!(
        "catalogue:\n  id: c\nk: &k {big}\nlist:\n{}",
        "  - {*k : 1}\n".repeat(100_000)
    );
    for (name, text) in [("values.yaml", values), ("keys.yaml", keys)] {
        let started = Instant::now();
        let err = kpilint::parse::yaml::parse(&text).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2), "{name}");
        assert!(
            err.message.contains("billion laughs"),
            "{name}: {}",
            err.message
        );
    }
}

#[test]
fn a_yaml_event_register_in_events_is_read_like_its_toml() {
    // Found in `events/` with no PATH, as the TOML register is, and judged alike.
    let toml = "[register]\nid = \"r\"\n\n[[event]]\nid = \"decision\"\nkind = \"strategic\"\n\
                title = \"D\"\ndate = 2026-01-05\nstatus = \"done\"\n\n[[event]]\nid = \"change\"\n\
                kind = \"technical\"\ntitle = \"C\"\ndate = 2026-02-02\nstatus = \"in_progress\"\n";
    let yaml = "register:\n  id: r\nevent:\n  - id: decision\n    kind: strategic\n    title: D\n    \
                date: 2026-01-05\n    status: done\n  - id: change\n    kind: technical\n    \
                title: C\n    date: 2026-02-02\n    status: in_progress\n";
    let run = |name: &str, text: &str| {
        let dir = repo(&[
            ("policies/team.yaml", POLICY),
            ("metrics/.keep", ""),
            (name, text),
        ]);
        findings(&kpilint_in(
            dir.path(),
            &["check", "--as-of", "2026-11-24", "--format", "json"],
        ))
    };
    let (t, y) = (
        run("events/register.toml", toml),
        run("events/register.yaml", yaml),
    );
    let rules: Vec<&str> = y.iter().filter_map(|f| f["rule"].as_str()).collect();
    for rule in [
        "execution-without-strategy",
        "strategy-without-execution",
        "event-without-owner",
        "event-without-evidence",
    ] {
        assert!(rules.contains(&rule), "{rule}: {y:#?}");
    }
    assert_eq!(said_in_yaml(&t, &y), said(&y));
    assert!(
        located(&y)
            .iter()
            .any(|f| f.1 == "events/register.yaml" && f.2 == 4),
        "{y:#?}"
    );
}
