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
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::clock::{Clock, SystemClock};

pub const ACTIVE_FILE: &str = "app.jsonl";
const PREFIX: &str = "app.";
const SUFFIX: &str = ".jsonl";

#[derive(Clone, Debug)]
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
    /// What "today" is for rotation; the lines' own `asctime` comes from
    /// the same wall clock.
    pub clock: Arc<dyn Clock>,
}

impl WriterConfig {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            max_file_bytes: 10 * 1000 * 1000,
            max_files: 14,
            queue_capacity: 16 * 1024,
            recheck_every: Duration::from_secs(5),
            clock: Arc::new(SystemClock),
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
        // A full queue, a stopped writer or a poisoned lock all mean the
        // same thing here: the line is lost, and counted.
        let sent = self
            .tx
            .lock()
            .ok()
            .and_then(|guard| {
                guard
                    .as_ref()
                    .map(|tx| tx.try_send(Msg::Line(line)).is_ok())
            })
            .unwrap_or(false);
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

/// A write cut short by a full disk leaves the start of a line at the end
/// of the file; the next line would be glued to it and neither would parse.
/// The file is cut back to its last whole line before it is appended to.
fn cut_torn_tail(path: &Path) -> std::io::Result<()> {
    let mut file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let mut end = len;
    let mut chunk = vec![0u8; 4096];
    while end > 0 {
        let start = end.saturating_sub(chunk.len() as u64);
        let part = &mut chunk[..usize::try_from(end - start).unwrap_or(0)];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(part)?;
        if let Some(i) = part.iter().rposition(|&b| b == b'\n') {
            let whole = start + i as u64 + 1;
            if whole < len {
                file.set_len(whole)?;
            }
            return Ok(());
        }
        end = start;
    }
    if len > 0 {
        file.set_len(0)?;
    }
    Ok(())
}

/// The UTC day of the last line in the log file at `path`, read from its
/// `asctime`: what the file holds, not its modification time, which a
/// clock change, a copy or a restored backup moves. `None` for an empty
/// file or one whose last line is not ours.
fn last_line_day(path: &Path) -> Option<Date> {
    // A line is at most a few kilobytes; the tail holds the last one whole.
    const TAIL: u64 = 64 * 1024;
    let text = tail(path, TAIL)?;
    let last = text.lines().rev().find(|l| !l.trim().is_empty())?;
    #[derive(serde::Deserialize)]
    struct Line {
        asctime: Timestamp,
    }
    serde_json::from_str::<Line>(last)
        .ok()
        .map(|line| utc_day(line.asctime))
}

/// The rotated files in `dir` as `(day, n, path)`, oldest first.
pub fn rotated_files(dir: &Path) -> Vec<(Date, u32, PathBuf)> {
    let mut files: Vec<_> = fs::read_dir(dir)
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

/// The last `max` bytes of the file at `path`, from its first whole line
/// (the whole file when it is shorter).
pub fn tail(path: &Path, max: u64) -> Option<String> {
    let mut file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let start = len.saturating_sub(max);
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut bytes = Vec::new();
    file.take(max).read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Some(match (start > 0, text.find('\n')) {
        (true, Some(i)) => text[i + 1..].to_owned(),
        _ => text,
    })
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
            day: Date::default(),
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
            crate::private::create_dir(&self.config.dir)?;
            let path = self.active_path();
            cut_torn_tail(&path)?;
            // An active file left from an earlier day is rotated before use.
            let today = self.today();
            if let Some(day) = last_line_day(&path).filter(|d| *d != today) {
                self.rename_active(day)?;
            }
            let mut options = OpenOptions::new();
            options.create(true).append(true);
            // Log lines carry ids and codes only, but the file is still
            // the owner's own, like the history it describes.
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let file = options.open(&path)?;
            self.size = file.metadata()?.len();
            self.day = today;
            self.file = Some(BufWriter::with_capacity(64 * 1024, file));
            Ok(())
        })();
        match result {
            Ok(()) => self.set_degraded(None),
            Err(e) => self.fail(&e),
        }
    }

    fn fail(&mut self, error: &std::io::Error) {
        // Lines still in the buffer would be lost with it (and its drop
        // would try the failing disk again): they go to stderr instead.
        if let Some(file) = self.file.take() {
            if let (_, Ok(unwritten)) = file.into_parts() {
                if !unwritten.is_empty() {
                    let _ = std::io::stderr().write_all(&unwritten);
                }
            }
        }
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

    fn today(&self) -> Date {
        utc_day(self.config.clock.now())
    }

    fn write(&mut self, line: &str) {
        let today = self.today();
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
        let next = rotated_files(&self.config.dir)
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

    fn prune(&self) {
        let keep = self.config.max_files.saturating_sub(1);
        let files = rotated_files(&self.config.dir);
        let excess = files.len().saturating_sub(keep);
        for (_, _, path) in files.into_iter().take(excess) {
            let _ = fs::remove_file(path);
        }
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
