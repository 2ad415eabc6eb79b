//! Editor support: the schemas in `schemas/` are the ones editors use, so the demo's files
//! must validate against them in Taplo (the TOML language server behind VS Code's "Even
//! Better TOML"), and a JSON catalogue may name its schema with `$schema`.
//!
//! The Taplo test needs `taplo` on PATH (`npm install -g @taplo/cli`); without it, it says
//! so and passes, unless `KPILINT_EDITOR_TESTS=require` (as `.ci/run` sets).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn taplo() -> Option<PathBuf> {
    common::external_tool(&["taplo"], "KPILINT_EDITOR_TESTS")
}

/// Whether Taplo finds `file` valid against `schema` (a file in `schemas/`).
fn taplo_valid(taplo: &Path, schema: &str, file: &Path) -> (bool, String) {
    let url = format!("file://{}", root().join("schemas").join(schema).display());
    let o = Command::new(taplo)
        .args(["check", "--schema", &url])
        .arg(file)
        .env("RUST_LOG", "error")
        .output()
        .expect("taplo runs");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn taplo_validates_the_demo_with_the_schemas() {
    let Some(taplo) = taplo() else { return };
    let demo = root().join("fixtures/demo");
    for (schema, file) in [
        ("catalogue.schema.json", "metrics/platform-security.toml"),
        ("policy.schema.json", "policies/acme-kpi-policy.toml"),
    ] {
        let (ok, err) = taplo_valid(&taplo, schema, &demo.join(file));
        assert!(ok, "{file}: {err}");
    }
    for entry in std::fs::read_dir(demo.join("policies/frameworks")).unwrap() {
        let path = entry.unwrap().path();
        let (ok, err) = taplo_valid(&taplo, "framework.schema.json", &path);
        assert!(ok, "{}: {err}", path.display());
    }
    // And what kpilint calls a schema error, Taplo marks too: completion and squiggles
    // in the editor agree with the check.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[catalogue]\nid = \"c\"\nowner = 3\nbogus = true\n").unwrap();
    let (ok, err) = taplo_valid(&taplo, "catalogue.schema.json", &bad);
    assert!(!ok);
    assert!(err.contains("bogus"), "{err}");
}

#[test]
fn a_json_catalogue_may_name_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.json"),
        r#"{ "$schema": "https://kpilint.dev/schemas/catalogue.json",
             "catalogue": { "id": "c", "owner": "o@example.com" }, "metric": [] }"#,
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_kpilint"))
        .args(["check", "--as-of=2026-11-24", "--format", "json", "c.json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let schema: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "schema" || f["rule"] == "parse-error")
        .collect();
    assert!(schema.is_empty(), "{schema:#?}");
}

#[test]
fn every_schema_has_a_stable_id() {
    for entry in std::fs::read_dir(root().join("schemas")).unwrap() {
        let path = entry.unwrap().path();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let kind = name.trim_end_matches(".schema.json");
        assert_eq!(
            v["$id"],
            format!("https://kpilint.dev/schemas/{kind}.json"),
            "{name}"
        );
    }
}
