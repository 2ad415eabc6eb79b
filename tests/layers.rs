//! The stages depend on each other in one direction only: no top-level module of `src/`
//! reaches, through any chain of `crate::` paths, back to itself. A new dependency that
//! closes a cycle fails here with the modules of the cycle and the files that make it.
//!
//! Only code counts: comments (a doc link upwards is fine) and `#[cfg(test)]` sections are
//! left out, and so are `main.rs` and `lib.rs`, which sit above everything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// For each top-level module, the modules its code names, with the files that name them.
fn dependencies() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut deps: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&src).unwrap().to_path_buf();
        let rel = rel.to_string_lossy().replace('\\', "/");
        let is_rust = entry.path().extension().is_some_and(|x| x == "rs");
        if !is_rust || rel == "main.rs" || rel == "lib.rs" {
            continue;
        }
        let module = rel
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_owned();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let mine = deps.entry(module.clone()).or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (at, _) in line.match_indices("crate::") {
                let before = line[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let name: String = line[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    mine.entry(name).or_default().insert(rel.clone());
                }
            }
        }
    }
    deps
}

/// A cycle through `start`, if there is one: depth-first search for a path back to it.
fn cycle_through(
    deps: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    start: &str,
) -> Option<Vec<String>> {
    fn visit(
        deps: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in deps.get(at).into_iter().flat_map(BTreeMap::keys) {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if visit(deps, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_owned()];
    let mut seen = BTreeSet::new();
    visit(deps, start, start, &mut path, &mut seen).then_some(path)
}

#[test]
fn the_stages_form_no_cycle() {
    let deps = dependencies();
    assert!(deps.len() > 10, "the scan found the modules: {deps:?}");
    for module in deps.keys() {
        if let Some(cycle) = cycle_through(&deps, module) {
            let mut edges = String::new();
            for (i, from) in cycle.iter().enumerate() {
                let to = &cycle[(i + 1) % cycle.len()];
                let files: Vec<&String> = deps[from][to].iter().collect();
                edges.push_str(&format!("\n  {from} -> {to}  ({files:?})"));
            }
            panic!("module cycle:{edges}");
        }
    }
}

#[test]
fn the_rule_type_depends_on_nothing_but_the_leaves() {
    // Every stage names rules; if `rule` named a stage, every stage would depend on it.
    let deps = dependencies();
    let named: BTreeSet<&String> = deps["rule"].keys().collect();
    assert!(
        named.iter().all(|m| m.as_str() == "suggest"),
        "`rule` names {named:?}"
    );
}
