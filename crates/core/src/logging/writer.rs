//! The log file writer: a background thread owns the file, so a command
//! never waits on disk. Lines arrive whole over a bounded queue; when the
//! queue is full the line is dropped and counted rather than blocking.
//!
//! Files in the log folder:
//! - `app.jsonl`: the active file;
//! - `app.YYYY-MM-DD.N.jsonl`: rotated files, the UTC day of their lines
//!   and a sequence number within that day (1, 2, ...).
//!
//! The active file rotates when the UTC day changes or when the next line
//! would take it past the size cap; the oldest rotated files are deleted so
//! at most `max_files` files (the active one included) remain.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

pub const ACTIVE_FILE: &str = "app.jsonl";
const PREFIX: &str = "app.";
const SUFFIX: &str = ".jsonl";

#[derive(Debug, Clone)]
pub struct WriterConfig {
    pub dir: PathBuf,
    /// Size cap of one file in bytes (default 10 MB).
    pub max_file_bytes: u64,
    /// Most files kept, the active one included (default 14).
    pub max_files: usize,
    /// Lines that may wait for the writer thread before new ones are dropped.
    pub queue_capacity: usize,
    /// How often a failed log folder is tried again, and how often the
    /// writer checks that its file was not deleted under it.
    pub recheck_every: Duration,
}

impl WriterConfig {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            max_file_bytes: 10 * 1000 * 1000,
            max_files: 14,
            queue_capacity: 16 * 1024,
            recheck_every: Duration::from_secs(5),
        }
    }
}

enum Msg {
    Line(String),
    Flush(SyncSender<()>),
}

#[derive(Default)]
struct Shared {
    dropped: AtomicU64,
    written: AtomicU64,
    degraded: Mutex<Option<String>>,
}

pub struct LogWriter {
    tx: Mutex<Option<SyncSender<Msg>>>,
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
    dir: PathBuf,
}

impl LogWriter {
    /// Starts the writer thread. Never fails: a folder that cannot be written
    /// sends lines to stderr and is reported by [`LogWriter::degraded`].
    pub fn start(config: WriterConfig) -> Self {
        let (writer, rx) = Self::unstarted(&config);
        let shared = writer.shared.clone();
        let handle = std::thread::Builder::new()
            .name("timetracker-log".into())
            .spawn(move || run(Sink::new(config, shared), rx));
        match handle {
            Ok(handle) => {
                if let Ok(mut slot) = writer.thread.lock() {
                    *slot = Some(handle);
                }
            }
            Err(e) => writer.set_degraded(format!("The log writer could not start: {e}")),
        }
        writer
    }

