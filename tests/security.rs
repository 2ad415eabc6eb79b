//! An untrusted pull request cannot escape the repository, exhaust the machine or hide a
//! finding: one regression test per defect of the adversarial review (issue 13, numbered
//! as there).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const AS_OF: &str = "--as-of=2026-11-24";

const POLICY: &str = r#"[policy]
id = "team"

[[category]]
id = "identity_access"
owner = "iam@example.com"
"#;

const CATALOGUE: &str = r#"[catalogue]
id = "team"

[[metric]]
id = "exposed-keys"
name = "Percent of keys exposed"
tier = "tactical"
category = "identity_access"
unit = "percent"
direction = "lower_is_better"
owner = "iam@example.com"
cadence = "monthly"
source = "automated"
thresholds = { target = 1, warn = 5, critical = 10 }
"#;

fn kpilint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpilint"))
        .args(args)
        .current_dir(dir)
        .env("COLUMNS", "100")
        .output()
        .expect("kpilint runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A git repository (a `.git` directory is all discovery needs) holding `files`.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for (path, body) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    dir
}

fn findings(o: &Output) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&o.stdout), text(&o.stderr)));
    v["findings"].as_array().unwrap().clone()
}

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
    assert!(o.status.success(), "git {args:?}: {}", text(&o.stderr));
}

/// A real git repository with `files` committed as the base.
fn git_repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    for (path, body) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    dir
}

