//! Envelopes on disk until the server has them. Sentry's Rust SDK keeps
//! nothing across restarts, so a report written while offline, or in the
//! last moment before a crash, would otherwise be lost.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use super::dropped::{DropReason, Drops};

/// At most this many envelopes wait on disk; the oldest go first.
pub const MAX_FILES: usize = 30;
/// And at most this many bytes in all.
pub const MAX_BYTES: u64 = 10 * 1000 * 1000;
/// Delivered envelopes kept for the inspector in Settings.
pub const KEEP_SENT: usize = 20;
const SENT_DIR: &str = "sent";
/// Reports that wait for the user's words before they can be scrubbed:
/// never sent from here, only once scrubbed and stored as envelopes.
const HELD_DIR: &str = "held";
const HELD_SUFFIX: &str = "event.json";
/// `TIMETRACKER_TELEMETRY_DEBUG=1`: what would have been sent, kept here
/// instead (the newest [`KEEP_SENT`]).
const DEBUG_DIR: &str = "debug";

const SUFFIX: &str = "envelope";

pub struct EnvelopeCache {
    dir: PathBuf,
    max_files: usize,
    max_bytes: u64,
    drops: Arc<Drops>,
}

impl EnvelopeCache {
    pub fn new(dir: PathBuf) -> Self {
        Self::with_limits(dir, MAX_FILES, MAX_BYTES)
    }

