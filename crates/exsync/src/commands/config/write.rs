//! Writing the configuration file: a new file readable by its owner only, and replacing a file
//! in one step.
//!
//! Invariants: an existing file is never overwritten by `init` / `import` without `--force`;
//! a file is replaced by renaming a complete new file over it (a crash leaves the old or the
//! new file, never half of one); on Unix a new file has mode 0600 and a replaced file keeps
//! the mode it had (0600 when `--force` replaces it).

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use exsync_i18n::tr;

/// Writes a new file with mode 0600. Without `force` an existing file is refused; with it, the
/// file is replaced.
pub(super) fn write_new(path: &Path, text: &str, force: bool) -> anyhow::Result<()> {
    if force {
        return replace(path, text, Some(0o600));
    }
    let mut file = match open_new(path, 0o600) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            anyhow::bail!(tr!("config-file-exists", path = path.display().to_string()));
        }
        Err(error) => {
            return Err(error).with_context(|| cannot_write(path));
        }
    };
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| cannot_write(path))
}

/// Refuses early when `path` exists and `force` is not given.
pub(super) fn refuse_existing(path: &Path, force: bool) -> anyhow::Result<()> {
    if !force && path.exists() {
        anyhow::bail!(tr!("config-file-exists", path = path.display().to_string()));
    }
    Ok(())
}

/// Replaces `path` with `text`: written to a new file beside it, then renamed over it. The new
/// file gets `mode`, else the mode of the file it replaces (Unix).
pub(super) fn replace(path: &Path, text: &str, mode: Option<u32>) -> anyhow::Result<()> {
    let mode = mode.or_else(|| current_mode(path)).unwrap_or(0o600);
    let temporary = temporary_beside(path);
    let _ = std::fs::remove_file(&temporary);
    let result = open_new(&temporary, mode)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.with_context(|| cannot_write(path))
}

fn cannot_write(path: &Path) -> String {
    tr!("config-cannot-write", path = path.display().to_string())
}

/// `.NAME.exsync-new` in the same folder (a rename within one file system is atomic).
fn temporary_beside(path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(
        || "exsync.toml".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    path.with_file_name(format!(".{name}.exsync-new"))
}

/// Creates `path` (it must not exist) with `mode`, whatever the umask says.
#[cfg(unix)]
fn open_new(path: &Path, mode: u32) -> std::io::Result<File> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    Ok(file)
}

#[cfg(not(unix))]
fn open_new(path: &Path, _mode: u32) -> std::io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(unix)]
fn current_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .ok()
        .map(|meta| meta.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn current_mode(_path: &Path) -> Option<u32> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn new_files_are_private_and_not_overwritten() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("exsync.toml");
        write_new(&path, "a = 1\n", false).expect("written");
        assert_eq!(mode(&path), 0o600);
        assert!(write_new(&path, "b = 2\n", false).is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "a = 1\n");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        write_new(&path, "b = 2\n", true).expect("forced");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "b = 2\n");
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn a_replaced_file_keeps_its_mode_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("exsync.toml");
        std::fs::write(&path, "a = 1\n").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        replace(&path, "a = 2\n", None).expect("replaced");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "a = 2\n");
        assert_eq!(mode(&path), 0o640);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["exsync.toml"]);
    }
}
