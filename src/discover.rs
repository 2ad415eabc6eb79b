//! Discovery: which files a run reads. One walker (the `ignore` crate: `.gitignore` and
//! `.ignore` honoured, hidden entries, `target/` and `node_modules/` skipped, sorted by name)
//! serves directories named on the command line, the `policies/` search and the globs of
//! `kpilint.toml`.
//!
//! Every input is untrusted, so discovery also decides what is *not* read: a symlink that
//! resolves outside the repository (and outside the directory named on the command line),
//! and anything that is not a regular file (a FIFO, `/dev/zero`), are refused without being
//! opened, and reported as a `parse-error` that names the path and never shows content.

use crate::workspace::{Workspace, within};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The extensions of files kpilint reads.
pub const EXTENSIONS: &[&str] = &[
    "toml", "json", "csv", "tsv", "ndjson", "jsonl", "yaml", "yml",
];

/// Directories never walked: build output and vendored packages.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// Where an input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A file named on the command line (or matched by a `kpilint.toml` glob).
    Named,
    /// Found in a directory named on the command line.
    Walked,
    /// Found by `--policy`, a `kpilint.toml` policy glob, or the default `policies/`.
    PolicySearch,
}

/// A file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Absolute path.
    pub path: PathBuf,
    /// How it was found.
    pub origin: Origin,
}

/// A path discovery did not read, and why (reported as a `parse-error` at the path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// Absolute path.
    pub path: PathBuf,
    /// Why, lower-case: never the file's content.
    pub reason: String,
}

/// Most links through which one directory is walked: enough for any layout people write,
/// few enough that links nested in links cannot multiply the walk.
pub const MAX_LINK_VISITS: usize = 8;

/// What discovery found.
#[derive(Debug, Default)]
pub struct Found {
    /// Files to read, in discovery order, each once.
    pub inputs: Vec<Input>,
    /// Paths refused.
    pub refused: Vec<Refused>,
}

impl Found {
    /// Adds `path` (absolute): a file, or a directory walked in sorted order.
    ///
    /// A path named outright is read wherever it is, unless it lies in the repository and
    /// resolves outside it (a symlink committed to point at `/proc/self/environ`, or a
    /// `metrics/` that links to a home directory). Files walked in a directory must resolve
    /// inside the repository, or inside that directory when it was named outside it.
    ///
    /// # Errors
    /// A path that does not exist or cannot be read: the run cannot do what was asked.
    pub fn add(&mut self, ws: &Workspace, path: &Path, origin: Origin) -> Result<(), String> {
        let meta = std::fs::metadata(path)
            .map_err(|e| format!("cannot read `{}`: {}", ws.display(path), io_reason(&e)))?;
        let lexically_inside = crate::source::normalize(path).starts_with(&ws.root);
        if lexically_inside && !ws.contains(path) {
            self.refuse(path, "links outside the repository; not read");
            return Ok(());
        }
        if meta.is_dir() {
            let mut allowed = vec![ws.root.clone()];
            if !lexically_inside {
                allowed.push(path.to_path_buf());
            }
            let origin = if origin == Origin::Named {
                Origin::Walked
            } else {
                origin
            };
            self.walk(path, &allowed, origin, |p| has_extension(p, EXTENSIONS));
            return Ok(());
        }
        let origin = if origin == Origin::Walked {
            Origin::Named
        } else {
            origin
        };
        if meta.is_file() {
            self.push(path.to_path_buf(), origin);
        } else {
            self.refuse(path, "not a regular file; not read");
        }
        Ok(())
    }

    /// Adds the files below `base` whose path relative to it matches one of `patterns`
    /// (globs as [`crate::config::glob`] compiles them; invalid ones match nothing and are
    /// reported by the config's validation).
    pub fn add_globs(&mut self, ws: &Workspace, base: &Path, patterns: &[&str], origin: Origin) {
        let mut builder = globset::GlobSetBuilder::new();
        for g in patterns.iter().filter_map(|p| crate::config::glob(p).ok()) {
            builder.add(g);
        }
        let Ok(set) = builder.build() else { return };
        let allowed = vec![ws.root.clone()];
        self.walk(base, &allowed, origin, |p| {
            p.strip_prefix(base).is_ok_and(|rel| set.is_match(rel))
        });
    }

    fn push(&mut self, path: PathBuf, origin: Origin) {
        self.inputs.push(Input { path, origin });
    }

    fn refuse(&mut self, path: &Path, reason: &str) {
        self.refused.push(Refused {
            path: path.to_path_buf(),
            reason: reason.to_owned(),
        });
    }

