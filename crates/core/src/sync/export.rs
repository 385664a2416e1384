//! Writing this device's files: the records changed since the last change
//! file, each with what it refers to (an entry's project, client and tags),
//! so any one file can be applied on its own; and, now and then, a snapshot
//! of everything, after which the older files are removed.

use std::collections::BTreeSet;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use crate::error::{Error, Result};

use super::files::{self, FileKind, Item};
use super::hlc::Hlc;
use super::merge::resolve;
use super::record::{self, Kind, Record};

/// After this many change files, or this many bytes of them, the next run
/// folds them into a snapshot.
pub const COMPACT_AFTER_FILES: i64 = 64;
pub const COMPACT_AFTER_BYTES: u64 = 8 * 1024 * 1024;

/// What a change file will hold, and the queue rows it empties once written.
pub(crate) struct Batch {
    pub items: Vec<Item>,
    pub done: Vec<(String, String, i64)>,
}

/// Gives every tag a `sync_records` row with its key, so it can be found
/// by its id: tags made before sync, or created while applying an entry.
pub(crate) fn register_tags(conn: &Connection) -> Result<()> {
    let keys: Vec<String> = conn
        .prepare_cached(
            "SELECT name_key FROM tags WHERE name_key NOT IN
             (SELECT tag_key FROM sync_records WHERE kind = 'tag' AND tag_key IS NOT NULL)",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for key in keys {
        let gid = record::tag_gid(&key);
        let mut meta = record::meta(conn, Kind::Tag, &gid)?.unwrap_or_default();
        meta.tag_key = Some(key);
        record::put_meta(conn, Kind::Tag, &gid, &meta)?;
    }
    Ok(())
}

/// Collects records and what they refer to, each once, in file order.
struct Collector<'c> {
    conn: &'c Connection,
    seen: BTreeSet<(Kind, String)>,
    records: Vec<Record>,
    merges: Vec<Item>,
}

impl<'c> Collector<'c> {
    fn new(conn: &'c Connection) -> Self {
        Collector {
            conn,
            seen: BTreeSet::new(),
            records: Vec::new(),
            merges: Vec::new(),
        }
    }

    fn add(&mut self, kind: Kind, gid: &str) -> Result<()> {
        if !self.seen.insert((kind, gid.to_owned())) {
            return Ok(());
        }
        let Some(record) = record::load(self.conn, kind, gid)? else {
            return Ok(());
        };
        match kind {
            Kind::Entry => {
                if let Some(project) = record.str("project") {
                    self.add(Kind::Project, &resolve(self.conn, Kind::Project, project)?)?;
                }
                if let Value::Array(keys) = record.value("tags") {
                    for key in keys.iter().filter_map(Value::as_str) {
                        self.add(Kind::Tag, &record::tag_gid(key))?;
                    }
                }
            }
            Kind::Project => {
                if let Some(client) = record.str("client") {
                    self.add(Kind::Client, &resolve(self.conn, Kind::Client, client)?)?;
                }
            }
            Kind::Client | Kind::Tag => {}
        }
        self.records.push(record);
        Ok(())
    }

