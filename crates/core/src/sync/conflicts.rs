//! The conflict list: values that lost to a concurrent edit of the same
//! field on another device, shown to the user, who can bring one back with
//! one click. Bringing one back is an ordinary edit made now, so it wins
//! everywhere the next time the devices sync.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::{EntryPatch, ProjectBilling, Tracker};

use super::hlc::{device_part, Hlc};
use super::merge::{resolve, row_id};
use super::record::{self, Kind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncConflict {
    #[ts(type = "number")]
    pub id: i64,
    /// `entry`, `project`, `client` or `tag`.
    pub kind: String,
    /// The record's local id, if it still exists here.
    #[ts(type = "number | null")]
    pub record_id: Option<i64>,
    /// Which record, in words (an entry's description and start, a
    /// project's name).
    pub label: String,
    pub field: String,
    /// The value that lost, in words (instants as RFC 3339).
    pub lost: String,
    /// The value kept.
    pub kept: String,
    /// The losing edit was made on this device.
    pub lost_here: bool,
    #[ts(type = "string | null")]
    pub detected_at: Option<Timestamp>,
}

/// Unresolved conflicts, newest first.
pub(crate) fn open(conn: &Connection) -> Result<Vec<SyncConflict>> {
    let own: String = conn.query_row("SELECT device_id FROM sync_state", [], |r| r.get(0))?;
    let own = device_part(&own);
    let rows: Vec<(i64, String, String, String, String, String, i64)> = conn
        .prepare_cached(
            "SELECT id, kind, gid, field, value, hlc, detected_at FROM sync_conflicts
             WHERE resolved_at IS NULL ORDER BY id DESC LIMIT 200",
        )?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, kind_name, gid, field, value, hlc, detected) in rows {
        let Some(kind) = Kind::parse(&kind_name) else {
            continue;
        };
        let gid = resolve(conn, kind, &gid)?;
        let current = record::load(conn, kind, &gid)?;
        let lost: Value = serde_json::from_str(&value).unwrap_or(Value::Null);
        let kept = current
            .as_ref()
            .map_or(Value::Null, |r| r.value(&field).clone());
        out.push(SyncConflict {
            id,
            kind: kind_name,
            record_id: row_id(conn, kind, &gid)?,
            label: current
                .as_ref()
                .map_or_else(String::new, |r| label(conn, r)),
            lost: words(conn, kind, &field, &lost)?,
            kept: words(conn, kind, &field, &kept)?,
            field,
            lost_here: Hlc::parse(&hlc).is_some_and(|h| h.device() == own),
            detected_at: Timestamp::from_millisecond(detected).ok(),
        });
    }
    Ok(out)
}

fn label(conn: &Connection, record: &record::Record) -> String {
    match record.kind {
        Kind::Entry => {
            let start = record.str("start").unwrap_or_default();
            let project = record
                .str("project")
                .and_then(|gid| name_of(conn, Kind::Project, gid).ok().flatten());
            let description = record.str("description").unwrap_or_default();
            match (project, description) {
                (Some(p), "") => format!("{p} entry from {start}"),
                (Some(p), d) => format!("\u{201c}{d}\u{201d} ({p}) from {start}"),
                (None, "") => format!("Entry from {start}"),
                (None, d) => format!("\u{201c}{d}\u{201d} from {start}"),
            }
        }
        _ => record.str("name").unwrap_or_default().to_owned(),
    }
}

fn name_of(conn: &Connection, kind: Kind, gid: &str) -> Result<Option<String>> {
    let gid = resolve(conn, kind, gid)?;
    Ok(record::load(conn, kind, &gid)?.and_then(|r| r.str("name").map(str::to_owned)))
}

/// A field's value as a person reads it.
fn words(conn: &Connection, kind: Kind, field: &str, value: &Value) -> Result<String> {
    Ok(match (kind, field, value) {
        (Kind::Entry, "project", Value::String(gid)) => {
            name_of(conn, Kind::Project, gid)?.unwrap_or_else(|| "a removed project".to_owned())
        }
        (Kind::Entry, "project", Value::Null) => "no project".to_owned(),
        (Kind::Entry, "end", Value::Null) => "still running".to_owned(),
        (Kind::Entry, "tags", Value::Array(keys)) if keys.is_empty() => "no tags".to_owned(),
        (Kind::Entry, "tags", Value::Array(keys)) => keys
            .iter()
            .filter_map(Value::as_str)
            .map(|key| tag_name(conn, key))
            .collect::<Result<Vec<_>>>()?
            .join(", "),
        (Kind::Project, "client", Value::String(gid)) => {
            name_of(conn, Kind::Client, gid)?.unwrap_or_else(|| "a removed client".to_owned())
        }
        (Kind::Project, "client", Value::Null) => "no client".to_owned(),
        (Kind::Project, "archived", Value::Bool(true)) => "archived".to_owned(),
        (Kind::Project, "archived", Value::Bool(false)) => "active".to_owned(),
        (Kind::Project, "billable", Value::Bool(b)) => {
            if *b { "billable" } else { "not billable" }.to_owned()
        }
        (Kind::Project, "hourly_rate_cents", Value::Number(n)) => {
            let cents = n.as_i64().unwrap_or_default();
            format!("{}.{:02}", cents / 100, cents % 100)
        }
        (_, _, Value::Null) => "none".to_owned(),
        (_, _, Value::String(s)) => s.clone(),
        (_, _, other) => other.to_string(),
    })
}