    /// Walks `dir`, adding the regular files `wanted` accepts. Symlinks are followed only
    /// to places below one of `allowed`, and a directory is walked through at most
    /// [`MAX_LINK_VISITS`] links (nested links would otherwise multiply the paths walked);
    /// a link past that is named in a finding, never silently skipped.
    fn walk(
        &mut self,
        dir: &Path,
        allowed: &[PathBuf],
        origin: Origin,
        wanted: impl Fn(&Path) -> bool,
    ) {
        let outside: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
        let allowed: Vec<PathBuf> = allowed
            .iter()
            .map(|a| std::fs::canonicalize(a).unwrap_or_else(|_| a.clone()))
            .collect();
        let visits: Arc<Mutex<crate::hash::Map<PathBuf, usize>>> = Arc::default();
        let repeated: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
        let walker = {
            let outside = Arc::clone(&outside);
            let repeated = Arc::clone(&repeated);
            ignore::WalkBuilder::new(dir)
                .standard_filters(true)
                .git_global(false)
                .require_git(false)
                .follow_links(true)
                .sort_by_file_name(std::cmp::Ord::cmp)
                .filter_entry(move |e| {
                    if e.depth() == 0 {
                        return true;
                    }
                    let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                    if is_dir
                        && e.file_name()
                            .to_str()
                            .is_some_and(|n| SKIPPED_DIRS.contains(&n))
                    {
                        return false;
                    }
                    if e.path_is_symlink() && !allowed.iter().any(|a| within(e.path(), a)) {
                        outside
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .push(e.path().to_path_buf());
                        return false;
                    }
                    if is_dir && e.path_is_symlink() {
                        let real = std::fs::canonicalize(e.path())
                            .unwrap_or_else(|_| e.path().to_path_buf());
                        let mut visits = visits
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        let n = visits.entry(real).or_insert(0);
                        *n += 1;
                        if *n > MAX_LINK_VISITS {
                            repeated
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner)
                                .push(e.path().to_path_buf());
                            return false;
                        }
                    }
                    true
                })
                .build()
        };
        for entry in walker {
            match entry {
                Ok(e) => {
                    let p = e.path();
                    if e.depth() == 0
                        || p.file_name() == Some(std::ffi::OsStr::new(crate::config::FILE_NAME))
                        || !wanted(p)
                    {
                        continue;
                    }
                    match e.file_type() {
                        Some(t) if t.is_file() => self.push(p.to_path_buf(), origin),
                        Some(t) if t.is_dir() => {}
                        _ => self.refuse(p, "not a regular file; not read"),
                    }
                }
                Err(e) => {
                    let (path, reason) = walk_error(&e);
                    self.refuse(path.as_deref().unwrap_or(dir), &reason);
                }
            }
        }
        let outside = std::mem::take(
            &mut *outside
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for p in outside {
            self.refuse(&p, "links outside the repository; not read");
        }
        let repeated = std::mem::take(
            &mut *repeated
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for p in repeated {
            self.refuse(
                &p,
                &format!(
                    "links to a directory already walked through {MAX_LINK_VISITS} links; not walked again"
                ),
            );
        }
    }

    /// Drops repeated inputs (the same file named twice, or named and found in a walked
    /// directory), and puts the rest in path order: a file read twice would define every
    /// id twice, and the verdict must not depend on the order of the command line (which
    /// of two definitions of an id is the first).
    pub fn dedupe(&mut self) {
        let mut seen = std::collections::HashSet::new();
        self.inputs.retain(|i| {
            seen.insert(std::fs::canonicalize(&i.path).unwrap_or_else(|_| i.path.clone()))
        });
        self.inputs.sort_by(|a, b| a.path.cmp(&b.path));
        let mut seen = std::collections::HashSet::new();
        self.refused.retain(|r| seen.insert(r.path.clone()));
        self.refused.sort_by(|a, b| a.path.cmp(&b.path));
    }
}

/// Whether `path` has one of `extensions`.
#[must_use]
pub fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| extensions.contains(&x))
}

/// The path and the reason of a walk error.
fn walk_error(e: &ignore::Error) -> (Option<PathBuf>, String) {
    match e {
        ignore::Error::WithPath { path, err } => (Some(path.clone()), walk_error(err).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(err)
        }
        ignore::Error::Loop { child, .. } => (
            Some(child.clone()),
            "symlink loop: this directory links back to one of its parents; skipped".to_owned(),
        ),
        ignore::Error::Io(io) => (None, format!("cannot read: {}", io_reason(io))),
        other => (None, format!("cannot read: {other}")),
    }
}

/// An I/O error as a finding says it.
#[must_use]
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
