//! The base revision's files, from git: one `git ls-tree` for the listing and one
//! `git cat-file --batch` for every blob the run reads, written into a temporary
//! directory. Symlinks and submodules of the base tree are never materialised, and only
//! the commit itself needs to be present (a shallow CI fetch works).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Runs git in `dir` and returns its standard output.
///
/// # Errors
/// git's own message when it fails, or why it could not run.
pub fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
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
    let out = git(top, &["rev-parse", "--verify", "--quiet", &spec]).map_err(|_| {
        format!(
            "unknown revision `{rev}`: fetch it first (for example `git fetch --depth=1 origin {rev}`)"
        )
    })?;
    Ok(String::from_utf8_lossy(&out).trim().to_owned())
}

/// Writes the regular files of `commit` that `wanted` accepts (by their path in the
/// repository) below `dest`; returns how many.
///
/// # Errors
/// git's failures, and files that cannot be written.
pub fn materialise(
    top: &Path,
    commit: &str,
    dest: &Path,
    wanted: impl Fn(&str) -> bool,
) -> Result<usize, String> {
    let listing = git(top, &["ls-tree", "-r", "-z", "--full-tree", commit])?;
    // `<mode> <type> <object>\t<path>`, NUL-terminated.
    let mut blobs: Vec<(String, PathBuf)> = Vec::new();
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
        if !matches!(mode, "100644" | "100755") || !wanted(path) {
            continue;
        }
        let relative = Path::new(path);
        if relative
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            continue;
        }
        blobs.push((object.to_owned(), dest.join(relative)));
    }
    if blobs.is_empty() {
        return Ok(0);
    }
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .current_dir(top)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("git cat-file has no input")?;
    let mut ids = String::with_capacity(blobs.len() * 41);
    for (id, _) in &blobs {
        ids.push_str(id);
        ids.push('\n');
    }
    // Written from another thread: git answers while it reads, and both pipes are bounded.
    let writer = std::thread::spawn(move || stdin.write_all(ids.as_bytes()));
    let stdout = child.stdout.take().ok_or("git cat-file has no output")?;
    let mut out = BufReader::with_capacity(1 << 16, stdout);
    let mut header = String::new();
    for (id, path) in &blobs {
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
        let mut file = std::fs::File::create(path).map_err(|e| e.to_string())?;
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
    Ok(blobs.len())
}
