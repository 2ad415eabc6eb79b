//! `kpilint diff`: what a pull request changes in the policy and catalogues.
//!
//! The base revision's files are materialised from git ([`git`]) into a temporary
//! directory, or taken from a directory (`--base-dir`), and analysed exactly as the working
//! tree is, so layering, `implements` and framework resolution mean the same on both sides.
//! The base revision's `kpilint.toml` governs both runs: a pull request cannot move the
//! gate (its `fail_on`, or the globs that choose which files are checked) in the change
//! that the gate reviews. The two models are compared by the `diff` rules through a
//! [`Delta`]; every finding is located in the working-tree file and names the base value.

pub mod git;

use crate::analyze::delta::Delta;
use crate::config::Config;
use crate::pipeline::{self, Fatal, Request};
use crate::settle::Report;
use crate::source::normalize;
use crate::workspace::Workspace;
use std::path::{Path, PathBuf};

/// What the working tree is compared with.
#[derive(Debug, Clone)]
pub enum Base {
    /// A git revision of the repository holding the working directory.
    Rev(String),
    /// A directory holding the base version of the working directory.
    Dir(PathBuf),
}

/// The base revision, ready to compare: its files and its configuration.
pub struct Plan {
    /// The base tree's counterpart of the working directory.
    base_cwd: PathBuf,
    /// The base tree's counterpart of the repository root.
    base_root: PathBuf,
    /// The working tree's repository root the base tree stands for.
    head_root: PathBuf,
    /// The base revision's `kpilint.toml`, moved to the working tree: it governs both runs.
    pub config: Option<Config>,
    /// The materialised base revision, removed when the plan is dropped.
    _tree: Option<tempfile::TempDir>,
}

/// Finds the base revision and materialises the files the run can read.
///
/// # Errors
/// Not a git repository, an unknown revision, an unreadable base: exit 2.
pub fn prepare(ws: &Workspace, base: &Base, req: &Request) -> Result<Plan, Fatal> {
    match base {
        Base::Dir(dir) => {
            let dir = ws.absolute(dir);
            if !dir.is_dir() {
                return Err(Fatal::msg(format!(
                    "`{}` is not a directory",
                    ws.display(&dir)
                )));
            }
            let head_root = ws.cwd.clone();
            let config = base_config(&dir, &dir, &head_root);
            Ok(Plan {
                base_cwd: dir.clone(),
                base_root: dir,
                head_root,
                config,
                _tree: None,
            })
        }
        Base::Rev(rev) => {
            let top = git::toplevel(&ws.cwd).map_err(Fatal::msg)?;
            let top = std::fs::canonicalize(&top).unwrap_or(top);
            let commit = git::commit(&top, rev).map_err(Fatal::msg)?;
            let tree = tempfile::tempdir()
                .map_err(|e| Fatal::msg(format!("cannot create a temporary directory: {e}")))?;
            let cwd = std::fs::canonicalize(&ws.cwd).unwrap_or_else(|_| ws.cwd.clone());
            let rel_cwd = cwd
                .strip_prefix(&top)
                .unwrap_or(Path::new(""))
                .to_path_buf();
            let blobs = git::list(&top, &commit).map_err(|e| {
                Fatal::msg(format!("cannot list the files as they are at `{rev}`: {e}"))
            })?;
            // What the base run can read (its data included, so that a finding the base
            // already has is not the change's): the paths named (or, when none is named or
            // the base's `kpilint.toml` may glob anywhere, the whole tree), the `policies/`
            // directories it may search, the `kpilint.toml` files on its way up, and the
            // ignore files that decide what a walk skips.
            let configs: Vec<PathBuf> = rel_cwd
                .ancestors()
                .map(|d| d.join(crate::config::FILE_NAME))
                .collect();
            let configured = blobs.iter().any(|b| configs.contains(&b.path));
            let mut prefixes: Vec<PathBuf> =
                rel_cwd.ancestors().map(|d| d.join("policies")).collect();
            if configured || req.paths.is_empty() {
                prefixes.push(PathBuf::new());
            }
            for p in req.paths.iter().chain(&req.policies) {
                prefixes.push(repo_relative(ws, &[&top, &ws.root], p)?);
            }
            // Ignore files too: the walker honours them, so without them the base run
            // would read what the working tree's run skips.
            let ignores = [".gitignore", ".ignore"].map(std::ffi::OsStr::new);
            let wanted: Vec<&git::Blob> = blobs
                .iter()
                .filter(|b| {
                    configs.contains(&b.path)
                        || b.path.file_name().is_some_and(|n| ignores.contains(&n))
                        || crate::discover::has_extension(
                            &b.path,
                            &[
                                "toml", "json", "yaml", "yml", "csv", "tsv", "ndjson", "jsonl",
                            ],
                        ) && prefixes.iter().any(|p| b.path.starts_with(p))
                })
                .collect();
            git::write(&top, &wanted, tree.path()).map_err(|e| {
                Fatal::msg(format!("cannot read the files as they are at `{rev}`: {e}"))
            })?;
            let base_root = tree.path().to_path_buf();
            let base_cwd = base_root.join(&rel_cwd);
            let config = base_config(&base_cwd, &base_root, &top);
            Ok(Plan {
                base_cwd,
                base_root,
                head_root: top,
                config,
                _tree: Some(tree),
            })
        }
    }
}

