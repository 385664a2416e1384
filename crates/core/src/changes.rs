//! Changes as their data, for observers that pass the user's own data on
//! (webhooks). Product events ([`crate::events`]) deliberately carry no
//! names or ids; a [`Change`] carries the whole entry or project, and is
//! offered inside the transaction that makes it, so an observer's own row
//! (a queued delivery) commits with the change or not at all.

use std::sync::Arc;

use jiff::Timestamp;
use rusqlite::Connection;

use crate::{Entry, Project};

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    TimerStarted(Entry),
    TimerStopped(Entry),
    EntryCreated(Entry),
    EntryUpdated(Entry),
    EntryDeleted(i64),
    ProjectCreated(Project),
    ProjectUpdated(Project),
    ProjectArchived(Project),
    ProjectRestored(Project),
}

impl Change {
    /// The change's name, as webhooks subscribe to it.
    pub fn name(&self) -> &'static str {
        match self {
            Change::TimerStarted(_) => "timer.started",
            Change::TimerStopped(_) => "timer.stopped",
            Change::EntryCreated(_) => "entry.created",
            Change::EntryUpdated(_) => "entry.updated",
            Change::EntryDeleted(_) => "entry.deleted",
            Change::ProjectCreated(_) => "project.created",
            Change::ProjectUpdated(_) => "project.updated",
            Change::ProjectArchived(_) => "project.archived",
            Change::ProjectRestored(_) => "project.restored",
        }
    }

    /// Every name, in the order the docs list them.
    pub const NAMES: [&'static str; 9] = [
        "timer.started",
        "timer.stopped",
        "entry.created",
        "entry.updated",
        "entry.deleted",
        "project.created",
        "project.updated",
        "project.archived",
        "project.restored",
    ];

    /// The change's data as JSON: the entry or project as the API returns
    /// it, or `{"id"}` for a deleted entry.
    pub fn data(&self) -> serde_json::Value {
        let value = match self {
            Change::TimerStarted(e)
            | Change::TimerStopped(e)
            | Change::EntryCreated(e)
            | Change::EntryUpdated(e) => serde_json::to_value(e),
            Change::EntryDeleted(id) => Ok(serde_json::json!({ "id": id })),
            Change::ProjectCreated(p)
            | Change::ProjectUpdated(p)
            | Change::ProjectArchived(p)
            | Change::ProjectRestored(p) => serde_json::to_value(p),
        };
        value.unwrap_or_default()
    }
}

/// Offered every [`Change`] inside the transaction that makes it. It must
/// never fail the change: it handles (and logs) its own errors, and leaves
/// the transaction as it found it on any error (a savepoint).
pub trait ChangeObserver: Send + Sync {
    fn in_transaction(&self, tx: &Connection, now: Timestamp, changes: &[Change]);
}

/// Offers the changes `make` builds to `observers`; nothing is built when
/// no one listens. A free function so a write closure can borrow the
/// observers while the storage runs it.
pub(crate) fn offer(
    observers: &[Arc<dyn ChangeObserver>],
    tx: &Connection,
    now: Timestamp,
    make: impl FnOnce() -> Vec<Change>,
) {
    if observers.is_empty() {
        return;
    }
    let changes = make();
    for observer in observers {
        observer.in_transaction(tx, now, &changes);
    }
}