// 1. --output is created exclusively beside its target, never through a symlink.
#[cfg(unix)]
#[test]
fn output_is_written_whole_and_never_through_a_symlink() {
    let dir = repo(&[("policies/p.toml", POLICY), ("metrics/c.toml", CATALOGUE)]);
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep").unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("report.json")).unwrap();
    let o = kpilint(
        dir.path(),
        &[
            "check",
            AS_OF,
            "--format",
            "json",
            "--output",
            "report.json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    let report = std::fs::symlink_metadata(dir.path().join("report.json")).unwrap();
    assert!(report.is_file(), "the symlink is replaced by the report");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.starts_with(".kpilint-").then_some(name)
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

// 2. Symlinks out of the repository are refused without being read, and so are special files.
#[cfg(unix)]
#[test]
fn symlinks_out_of_the_repository_and_special_files_are_never_read() {
    let outside = tempfile::tempdir().unwrap();
    // Read, this file would be quoted in the parse error's snippet.
    std::fs::write(
        outside.path().join("secret.toml"),
        "secret = \"TOKEN-4f9a\"\n[catalogue\n",
    )
    .unwrap();
    let dir = repo(&[("policies/p.toml", POLICY), ("metrics/c.toml", CATALOGUE)]);
    let metrics = dir.path().join("metrics");
    std::os::unix::fs::symlink(outside.path().join("secret.toml"), metrics.join("env.toml"))
        .unwrap();
    std::os::unix::fs::symlink(outside.path(), metrics.join("elsewhere")).unwrap();
    let fifo = metrics.join("pipe.toml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let human = kpilint(dir.path(), &["check", AS_OF, "--color", "never"]);
    let all = text(&human.stdout) + &text(&human.stderr);
    assert!(
        !all.contains("TOKEN-4f9a"),
        "content outside the repository shown: {all}"
    );
    let o = kpilint(dir.path(), &["check", AS_OF, "--format", "json"]);
    let f = findings(&o);
    for (file, reason) in [
        ("metrics/env.toml", "links outside the repository"),
        ("metrics/elsewhere", "links outside the repository"),
        ("metrics/pipe.toml", "not a regular file"),
    ] {
        assert!(
            f.iter().any(|x| x["rule"] == "parse-error"
                && x["file"] == file
                && x["message"].as_str().unwrap().contains(reason)),
            "{file}: {f:#?}"
        );
    }
    // A device named outright is refused too, not read forever.
    let o = kpilint(
        dir.path(),
        &["check", "/dev/zero", AS_OF, "--format", "json"],
    );
    assert!(
        findings(&o).iter().any(|x| x["message"]
            .as_str()
            .unwrap()
            .contains("not a regular file")),
        "{}",
        text(&o.stdout)
    );
}

// 3. A kpilint.toml above the repository root is not used; `diff` judges with the base's.
#[test]
fn the_gate_is_the_repository_s_and_diff_s_is_the_base_s() {
    let parent = tempfile::tempdir().unwrap();
    std::fs::write(parent.path().join("kpilint.toml"), "fail_on = \"never\"\n").unwrap();
    let bad = CATALOGUE.replace("owner = \"iam@example.com\"\ncadence", "cadence");
    let inner = parent.path().join("repo");
    std::fs::create_dir_all(inner.join(".git")).unwrap();
    std::fs::create_dir_all(inner.join("policies")).unwrap();
    std::fs::create_dir_all(inner.join("metrics")).unwrap();
    std::fs::write(inner.join("policies/p.toml"), POLICY).unwrap();
    std::fs::write(inner.join("metrics/c.toml"), &bad).unwrap();
    let o = kpilint(&inner, &["check", AS_OF]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));

    // The pull request sets `fail_on = "never"` and points the catalogue glob at a decoy.
    let dir = git_repo(&[
        ("kpilint.toml", "fail_on = \"error\"\n"),
        ("policies/p.toml", POLICY),
        ("metrics/c.toml", CATALOGUE),
    ]);
    std::fs::write(
        dir.path().join("kpilint.toml"),
        "fail_on = \"never\"\ncatalogues = [\"decoy/*.toml\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("metrics/c.toml"), &bad).unwrap();
    let o = kpilint(
        dir.path(),
        &["diff", "--base", "HEAD", AS_OF, "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        findings(&o).iter().any(|f| f["rule"] == "missing-owner"),
        "the real catalogue is still checked"
    );
}

// 4. --output naming an input is refused; a device is written in place.
#[test]
fn output_naming_an_input_is_refused() {
    let dir = repo(&[("policies/p.toml", POLICY), ("metrics/c.toml", CATALOGUE)]);
    let o = kpilint(dir.path(), &["check", AS_OF, "--output", "metrics/c.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("names a file this run reads"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("metrics/c.toml")).unwrap(),
        CATALOGUE
    );
    let o = kpilint(dir.path(), &["check", AS_OF, "--output", "/dev/null"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
}

// 8. Bad rows cost what a hundred do: findings are capped per file, and echoed input is cut.
#[test]
fn bad_rows_and_long_ids_are_bounded_in_the_output() {
    let mut data = String::from("metric,period,value\n");
    for i in 0..5_000 {
        data.push_str(&format!("exposed-keys,2026-10,x{i}\n"));
    }
    let long_id = "m".repeat(100_000);
    data.push_str(&format!("{long_id},2026-10,1\n"));
    let dir = repo(&[
        ("policies/p.toml", POLICY),
        ("metrics/c.toml", CATALOGUE),
        ("data/d.csv", &data),
    ]);
    let o = kpilint(dir.path(), &["check", AS_OF, "--format", "json"]);
    let f = findings(&o);
    let malformed: Vec<_> = f.iter().filter(|x| x["rule"] == "malformed-row").collect();
    assert_eq!(malformed.len(), 101, "100 rows and a summary");
    assert!(
        malformed[100]["message"]
            .as_str()
            .unwrap()
            .starts_with("and 4900 more rows"),
        "{:#}",
        malformed[100]
    );
    assert!(
        o.stdout.len() < 200_000,
        "{} bytes of output",
        o.stdout.len()
    );
}

// 9. A period after --as-of is a finding and never the latest value.
#[test]
fn a_period_that_has_not_begun_cannot_hide_a_breach() {
    let data = "metric,period,value\nexposed-keys,2026-09,2\nexposed-keys,2026-10,12\nexposed-keys,9999-12-31,0\n";
    let dir = repo(&[
        ("policies/p.toml", POLICY),
        ("metrics/c.toml", CATALOGUE),
        ("data/d.csv", data),
    ]);
    let o = kpilint(dir.path(), &["check", AS_OF, "--format", "json"]);
    let f = findings(&o);
    assert!(f.iter().any(|x| x["rule"] == "threshold-breach"), "{f:#?}");
    assert!(
        f.iter().any(|x| x["rule"] == "malformed-row"
            && x["line"] == 4
            && x["message"].as_str().unwrap().contains("has not begun")),
        "{f:#?}"
    );
}

// 10. Absolute and `..` paths compare the same files in `diff`.
#[test]
fn diff_maps_absolute_and_parent_paths_to_the_base() {
    let policy = format!(
        "{POLICY}\n[[kpi]]\nid = \"k\"\ntitle = \"K\"\ntier = \"tactical\"\ncategory = \"identity_access\"\nunit = \"percent\"\ndirection = \"higher_is_better\"\ncadence = \"monthly\"\nthresholds = {{ target = 95, warn = 90, critical = 80 }}\n"
    );
    let dir = git_repo(&[("policies/p.toml", &policy), ("metrics/c.toml", CATALOGUE)]);
    std::fs::write(
        dir.path().join("policies/p.toml"),
        policy.replace("warn = 90", "warn = 85"),
    )
    .unwrap();
    let abs = dir.path().join("policies").display().to_string();
    for (cwd, path) in [
        (dir.path().to_path_buf(), abs.as_str()),
        (dir.path().join("metrics"), "../policies"),
    ] {
        let o = kpilint(
            &cwd,
            &["diff", "--base", "HEAD", path, AS_OF, "--format", "json"],
        );
        assert!(
            findings(&o)
                .iter()
                .any(|f| f["rule"] == "threshold-loosened"),
            "{path}: {}",
            text(&o.stdout)
        );
    }
    let o = kpilint(dir.path(), &["diff", "--base", "HEAD", "/tmp", AS_OF]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("outside the repository"));
}

// 11. Control and bidi characters from input never reach a terminal or a workflow log raw.
#[test]
fn control_characters_from_input_are_escaped_in_text_formats() {
    let catalogue = "{\"catalogue\": {\"id\": \"c\"}, \"metric\": [{\"id\": \"evil\\u001b]8;;x\\u0007\\u202e\", \"name\": \"x\", \"owner\": \"\"}]}";
    let dir = repo(&[
        ("policies/p.toml", POLICY),
        ("metrics/c.json", catalogue),
        (
            "metrics/x\n::error file=README.md::forged.toml",
            "[catalog]\n",
        ),
    ]);
    for format in ["human", "github", "markdown", "junit"] {
        let o = kpilint(
            dir.path(),
            &["check", AS_OF, "--format", format, "--color", "never"],
        );
        let out = text(&o.stdout);
        assert!(!out.contains('\u{1b}'), "{format}: ESC in {out}");
        assert!(!out.contains('\u{7}'), "{format}: BEL in {out}");
        assert!(!out.contains('\u{202e}'), "{format}: U+202E in {out}");
        assert!(
            !out.lines().any(|l| l.starts_with("::error file=README.md")),
            "{format}: a forged workflow command in {out}"
        );
    }
}

// 13. A reader that closes the pipe early does not change the exit code.
#[test]
fn a_closed_pipe_keeps_the_exit_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for format in ["json", "sarif"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kpilint"))
            .args(["check", "fixtures/demo", AS_OF, "--format", format])
            .current_dir(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut head = [0u8; 10];
        child.stdout.take().unwrap().read_exact(&mut head).unwrap();
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{format}: {}", text(&o.stderr));
    }
}

// 14. An `extends` error still writes the machine-readable report.
#[test]
fn an_extends_error_still_writes_sarif() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = kpilint(
        root,
        &[
            "check",
            "tests/fixtures/cli/unknown-extends",
            AS_OF,
            "--format",
            "sarif",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).expect("SARIF on stdout");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "KPI002");
}

// 15. The verdict does not depend on the order of the command line.
#[test]
fn the_order_of_the_command_line_does_not_change_the_verdict() {
    let looser = CATALOGUE
        .replace("id = \"team\"", "id = \"other\"")
        .replace("warn = 5, critical = 10", "warn = 50, critical = 90");
    let dir = repo(&[
        ("policies/p.toml", POLICY),
        ("a/c.toml", CATALOGUE),
        ("b/c.toml", &looser),
        ("d.csv", "metric,period,value\nexposed-keys,2026-10,20\n"),
    ]);
    let one = kpilint(
        dir.path(),
        &["check", "a", "b", "d.csv", AS_OF, "--format", "json"],
    );
    let two = kpilint(
        dir.path(),
        &["check", "d.csv", "b", "a", AS_OF, "--format", "json"],
    );
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.status.code(), two.status.code());
}

// 18, 19. Day periods without a cadence go stale; a metric whose rows were all rejected
// says so; lowercase quarters and weeks are periods.
#[test]
fn day_periods_go_stale_and_rejected_rows_are_named() {
    let catalogue = CATALOGUE.replace("cadence = \"monthly\"\n", "");
    let data = "metric,period,value\nexposed-keys,2026-04-04,2\n";
    let dir = repo(&[
        ("policies/p.toml", POLICY),
        ("metrics/c.toml", &catalogue),
        ("data/d.csv", data),
    ]);
    let o = kpilint(dir.path(), &["check", AS_OF, "--format", "json"]);
    assert!(
        findings(&o).iter().any(|f| f["rule"] == "stale-data"),
        "{}",
        text(&o.stdout)
    );
    let dir = repo(&[
        ("policies/p.toml", POLICY),
        ("metrics/c.toml", CATALOGUE),
        (
            "data/d.csv",
            "metric,period,value\nexposed-keys,2026-10,140\nexposed-keys,2026-q3,2\n",
        ),
    ]);
    let o = kpilint(dir.path(), &["check", AS_OF, "--format", "json"]);
    let f = findings(&o);
    assert!(
        !f.iter().any(|x| x["rule"] == "missing-data"),
        "a lowercase quarter is a period: {f:#?}"
    );
    let dir = repo(&[
        ("policies/p.toml", POLICY),
        ("metrics/c.toml", CATALOGUE),
        (
            "data/d.csv",
            "metric,period,value\nexposed-keys,2026-10,140\n",
        ),
    ]);
    let f = findings(&kpilint(dir.path(), &["check", AS_OF, "--format", "json"]));
    assert!(
        f.iter().any(|x| x["rule"] == "missing-data"
            && x["message"].as_str().unwrap().contains("were all rejected")),
        "{f:#?}"
    );
}

// 12. Line numbers hold in a file that mixes CRLF and LF endings.
#[test]
fn mixed_line_endings_keep_line_numbers() {
    let data = "metric,period,value\r\nexposed-keys,2026-01,1\r\nexposed-keys,2026-02,x\nexposed-keys,2026-03,y\r\nexposed-keys,2026-04,z\n";
    let dir = repo(&[
        ("policies/p.toml", POLICY),
        ("metrics/c.toml", CATALOGUE),
        ("data/d.csv", data),
    ]);
    let f = findings(&kpilint(dir.path(), &["check", AS_OF, "--format", "json"]));
    let lines: Vec<u64> = f
        .iter()
        .filter(|x| x["rule"] == "malformed-row")
        .map(|x| x["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 5]);
}

// Review of the fixes. A directory or a `kpilint.toml` that lies in the repository but
// links out of it is refused, however it is reached.
#[cfg(unix)]
#[test]
fn a_linked_directory_or_configuration_out_of_the_repository_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("c.toml"),
        "secret = \"TOKEN-77ab\"\n[catalogue\n",
    )
    .unwrap();
    std::fs::write(outside.path().join("kpilint.toml"), "fail_on = \"never\"\n").unwrap();
    let dir = repo(&[("policies/p.toml", POLICY), ("metrics/c.toml", CATALOGUE)]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("linked")).unwrap();
    let o = kpilint(dir.path(), &["check", "linked", AS_OF, "--format", "json"]);
    let all = text(&o.stdout) + &text(&o.stderr);
    assert!(!all.contains("TOKEN-77ab"), "{all}");
    assert!(
        findings(&o).iter().any(|f| f["file"] == "linked"
            && f["message"]
                .as_str()
                .unwrap()
                .contains("links outside the repository")),
        "{all}"
    );

    std::os::unix::fs::symlink(
        outside.path().join("kpilint.toml"),
        dir.path().join("kpilint.toml"),
    )
    .unwrap();
    let o = kpilint(dir.path(), &["check", AS_OF]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("`kpilint.toml` links outside the repository"),
        "{}",
        text(&o.stderr)
    );
}

// `diff` on named paths, without a `kpilint.toml`, reads the base's `policies/` too (from
// the root, or from a subdirectory): an unchanged tree has nothing to report.
#[test]
fn diff_of_named_paths_reads_the_base_policies() {
    let policy = format!(
        "{POLICY}\n[[kpi]]\nid = \"k\"\ntitle = \"K\"\ntier = \"tactical\"\ncategory = \"identity_access\"\nunit = \"percent\"\ndirection = \"higher_is_better\"\ncadence = \"monthly\"\nthresholds = {{ target = 95, warn = 90, critical = 80 }}\n"
    );
    let dir = git_repo(&[
        ("policies/p.toml", &policy),
        ("team/metrics/c.toml", CATALOGUE),
    ]);
    for (cwd, path) in [
        (dir.path().to_path_buf(), "team/metrics/c.toml"),
        (dir.path().join("team"), "metrics"),
    ] {
        let o = kpilint(
            &cwd,
            &["diff", "--base", "HEAD", path, AS_OF, "--format", "json"],
        );
        let f = findings(&o);
        assert!(
            !f.iter()
                .any(|f| f["rule"].as_str().unwrap().contains("removed")),
            "{path}: {f:#?}"
        );
        assert_eq!(o.status.code(), Some(0), "{path}: {f:#?}");
    }
}

// `diff` is governed by the base's `kpilint.toml`, but the working tree's own is the one
// whose text is checked: its findings point at its own lines.
#[test]
fn diff_checks_the_working_tree_s_own_configuration() {
    let dir = git_repo(&[
        ("kpilint.toml", "fail_on = \"error\"\n"),
        ("policies/p.toml", POLICY),
        ("metrics/c.toml", CATALOGUE),
    ]);
    std::fs::write(
        dir.path().join("kpilint.toml"),
        "# comment\n\nfail_on = \"error\"\nfail_onn = \"never\"\n",
    )
    .unwrap();
    let o = kpilint(
        dir.path(),
        &["diff", "--base", "HEAD", AS_OF, "--format", "json"],
    );
    let f = findings(&o);
    assert!(
        f.iter()
            .any(|f| f["file"] == "kpilint.toml" && f["line"] == 4),
        "{f:#?}"
    );
}

// `--output /dev/fd/1` (or `/dev/stdout`) with the output redirected to a file: the report
// is appended to that file, and nothing is ever renamed into `/dev` (as root, that would
// replace `/dev/stdout` for every later process).
#[cfg(target_os = "linux")]
#[test]
fn output_to_a_redirected_standard_output_is_written_through_dev() {
    let dir = repo(&[("policies/p.toml", POLICY), ("metrics/c.toml", CATALOGUE)]);
    let log = dir.path().join("ci.log");
    std::fs::write(&log, "before\n").unwrap();
    let file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_kpilint"))
        .args(["check", AS_OF, "--format", "json", "--output", "/dev/fd/1"])
        .current_dir(dir.path())
        .stdout(Stdio::from(file))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let written = std::fs::read_to_string(&log).unwrap();
    assert!(written.starts_with("before\n{"), "{written}");
    assert!(std::fs::symlink_metadata("/dev/fd").unwrap().is_symlink());
}

// Links inside the repository: a directory reached through two links is read through both
// (a glob may want only one of the paths), and links nested in links cannot multiply the
// walk: past a few visits a directory is named in a finding, not walked again.
#[cfg(unix)]
#[test]
fn linked_directories_inside_the_repository_are_walked_boundedly() {
    let ownerless = CATALOGUE.replace("owner = \"iam@example.com\"\ncadence", "cadence");
    let dir = repo(&[
        ("kpilint.toml", "catalogues = [\"metrics/**/*.toml\"]\n"),
        ("policies/p.toml", POLICY),
        ("shared/c.toml", &ownerless),
    ]);
    std::fs::create_dir(dir.path().join("metrics")).unwrap();
    std::os::unix::fs::symlink("../shared", dir.path().join("metrics/team")).unwrap();
    std::os::unix::fs::symlink("shared", dir.path().join("aaa")).unwrap();
    let o = kpilint(dir.path(), &["check", AS_OF, "--format", "json"]);
    let f = findings(&o);
    assert!(
        f.iter()
            .any(|f| f["rule"] == "missing-owner" && f["file"] == "metrics/team/c.toml"),
        "{f:#?}"
    );

    // 16 levels, each with two links to the next: 65,536 paths to the last one.
    let deep = repo(&[("policies/p.toml", POLICY)]);
    let levels = 16;
    for i in 0..=levels {
        std::fs::create_dir_all(deep.path().join(format!("metrics/l{i}"))).unwrap();
    }
    for i in 0..levels {
        for link in ["a", "b"] {
            std::os::unix::fs::symlink(
                format!("../l{}", i + 1),
                deep.path().join(format!("metrics/l{i}/{link}")),
            )
            .unwrap();
        }
    }
    std::fs::write(
        deep.path().join(format!("metrics/l{levels}/c.toml")),
        CATALOGUE,
    )
    .unwrap();
    let started = std::time::Instant::now();
    let o = kpilint(deep.path(), &["check", AS_OF, "--format", "json"]);
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    assert!(
        findings(&o).iter().any(|f| f["message"]
            .as_str()
            .unwrap()
            .contains("already walked through")),
        "{}",
        text(&o.stdout)
    );
}

// The base revision is walked as the working tree is: its ignore files come with it, so
// an unchanged tree has nothing to report.
#[test]
fn diff_reads_the_base_with_its_ignore_files() {
    let vendored = CATALOGUE
        .replace("id = \"team\"", "id = \"vendored\"")
        .replace("exposed-keys", "vendored-keys");
    let dir = git_repo(&[
        ("kpilint.toml", "catalogues = [\"**/*.toml\"]\n"),
        (".ignore", "vendor/\n"),
        ("policies/p.toml", POLICY),
        ("metrics/c.toml", CATALOGUE),
        ("vendor/lib/c.toml", &vendored),
    ]);
    let o = kpilint(
        dir.path(),
        &["diff", "--base", "HEAD", AS_OF, "--format", "json"],
    );
    let f = findings(&o);
    assert!(f.is_empty(), "{f:#?}");
    assert_eq!(o.status.code(), Some(0));
}