    fn add_merge(&mut self, kind: Kind, gone: &str) -> Result<()> {
        let row: Option<(String, String)> = self
            .conn
            .prepare_cached("SELECT into_gid, hlc FROM sync_aliases WHERE kind = ?1 AND gid = ?2")?
            .query_row(params![kind.as_str(), gone], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((into, hlc)) = row {
            self.merges.push(Item::Merge {
                kind,
                gone: gone.to_owned(),
                into: resolve(self.conn, kind, &into)?,
                hlc: Hlc::parse(&hlc).unwrap_or_default(),
            });
        }
        Ok(())
    }

    /// Clients, projects and tags first, then merges, then entries: what
    /// a line refers to is always on an earlier line.
    fn finish(mut self) -> Vec<Item> {
        self.records
            .sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
        let (entries, others): (Vec<Record>, Vec<Record>) = self
            .records
            .into_iter()
            .partition(|r| r.kind == Kind::Entry);
        let mut items: Vec<Item> = others.into_iter().map(Item::Record).collect();
        items.append(&mut self.merges);
        items.extend(entries.into_iter().map(Item::Record));
        items
    }
}

/// The queued changes, read in the caller's transaction.
pub(crate) fn pending(conn: &Connection) -> Result<Batch> {
    register_tags(conn)?;
    let rows: Vec<(String, String, i64)> = conn
        .prepare_cached("SELECT kind, gid, version FROM sync_pending ORDER BY kind, gid")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut collector = Collector::new(conn);
    for (kind, gid, _) in &rows {
        if let Some(of) = kind.strip_prefix("merge:").and_then(Kind::parse) {
            collector.add_merge(of, gid)?;
        } else if let Some(kind) = Kind::parse(kind) {
            // A record merged into another since it was queued: the
            // survivor holds its fields now.
            collector.add(kind, &resolve(conn, kind, gid)?)?;
        }
    }
    Ok(Batch {
        items: collector.finish(),
        done: rows,
    })
}

/// Everything this device holds: every record (tombstones included) and
/// every merge. What a device joining the folder reads instead of years of
/// change files.
pub(crate) fn everything(conn: &Connection) -> Result<Vec<Item>> {
    register_tags(conn)?;
    let mut collector = Collector::new(conn);
    let ids = |sql: &str| -> Result<Vec<String>> {
        Ok(conn
            .prepare(sql)?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    };
    for gid in ids("SELECT gid FROM clients ORDER BY gid")? {
        collector.add(Kind::Client, &gid)?;
    }
    for gid in ids("SELECT gid FROM projects ORDER BY gid")? {
        collector.add(Kind::Project, &gid)?;
    }
    for key in ids("SELECT name_key FROM tags ORDER BY name_key")? {
        collector.add(Kind::Tag, &record::tag_gid(&key))?;
    }
    for gid in ids("SELECT gid FROM time_entries ORDER BY gid")? {
        collector.add(Kind::Entry, &gid)?;
    }
    for gid in ids(
        "SELECT gid FROM sync_records WHERE kind = 'entry' AND deleted IS NOT NULL
         AND gid NOT IN (SELECT gid FROM time_entries) ORDER BY gid",
    )? {
        collector.add(Kind::Entry, &gid)?;
    }
    let aliases: Vec<(String, String)> = conn
        .prepare("SELECT kind, gid FROM sync_aliases ORDER BY kind, gid")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (kind, gid) in aliases {
        if let Some(kind) = Kind::parse(&kind) {
            collector.add_merge(kind, &gid)?;
        }
    }
    Ok(collector.finish())
}

/// Empties the queue rows a written file covered, unless they changed
/// again meanwhile (then the newer change waits for the next file).
pub(crate) fn mark_done(conn: &Connection, done: &[(String, String, i64)]) -> Result<()> {
    let mut stmt = conn
        .prepare_cached("DELETE FROM sync_pending WHERE kind = ?1 AND gid = ?2 AND version = ?3")?;
    for (kind, gid, version) in done {
        stmt.execute(params![kind, gid, version])?;
    }
    Ok(())
}

/// The highest sequence number among this device's files on disk: a
/// crash after a rename, or another copy of this database writing as this
/// device, must never make us reuse one.
pub(crate) fn highest_on_disk(dir: &Path) -> u64 {
    let (changes, _) = files::list(dir, FileKind::Changes);
    let (snapshots, _) = files::list(dir, FileKind::Snapshot);
    changes.into_iter().chain(snapshots).max().unwrap_or(0)
}

/// Bytes of change files written since the last snapshot.
pub(crate) fn change_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir.join(files::CHANGES))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// Removes this device's change files and snapshots older than the
/// snapshot `seq`, which holds all they held.
pub(crate) fn prune_before(dir: &Path, seq: u64) {
    for kind in [FileKind::Changes, FileKind::Snapshot] {
        let (seqs, _) = files::list(dir, kind);
        for old in seqs.into_iter().filter(|s| *s < seq) {
            let _ = std::fs::remove_file(dir.join(kind.dir()).join(files::file_name(old)));
        }
    }
}

pub(crate) fn write_file(dir: &Path, kind: FileKind, seq: u64, bytes: &[u8]) -> Result<()> {
    files::write_atomic(&dir.join(kind.dir()), &files::file_name(seq), bytes).map_err(|source| {
        Error::SyncFolderUnwritable {
            path: dir.to_owned(),
            source,
        }
    })
}
