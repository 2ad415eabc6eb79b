//! Where a run happens: the working directory, the repository root above it, and the
//! repository's `kpilint.toml`. Built once by the binary (or a test) and passed down: the
//! library never reads the process's working directory.

use crate::config::{self, Config};
use crate::source::normalize;
use std::path::{Path, PathBuf};

/// The directories and configuration of one run.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The working directory, absolute: relative paths are resolved against it and shown
    /// relative to it.
    pub cwd: PathBuf,
    /// The repository root: the nearest ancestor of `cwd` holding `.git`, else `cwd`.
    /// Formats read by other programs (SARIF, GitHub annotations) name files relative to
    /// it, discovery never climbs above it, and walked inputs must resolve inside it.
    pub root: PathBuf,
    /// `kpilint.toml`, if one governs this run.
    pub config: Option<Config>,
}

impl Workspace {
    /// A workspace at `cwd` (made absolute against nothing: pass an absolute path), with
    /// no configuration.
    #[must_use]
    pub fn new(cwd: &Path) -> Self {
        let cwd = normalize(cwd);
        let root = repository_root(&cwd).unwrap_or_else(|| cwd.clone());
        Self {
            cwd,
            root,
            config: None,
        }
    }

    /// A workspace at `cwd` with the `kpilint.toml` found from it upward: up to the
    /// repository root inside a repository (a file above the checkout is no part of it),
    /// to the filesystem root outside one.
    ///
    /// # Errors
    /// A `kpilint.toml` that cannot be read or is not TOML, or that is a link out of the
    /// repository or not a regular file (never read), as a message naming it.
    pub fn discover(cwd: &Path) -> Result<Self, String> {
        let mut ws = Self::new(cwd);
        let inside_repository = ws.root.join(".git").exists();
        let found = ws
            .cwd
            .ancestors()
            .take_while(|d| !inside_repository || d.starts_with(&ws.root))
            .map(|d| d.join(config::FILE_NAME))
            .find(|p| p.symlink_metadata().is_ok());
        if let Some(path) = found {
            if inside_repository && !ws.contains(&path) {
                return Err(format!(
                    "`{}` links outside the repository; not read",
                    ws.display(&path)
                ));
            }
            if !path.metadata().is_ok_and(|m| m.is_file()) {
                return Err(format!(
                    "`{}` is not a regular file; not read",
                    ws.display(&path)
                ));
            }
            ws.config = Some(config::load(&path)?);
        }
        Ok(ws)
    }

    /// `path` made absolute against the working directory, without `.` and `..`.
    #[must_use]
    pub fn absolute(&self, path: &Path) -> PathBuf {
        normalize(&self.cwd.join(path))
    }

    /// The path to show for `path`: relative to the working directory (`../policies/p.toml`
    /// from a subdirectory), or absolute when the two share nothing but the filesystem root.
    #[must_use]
    pub fn display(&self, path: &Path) -> String {
        let shown = relative_to(&self.absolute(path), &self.cwd).unwrap_or_else(|| path.into());
        if shown.as_os_str().is_empty() {
            return ".".to_owned();
        }
        // A file name can hold a line break or an escape sequence: shown, it must not
        // forge a line of output or drive the terminal.
        crate::escape::escape_unsafe(&shown.to_string_lossy().replace('\\', "/")).into_owned()
    }

    /// The `policies/` directory that applies: in the working directory, or in the nearest
    /// ancestor up to the repository root, so `kpilint check` run from a subdirectory uses
    /// the repository's policy, not silently the built-in one. Outside a repository only
    /// the working directory's own counts: climbing to `/` could pick up an unrelated
    /// `~/policies`.
    #[must_use]
    pub fn policies_dir(&self) -> Option<PathBuf> {
        self.cwd
            .ancestors()
            .take_while(|d| d.starts_with(&self.root))
            .map(|d| d.join("policies"))
            .find(|p| p.is_dir())
    }

    /// Whether `path` (absolute) lies in the repository: below its root, as the filesystem
    /// resolves it (symlinks followed).
    #[must_use]
    pub fn contains(&self, path: &Path) -> bool {
        within(path, &self.root)
    }
}

/// Whether `path` resolves (symlinks followed) to `dir` or below it. A path that does not
/// exist is judged by its lexical form.
#[must_use]
pub fn within(path: &Path, dir: &Path) -> bool {
    let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path));
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| normalize(dir));
    resolved.starts_with(dir)
}

/// The nearest ancestor of `dir` (itself included) that holds `.git`.
#[must_use]
pub fn repository_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// `path` relative to `base`, both absolute, by their components (see [`normalize`]);
/// `None` when they share nothing below the root.
fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let (path, base) = (normalize(path), normalize(base));
    let (path, base): (Vec<_>, Vec<_>) = (path.components().collect(), base.components().collect());
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let rooted = |c: &Component<'_>| matches!(c, Component::RootDir | Component::Prefix(_));
    if path.iter().take(common).all(rooted) && base.len() > common {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for c in &path[common..] {
        out.push(c.as_os_str());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_relative_to_the_working_directory() {
        let rel = |p: &str, b: &str| {
            relative_to(Path::new(p), Path::new(b)).map(|p| p.to_string_lossy().into_owned())
        };
        assert_eq!(
            rel("/repo/metrics/c.toml", "/repo").as_deref(),
            Some("metrics/c.toml")
        );
        assert_eq!(
            rel("/repo/./metrics/../policies/p.toml", "/repo").as_deref(),
            Some("policies/p.toml")
        );
        assert_eq!(
            rel("/repo/policies/p.toml", "/repo/metrics").as_deref(),
            Some("../policies/p.toml")
        );
        assert_eq!(rel("/tmp/x.toml", "/repo/metrics"), None);
        assert_eq!(rel("/repo", "/repo").as_deref(), Some(""));
        let ws = Workspace::new(Path::new("/repo/metrics"));
        assert_eq!(
            ws.display(Path::new("../policies/p.toml")),
            "../policies/p.toml"
        );
        assert_eq!(ws.display(Path::new("c.toml")), "c.toml");
        assert_eq!(ws.display(Path::new("/tmp/x.toml")), "/tmp/x.toml");
    }
}