/// Where `p` (as the command line wrote it) lies in the repository at one of `roots` (the
/// same root, as written and canonical), judged lexically: against the working directory
/// as written and as the filesystem resolves it, so a path through a symlinked directory
/// keeps its own name.
///
/// # Errors
/// A path outside the repository: it has no base version to compare with.
fn repo_relative(ws: &Workspace, roots: &[&Path], p: &Path) -> Result<PathBuf, Fatal> {
    let mut candidates = vec![normalize(&ws.absolute(p))];
    if p.is_relative()
        && let Ok(cwd) = std::fs::canonicalize(&ws.cwd)
    {
        candidates.push(normalize(&cwd.join(p)));
    }
    candidates
        .iter()
        .find_map(|c| roots.iter().find_map(|r| c.strip_prefix(r).ok()))
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            Fatal::msg(format!(
                "`{}` is outside the repository: `kpilint diff` compares files of the repository only",
                crate::escape::escape_unsafe(&p.display().to_string())
            ))
        })
}

/// The `kpilint.toml` that governs the base tree (found from `cwd` up to `root`), moved to
/// the working tree at `head_root`. A base configuration that does not load governs
/// nothing: the working tree's defaults apply and the file's own check reports it.
fn base_config(cwd: &Path, root: &Path, head_root: &Path) -> Option<Config> {
    let path = cwd
        .ancestors()
        .take_while(|d| d.starts_with(root))
        .map(|d| d.join(crate::config::FILE_NAME))
        .find(|p| p.is_file())?;
    let mut config = crate::config::load(&path).ok()?;
    let rel = config.root.strip_prefix(root).ok()?.to_path_buf();
    config.root = head_root.join(rel);
    config.path = head_root.join(config.path.strip_prefix(root).ok()?);
    Some(config)
}

