//! Policy files ordered into layers, parents before children, by their `extends`.
//!
//! The embedded baseline joins the layers when a policy extends `nhi-baseline` that no
//! file defines, or when there is no policy at all. Ordering is iterative and linear in
//! the number of files and `extends` entries, so a hostile chain of 40,000 files is an
//! error at its depth limit, not a stack overflow.

use super::{BASELINE, BASELINE_ID, BASELINE_NAME, BASELINE_TREE};
use crate::diag::{Diagnostics, Label, Message};
use crate::hash::Map;
use crate::model::PolicyFile;
use crate::rule::SCHEMA;
use crate::source::{SourceFile, SourceMap};

/// Most policies in one `extends` chain.
pub const MAX_DEPTH: usize = 64;

/// Where the depth-first walk stands with one policy.
#[derive(Clone, Copy, PartialEq)]
enum State {
    New,
    Visiting,
    Done,
}

/// Orders `policies` parents first, adding the baseline where it is needed.
///
/// # Errors
/// An `extends` naming no policy, a cycle, or a chain deeper than [`MAX_DEPTH`]: a
/// `schema` finding at the `extends` entry, and the message that stops the run.
pub fn order(
    policies: Vec<PolicyFile>,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Result<Vec<PolicyFile>, String> {
    let mut pool = policies;
    let defines_baseline = pool.iter().any(|p| p.id.value == BASELINE_ID);
    let needs_baseline = pool.is_empty()
        || (!defines_baseline
            && pool
                .iter()
                .any(|p| p.extends.iter().any(|e| e.value == BASELINE_ID)));
    if needs_baseline {
        let file = sources.add(SourceFile::new(BASELINE_NAME.into(), None, BASELINE.into()));
        let mut baseline = crate::load::extract::policy(&BASELINE_TREE, file)
            .ok_or("the embedded baseline lacks `[policy] id`")?;
        baseline.locate_formulas(BASELINE);
        pool.insert(0, baseline);
    }
    // The first file defining an id is the one `extends` names (`duplicate-id` reports
    // the others).
    let mut by_id: Map<&str, usize> = Map::default();
    for (i, p) in pool.iter().enumerate() {
        by_id.entry(p.id.value.as_str()).or_insert(i);
    }
    let mut state = vec![State::New; pool.len()];
    let mut order: Vec<usize> = Vec::with_capacity(pool.len());
    // Depth-first, parents first, with an explicit stack of (policy, next parent to visit).
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let fail = |at: usize,
                parent: usize,
                message: String,
                help: Option<Message>,
                diags: &mut Diagnostics| {
        let (file, span) = (pool[at].file, pool[at].extends[parent].span);
        let f = diags.push(&SCHEMA, Label::at(file, span), msg!("{}", message));
        if let Some(help) = help {
            f.help(help);
        }
        let src = sources.get(file);
        let (line, col) = src.line_col(span.start);
        Err(format!("{}:{line}:{col}: {message}", src.display))
    };
    for start in 0..pool.len() {
        if state[start] != State::New {
            continue;
        }
        state[start] = State::Visiting;
        stack.push((start, 0));
        while let Some(&mut (i, ref mut next)) = stack.last_mut() {
            let Some(parent) = pool[i].extends.get(*next) else {
                state[i] = State::Done;
                order.push(i);
                stack.pop();
                continue;
            };
            let at = *next;
            *next += 1;
            let Some(&j) = by_id.get(parent.value.as_str()) else {
                let message = format!(
                    "policy `{}` extends `{}`, which no policy file defines",
                    pool[i].id.value, parent.value
                );
                let known = pool
                    .iter()
                    .map(|p| p.id.value.as_str())
                    .chain([BASELINE_ID]);
                let help = crate::diag::did_you_mean(
                    crate::suggest::closest(&parent.value, known),
                    msg!(
                        "`extends` names a policy's `[policy] id`; the built-in baseline is `{}`",
                        BASELINE_ID
                    ),
                );
                return fail(i, at, message, Some(help), diags);
            };
            match state[j] {
                State::Done => {}
                State::Visiting => {
                    let message = format!(
                        "policy `{}` extends `{}`, which extends it in turn: a cycle",
                        pool[i].id.value, parent.value
                    );
                    return fail(i, at, message, None, diags);
                }
                State::New if stack.len() >= MAX_DEPTH => {
                    let message = format!(
                        "policy `{}` extends `{}` more than {MAX_DEPTH} layers deep",
                        pool[i].id.value, parent.value
                    );
                    return fail(i, at, message, None, diags);
                }
                State::New => {
                    state[j] = State::Visiting;
                    stack.push((j, 0));
                }
            }
        }
    }
    let mut slots: Vec<Option<PolicyFile>> = pool.into_iter().map(Some).collect();
    Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn policy(id: &str, extends: &[&str], file: u32) -> PolicyFile {
        let list: Vec<String> = extends.iter().map(|e| format!("\"{e}\"")).collect();
        let text = format!("[policy]\nid = \"{id}\"\nextends = [{}]\n", list.join(", "));
        let root = crate::parse::toml::parse(&text).unwrap();
        crate::load::extract::policy(&root, FileId(file)).unwrap()
    }

    fn ids(layers: &[PolicyFile]) -> Vec<&str> {
        layers.iter().map(|p| p.id.value.as_str()).collect()
    }

    fn sources(n: usize) -> SourceMap {
        let mut s = SourceMap::default();
        for i in 0..n {
            s.add(SourceFile::new(format!("p{i}.toml"), None, String::new()));
        }
        s
    }

    #[test]
    fn parents_come_first_and_the_baseline_joins_when_extended() {
        let mut d = Diagnostics::default();
        let layers = order(
            vec![
                policy("team", &["org"], 0),
                policy("org", &["nhi-baseline"], 1),
            ],
            &mut sources(2),
            &mut d,
        )
        .unwrap();
        assert_eq!(ids(&layers), ["nhi-baseline", "org", "team"]);
        assert!(d.findings.is_empty());
    }

    #[test]
    fn unknown_parents_cycles_and_deep_chains_are_located_errors() {
        let mut d = Diagnostics::default();
        let err = order(vec![policy("a", &["nope"], 0)], &mut sources(1), &mut d).unwrap_err();
        assert!(err.contains("which no policy file defines"), "{err}");
        assert_eq!(d.findings.len(), 1);

        let mut d = Diagnostics::default();
        let err = order(
            vec![policy("a", &["b"], 0), policy("b", &["a"], 1)],
            &mut sources(2),
            &mut d,
        )
        .unwrap_err();
        assert!(err.contains("a cycle"), "{err}");

        // 40,000 layers: the limit, iteratively, in linear time.
        let n = 40_000;
        let chain: Vec<PolicyFile> = (0..n)
            .map(|i| {
                let parent = format!("p{}", i + 1);
                let parents: Vec<&str> = if i + 1 < n { vec![&parent] } else { vec![] };
                policy(&format!("p{i}"), &parents, 0)
            })
            .collect();
        let mut d = Diagnostics::default();
        let started = std::time::Instant::now();
        let err = order(chain, &mut sources(1), &mut d).unwrap_err();
        assert!(err.contains("more than 64 layers deep"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
