//! Writing `--output`: whole or not at all, and only there.
//!
//! A report is written to a temporary file created exclusively, with an unpredictable name,
//! in the target's directory (so a symlink planted at a predictable name cannot redirect
//! it), then renamed over the target: an interrupted run never leaves half a report, and a
//! symlink at the target is replaced, never written through. A device or a FIFO
//! (`/dev/null`), or a link under `/dev` (`/dev/stdout`), is written in place instead of
//! being replaced by a file, and a target that is one of the run's inputs is refused. The temporary file's path is registered while it exists, so an interrupt (see
//! [`remove_pending`]) can remove it.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files being written, for [`remove_pending`].
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes the temporary files of writes in progress: for a signal handler, before the
/// process exits without running destructors.
pub fn remove_pending() {
    let pending = PENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for p in pending.iter() {
        let _ = std::fs::remove_file(p);
    }
}

/// Writes `body` to `path`, atomically when `path` is (or will be) a regular file.
/// `inputs` are the files the run read: writing over one of them is refused.
///
/// # Errors
/// An input named as the output, or any I/O error, with the path in the message.
pub fn write(
    path: &Path,
    inputs: &[PathBuf],
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let named =
        |e: io::Error| io::Error::new(e.kind(), format!("cannot write `{}`: {e}", path.display()));
    if let Ok(target) = std::fs::canonicalize(path)
        && inputs
            .iter()
            .any(|i| std::fs::canonicalize(i).is_ok_and(|i| i == target))
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "`--output {}` names a file this run reads: choose another path",
                path.display()
            ),
        ));
    }
    // A device or a pipe is written in place: replacing it with a file would break it. So
    // is a link under `/dev`, whatever it resolves to: `/dev/stdout` leads to a regular
    // file when the output is redirected to one, and a file renamed over it would replace
    // the link for every later process. A link elsewhere that leads to a device (a
    // committed `report.json -> /dev/sda`) is replaced like any other file, and so is a
    // plain file under `/dev` (`/dev/shm/report.json`).
    let meta = std::fs::symlink_metadata(path).ok();
    let link = meta.as_ref().is_some_and(std::fs::Metadata::is_symlink);
    let special = meta
        .as_ref()
        .is_some_and(|m| !m.is_symlink() && !m.is_file() && !m.is_dir());
    let in_dev = path.is_absolute() && crate::source::normalize(path).starts_with("/dev");
    if special || (link && in_dev) {
        // Appended: a redirected standard output keeps what is already in it.
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(named)?;
        let mut w = io::BufWriter::new(file);
        body(&mut w)?;
        return w.flush().map_err(named);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".kpilint-")
        .suffix(".tmp")
        .permissions(default_permissions())
        .tempfile_in(dir)
        .map_err(named)?;
    let registered = tmp.path().to_path_buf();
    lock().push(registered.clone());
    let result = (|| {
        let mut w = io::BufWriter::new(tmp.as_file());
        body(&mut w)?;
        w.flush()?;
        drop(w);
        tmp.as_file().sync_all()?;
        tmp.persist(path).map(drop).map_err(|e| e.error)
    })();
    lock().retain(|p| *p != registered);
    result.map_err(named)
}

fn lock() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The mode a report is created with, before the umask: readable like any file the user
/// writes, not the temporary file's private 0600.
#[cfg(unix)]
fn default_permissions() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o666)
}

#[cfg(not(unix))]
fn default_permissions() -> std::fs::Permissions {
    std::fs::metadata(".").map_or_else(
        |_| unreachable!("a directory has permissions"),
        |m| m.permissions(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_written_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.json");
        write(&out, &[], |w| w.write_all(b"{}")).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"{}");
        let failed = write(&out, &[], |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("interrupted"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&out).unwrap(), b"{}", "the old report stays");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_replaced_not_followed_and_inputs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let out = dir.path().join("r.json");
        std::os::unix::fs::symlink(&victim, &out).unwrap();
        write(&out, &[], |w| w.write_all(b"{}")).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(!std::fs::symlink_metadata(&out).unwrap().is_symlink());

        let err = write(&victim, std::slice::from_ref(&victim), |w| {
            w.write_all(b"x")
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("names a file this run reads"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");

        write(Path::new("/dev/null"), &[], |w| w.write_all(b"x")).unwrap();
        assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
    }

    #[test]
    fn a_link_to_a_device_outside_dev_is_replaced() {
        // A plain file under `/dev` (tmpfs) is written as any file is.
        if std::path::Path::new("/dev/shm").is_dir() {
            let shm = tempfile::tempdir_in("/dev/shm").unwrap();
            let out = shm.path().join("r.json");
            write(&out, &[], |w| w.write_all(b"{}")).unwrap();
            write(&out, &[], |w| w.write_all(b"[]")).unwrap();
            assert_eq!(std::fs::read_to_string(&out).unwrap(), "[]");
        }
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report.sarif");
        std::os::unix::fs::symlink("/dev/null", &out).unwrap();
        write(&out, &[], |w| w.write_all(b"{}")).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "{}");
        assert!(!std::fs::symlink_metadata(&out).unwrap().is_symlink());
    }
}
