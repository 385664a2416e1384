//! Applying another device's entries: the row, its tags and clocks, a
//! range two edits crossed, and the one-timer rule.

use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use crate::entries::tags;
use crate::error::Result;

use super::merge::{clocks_of, row_id, Applier};
use super::record::{self, bad, Field, Kind, Meta, Record};
use super::stamp;

impl Applier<'_> {
    pub(super) fn write_entry(&mut self, mut record: Record) -> Result<()> {
        let row = row_id(self.conn, Kind::Entry, &record.id)?;
        if !record.alive() {
            if let Some(id) = row {
                self.conn
                    .prepare_cached("DELETE FROM time_entries WHERE id = ?1")?
                    .execute([id])?;
            }
            let state = record
                .fields
                .iter()
                .map(|(k, f)| (k.clone(), f.value.clone()))
                .collect();
            let meta = Meta {
                clocks: clocks_of(&record),
                deleted: record.deleted.clone(),
                state: Some(state),
                tag_key: None,
            };
            return record::put_meta(self.conn, Kind::Entry, &record.id, &meta);
        }
        let project = match record.str("project") {
            None => None,
            Some(gid) => Some(
                row_id(self.conn, Kind::Project, gid)?
                    .ok_or_else(|| bad(Kind::Entry, "project"))?,
            ),
        };
        let description = record.str("description").unwrap_or_default().to_owned();
        crate::timer::normalize_synced_description(&description)?;
        let start =
            record::millis(record.value("start")).ok_or_else(|| bad(Kind::Entry, "start"))?;
        let mut end = match record.value("end") {
            Value::Null => None,
            v => Some(record::millis(v).ok_or_else(|| bad(Kind::Entry, "end"))?),
        };
        let mut own_edits: Vec<&str> = Vec::new();
        // Two devices moved the start and the end past each other: the
        // entry keeps its start and ends there, the same on every device.
        if end.is_some_and(|e| e < start) {
            end = Some(start);
            self.set_field(&mut record, "end", record::instant(start))?;
            own_edits.push("end");
        }
        if end.is_none() {
            if let Some(stopped_at) = self.one_timer(&record.id, start)? {
                end = Some(stopped_at);
                self.set_field(&mut record, "end", record::instant(stopped_at))?;
                if !own_edits.contains(&"end") {
                    own_edits.push("end");
                }
            }
        }
        // A timer running here, stopped by another device: say so.
        if let Some(id) = row.filter(|_| end.is_some()) {
            let was_running: bool = self
                .conn
                .prepare_cached("SELECT stopped_at IS NULL FROM time_entries WHERE id = ?1")?
                .query_row([id], |r| r.get(0))?;
            if was_running {
                self.notice("stopped_elsewhere", &record.id)?;
            }
        }
        let id = match row {
            Some(id) => {
                self.conn
                    .prepare_cached(
                        "UPDATE time_entries SET project_id = ?2, description = ?3, started_at = ?4,
                         stopped_at = ?5, updated_at = ?6 WHERE id = ?1",
                    )?
                    .execute(params![id, project, description, start, end, self.now_ms])?;
                id
            }
            None => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO time_entries
                         (gid, project_id, description, started_at, stopped_at, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                    )?
                    .execute(params![record.id, project, description, start, end, self.now_ms])?;
                self.conn.last_insert_rowid()
            }
        };
        let keys: Vec<String> = match record.value("tags") {
            Value::Array(items) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| bad(Kind::Entry, "tags"))
                })
                .collect::<Result<_>>()?,
            Value::Null => Vec::new(),
            _ => return Err(bad(Kind::Entry, "tags")),
        };
        tags::set(self.conn, id, &tags::normalize(&keys)?)?;
        let meta = Meta {
            clocks: clocks_of(&record),
            deleted: record.deleted.clone(),
            state: None,
            tag_key: None,
        };
        record::put_meta(self.conn, Kind::Entry, &record.id, &meta)?;
        if !own_edits.is_empty() {
            record::mark_pending(self.conn, Kind::Entry.as_str(), &record.id)?;
        }
        Ok(())
    }

    /// Sets a field as a change made here, stamped after everything read.
    fn set_field(&mut self, record: &mut Record, field: &str, value: Value) -> Result<()> {
        let stamp = self.derived()?;
        let prev = record
            .fields
            .get(field)
            .map(|f| f.hlc.clone())
            .unwrap_or_default();
        record.fields.insert(
            field.to_owned(),
            Field {
                value,
                hlc: stamp,
                prev,
            },
        );
        Ok(())
    }

    /// Keeps at most one timer running. With `gid` about to run from
    /// `start`: if another runs and started earlier (or at the same time,
    /// with a smaller id) it stops now at `start`; if it started later, this
    /// one must stop instead, at the returned instant.
    fn one_timer(&mut self, gid: &str, start: i64) -> Result<Option<i64>> {
        let other: Option<(i64, String, i64)> = self
            .conn
            .prepare_cached(
                "SELECT id, gid, started_at FROM time_entries
                 WHERE stopped_at IS NULL AND gid IS NOT ?1",
            )?
            .query_row([gid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((other_id, other_gid, other_start)) = other else {
            return Ok(None);
        };
        self.applied.timers_stopped += 1;
        crate::log_event!(
            warn,
            "sync.timer_stopped",
            entry_id = other_id,
            reason = "later_timer_elsewhere",
        );
        if (start, gid) > (other_start, other_gid.as_str()) {
            let stamp = self.derived()?;
            self.conn
                .prepare_cached(
                    "UPDATE time_entries SET stopped_at = max(?2, started_at), updated_at = ?3
                     WHERE id = ?1",
                )?
                .execute(params![other_id, start, self.now_ms])?;
            stamp::stamp_fields(self.conn, Kind::Entry, &other_gid, &["end"], &stamp)?;
            self.notice("timer_stopped", &other_gid)?;
            Ok(None)
        } else {
            self.notice("timer_stopped", gid)?;
            Ok(Some(other_start.max(start)))
        }
    }

    /// Tells the user, through `tt sync status` and Settings, that a timer
    /// was stopped by sync.
    fn notice(&self, kind: &str, gid: &str) -> Result<()> {
        let text: String = self
            .conn
            .query_row("SELECT notices FROM sync_state", [], |r| r.get(0))?;
        let mut list: Vec<Value> = serde_json::from_str(&text).unwrap_or_default();
        list.push(json!({"kind": kind, "entry": gid, "at": self.now_ms}));
        let keep = list.len().saturating_sub(20);
        let list: Vec<Value> = list.into_iter().skip(keep).collect();
        self.conn
            .prepare_cached("UPDATE sync_state SET notices = ?1")?
            .execute([Value::Array(list).to_string()])?;
        Ok(())
    }
}