    pub fn with_limits(dir: PathBuf, max_files: usize, max_bytes: u64) -> Self {
        Self {
            dir,
            max_files,
            max_bytes,
            drops: Arc::default(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The tally of reports dropped, shared with the transport.
    pub fn drops(&self) -> &Arc<Drops> {
        &self.drops
    }

    /// Keeps a report that could not be scrubbed yet (the event as JSON,
    /// with only the rules that need no database applied).
    pub fn hold(&self, event_json: &[u8]) -> io::Result<PathBuf> {
        let (path, evicted) =
            self.keep_newest(HELD_DIR, HELD_SUFFIX, event_json, self.max_files)?;
        self.drops.record(DropReason::Evicted, evicted);
        Ok(path)
    }

    /// Reports waiting for the user's words, oldest first.
    pub fn list_held(&self) -> Vec<PathBuf> {
        list_with(&self.dir.join(HELD_DIR), HELD_SUFFIX)
    }

    /// Keeps what debug mode would have sent, for the user to read.
    pub fn keep_debug(&self, bytes: &[u8]) -> io::Result<PathBuf> {
        Ok(self.keep_newest(DEBUG_DIR, SUFFIX, bytes, KEEP_SENT)?.0)
    }

    /// Writes `bytes` whole (through a temporary file) as the newest file of
    /// the folder `sub`, and deletes the oldest beyond `keep`; returns the
    /// path and how many were deleted.
    fn keep_newest(
        &self,
        sub: &str,
        suffix: &str,
        bytes: &[u8],
        keep: usize,
    ) -> io::Result<(PathBuf, u64)> {
        let dir = self.dir.join(sub);
        crate::private::create_dir(&self.dir)?;
        crate::private::create_dir(&dir)?;
        let path = dir.join(fresh_name(suffix));
        let tmp = path.with_extension("tmp");
        crate::private::write(&tmp, bytes)?;
        fs::rename(&tmp, &path)?;
        let mut kept = list_with(&dir, suffix);
        let mut deleted = 0;
        while kept.len() > keep {
            self.remove(&kept.remove(0));
            deleted += 1;
        }
        Ok((path, deleted))
    }

    /// What debug mode kept, oldest first.
    pub fn list_debug(&self) -> Vec<PathBuf> {
        list_in(&self.dir.join(DEBUG_DIR))
    }

    /// Writes `bytes` as the newest envelope, then drops the oldest ones
    /// beyond the limits. An envelope larger than the whole cache is refused.
    pub fn store(&self, bytes: &[u8]) -> io::Result<PathBuf> {
        if bytes.len() as u64 > self.max_bytes {
            self.drops.record(DropReason::TooLarge, 1);
            return Err(io::Error::other("envelope larger than the cache"));
        }
        crate::private::create_dir(&self.dir)?;
        let name = fresh_name(SUFFIX);
        let path = self.dir.join(name);
        // Write then rename: a crash mid-write leaves a .tmp, never a torn
        // envelope that would be sent as garbage.
        let tmp = path.with_extension("tmp");
        crate::private::write(&tmp, bytes)?;
        fs::rename(&tmp, &path)?;
        self.evict(&path);
        Ok(path)
    }

    /// Cached envelopes, oldest first.
    pub fn list(&self) -> Vec<PathBuf> {
        list_in(&self.dir)
    }

    pub fn remove(&self, path: &Path) {
        let _ = fs::remove_file(path);
    }

    /// Moves a delivered envelope to the sent folder (or writes `bytes`
    /// there when it was never cached), keeping the newest [`KEEP_SENT`], so
    /// the user can see what left the computer.
    pub fn mark_sent(&self, cached: Option<&Path>, bytes: &[u8]) {
        let sent = self.dir.join(SENT_DIR);
        if crate::private::create_dir(&sent).is_err() {
            return;
        }
        match cached.and_then(|p| p.file_name().map(|n| (p, sent.join(n)))) {
            Some((from, to)) => {
                if fs::rename(from, &to).is_err() {
                    self.remove(from);
                }
            }
            None => {
                let name = fresh_name(SUFFIX);
                let _ = crate::private::write(&sent.join(name), bytes);
            }
        }
        let mut done = list_in(&sent);
        while done.len() > KEEP_SENT {
            self.remove(&done.remove(0));
        }
    }

    /// Envelopes delivered lately, oldest first.
    pub fn list_sent(&self) -> Vec<PathBuf> {
        list_in(&self.dir.join(SENT_DIR))
    }

    /// Deletes every cached envelope (and stray temporary files), counting
    /// the reports that will now never be sent as dropped for `reason`.
    pub fn discard(&self, reason: DropReason) -> io::Result<()> {
        let waiting = self.list().len() + self.list_held().len();
        let result = self.clear();
        self.drops.record(reason, waiting as u64);
        result
    }

    /// Deletes every cached envelope (and stray temporary files).
    pub fn clear(&self) -> io::Result<()> {
        match fs::remove_dir_all(&self.dir) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Keeps the newest envelopes within both limits, always including
    /// `keep` (the one just written).
    fn evict(&self, keep: &Path) {
        let mut paths = self.list();
        paths.reverse();
        let mut files = 0;
        let mut bytes = 0u64;
        for path in paths {
            let size = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            files += 1;
            bytes += size;
            if path != keep && (files > self.max_files || bytes > self.max_bytes) {
                self.remove(&path);
                self.drops.record(DropReason::Evicted, 1);
                files -= 1;
                bytes -= size;
            }
        }
    }
}

/// A name that sorts by age: milliseconds, then a counter for files of the
/// same millisecond; the uuid keeps two processes apart.
fn fresh_name(suffix: &str) -> String {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let millis = jiff::Timestamp::now().as_millisecond();
    let seq = SEQ.fetch_add(1, Ordering::Relaxed) % 1_000_000;
    format!(
        "{millis:014}-{seq:06}-{}.{suffix}",
        uuid::Uuid::new_v4().simple()
    )
}

fn list_in(dir: &Path) -> Vec<PathBuf> {
    list_with(dir, SUFFIX)
}

fn list_with(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let Ok(read) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = read
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(&format!(".{suffix}")))
        })
        .collect();
    paths.sort();
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn cached_reports_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let cache = EnvelopeCache::with_limits(tmp.path().join("c"), 3, 1000);
        let path = cache.store(b"envelope").unwrap();
        let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&tmp.path().join("c")), 0o700);
    }

    #[test]
    fn held_and_debug_reports_of_one_millisecond_keep_their_order() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = EnvelopeCache::with_limits(tmp.path().join("c"), 2, 1000);
        for i in 0..5u8 {
            cache.hold(&[b'0' + i]).unwrap();
            cache.keep_debug(&[b'0' + i]).unwrap();
        }
        let read = |paths: Vec<PathBuf>| -> Vec<Vec<u8>> {
            paths.iter().map(|p| fs::read(p).unwrap()).collect()
        };
        assert_eq!(read(cache.list_held()), [b"3", b"4"]);
        assert_eq!(read(cache.list_debug()).len(), 5);
        assert_eq!(read(cache.list_debug()).last().unwrap(), b"4");
    }

    #[test]
    fn keeps_the_newest_within_the_file_limit() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = EnvelopeCache::with_limits(tmp.path().join("c"), 3, 1000);
        for i in 0..5u8 {
            cache.store(&[b'0' + i; 10]).unwrap();
        }
        let kept: Vec<Vec<u8>> = cache.list().iter().map(|p| fs::read(p).unwrap()).collect();
        assert_eq!(kept, vec![vec![b'2'; 10], vec![b'3'; 10], vec![b'4'; 10]]);
    }

    #[test]
    fn keeps_the_newest_within_the_byte_limit() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = EnvelopeCache::with_limits(tmp.path().join("c"), 30, 25);
        cache.store(&[b'a'; 10]).unwrap();
        cache.store(&[b'b'; 10]).unwrap();
        cache.store(&[b'c'; 10]).unwrap();
        let kept: Vec<Vec<u8>> = cache.list().iter().map(|p| fs::read(p).unwrap()).collect();
        assert_eq!(kept, vec![vec![b'b'; 10], vec![b'c'; 10]]);
        assert!(cache.store(&[b'd'; 26]).is_err(), "larger than the cache");
    }

    #[test]
    fn sent_envelopes_move_aside_and_only_the_newest_are_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = EnvelopeCache::new(tmp.path().join("c"));
        let path = cache.store(b"first").unwrap();
        cache.mark_sent(Some(&path), b"first");
        assert!(cache.list().is_empty());
        for _ in 0..KEEP_SENT {
            cache.mark_sent(None, b"later");
        }
        let sent = cache.list_sent();
        assert_eq!(sent.len(), KEEP_SENT);
        assert!(sent.iter().all(|p| fs::read(p).unwrap() == b"later"));
    }

    #[test]
    fn clear_removes_everything_and_tolerates_no_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = EnvelopeCache::new(tmp.path().join("c"));
        cache.clear().unwrap();
        cache.store(b"x").unwrap();
        cache.clear().unwrap();
        assert!(cache.list().is_empty());
        assert!(!cache.dir().exists());
    }
}
