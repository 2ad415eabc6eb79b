//! The base revision's files, from git: one `git ls-tree` for the listing and one
//! `git cat-file --batch` for every blob the run reads, written into a temporary
//! directory. Symlinks and submodules of the base tree are never materialised, and only
//! the commit itself needs to be present (a shallow CI fetch works).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// git as kpilint runs it: never prompting, and never fetching a missing object from a
/// promisor remote (a partial clone would otherwise reach the network): `GIT_NO_LAZY_FETCH`
/// says so from git 2.44, and an allow-list of no transport protocol stops older ones.
fn command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_NO_LAZY_FETCH", "1")
        .env("GIT_ALLOW_PROTOCOL", "none-kpilint-never-fetches")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null());
    cmd
}

/// Runs git in `dir` and returns its standard output.
///
/// # Errors
/// git's own message when it fails, or why it could not run.
pub fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = command(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

/// The top of the repository holding `dir`.
///
/// # Errors
/// When `dir` is in no git repository.
pub fn toplevel(dir: &Path) -> Result<PathBuf, String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])
        .map_err(|e| format!("`kpilint diff` needs a git repository: {e}"))?;
    Ok(PathBuf::from(String::from_utf8_lossy(&top).trim()))
}

/// The full id of the commit `rev` names.
///
/// # Errors
/// When git knows no such commit.
pub fn commit(top: &Path, rev: &str) -> Result<String, String> {
    let spec = format!("{rev}^{{commit}}");
    let out = git(top, &["rev-parse", "--verify", "--quiet", "--end-of-options", &spec]).map_err(|_| {
        format!(
            "unknown revision `{rev}`: fetch it first (for example `git fetch --depth=1 origin {rev}`)"
        )
    })?;
    Ok(String::from_utf8_lossy(&out).trim().to_owned())
}

/// A regular file of the base revision: its blob id and its path in the repository.
pub struct Blob {
    /// The object id.
    pub object: String,
    /// The path, relative and made of plain components only.
    pub path: PathBuf,
}

/// The regular files of `commit`. Symlinks, submodules and paths that are not plain
/// (`..`, absolute) are left out: they are never materialised.
///
/// # Errors
/// git's failures.
pub fn list(top: &Path, commit: &str) -> Result<Vec<Blob>, String> {
    let listing = git(top, &["ls-tree", "-r", "-z", "--full-tree", commit])?;
    // `<mode> <type> <object>\t<path>`, NUL-terminated.
    let mut blobs = Vec::new();
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut meta = meta.split(' ');
        let (Some(mode), Some("blob"), Some(object)) = (meta.next(), meta.next(), meta.next())
        else {
            continue;
        };
        // Regular files only: a symlink committed in the base tree is never followed.
        let path = PathBuf::from(path);
        if !matches!(mode, "100644" | "100755")
            || path
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            continue;
        }
        blobs.push(Blob {
            object: object.to_owned(),
            path,
        });
    }
    Ok(blobs)
}

/// Writes `blobs` below `dest`, with one `git cat-file --batch`.
///
/// # Errors
/// git's failures, and files that cannot be written.
pub fn write(top: &Path, blobs: &[&Blob], dest: &Path) -> Result<(), String> {
    if blobs.is_empty() {
        return Ok(());
    }
    let mut child = command(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("git cat-file has no input")?;
    let mut ids = String::with_capacity(blobs.len() * 41);
    for blob in blobs {
        ids.push_str(&blob.object);
        ids.push('\n');
    }
    // Written from another thread: git answers while it reads, and both pipes are bounded.
    let writer = std::thread::spawn(move || stdin.write_all(ids.as_bytes()));
    let stdout = child.stdout.take().ok_or("git cat-file has no output")?;
    let mut out = BufReader::with_capacity(1 << 16, stdout);
    let mut header = String::new();
    for blob in blobs {
        let (id, path) = (&blob.object, dest.join(&blob.path));
        header.clear();
        out.read_line(&mut header)
            .map_err(|e| format!("git cat-file: {e}"))?;
        // `<object> <type> <size>`
        let size: u64 = header
            .trim_end()
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("git cat-file: no blob `{id}`"))?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let mut file = std::fs::File::create(&path).map_err(|e| e.to_string())?;
        let copied = std::io::copy(&mut (&mut out).take(size), &mut file)
            .map_err(|e| format!("git cat-file: {e}"))?;
        if copied != size {
            return Err(format!("git cat-file: blob `{id}` is cut short"));
        }
        let mut newline = [0u8; 1];
        out.read_exact(&mut newline)
            .map_err(|e| format!("git cat-file: {e}"))?;
    }
    writer
        .join()
        .map_err(|_| "git cat-file: the writer failed".to_owned())?
        .map_err(|e| format!("git cat-file: {e}"))?;
    drop(out);
    let _ = child.wait();
    Ok(())
}
