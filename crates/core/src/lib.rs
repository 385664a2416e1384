//! TimeTracker's core: storage, projects, the timer and entries. It has no
//! window and no Tauri dependency; the desktop shell and the `tt` CLI are thin
//! front ends over [`Tracker`].

pub mod api;
pub mod app;
pub mod breaks;
pub mod calendar;
pub mod changes;
pub mod clients;
pub mod clock;
pub mod config;
pub mod consent;
pub mod crash;
pub mod desktop;
pub mod doctor;
pub mod entries;
pub mod error;
pub mod events;
pub mod io;
pub mod limits;
pub mod logging;
pub mod metrics;
pub mod private;
pub mod projects;
pub mod reports;
pub mod settings;
pub mod storage;
pub mod sync;
pub mod targets;
pub mod telemetry;
pub mod timer;
pub mod tracker;
pub mod webhooks;

pub use clients::{Client, ProjectBilling};
pub use clock::{Clock, FakeClock, SystemClock};
pub use entries::edit::{DeletedEntry, EntryPatch, NewEntry};
pub use entries::page::{EntryPage, PageAt};
pub use entries::tag_edit::Tag;
pub use entries::undo::Deleted;
pub use entries::{Day, Entry};
pub use error::{Error, ErrorCode, ErrorKind, ErrorPayload, Result};
pub use projects::Project;
pub use timer::StartOutcome;
pub use tracker::Tracker;

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
