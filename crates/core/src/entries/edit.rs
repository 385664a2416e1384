//! Editing entries by hand: add a finished entry, change any field of any
//! entry (the running one included), delete with undo.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::changes::{offer, Change};
use crate::error::{Error, Result};
use crate::events::Event;
use crate::storage::ts_from_ms;
use crate::timer::normalize_description;
use crate::{projects, Tracker};

use super::undo::Deleted;
use super::{get, tags, Entry};

/// A finished entry typed in by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct NewEntry {
    #[ts(type = "number | null")]
    pub project_id: Option<i64>,
    #[serde(default)]
    pub description: String,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Timestamp,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub stopped_at: Timestamp,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// The fields to change; an absent field is left as it is. `project_id:
/// null` moves the entry to no project and `stopped_at: null` makes it the
/// running entry again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct EntryPatch {
    #[serde(default, with = "present", skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number | null")]
    #[schema(value_type = Option<i64>)]
    pub project_id: Option<Option<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "string")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<Timestamp>,
    #[serde(default, with = "present", skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "string | null")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub stopped_at: Option<Option<Timestamp>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tags: Option<Vec<String>>,
}

/// Tells a field sent as `null` (`Some(None)`) from an absent one (`None`,
/// through `default`).
mod present {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(
        value: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Everything needed to bring a deleted entry back under its old id. It
/// stays in the core ([`super::undo`]); callers get a token for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedEntry {
    pub id: i64,
    pub project_id: Option<i64>,
    pub description: String,
    pub started_at: Timestamp,
    pub stopped_at: Option<Timestamp>,
    pub tags: Vec<String>,
    pub created_at: Timestamp,
    /// The entry's global id, so that sync sees the undo bring back the
    /// same entry rather than a new one.
    pub gid: Option<String>,
}

/// The stored row of one entry, before any change.
/// An entry's times as they were stored before a patch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Times {
    pub started_at: Timestamp,
    pub stopped_at: Option<Timestamp>,
}

/// What [`Tracker::patch_entry`] did: the times before, the entry after,
/// and the names of the fields that changed.
pub(crate) struct Patched {
    pub before: Times,
    pub entry: Entry,
    pub changes: Vec<&'static str>,
}

struct Stored {
    project_id: Option<i64>,
    description: String,
    started_at: Timestamp,
    stopped_at: Option<Timestamp>,
    created_at: Timestamp,
}

fn stored(conn: &Connection, id: i64) -> Result<Stored> {
    conn.query_row(
        "SELECT project_id, description, started_at, stopped_at, created_at FROM time_entries WHERE id = ?1",
        [id],
        |r| {
            Ok(Stored {
                project_id: r.get(0)?,
                description: r.get(1)?,
                started_at: ts_from_ms(2, r.get(2)?)?,
                stopped_at: r
                    .get::<_, Option<i64>>(3)?
                    .map(|ms| ts_from_ms(3, ms))
                    .transpose()?,
                created_at: ts_from_ms(4, r.get(4)?)?,
            })
        },
    )
    .optional()?
    .ok_or(Error::EntryNotFound(id))
}

/// An end before the start is refused; so is a running entry that starts
/// in the future (it would count negative time).
pub(crate) fn check_range(
    started_at: Timestamp,
    stopped_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<()> {
    match stopped_at {
        Some(end) if end < started_at => Err(Error::EntryInvalidRange),
        None if started_at > now => Err(Error::EntryInvalidRange),
        _ => Ok(()),
    }
}

/// A project new entries may be put on: it exists and is not archived.
fn check_project(conn: &Connection, id: i64) -> Result<()> {
    let project = projects::get(conn, id)?;
    if project.archived {
        return Err(Error::ProjectArchived(project.name));
    }
    Ok(())
}

fn running_id(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM time_entries WHERE stopped_at IS NULL")?
        .query_row([], |r| r.get(0))
        .optional()?)
}

/// The one-running index is the last word when another process starts a
/// timer between our check and our write.
fn running_clash_or(err: rusqlite::Error) -> Error {
    match err.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation)
            if err.to_string().contains("stopped_at IS NULL") =>
        {
            Error::EntryRunningConflict
        }
        Some(rusqlite::ErrorCode::ConstraintViolation)
            if err.to_string().contains("time_entries.id") =>
        {
            Error::EntryAlreadyExists
        }
        _ => err.into(),
    }
}