/// Checks the working tree (governed by `ws.config`, the base revision's configuration)
/// and compares it with the base. `own_config` is the working tree's own `kpilint.toml`:
/// its text is what the run checks, though it governs nothing yet.
///
/// # Errors
/// The base or the working tree cannot be checked.
pub fn run(
    ws: &Workspace,
    own_config: Option<&Config>,
    req: &Request,
    plan: &Plan,
) -> Result<Report, Fatal> {
    let mut base_ws = Workspace::new(&plan.base_cwd);
    base_ws.root.clone_from(&plan.base_root);
    base_ws.config = plan.config.clone().map(|mut c| {
        let rel = c
            .root
            .strip_prefix(&plan.head_root)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        c.root = plan.base_root.join(rel);
        c
    });
    // A path maps to the same path of the base tree, however it is written (relative,
    // absolute, through `..`), by its place in the repository rather than by where a
    // symlink leads; one outside the repository has no base version.
    let canonical_root = std::fs::canonicalize(&plan.head_root).ok();
    let roots: Vec<&Path> = canonical_root
        .iter()
        .map(PathBuf::as_path)
        .chain([plan.head_root.as_path(), ws.root.as_path()])
        .collect();
    let map = |paths: &[PathBuf]| -> Result<Vec<PathBuf>, Fatal> {
        let mut out = Vec::new();
        for p in paths {
            let base = plan.base_root.join(repo_relative(ws, &roots, p)?);
            if base.exists() {
                out.push(base);
            }
        }
        Ok(out)
    };
    let base_req = Request {
        paths: map(&req.paths)?,
        policies: map(&req.policies)?,
        as_of: req.as_of,
    };
    // A base whose named paths did not exist yet, or that had nothing kpilint reads (the
    // pull request that adopts kpilint), has nothing to compare.
    let base = if !req.paths.is_empty() && base_req.paths.is_empty() {
        None
    } else {
        match pipeline::analyze_with(&base_ws, &base_req, None) {
            Ok(a) => Some(a),
            Err(f) if f.nothing_to_check => None,
            Err(f) => {
                return Err(Fatal::msg(format!(
                    "cannot check the files as they are at the base: {}",
                    f.message
                )));
            }
        }
    };
    let mut head = pipeline::analyze_with(ws, req, own_config)?;
    let scorecard = head.evaluate_data();
    let Some(base) = base else {
        return Ok(head.settle(ws, None, scorecard));
    };
    // The base's policy files, copied beside the working tree's so that a finding can show
    // the base value it changed. (Catalogues are not: they can be large, and a metric's
    // finding names its base value in the message.)
    let mut base_files = crate::hash::Map::default();
    for file in base.model.policy.layers.iter().map(|l| l.file) {
        let src = base.sources.get(file);
        if src.path.is_some() {
            let copy = head.sources.add(crate::source::SourceFile::base_copy(src));
            base_files.insert(file, copy);
        }
    }
    let mut delta =
        Delta::new(&base.model, &head.model, req.as_of).with_layers(&base.sources, &head.sources);
    delta.base_files = base_files;
    delta.configs = Some(crate::analyze::delta::Configs {
        base: plan.config.as_ref(),
        head: own_config.zip(head.config_file),
    });
    pipeline::run_diff_rules(&delta, &mut head.diags);
    drop(delta);
    let mut report = head.settle(ws, Some(&base.model.policy), scorecard);
    // The base's data too: a breach the base already reported is not the change's.
    let mut base = base;
    base.evaluate_data();
    let base_report = base.settle(&base_ws, None, None);
    mark_introduced(&mut report, &base_report);
    Ok(report)
}

/// Marks each finding of the working tree introduced by the change or already at the
/// base. A finding matches one at the base with the same rule, file (as displayed),
/// subject (else message) and scope (with the period of a row), as SARIF fingerprints
/// them, so moved lines and changed values do not make it new, and a breach moving from
/// one scope to another does; each base finding matches at most one. A `diff` rule's finding is about the change itself,
/// so it is always introduced.
fn mark_introduced(head: &mut Report, base: &Report) {
    let key = |report: &Report, f: &crate::diag::Finding| {
        (
            f.rule.code,
            report.sources.get(f.primary.file).display.clone(),
            f.subject
                .as_deref()
                .map_or_else(|| f.message.plain(), str::to_owned),
            f.scope.clone(),
        )
    };
    let mut at_base: crate::hash::Map<_, usize> = crate::hash::Map::default();
    for f in &base.findings {
        *at_base.entry(key(base, f)).or_default() += 1;
    }
    let keys: Vec<_> = head.findings.iter().map(|f| key(head, f)).collect();
    for (f, k) in head.findings.iter_mut().zip(keys) {
        let seen = f.rule.group != crate::rule::Group::Diff
            && at_base.get_mut(&k).is_some_and(|n| {
                let left = *n > 0;
                *n = n.saturating_sub(1);
                left
            });
        f.introduced = Some(!seen);
    }
}
