//! The tracker: one open database and the clock that stamps its changes.
//! The domain modules (projects, timer, entries, ...) add its methods.

use std::path::Path;
use std::sync::Arc;

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

    /// Honours the overrides `env` sets from now on.
    pub fn set_env(&mut self, env: Env) {
        self.env = env;
    }

    /// Tells `observer` about every database operation from now on.
    pub fn observe_storage(&mut self, observer: Arc<dyn StorageObserver>) {
        self.storage.observe(observer);
    }

    /// Tells `observer` about every product event from now on.
    pub fn observe_events(&mut self, observer: Arc<dyn EventObserver>) {
        self.observers.push(observer);
    }

    /// Hands `event` to every observer. Never fails the caller: counting
    /// and analytics must not break a command.
    pub fn track(&self, event: Event) {
        for o in &self.observers {
            o.on_event(self, &event);
        }
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
