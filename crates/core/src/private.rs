//! Files only their owner may read. The history, its logs, crash reports,
//! backups and exports hold every description and rate the user typed; on
//! a shared machine, the default umask (0644 files, 0755 folders) would let
//! every other account read them.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Creates `dir` (and its parents) as 0700. An existing `dir` that others
/// may enter is tightened to 0700; the answer says whether that happened,
/// so the caller can say so in the log.
pub fn create_dir(dir: &Path) -> io::Result<bool> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir)?;
    tighten(dir, 0o700)
}

/// Creates (or truncates) `path` as a 0600 file, tightening an existing
/// one that was readable by others.
pub fn create_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let file = options.open(path)?;
    tighten(path, 0o600)?;
    Ok(file)
}

/// Writes `bytes` to `path` as a 0600 file.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    use std::io::Write;
    create_file(path)?.write_all(bytes.as_ref())
}

/// Makes an existing `path` 0600 (a file SQLite created with the umask's
/// mode, say). True when it was wider.
pub fn tighten_file(path: &Path) -> io::Result<bool> {
    tighten(path, 0o600)
}

#[cfg(unix)]
fn tighten(path: &Path, mode: u32) -> io::Result<bool> {
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current & !mode == 0 {
        return Ok(false);
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(true)
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _mode: u32) -> io::Result<bool> {
    Ok(false)
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_folders_and_files_are_the_owners_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        assert!(!create_dir(&dir).unwrap());
        assert_eq!(mode(&dir), 0o700);
        let file = dir.join("f");
        create_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
    }

    #[test]
    fn existing_open_ones_are_tightened_and_say_so() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("shared");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(create_dir(&dir).unwrap());
        assert_eq!(mode(&dir), 0o700);
        assert!(!create_dir(&dir).unwrap(), "already tight");

        let file = dir.join("old.csv");
        std::fs::write(&file, "x").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(tighten_file(&file).unwrap());
        assert_eq!(mode(&file), 0o600);
        // A stricter mode is left alone.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert!(!tighten_file(&file).unwrap());
        assert_eq!(mode(&file), 0o400);
    }
}
