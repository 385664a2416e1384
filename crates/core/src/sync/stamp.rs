//! Stamping local changes: the triggers of migration 0006 note which fields
//! of which rows a write changed (`sync_dirty`); before that write commits,
//! [`stamp_dirty`] gives each changed field this device's next clock value,
//! keeps a deleted record's values as its tombstone, and queues the record
//! for the next change file. Every write goes through here, whichever code
//! path (or outside tool) made it, so no change is missed.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension};

use crate::clock::Clock;
use crate::error::Result;

use super::hlc::{self, Hlc};
use super::record::{self, Clocks, Kind, Meta};

/// What one transaction did to one record.
#[derive(Default)]
struct Change {
    created: bool,
    fields: Vec<String>,
    /// Deleted, with its global id and last values as the trigger saw them.
    deleted: Option<(Option<String>, Option<String>)>,
}

/// Stamps and queues whatever the current transaction changed. Cheap when
/// it changed nothing that syncs: one read of an empty table.
pub(crate) fn stamp_dirty(conn: &Connection, clock: &dyn Clock) -> Result<()> {
    let mut changed: BTreeMap<(Kind, i64), Change> = BTreeMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT kind, row_id, fields, gid, state FROM sync_dirty ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let Some(kind) = Kind::parse(&row.get::<_, String>(0)?) else {
                continue;
            };
            let change = changed.entry((kind, row.get(1)?)).or_default();
            match row.get::<_, String>(2)?.as_str() {
                "!" => change.deleted = Some((row.get(3)?, row.get(4)?)),
                "*" => change.created = true,
                list => {
                    for field in list.split(',').filter(|f| !f.is_empty()) {
                        if !change.fields.iter().any(|f| f == field) {
                            change.fields.push(field.to_owned());
                        }
                    }
                }
            }
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    let stamp = hlc::tick(conn, clock)?;
    for ((kind, row_id), change) in changed {
        stamp_one(conn, kind, row_id, change, &stamp)?;
    }
    conn.prepare_cached("DELETE FROM sync_dirty")?.execute([])?;
    Ok(())
}

fn stamp_one(
    conn: &Connection,
    kind: Kind,
    row_id: i64,
    change: Change,
    stamp: &Hlc,
) -> Result<()> {
    if let Some((gid, state)) = change.deleted {
        let Some(gid) = gid else { return Ok(()) };
        let mut meta = record::meta(conn, kind, &gid)?.unwrap_or_default();
        if change.created && meta.clocks == Clocks::default() {
            meta.clocks.base = stamp.clone();
        }
        meta.deleted = Some(stamp.clone());
        meta.state = state.as_deref().map(record::tombstone_values);
        record::put_meta(conn, kind, &gid, &meta)?;
        return record::mark_pending(conn, kind.as_str(), &gid);
    }
    // Gone again within the transaction (or a tag list change of an entry
    // deleted in it): nothing left to stamp.
    let Some(gid) = record::gid_of(conn, kind, row_id)? else {
        return Ok(());
    };
    let existing = record::meta(conn, kind, &gid)?;
    let mut meta = existing.clone().unwrap_or_default();
    let fields: Vec<String> = match (change.created, &existing) {
        // New here: every field is as old as the record.
        (true, None) => {
            meta.clocks.base = stamp.clone();
            Vec::new()
        }
        // Back again (an undone delete): every field is new.
        (true, Some(_)) => kind.fields().iter().map(|f| (*f).to_owned()).collect(),
        (false, _) => change.fields,
    };
    for field in &fields {
        let (old, _) = meta.clocks.get(field);
        meta.clocks.set(field, stamp.clone(), old);
    }
    if kind == Kind::Tag {
        meta.tag_key = tag_key(conn, row_id)?;
    }
    record::put_meta(conn, kind, &gid, &meta)?;
    record::mark_pending(conn, kind.as_str(), &gid)
}

fn tag_key(conn: &Connection, row_id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT name_key FROM tags WHERE id = ?1")?
        .query_row([row_id], |r| r.get(0))
        .optional()?)
}

/// Marks the fields `fields` of a record this device changed while
/// applying others' changes (a timer stopped by the one-timer rule, a
/// range repaired): stamped, kept, and queued like any local edit.
pub(crate) fn stamp_fields(
    conn: &Connection,
    kind: Kind,
    gid: &str,
    fields: &[&str],
    stamp: &Hlc,
) -> Result<()> {
    let mut meta: Meta = record::meta(conn, kind, gid)?.unwrap_or_default();
    for field in fields {
        let (old, _) = meta.clocks.get(field);
        meta.clocks.set(field, stamp.clone(), old);
    }
    record::put_meta(conn, kind, gid, &meta)?;
    record::mark_pending(conn, kind.as_str(), gid)
}
