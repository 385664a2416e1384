//! The tracker: one open database and the clock that stamps its changes.
//! The domain modules (projects, timer, entries, ...) add its methods.

use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use rusqlite::Connection;

use crate::changes::ChangeObserver;
use crate::config::{self, Env};
use crate::events::Event;
use crate::storage::{Storage, StorageObserver};
use crate::{sync, Clock, Result};

/// Told of every product event the domain records (a timer started, an
/// entry edited). Metrics count them and telemetry queues them; the domain
/// only names the event, so it depends on neither.
pub trait EventObserver: Send + Sync {
    /// Must not fail the command that caused it: an observer handles (and
    /// logs) its own errors.
    fn on_event(&self, tracker: &Tracker, event: &Event);

    /// Inside the transaction that makes the change, before it commits:
    /// an observer that keeps a row of its own (telemetry's outbox) may
    /// write it here, so that the change and its record are one commit and
    /// one fsync, not two. Returns whether it did; it then hears
    /// [`Self::on_recorded`] after the commit instead of `on_event`. Must
    /// leave the transaction as it found it on any error (a savepoint).
    fn in_transaction(&self, _tx: &Connection, _now: Timestamp, _event: &Event) -> bool {
        false
    }

    /// After the commit, for an event [`Self::in_transaction`] recorded.
    fn on_recorded(&self, _tracker: &Tracker, _event: &Event) {}
}

/// Events a write offered its observers inside its transaction, and which
/// of them recorded each; told to them once it has committed.
#[must_use = "hand it to Tracker::track_recorded after the commit"]
pub(crate) struct Recorded(Vec<(Event, Vec<bool>)>);

/// Offers `events` to `observers` inside `tx` (see
/// [`EventObserver::in_transaction`]). A free function so that a write
/// closure can borrow the observers while the storage runs it.
pub(crate) fn record_in(
    observers: &[Arc<dyn EventObserver>],
    tx: &Connection,
    now: Timestamp,
    events: Vec<Event>,
) -> Recorded {
    Recorded(
        events
            .into_iter()
            .map(|event| {
                let flags = observers
                    .iter()
                    .map(|o| o.in_transaction(tx, now, &event))
                    .collect();
                (event, flags)
            })
            .collect(),
    )
}

/// One open database plus the clock that stamps its changes. Reads take
/// `&self`; writes take `&mut self` and are committed before they return.
pub struct Tracker {
    pub(crate) storage: Storage,
    pub(crate) clock: Arc<dyn Clock>,
    /// The variables that override a stored setting (`ROUNDING_MINUTES`,
    /// `IDLE_TIMEOUT_MINUTES`); empty unless [`Self::set_env`] gave one.
    pub(crate) env: Env,
    observers: Vec<Arc<dyn EventObserver>>,
    pub(crate) change_observers: Vec<Arc<dyn ChangeObserver>>,
    pub(crate) undo: crate::entries::undo::UndoLog,
}