impl Tracker {
    /// Adds a finished entry, as typed in by hand.
    pub fn add_entry(&mut self, entry: NewEntry) -> Result<Entry> {
        let description = normalize_description(&entry.description)?;
        let tags = tags::normalize(&entry.tags)?;
        let now = self.clock.now();
        check_range(entry.started_at, Some(entry.stopped_at), now)?;
        let changers = &self.change_observers;
        let created = self.storage.write("entry_add", |tx| {
            if let Some(id) = entry.project_id {
                check_project(tx, id)?;
            }
            tx.execute(
                "INSERT INTO time_entries (project_id, description, started_at, stopped_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![
                    entry.project_id,
                    description,
                    entry.started_at.as_millisecond(),
                    entry.stopped_at.as_millisecond(),
                    now.as_millisecond()
                ],
            )?;
            let id = tx.last_insert_rowid();
            tags::set(tx, id, &tags)?;
            let created = get(tx, id, now)?;
            offer(changers, tx, now, || vec![Change::EntryCreated(created.clone())]);
            Ok(created)
        })?;
        crate::log_event!(
            "entry.created",
            entry_id = created.id,
            project_id = created.project_id,
        );
        self.track(Event::EntryCreated { manual: true });
        Ok(created)
    }

    /// Changes the fields `patch` names. A running entry may be edited; an
    /// entry may become the running one only while no other runs.
    pub fn update_entry(&mut self, id: i64, patch: EntryPatch) -> Result<Entry> {
        let Patched {
            entry: updated,
            changes,
            ..
        } = self.patch_entry(id, |_| Ok(patch))?;
        crate::log_event!(
            "entry.updated",
            entry_id = id,
            project_id = updated.project_id,
            changes = changes.join(","),
        );
        self.track(Event::EntryUpdated {});
        Ok(updated)
    }

    /// [`Tracker::update_entry`] without its event, for callers that name
    /// the change themselves (a block dragged in the calendar). `patch` is
    /// worked out from the entry's times as stored, inside the same
    /// transaction, so a change made meanwhile by another process is never
    /// overwritten with a patch built from an older read.
    pub(crate) fn patch_entry(
        &mut self,
        id: i64,
        patch: impl FnOnce(Times) -> Result<EntryPatch>,
    ) -> Result<Patched> {
        let now = self.clock.now();
        let mut changes: Vec<&'static str> = Vec::new();
        let mut before = None;
        let changers = &self.change_observers;
        let updated = self.storage.write("entry_update", |tx| {
            let old = stored(tx, id)?;
            let times = Times {
                started_at: old.started_at,
                stopped_at: old.stopped_at,
            };
            before = Some(times);
            let patch = patch(times)?;
            let description = patch
                .description
                .as_deref()
                .map(normalize_description)
                .transpose()?;
            let new_tags = patch.tags.as_deref().map(tags::normalize).transpose()?;
            let project_id = patch.project_id.unwrap_or(old.project_id);
            if project_id != old.project_id {
                if let Some(pid) = project_id {
                    check_project(tx, pid)?;
                }
                changes.push("project");
            }
            let description = description.unwrap_or(old.description.clone());
            if description != old.description {
                changes.push("description");
            }
            let started_at = patch.started_at.unwrap_or(old.started_at);
            if started_at != old.started_at {
                changes.push("start");
            }
            let stopped_at = patch.stopped_at.unwrap_or(old.stopped_at);
            if stopped_at != old.stopped_at {
                changes.push("end");
            }
            check_range(started_at, stopped_at, now)?;
            if stopped_at.is_none() && running_id(tx)?.is_some_and(|r| r != id) {
                return Err(Error::EntryRunningConflict);
            }
            tx.execute(
                "UPDATE time_entries SET project_id = ?2, description = ?3, started_at = ?4,
                 stopped_at = ?5, updated_at = ?6 WHERE id = ?1",
                params![
                    id,
                    project_id,
                    description,
                    started_at.as_millisecond(),
                    stopped_at.map(|t| t.as_millisecond()),
                    now.as_millisecond()
                ],
            )
            .map_err(running_clash_or)?;
            if let Some(new_tags) = &new_tags {
                let before = get(tx, id, now)?.tags;
                if tags::set(tx, id, new_tags)? != before {
                    changes.push("tags");
                }
            }
            let updated = get(tx, id, now)?;
            offer(changers, tx, now, || {
                vec![Change::EntryUpdated(updated.clone())]
            });
            Ok(updated)
        })?;
        Ok(Patched {
            before: before.ok_or(Error::EntryNotFound(id))?,
            entry: updated,
            changes,
        })
    }

    /// Deletes an entry (the running one included) and returns the token
    /// that [`Tracker::restore_entry`] takes to undo it.
    pub fn delete_entry(&mut self, id: i64) -> Result<Deleted> {
        let now = self.clock.now();
        let changers = &self.change_observers;
        let deleted = self.storage.write("entry_delete", |tx| {
            let old = stored(tx, id)?;
            let tags = get(tx, id, now)?.tags;
            let gid: Option<String> =
                tx.query_row("SELECT gid FROM time_entries WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
            tx.execute("DELETE FROM time_entries WHERE id = ?1", [id])?;
            offer(changers, tx, now, || vec![Change::EntryDeleted(id)]);
            Ok(DeletedEntry {
                id,
                project_id: old.project_id,
                description: old.description,
                started_at: old.started_at,
                stopped_at: old.stopped_at,
                tags,
                created_at: old.created_at,
                gid,
            })
        })?;
        crate::log_event!("entry.deleted", entry_id = id);
        self.track(Event::EntryDeleted {});
        Ok(self.undo.keep(deleted))
    }

    /// Undoes a delete: the entry comes back under its old id, with its
    /// project (even if archived since) and tags. A deleted running entry
    /// comes back running unless another timer runs now.
    /// The token is spent once the entry is back; a refusal (another timer
    /// runs) keeps it, so the user can stop that timer and undo again.
    pub fn restore_entry(&mut self, token: &str) -> Result<Entry> {
        let deleted = self.undo.get(token).ok_or(Error::EntryUndoExpired)?.clone();
        let restored = self.restore_deleted(&deleted)?;
        self.undo.forget(token);
        Ok(restored)
    }

    fn restore_deleted(&mut self, deleted: &DeletedEntry) -> Result<Entry> {
        // Not validated again: the entry is the core's own copy of a stored
        // row, and one written before a rule was added (control characters)
        // must still come back whole.
        let description = deleted.description.clone();
        let tags = deleted.tags.clone();
        let now = self.clock.now();
        check_range(deleted.started_at, deleted.stopped_at, now)?;
        let changers = &self.change_observers;
        let restored = self.storage.write("entry_restore", |tx| {
            if let Some(pid) = deleted.project_id {
                projects::get(tx, pid)?;
            }
            if deleted.stopped_at.is_none() && running_id(tx)?.is_some() {
                return Err(Error::EntryRunningConflict);
            }
            // A global id that is no longer free (the entry came back
            // through sync already) gets a new one rather than failing.
            let gid = deleted.gid.as_deref().filter(|g| {
                uuid::Uuid::parse_str(g).is_ok()
                    && tx
                        .query_row("SELECT 1 FROM time_entries WHERE gid = ?1", [g], |_| Ok(()))
                        .optional()
                        .ok()
                        .flatten()
                        .is_none()
            });
            tx.execute(
                "INSERT INTO time_entries (id, project_id, description, started_at, stopped_at, created_at, updated_at, gid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    deleted.id,
                    deleted.project_id,
                    description,
                    deleted.started_at.as_millisecond(),
                    deleted.stopped_at.map(|t| t.as_millisecond()),
                    deleted.created_at.as_millisecond(),
                    now.as_millisecond(),
                    gid
                ],
            )
            .map_err(running_clash_or)?;
            tags::set(tx, deleted.id, &tags)?;
            let restored = get(tx, deleted.id, now)?;
            offer(changers, tx, now, || vec![Change::EntryCreated(restored.clone())]);
            Ok(restored)
        })?;
        crate::log_event!("entry.restored", entry_id = restored.id);
        Ok(restored)
    }

    /// Every active tag, in use or used before, sorted ignoring case: what
    /// the tag field suggests.
    pub fn list_tags(&self) -> Result<Vec<String>> {
        self.storage.read("tags_list", tags::all)
    }
}

#[cfg(test)]
#[path = "edit_tests.rs"]
mod tests;
