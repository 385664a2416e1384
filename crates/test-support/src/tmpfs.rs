//! Real small file systems for the full-disk and read-only tests: a tmpfs
//! mounted on a folder, unmounted when the guard goes, even when the test
//! fails. Mounting needs root (or CAP_SYS_ADMIN); where it is refused the
//! caller skips with [`skip`], which says why and tells `scripts/test`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A mounted tmpfs; dropping it unmounts it.
#[derive(Debug)]
pub struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs with `options` (e.g. `size=2m`) on `dir`, creating the
    /// folder. The error says why it could not be mounted.
    pub fn mount(dir: &Path, options: &str) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir)
            .stdout(Stdio::null())
            .output()
            .map_err(|e| format!("mount could not run: {e}"))?;
        if out.status.success() {
            Ok(Tmpfs {
                dir: dir.to_owned(),
            })
        } else {
            Err(format!(
                "mounting a tmpfs was refused ({}): it needs root or CAP_SYS_ADMIN",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim()
            ))
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Remounts with new `options` (`ro`, `rw`, `size=8m`): files stay.
    ///
    /// Retried for a few seconds: the kernel refuses `ro` while any process
    /// holds a file on the mount open for writing, and a child that another
    /// test thread forks holds copies of every descriptor until its exec
    /// (longer under faketime, whose library loads first).
    pub fn remount(&self, options: &str) {
        let mut last = String::new();
        for _ in 0..50 {
            let out = Command::new("mount")
                .args(["-o", &format!("remount,{options}")])
                .arg(&self.dir)
                .output()
                .unwrap();
            if out.status.success() {
                return;
            }
            last = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("remount,{options} failed: {last}");
    }

    /// Fills the file system to the last byte with `filler`, which
    /// [`std::fs::remove_file`] frees again.
    pub fn fill(&self, filler: &Path) {
        let mut file = std::fs::File::create(filler).unwrap();
        let block = vec![0xA5u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        // The last partial block: byte by byte until not even one fits.
        while file.write_all(&block[..1]).is_ok() {}
        let _ = file.sync_all();
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazy: a file a failed test still holds open must not keep the
        // mount (and the test's temporary folder) around.
        let _ = Command::new("umount")
            .arg("-l")
            .arg(&self.dir)
            .stderr(Stdio::null())
            .status();
    }
}

/// Says why a test is skipped, on standard error and, when `scripts/test`
/// names a file in `TIMETRACKER_TEST_SKIPS`, in that file, which it prints
/// at the end of the run.
#[allow(
    clippy::disallowed_methods,
    reason = "a test runner's knob, not the app's environment"
)]
pub fn skip(test: &str, reason: &str) {
    eprintln!("SKIPPED {test}: {reason}");
    if let Some(path) = std::env::var_os("TIMETRACKER_TEST_SKIPS") {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(f, "{test}: {reason}");
        }
    }
}