fn tag_name(conn: &Connection, key: &str) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT name FROM tags WHERE name_key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| key.to_owned()))
}

impl Tracker {
    /// Brings the losing value of conflict `id` back, as an edit made now
    /// (so it wins on every device at the next sync), and closes it.
    pub fn sync_restore_conflict(&mut self, id: i64) -> Result<()> {
        let row: Option<(String, String, String, String)> = self.storage.read("sync_conflict", |c| {
            Ok(c.prepare_cached(
                "SELECT kind, gid, field, value FROM sync_conflicts WHERE id = ?1 AND resolved_at IS NULL",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?)
        })?;
        let (kind, gid, field, value) = row.ok_or(Error::SyncConflictNotFound(id))?;
        let kind = Kind::parse(&kind).ok_or(Error::SyncConflictNotFound(id))?;
        let value: Value = serde_json::from_str(&value).unwrap_or(Value::Null);
        let (local, project_of, key_names) = self.storage.read("sync_conflict", |c| {
            let gid = resolve(c, kind, &gid)?;
            let local = row_id(c, kind, &gid)?;
            let project_of = match value.as_str() {
                Some(p) if field == "project" || field == "client" => {
                    let target = if field == "project" {
                        Kind::Project
                    } else {
                        Kind::Client
                    };
                    row_id(c, target, &resolve(c, target, p)?)?
                }
                _ => None,
            };
            let key_names = match &value {
                Value::Array(keys) => keys
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|k| tag_name(c, k))
                    .collect::<Result<Vec<_>>>()?,
                _ => Vec::new(),
            };
            Ok((local, project_of, key_names))
        })?;
        let local = local.ok_or(Error::SyncConflictNotFound(id))?;
        let instant =
            |v: &Value| record::millis(v).and_then(|ms| Timestamp::from_millisecond(ms).ok());
        match (kind, field.as_str()) {
            (Kind::Entry, field) => {
                let mut patch = EntryPatch::default();
                match field {
                    "description" => patch.description = value.as_str().map(str::to_owned),
                    "project" => patch.project_id = Some(project_of),
                    "start" => patch.started_at = instant(&value),
                    "end" => patch.stopped_at = Some(instant(&value)),
                    "tags" => patch.tags = Some(key_names),
                    _ => {}
                }
                self.update_entry(local, patch)?;
            }
            (Kind::Project, "name") => {
                self.rename_project(local, value.as_str().unwrap_or_default())?;
            }
            (Kind::Project, "color") => {
                self.set_project_color(local, value.as_str().unwrap_or_default())?;
            }
            (Kind::Project, "archived") => {
                if value.as_bool().unwrap_or(false) {
                    self.archive_project(local)?;
                } else {
                    self.restore_project(local)?;
                }
            }
            (Kind::Project, field) => {
                let project = self.project(local)?;
                let mut billing = ProjectBilling {
                    client: project.client,
                    billable: project.billable,
                    hourly_rate_cents: project.hourly_rate_cents,
                    currency: project.currency,
                };
                match field {
                    "client" => {
                        billing.client = match project_of {
                            Some(client_row) => self.storage.read("client_name", |c| {
                                Ok(c.query_row(
                                    "SELECT name FROM clients WHERE id = ?1",
                                    [client_row],
                                    |r| r.get(0),
                                )
                                .optional()?)
                            })?,
                            None => None,
                        }
                    }
                    "billable" => billing.billable = value.as_bool().unwrap_or(false),
                    "hourly_rate_cents" => billing.hourly_rate_cents = value.as_i64(),
                    "currency" => billing.currency = value.as_str().map(str::to_owned),
                    _ => {}
                }
                self.set_project_billing(local, billing)?;
            }
            (Kind::Client | Kind::Tag, _) => {
                let name = value.as_str().unwrap_or_default().trim().to_owned();
                let table = if kind == Kind::Client {
                    "clients"
                } else {
                    "tags"
                };
                self.storage.write("sync_restore", |tx| {
                    tx.execute(
                        &format!("UPDATE {table} SET name = ?2 WHERE id = ?1 AND lower(name) = lower(?2)"),
                        params![local, name],
                    )?;
                    Ok(())
                })?;
            }
        }
        self.resolve_conflict(id)?;
        crate::log_event!("sync.conflict_restored", conflict_id = id, field = field);
        Ok(())
    }

    /// Closes conflict `id`, keeping the value that won.
    pub fn sync_dismiss_conflict(&mut self, id: i64) -> Result<()> {
        if self.resolve_conflict(id)? == 0 {
            return Err(Error::SyncConflictNotFound(id));
        }
        crate::log_event!("sync.conflict_dismissed", conflict_id = id);
        Ok(())
    }

    fn resolve_conflict(&mut self, id: i64) -> Result<usize> {
        let now = self.clock.now().as_millisecond();
        self.storage.write("sync_conflict", |tx| {
            Ok(tx.execute(
                "UPDATE sync_conflicts SET resolved_at = ?2 WHERE id = ?1 AND resolved_at IS NULL",
                params![id, now],
            )?)
        })
    }
}
