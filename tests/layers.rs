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
        let mine = deps.entry(module.clone()).or_default();
        let code: String = without_test_modules(&text)
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .flat_map(|l| [l, "\n"])
            .collect();
        for name in named_modules(&code) {
            if name != module {
                mine.entry(name).or_default().insert(rel.clone());
            }
        }
    }
    deps
}

/// `text` without its `#[cfg(test)] mod … { … }` blocks (brace-matched; braces in strings
/// are rare enough in this crate's test modules not to matter, and the scan errs towards
/// keeping code).
fn without_test_modules(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let trimmed = after.trim_start();
        let Some(open) = trimmed
            .starts_with("mod ")
            .then(|| trimmed.find('{'))
            .flatten()
        else {
            rest = after;
            continue;
        };
        let mut depth = 0usize;
        let mut end = trimmed.len();
        for (i, c) in trimmed[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &trimmed[end..];
    }
    out.push_str(rest);
    out
}

/// The top-level modules code names through `crate::`: `crate::a::X` and every name of
/// a group, `crate::{a::X, b}`.
fn named_modules(code: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut names = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group: split at commas outside nested braces.
            let mut depth = 0usize;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        names.push(ident(&group[start..i]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.push(ident(&group[start..i]));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            names.push(ident(rest));
        }
    }
    names.retain(|n| !n.is_empty() && n != "self");
    names
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

#[test]
fn the_scan_sees_paths_groups_and_code_after_a_test_module() {
    assert_eq!(
        named_modules(
            "use crate::{\n    a::X,\n    b::{c, d},\n    self,\n};\nlet x = crate::e::f();"
        ),
        ["a", "b", "e"]
    );
    assert_eq!(
        named_modules("kpilint_crate::x; $crate::rule::Rule"),
        ["rule"]
    );
    let text = "use crate::a;\n#[cfg(test)]\nmod tests {\n    use crate::b;\n    fn f() { {} }\n}\nuse crate::c;\n#[cfg(test)]\nfn g() { crate::d::h() }\n";
    assert_eq!(named_modules(&without_test_modules(text)), ["a", "c", "d"]);
}