impl Tracker {
    /// Opens the database file at `path`, creating and migrating it as needed.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        Ok(Self::with_storage(Storage::open(path)?, clock))
    }

    fn with_storage(mut storage: Storage, clock: Arc<dyn Clock>) -> Self {
        let stamp_clock = clock.clone();
        storage.set_before_commit(Box::new(move |conn| {
            sync::stamp::stamp_dirty(conn, &*stamp_clock)
        }));
        Self {
            storage,
            clock,
            env: Env::default(),
            observers: Vec::new(),
            change_observers: Vec::new(),
            undo: Default::default(),
        }
    }

    /// Opens `timetracker.sqlite3` inside `data_dir`.
    pub fn open_in_dir(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        Self::open(&config::database_path(data_dir), clock)
    }

    pub fn open_in_memory(clock: Arc<dyn Clock>) -> Result<Self> {
        Ok(Self::with_storage(Storage::open_in_memory()?, clock))
    }

    /// A second connection to the same database, with this tracker's clock,
    /// overrides and observers. A long write (an import of years of
    /// entries) runs on it so that this tracker's readers are not held up:
    /// in WAL mode they read the last commit meanwhile. An in-memory
    /// tracker has no file to share.
    pub fn open_sibling(&self) -> Result<Self> {
        let path = self.database_path().ok_or(crate::Error::ConfigNoDataDir)?;
        let mut sibling = Self::open(path, self.clock.clone())?;
        sibling.env = self.env.clone();
        for observer in self.storage.observers() {
            sibling.storage.observe(observer.clone());
        }
        sibling.observers = self.observers.clone();
        sibling.change_observers = self.change_observers.clone();
        Ok(sibling)
    }

    /// Honours the overrides `env` sets from now on.
    pub fn set_env(&mut self, env: Env) {
        self.env = env;
    }

    /// Tells `observer` about every database operation from now on.
    pub fn observe_storage(&mut self, observer: Arc<dyn StorageObserver>) {
        self.storage.observe(observer);
    }

    /// Tells `observer` about every product event from now on; once, even
    /// if it is attached again (each event would otherwise count twice).
    pub fn observe_events(&mut self, observer: Arc<dyn EventObserver>) {
        if !self.observers.iter().any(|o| Arc::ptr_eq(o, &observer)) {
            self.observers.push(observer);
        }
    }

    /// Offers `observer` every change, with its data, from now on; once,
    /// even if it is attached again.
    pub fn observe_changes(&mut self, observer: Arc<dyn ChangeObserver>) {
        if !self
            .change_observers
            .iter()
            .any(|o| Arc::ptr_eq(o, &observer))
        {
            self.change_observers.push(observer);
        }
    }

    /// Hands `event` to every observer. Never fails the caller: counting
    /// and analytics must not break a command.
    pub fn track(&self, event: Event) {
        for o in &self.observers {
            o.on_event(self, &event);
        }
    }

    /// Tells every observer about events a committed write recorded with
    /// [`record_in`]: those an observer wrote itself as recorded, the
    /// others as usual.
    pub(crate) fn track_recorded(&self, recorded: Recorded) {
        for (event, flags) in recorded.0 {
            for (o, done) in self.observers.iter().zip(flags) {
                if done {
                    o.on_recorded(self, &event);
                } else {
                    o.on_event(self, &event);
                }
            }
        }
    }

    pub(crate) fn event_observers(&self) -> &[Arc<dyn EventObserver>] {
        &self.observers
    }

    pub fn database_path(&self) -> Option<&Path> {
        self.storage.path()
    }

    /// Moves whenever another process (the `tt` command line, a second app)
    /// commits to this database, never for this tracker's own writes; the
    /// desktop app polls it to refresh what it shows. Not timed like other
    /// queries: it is one cheap pragma a second and would swamp the metrics.
    pub fn data_version(&self) -> Result<i64> {
        self.storage.data_version()
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::io::apply::parse_file;
    use crate::io::import::ParseOptions;
    use crate::test_support::ts;
    use crate::FakeClock;

    #[derive(Default)]
    struct Seen(Mutex<Vec<String>>);

    impl EventObserver for Seen {
        fn on_event(&self, _: &Tracker, event: &Event) {
            self.0.lock().unwrap().push(format!("{event:?}"));
        }
    }

    const CSV: &str = "id,project,client,description,start,end,duration_seconds,tags,billable,hourly_rate,currency\r\n\
        1,Alpha,,imported,2026-11-02T09:00:00Z,2026-11-02T10:00:00Z,3600,,false,,\r\n";

    #[test]
    fn a_sibling_writes_while_this_tracker_reads_and_shares_its_observers() {
        let dir = tempfile::tempdir().unwrap();
        let clock = FakeClock::at(ts("2026-11-28T09:00:00Z"));
        let mut main = Tracker::open_in_dir(dir.path(), Arc::new(clock)).unwrap();
        let seen = Arc::new(Seen::default());
        main.observe_events(seen.clone());
        main.start_timer(None, "running").unwrap();

        let mut sibling = main.open_sibling().unwrap();
        // Inside the sibling's open write transaction, this tracker still
        // reads, and sees the last commit, not the sibling's half-done one.
        sibling
            .storage
            .write("test", |tx| {
                tx.execute("DELETE FROM time_entries", [])?;
                let running = main.timer_status().unwrap();
                assert_eq!(running.map(|e| e.description), Some("running".into()));
                Err::<(), _>(crate::Error::EntryInvalidRange)
            })
            .unwrap_err();

        let (format, records) = parse_file(CSV.as_bytes(), None, &ParseOptions::default()).unwrap();
        let summary = sibling.import_records(&records, Some(format)).unwrap();
        assert_eq!(summary.imported, 1);
        drop(sibling);
        // Committed on the sibling, read here; its event reached our observer.
        let all = main.list_entries(ts("2026-11-01T00:00:00Z"), ts("2026-12-01T00:00:00Z"));
        assert_eq!(all.unwrap().len(), 2);
        assert!(
            seen.0
                .lock()
                .unwrap()
                .iter()
                .any(|e| e.starts_with("ImportCompleted")),
            "{:?}",
            seen.0.lock().unwrap()
        );
    }

    #[test]
    fn an_observer_attached_twice_hears_each_event_once() {
        let (mut t, _) = crate::test_support::tracker_at("2026-11-28T09:00:00Z");
        let seen = Arc::new(Seen::default());
        t.observe_events(seen.clone());
        t.observe_events(seen.clone());
        t.start_timer(None, "").unwrap();
        assert_eq!(
            seen.0.lock().unwrap().len(),
            1,
            "{:?}",
            seen.0.lock().unwrap()
        );
    }

    #[test]
    fn a_tracker_in_memory_has_no_sibling() {
        let (t, _) = crate::test_support::tracker_at("2026-11-28T09:00:00Z");
        let err = t.open_sibling().err().unwrap();
        assert_eq!(err.code(), "config.no_data_dir");
    }
}
