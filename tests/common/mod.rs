//! What several test files share.

use std::path::PathBuf;

/// The first of `names` on PATH. When none is there the test that needs it is skipped
/// (with a notice), unless the environment variable `require` is `require`, as `.ci/run`
/// sets it: then a missing tool fails the test.
pub fn external_tool(names: &[&str], require: &str) -> Option<PathBuf> {
    let found = names.iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        })
    });
    if found.is_none() {
        assert!(
            std::env::var(require).as_deref() != Ok("require"),
            "{require}=require and no {} on PATH",
            names[0]
        );
        eprintln!("no {} on PATH: the test that needs it is skipped", names[0]);
    }
    found
}
