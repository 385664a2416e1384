//! What the shell holds between commands: the open tracker, or the reason it
//! could not be opened (shown by the UI instead of a crash).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use timetracker_core::{config, ErrorPayload, SystemClock, Tracker};

pub struct AppState {
    pub data_dir: Option<PathBuf>,
    tracker: Result<Mutex<Tracker>, ErrorPayload>,
}

impl AppState {
    pub fn load() -> Self {
        let data_dir = config::data_dir();
        let tracker = data_dir
            .as_ref()
            .map_err(|e| e.to_payload())
            .and_then(|dir| {
                Tracker::open_in_dir(dir, Arc::new(SystemClock)).map_err(|e| e.to_payload())
            })
            .map(Mutex::new);
        Self {
            data_dir: data_dir.ok(),
            tracker,
        }
    }

    pub fn startup_error(&self) -> Option<ErrorPayload> {
        self.tracker.as_ref().err().cloned()
    }

    /// Runs `f` on the tracker, turning core errors into the UI's payload.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Tracker) -> timetracker_core::Result<T>,
    ) -> Result<T, ErrorPayload> {
        let tracker = self.tracker.as_ref().map_err(Clone::clone)?;
        // A panic in an earlier command cannot leave SQLite half-written
        // (every write is one transaction), so a poisoned lock is safe to reuse.
        let mut guard = tracker
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard).map_err(|e| e.to_payload())
    }
}
