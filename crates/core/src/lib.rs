//! TimeTracker's core: storage, projects, the timer and entries. It has no
//! window and no Tauri dependency; the desktop shell and the `tt` CLI are thin
//! front ends over [`Tracker`].

pub mod clients;
pub mod clock;
pub mod config;
pub mod crash;
pub mod desktop;
pub mod doctor;
pub mod entries;
pub mod error;
pub mod io;
pub mod logging;
pub mod metrics;
pub mod projects;
pub mod reports;
pub mod settings;
pub mod storage;
pub mod sync;
pub mod telemetry;
pub mod timer;

use std::path::Path;
use std::sync::Arc;

pub use clients::ProjectBilling;
pub use clock::{Clock, FakeClock, SystemClock};
pub use entries::edit::{DeletedEntry, EntryPatch, NewEntry};
pub use entries::{Day, Entry};
pub use error::{Error, ErrorCode, ErrorKind, ErrorPayload, Result};
pub use projects::Project;
pub use timer::StartOutcome;

use storage::Storage;

/// One open database plus the clock that stamps its changes. Reads take
/// `&self`; writes take `&mut self` and are committed before they return.
pub struct Tracker {
    storage: Storage,
    clock: Arc<dyn Clock>,
    telemetry: Option<Arc<telemetry::Telemetry>>,
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
            telemetry: None,
        }
    }

    /// Opens `timetracker.sqlite3` inside `data_dir`.
    pub fn open_in_dir(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        Self::open(&config::database_path(data_dir), clock)
    }

    pub fn open_in_memory(clock: Arc<dyn Clock>) -> Result<Self> {
        Ok(Self::with_storage(Storage::open_in_memory()?, clock))
    }

    /// Reports database activity, timer starts and tracked time to
    /// `metrics` from now on.
    pub fn attach_metrics(&mut self, metrics: Arc<metrics::Metrics>) {
        self.storage.attach_metrics(metrics);
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

/// Converts a stored millisecond count back into an instant. Values come
/// from our own writes, but a hand-edited file may hold anything: report it
/// as a conversion error rather than panicking.
pub(crate) fn ts_from_ms(idx: usize, ms: i64) -> rusqlite::Result<jiff::Timestamp> {
    jiff::Timestamp::from_millisecond(ms).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Integer, Box::new(e))
    })
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::sync::Arc;

    use super::*;

    pub fn ts(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    pub fn tracker_at(now: &str) -> (Tracker, FakeClock) {
        let clock = FakeClock::at(ts(now));
        let tracker = Tracker::open_in_memory(Arc::new(clock.clone())).unwrap();
        (tracker, clock)
    }

    pub fn tracker() -> (Tracker, FakeClock) {
        tracker_at("2026-11-28T09:00:00Z")
    }
}