    fn unstarted(config: &WriterConfig) -> (Self, Receiver<Msg>) {
        let (tx, rx) = mpsc::sync_channel(config.queue_capacity.max(1));
        let writer = LogWriter {
            tx: Mutex::new(Some(tx)),
            shared: Arc::new(Shared::default()),
            thread: Mutex::new(None),
            dir: config.dir.clone(),
        };
        (writer, rx)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Queues one line (without its newline). Never blocks.
    pub fn write_line(&self, line: String) {
        let sent = match self.tx.lock() {
            Ok(guard) => match guard.as_ref() {
                Some(tx) => match tx.try_send(Msg::Line(line)) {
                    Ok(()) => true,
                    Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => false,
                },
                None => false,
            },
            Err(_) => false,
        };
        if !sent {
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Waits until every line queued so far is written, at most `timeout`.
    /// Returns whether it got there in time.
    pub fn flush(&self, timeout: Duration) -> bool {
        let (ack_tx, ack_rx) = mpsc::sync_channel(1);
        let queued = match self.tx.lock() {
            Ok(guard) => guard
                .as_ref()
                .is_some_and(|tx| send_with_deadline(tx, Msg::Flush(ack_tx), timeout)),
            Err(_) => false,
        };
        queued && ack_rx.recv_timeout(timeout).is_ok()
    }

    /// Flushes, then stops the thread. Lines written afterwards are counted
    /// as dropped.
    pub fn shutdown(&self, timeout: Duration) {
        self.flush(timeout);
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        if let Ok(mut thread) = self.thread.lock() {
            if let Some(handle) = thread.take() {
                let _ = handle.join();
            }
        }
    }

    /// Lines lost because the queue was full or the writer had stopped.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Lines written to the file (or to stderr while degraded).
    pub fn written(&self) -> u64 {
        self.shared.written.load(Ordering::Relaxed)
    }

    /// Why lines are going to stderr instead of the file, if they are.
    pub fn degraded(&self) -> Option<String> {
        self.shared.degraded.lock().ok().and_then(|d| d.clone())
    }

    fn set_degraded(&self, reason: String) {
        if let Ok(mut d) = self.shared.degraded.lock() {
            *d = Some(reason);
        }
    }
}

fn send_with_deadline(tx: &SyncSender<Msg>, mut msg: Msg, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        match tx.try_send(msg) {
            Ok(()) => return true,
            Err(TrySendError::Disconnected(_)) => return false,
            Err(TrySendError::Full(back)) => {
                if Instant::now() >= deadline {
                    return false;
                }
                msg = back;
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }
}

fn run(mut sink: Sink, rx: Receiver<Msg>) {
    loop {
        let first = match rx.recv_timeout(sink.config.recheck_every) {
            Ok(msg) => msg,
            Err(RecvTimeoutError::Timeout) => {
                sink.check_file_still_there();
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut acks = Vec::new();
        let mut handle = |msg: Msg, sink: &mut Sink| match msg {
            Msg::Line(line) => sink.write(&line),
            Msg::Flush(ack) => acks.push(ack),
        };
        handle(first, &mut sink);
        // Drain what is already queued before flushing: one write syscall
        // for a burst of lines instead of one per line.
        while let Ok(msg) = rx.try_recv() {
            handle(msg, &mut sink);
        }
        sink.flush();
        for ack in acks {
            let _ = ack.send(());
        }
    }
    sink.flush();
}

fn utc_day(at: Timestamp) -> Date {
    at.to_zoned_datetime(TimeZone::UTC).date()
}

/// `(day, n)` of a rotated file name `app.YYYY-MM-DD.N.jsonl`.
pub fn parse_rotated(name: &str) -> Option<(Date, u32)> {
    let middle = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let (day, n) = middle.rsplit_once('.')?;
    Some((day.parse().ok()?, n.parse().ok()?))
}

pub fn rotated_name(day: Date, n: u32) -> String {
    format!("{PREFIX}{day}.{n}{SUFFIX}")
}

struct Sink {
    config: WriterConfig,
    shared: Arc<Shared>,
    file: Option<BufWriter<File>>,
    size: u64,
    day: Date,
    next_attempt: Instant,
    last_check: Instant,
}

impl Sink {
    fn new(config: WriterConfig, shared: Arc<Shared>) -> Self {
        let now = Instant::now();
        let mut sink = Sink {
            config,
            shared,
            file: None,
            size: 0,
            day: utc_day(Timestamp::now()),
            next_attempt: now,
            last_check: now,
        };
        sink.open();
        sink
    }

    fn active_path(&self) -> PathBuf {
        self.config.dir.join(ACTIVE_FILE)
    }

    fn open(&mut self) {
        self.next_attempt = Instant::now() + self.config.recheck_every;
        let result = (|| -> std::io::Result<()> {
            fs::create_dir_all(&self.config.dir)?;
            let path = self.active_path();
            // An active file left from an earlier day is rotated before use.
            if let Ok(meta) = fs::metadata(&path) {
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|m| Timestamp::try_from(m).ok())
                    .map(utc_day);
                if let Some(day) = modified.filter(|d| *d != utc_day(Timestamp::now())) {
                    self.rename_active(day)?;
                }
            }
            let file = OpenOptions::new().create(true).append(true).open(&path)?;
            self.size = file.metadata()?.len();
            self.day = utc_day(Timestamp::now());
            self.file = Some(BufWriter::with_capacity(64 * 1024, file));
            Ok(())
        })();
        match result {
            Ok(()) => self.set_degraded(None),
            Err(e) => self.fail(&e),
        }
    }

    fn fail(&mut self, error: &std::io::Error) {
        self.file = None;
        self.next_attempt = Instant::now() + self.config.recheck_every;
        self.set_degraded(Some(format!(
            "Logs cannot be written to {} ({error}); they go to standard error until the folder is writable again.",
            self.config.dir.display()
        )));
    }

    fn set_degraded(&self, reason: Option<String>) {
        if let Ok(mut d) = self.shared.degraded.lock() {
            *d = reason;
        }
    }

    fn write(&mut self, line: &str) {
        let today = utc_day(Timestamp::now());
        let bytes = line.len() as u64 + 1;
        if self.file.is_some()
            && (today != self.day
                || (self.size > 0 && self.size + bytes > self.config.max_file_bytes))
        {
            self.rotate();
        }
        if self.file.is_none() && Instant::now() >= self.next_attempt {
            self.open();
        }
        let result = match self.file.as_mut() {
            Some(file) => {
                let mut buf = Vec::with_capacity(line.len() + 1);
                buf.extend_from_slice(line.as_bytes());
                buf.push(b'\n');
                file.write_all(&buf)
            }
            None => {
                eprintln!("{line}");
                Ok(())
            }
        };
        match result {
            Ok(()) => {
                if self.file.is_some() {
                    self.size += bytes;
                }
                self.shared.written.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                self.fail(&e);
                eprintln!("{line}");
            }
        }
    }

    fn flush(&mut self) {
        if let Some(file) = self.file.as_mut() {
            if let Err(e) = file.flush() {
                self.fail(&e);
            }
        }
        if self.last_check.elapsed() >= self.config.recheck_every {
            self.check_file_still_there();
        }
    }

    /// A log folder removed while the app runs would leave us writing into
    /// a deleted file: notice and reopen (or report) instead.
    fn check_file_still_there(&mut self) {
        self.last_check = Instant::now();
        if self.file.is_some() && !self.active_path().exists() {
            self.file = None;
        }
        if self.file.is_none() && Instant::now() >= self.next_attempt {
            self.open();
        }
    }

    fn rotate(&mut self) {
        if let Some(mut file) = self.file.take() {
            let _ = file.flush();
        }
        let day = self.day;
        match self.rename_active(day) {
            Ok(()) => self.open(),
            Err(e) => self.fail(&e),
        }
    }

    fn rename_active(&self, day: Date) -> std::io::Result<()> {
        let next = self
            .rotated_files()
            .iter()
            .filter(|(d, _, _)| *d == day)
            .map(|(_, n, _)| *n)
            .max()
            .unwrap_or(0)
            + 1;
        fs::rename(
            self.active_path(),
            self.config.dir.join(rotated_name(day, next)),
        )?;
        self.prune();
        Ok(())
    }

    fn rotated_files(&self) -> Vec<(Date, u32, PathBuf)> {
        let mut files: Vec<_> = fs::read_dir(&self.config.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name();
                let (day, n) = parse_rotated(&name.to_string_lossy())?;
                Some((day, n, entry.path()))
            })
            .collect();
        files.sort();
        files
    }

    fn prune(&self) {
        let keep = self.config.max_files.saturating_sub(1);
        let files = self.rotated_files();
        let excess = files.len().saturating_sub(keep);
        for (_, _, path) in files.into_iter().take(excess) {
            let _ = fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        names
            .iter()
            .flat_map(|p| {
                fs::read_to_string(p)
                    .unwrap()
                    .lines()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn every_line_arrives_whole_and_a_flush_waits_for_them() {
        let dir = tempfile::tempdir().unwrap();
        let writer = Arc::new(LogWriter::start(WriterConfig::new(dir.path().into())));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let w = writer.clone();
                std::thread::spawn(move || {
                    for i in 0..2500 {
                        w.write_line(format!(
                            "{{\"t\":{t},\"i\":{i},\"pad\":\"{}\"}}",
                            "x".repeat(i % 300)
                        ));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(writer.flush(Duration::from_secs(10)));
        let lines = lines_in(dir.path());
        assert_eq!(lines.len() as u64 + writer.dropped(), 10_000);
        assert_eq!(writer.dropped(), 0, "16k queue should hold 10k lines");
        for line in &lines {
            serde_json::from_str::<serde_json::Value>(line).unwrap();
        }
        writer.shutdown(Duration::from_secs(5));
        writer.write_line("after shutdown".into());
        assert_eq!(writer.dropped(), 1);
    }

    #[test]
    fn a_full_queue_drops_and_counts_instead_of_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = WriterConfig::new(dir.path().into());
        config.queue_capacity = 3;
        // No thread drains this queue: the fourth line onwards must not block.
        let (writer, _rx) = LogWriter::unstarted(&config);
        for i in 0..10 {
            writer.write_line(format!("{i}"));
        }
        assert_eq!(writer.dropped(), 7);
    }

    #[test]
    fn rotation_by_size_names_files_by_day_and_caps_their_number() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = WriterConfig::new(dir.path().into());
        config.max_file_bytes = 200;
        config.max_files = 3;
        let writer = LogWriter::start(config);
        for i in 0..40 {
            // 50 bytes a line with its newline: four lines per file.
            writer.write_line(format!("{{\"i\":{i:03},\"pad\":\"{}\"}}", "y".repeat(31)));
            // One batch per line, so every rotation point is exercised.
            writer.flush(Duration::from_secs(5));
        }
        writer.shutdown(Duration::from_secs(5));

        let today = utc_day(Timestamp::now());
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                rotated_name(today, 8),
                rotated_name(today, 9),
                ACTIVE_FILE.to_owned(),
            ]
        );
        for name in &names {
            let size = fs::metadata(dir.path().join(name)).unwrap().len();
            assert!(size <= 200, "{name} is {size} bytes");
        }
        // The newest lines survive; the oldest went with pruned files.
        let all = lines_in(dir.path());
        assert!(all.iter().any(|l| l.contains("\"i\":039")));
        assert!(!all.iter().any(|l| l.contains("\"i\":000")));
    }

    #[test]
    fn an_active_file_from_an_earlier_day_is_rotated_under_that_day() {
        let dir = tempfile::tempdir().unwrap();
        let active = dir.path().join(ACTIVE_FILE);
        fs::write(&active, "{\"old\":true}\n").unwrap();
        let old = std::time::SystemTime::now() - Duration::from_secs(3 * 24 * 3600);
        File::options()
            .write(true)
            .open(&active)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let writer = LogWriter::start(WriterConfig::new(dir.path().into()));
        writer.write_line("{\"new\":true}".into());
        writer.shutdown(Duration::from_secs(5));
        let old_day = utc_day(Timestamp::try_from(old).unwrap());
        let rotated = fs::read_to_string(dir.path().join(rotated_name(old_day, 1))).unwrap();
        assert_eq!(rotated, "{\"old\":true}\n");
        assert_eq!(fs::read_to_string(&active).unwrap(), "{\"new\":true}\n");
    }

    #[test]
    fn an_unwritable_folder_degrades_to_stderr_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("logs");
        fs::write(&blocker, b"a file where the folder should be").unwrap();
        let writer = LogWriter::start(WriterConfig::new(blocker.clone()));
        writer.write_line("{\"still\":\"counted\"}".into());
        assert!(writer.flush(Duration::from_secs(5)));
        let reason = writer.degraded().expect("degraded");
        assert!(reason.contains("standard error"), "{reason}");
        assert_eq!(writer.written(), 1);
        assert_eq!(writer.dropped(), 0);
    }

    #[test]
    fn a_deleted_log_folder_is_recreated() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let mut config = WriterConfig::new(logs.clone());
        config.recheck_every = Duration::from_millis(20);
        let writer = LogWriter::start(config);
        writer.write_line("{\"n\":1}".into());
        assert!(writer.flush(Duration::from_secs(5)));
        fs::remove_dir_all(&logs).unwrap();
        let mut sink_checked = false;
        for _ in 0..100 {
            writer.write_line("{\"n\":2}".into());
            writer.flush(Duration::from_secs(5));
            if logs.join(ACTIVE_FILE).exists() {
                sink_checked = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(sink_checked, "log file was not recreated");
        writer.shutdown(Duration::from_secs(5));
    }

    #[test]
    fn rotated_names_round_trip() {
        let day: Date = "2026-11-28".parse().unwrap();
        assert_eq!(rotated_name(day, 3), "app.2026-11-28.3.jsonl");
        assert_eq!(parse_rotated("app.2026-11-28.3.jsonl"), Some((day, 3)));
        assert_eq!(parse_rotated(ACTIVE_FILE), None);
        assert_eq!(parse_rotated("app.notes.jsonl"), None);
    }
}
