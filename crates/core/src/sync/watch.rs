//! The desktop app's background sync: a thread with its own connection
//! that watches the sync folder (inotify, through `notify`) and applies a
//! new file within moments of its arrival, and writes this device's
//! changes a few seconds after they are made. The window never waits for
//! it; the shell learns of applied changes through `on_change`, and the
//! window's own refresh (`PRAGMA data_version`) shows them.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::clock::Clock;
use crate::Tracker;

use super::files;
use super::SyncReport;

/// How long to wait after a file event for the rest of a burst (a sync
/// engine writes a temporary file, then renames it).
const SETTLE: Duration = Duration::from_millis(150);
/// How often pending local changes are looked for, and how often the
/// folder is read even without an event (a share that sends none).
const TICK: Duration = Duration::from_secs(2);
const RESCAN: Duration = Duration::from_secs(60);

enum Msg {
    Now,
    Stop,
}

pub struct AutoSync {
    tx: Sender<Msg>,
    thread: Option<JoinHandle<()>>,
}

impl AutoSync {
    /// Starts syncing the database at `db_path` whenever sync is on.
    /// `on_change` runs (on the sync thread) after a run that applied or
    /// wrote something.
    pub fn start(
        db_path: PathBuf,
        clock: Arc<dyn Clock>,
        on_change: impl Fn(&SyncReport) + Send + 'static,
    ) -> AutoSync {
        let (tx, rx) = mpsc::channel();
        let events = tx.clone();
        let thread = std::thread::Builder::new()
            .name("timetracker-sync".into())
            .spawn(move || run(&db_path, clock, &rx, &events, &on_change))
            .ok();
        AutoSync { tx, thread }
    }

    /// Asks for a run now (after a local change, or a settings change).
    pub fn poke(&self) {
        let _ = self.tx.send(Msg::Now);
    }

    pub fn stop(mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for AutoSync {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
    }
}

fn run(
    db_path: &Path,
    clock: Arc<dyn Clock>,
    rx: &Receiver<Msg>,
    events: &Sender<Msg>,
    on_change: &dyn Fn(&SyncReport),
) {
    let mut tracker = match Tracker::open(db_path, clock) {
        Ok(t) => t,
        Err(e) => {
            crate::log_event!(warn, "sync.watch_failed", code = e.code());
            return;
        }
    };
    let mut watcher: Option<(PathBuf, notify::RecommendedWatcher)> = None;
    let mut last_run = Instant::now() - RESCAN;
    let mut due = true;
    loop {
        let status = tracker.sync_state().ok();
        let folder = status
            .as_ref()
            .filter(|s| s.enabled)
            .and_then(|s| s.folder.clone());
        // Watch the folder sync is on; stop watching when it is off.
        let watching = watcher.as_ref().map(|(p, _)| p.clone());
        if folder != watching {
            watcher = folder.as_deref().and_then(|f| watch(f, events.clone()));
            due = true;
        }
        if folder.is_some() {
            let pending = tracker
                .storage
                .read("sync_pending", |c| {
                    Ok(c.query_row("SELECT count(*) FROM sync_pending", [], |r| {
                        r.get::<_, i64>(0)
                    })?)
                })
                .unwrap_or(0);
            if due || pending > 0 || last_run.elapsed() >= RESCAN {
                due = false;
                last_run = Instant::now();
                match tracker.sync_now() {
                    Ok(report) if report.applied > 0 || report.exported > 0 => on_change(&report),
                    Ok(_) => {}
                    // Logged by sync_now and shown in the status; try again later.
                    Err(_) => {}
                }
            }
        }
        match rx.recv_timeout(TICK) {
            Ok(Msg::Now) => {
                // Let a burst of events settle into one run.
                let deadline = Instant::now() + SETTLE;
                loop {
                    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                        Ok(Msg::Now) => continue,
                        Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                        Err(RecvTimeoutError::Timeout) => break,
                    }
                }
                due = true;
            }
            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
}

/// Watches `<folder>/timetracker/v1` (made if missing) for new files.
fn watch(folder: &Path, events: Sender<Msg>) -> Option<(PathBuf, notify::RecommendedWatcher)> {
    let root = files::root(folder);
    let _ = std::fs::create_dir_all(&root);
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            if event.kind.is_create() || event.kind.is_modify() || event.kind.is_remove() {
                let _ = events.send(Msg::Now);
            }
        }
    })
    .ok()?;
    watcher.watch(&root, RecursiveMode::Recursive).ok()?;
    Some((folder.to_owned(), watcher))
}
