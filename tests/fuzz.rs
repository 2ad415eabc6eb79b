//! Property-based fuzzing of the parsers and the whole check: arbitrary text, and valid
//! documents with random bytes flipped, cut or spliced, must give findings, never a panic.

use kpilint::pipeline::{Request, check};
use kpilint::workspace::Workspace;
use proptest::prelude::*;
use std::path::Path;

fn demo(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/demo")
            .join(name),
    )
    .unwrap()
}

/// The demo's platform-security catalogue as YAML.
fn yaml_demo() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/yaml/demo/metrics/platform-security.yaml"),
    )
    .unwrap()
}

/// Applies edits (position fraction, kind, byte) to `text`, keeping it UTF-8 where the
/// edit lands inside a multi-byte character by working on bytes and converting lossily.
fn mutate(text: &str, edits: &[(f64, u8, u8)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &(at, kind, byte) in edits {
        if bytes.is_empty() {
            break;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = ((at * bytes.len() as f64) as usize).min(bytes.len() - 1);
        match kind % 4 {
            0 => bytes[i] = byte,
            1 => {
                bytes.remove(i);
            }
            2 => {
                let noise = b"[]{}\"'=,.#\n\\";
                bytes.insert(i, noise[usize::from(byte) % noise.len()]);
            }
            _ => bytes.truncate(i),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Checks `dir` as its own repository, as of 2026-11-24.
fn run(dir: &Path) -> Result<kpilint::settle::Report, kpilint::pipeline::Fatal> {
    let req = Request {
        paths: vec![dir.to_path_buf()],
        policies: Vec::new(),
        as_of: "2026-11-24".parse().unwrap(),
    };
    check(&Workspace::new(dir), &req)
}

fn check_text(name: &str, text: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.toml"),
        demo("policies/acme-kpi-policy.toml"),
    )
    .unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    // Either a report or a fatal error with a message: both are fine, a panic is not.
    match run(dir.path()) {
        Ok(report) => {
            for f in &report.findings {
                let _ = kpilint::report::locate(&report, &f.primary);
            }
        }
        Err(fatal) => assert!(!fatal.message.is_empty()),
    }
}

proptest! {

    #[test]
    fn parsers_never_panic_on_arbitrary_text(text in "\\PC{0,400}") {
        let _ = kpilint::parse::toml::parse(&text);
        let _ = kpilint::parse::json::parse(&text);
        let _ = kpilint::parse::yaml::parse(&text);
    }

    #[test]
    fn parsers_never_panic_on_structured_noise(text in "[\\[\\]{}\"'=,.:# \\na-z0-9\\\\-]{0,300}") {
        let _ = kpilint::parse::toml::parse(&text);
        let _ = kpilint::parse::json::parse(&text);
        let _ = kpilint::parse::yaml::parse(&text);
    }

    #[test]
    fn yaml_never_panics_on_yaml_noise(text in "[ \\n\\t\\-?:,\\[\\]{}&*!|>'\"#%@`a-c0-9.~]{0,300}") {
        if let Err(e) = kpilint::parse::yaml::parse(&text) {
            let r = e.span.range();
            prop_assert!(r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        }
    }

    #[test]
    fn mutated_toml_catalogue_never_panics(edits in prop::collection::vec((0.0f64..1.0, any::<u8>(), any::<u8>()), 1..8)) {
        check_text("catalogue.toml", &mutate(&demo("metrics/platform-security.toml"), &edits));
    }

    #[test]
    fn mutated_json_catalogue_never_panics(edits in prop::collection::vec((0.0f64..1.0, any::<u8>(), any::<u8>()), 1..8)) {
        check_text("catalogue.json", &mutate(&demo("metrics/identity-team.json"), &edits));
    }

    #[test]
    fn mutated_yaml_catalogue_never_panics(edits in prop::collection::vec((0.0f64..1.0, any::<u8>(), any::<u8>()), 1..8)) {
        check_text("catalogue.yaml", &mutate(&yaml_demo(), &edits));
    }

    #[test]
    fn mutated_policy_never_panics(edits in prop::collection::vec((0.0f64..1.0, any::<u8>(), any::<u8>()), 1..6)) {
        let dir = tempfile::tempdir().unwrap();
        let policy = mutate(&demo("policies/acme-kpi-policy.toml"), &edits);
        std::fs::write(dir.path().join("policy.toml"), policy).unwrap();
        std::fs::write(dir.path().join("catalogue.toml"), demo("metrics/platform-security.toml")).unwrap();
        let _ = run(dir.path());
    }
}

proptest! {
    #[test]
    fn evaluation_never_panics_on_arbitrary_rows(
        rows in prop::collection::vec(
            (
                prop::sample::select(vec!["privileged-access-zsp", "nhi-owner-coverage", "orphaned-nhi-count", "x", ""]),
                "(20[0-9]{2}-([01][0-9]|Q[0-6]|W[0-5][0-9])|[0-9a-zA-Z :T-]{0,12})",
                "(-?[0-9]{0,4}(\\.[0-9]{0,3})?|NaN|inf|[a-z,\"]{0,4})",
                "[a-z]{0,3}",
                prop::sample::select(vec!["automated", "manual", "", "MANUAL"]),
            ),
            0..40,
        ),
        header in prop::sample::select(vec!["metric,period,value,scope,source", "metric,period,numerator,denominator", "period,value", "metric,period,value"]),
    ) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("policy.toml"), demo("policies/acme-kpi-policy.toml")).unwrap();
        std::fs::write(dir.path().join("catalogue.toml"), demo("metrics/platform-security.toml")).unwrap();
        let mut csv = format!("{header}\n");
        let mut ndjson = String::new();
        for (m, p, v, s, src) in &rows {
            csv.push_str(&format!("{m},{p},{v},{s},{src}\n"));
            ndjson.push_str(&format!("{{\"metric\": \"{m}\", \"period\": \"{p}\", \"value\": {v}}}\n"));
        }
        std::fs::write(dir.path().join("data.csv"), csv).unwrap();
        std::fs::write(dir.path().join("data.ndjson"), ndjson).unwrap();
        let report = run(dir.path()).unwrap();
        prop_assert!(report.scorecard.is_some());
    }
}
