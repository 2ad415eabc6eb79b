//! The command line as files: each `tests/cmd/<case>.toml` names the arguments and the
//! exit code, and `<case>.stdout` / `<case>.stderr` the exact output (`[..]` elides what
//! depends on the machine). Update them with `TRYCMD=overwrite cargo test --test cli_cases`.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .env("COLUMNS", "100")
        .case("tests/cmd/*.toml");
}
