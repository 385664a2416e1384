//! Applying another device's records: what wins, and writing the result.
//!
//! - Each field keeps the value of its latest edit by the hybrid clock
//!   (ties, which only records made before sync can have, go to the larger
//!   value, so every device picks the same one). An edit that did not know
//!   of the value it beat (the two were concurrent) leaves the losing value
//!   in the conflict list.
//! - A deleted record stays deleted unless a field was edited after the
//!   delete: the later action wins, whatever order the files arrive in.
//! - Two active projects (or clients) with the same name become one: the
//!   one with the smaller id survives, the other's entries move to it, and
//!   the merge itself is a change that syncs.
//! - At most one timer runs: of two, the one started later keeps running
//!   and the other stops when it started.
//!
//! Everything here is a function of the set of records seen, not of their
//! order, which is what makes two devices that read the same files agree.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use crate::clock::Clock;
use crate::error::Result;

use super::hlc::{self, Hlc};
use super::record::{self, Clocks, Field, Kind, Record};

/// What applying a batch of records changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Records that changed something here.
    pub records: u64,
    /// Values that lost to a concurrent edit.
    pub conflicts: u64,
    /// Timers stopped because another device's timer started later.
    pub timers_stopped: u64,
    /// Records merged into another of the same name.
    pub merged: u64,
}

pub(crate) struct Applier<'c> {
    pub(super) conn: &'c Connection,
    clock: &'c dyn Clock,
    pub(super) now_ms: i64,
    /// The newest stamp read so far: the clock moves past it at the end,
    /// and before any change made here while applying.
    seen: Hlc,
    /// One stamp for every change made here while applying (a stopped
    /// timer, a merge): taken once, after everything read so far.
    derived: Option<Hlc>,
    pub(super) applied: Applied,
}

impl<'c> Applier<'c> {
    pub fn new(conn: &'c Connection, clock: &'c dyn Clock) -> Self {
        Applier {
            conn,
            clock,
            now_ms: clock.now().as_millisecond(),
            seen: Hlc::ZERO,
            derived: None,
            applied: Applied::default(),
        }
    }

    pub(super) fn see(&mut self, stamp: &Hlc) {
        if *stamp > self.seen {
            self.seen = stamp.clone();
        }
    }

    /// The stamp for a change made here while applying: later than every
    /// stamp read so far, so the change wins over what caused it.
    pub(super) fn derived(&mut self) -> Result<Hlc> {
        if let Some(stamp) = self.derived.as_ref().filter(|s| **s > self.seen) {
            return Ok(stamp.clone());
        }
        hlc::observe(self.conn, &self.seen)?;
        let stamp = hlc::tick(self.conn, self.clock)?;
        self.derived = Some(stamp.clone());
        Ok(stamp)
    }

    /// Moves this device's clock past everything it read.
    pub fn finish(self) -> Result<Applied> {
        hlc::observe(self.conn, &self.seen)?;
        Ok(self.applied)
    }

    /// The id `gid` stands for after merges.
    pub(super) fn resolve(&self, kind: Kind, gid: &str) -> Result<String> {
        resolve(self.conn, kind, gid)
    }

    /// References to other records, as the ids they stand for now.
    pub(super) fn resolve_refs(&self, record: &mut Record) -> Result<()> {
        let field = match record.kind {
            Kind::Entry => "project",
            Kind::Project => "client",
            Kind::Client | Kind::Tag => return Ok(()),
        };
        let target = if record.kind == Kind::Entry {
            Kind::Project
        } else {
            Kind::Client
        };
        if let Some(f) = record.fields.get_mut(field) {
            if let Some(gid) = f.value.as_str() {
                f.value = Value::String(resolve(self.conn, target, gid)?);
            }
        }
        Ok(())
    }

    /// Applies one record read from another device.
    pub fn apply(&mut self, mut incoming: Record) -> Result<()> {
        self.see(&incoming.newest());
        incoming.id = self.resolve(incoming.kind, &incoming.id)?;
        self.resolve_refs(&mut incoming)?;
        let local = match record::load(self.conn, incoming.kind, &incoming.id)? {
            Some(mut local) => {
                self.resolve_refs(&mut local)?;
                Some(local)
            }
            None => None,
        };
        let merged = match &local {
            None => incoming,
            Some(local) => {
                let (merged, losers) = merge(local, &incoming);
                if merged == *local {
                    return Ok(());
                }
                for (field, loser, winner) in losers {
                    self.conflict(&merged, &field, &loser, &winner)?;
                }
                merged
            }
        };
        self.write(merged)?;
        self.applied.records += 1;
        Ok(())
    }

    pub(super) fn conflict(
        &mut self,
        record: &Record,
        field: &str,
        loser: &Field,
        winner: &Hlc,
    ) -> Result<()> {
        let added = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO sync_conflicts
                 (kind, gid, field, value, hlc, winner_hlc, detected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                record.kind.as_str(),
                record.id,
                field,
                loser.value.to_string(),
                loser.hlc.as_str(),
                winner.as_str(),
                self.now_ms
            ])?;
        if added > 0 {
            self.applied.conflicts += 1;
            self.conn
                .prepare_cached("UPDATE sync_state SET conflicts_total = conflicts_total + 1")?
                .execute([])?;
        }
        Ok(())
    }

    fn write(&mut self, record: Record) -> Result<()> {
        match record.kind {
            Kind::Entry => self.write_entry(record),
            Kind::Project | Kind::Client => self.write_named(record),
            Kind::Tag => self.write_tag(record),
        }
    }
}

/// The name of a merge in the pending queue and in files.
pub(crate) fn alias_kind(kind: Kind) -> String {
    format!("merge:{}", kind.as_str())
}

pub(super) fn table(kind: Kind) -> &'static str {
    match kind {
        Kind::Entry => "time_entries",
        Kind::Project => "projects",
        Kind::Client => "clients",
        Kind::Tag => "tags",
    }
}

pub(crate) fn row_id(conn: &Connection, kind: Kind, gid: &str) -> Result<Option<i64>> {
    if kind == Kind::Tag {
        let key: Option<String> = conn
            .prepare_cached("SELECT tag_key FROM sync_records WHERE kind = 'tag' AND gid = ?1")?
            .query_row([gid], |r| r.get(0))
            .optional()?
            .flatten();
        let Some(key) = key else { return Ok(None) };
        return Ok(conn
            .prepare_cached("SELECT id FROM tags WHERE name_key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?);
    }
    let sql = match kind {
        Kind::Entry => "SELECT id FROM time_entries WHERE gid = ?1",
        Kind::Project => "SELECT id FROM projects WHERE gid = ?1",
        _ => "SELECT id FROM clients WHERE gid = ?1",
    };
    Ok(conn
        .prepare_cached(sql)?
        .query_row([gid], |r| r.get(0))
        .optional()?)
}

/// The id `gid` stands for after merges (following a short chain).
pub(crate) fn resolve(conn: &Connection, kind: Kind, gid: &str) -> Result<String> {
    let mut current = gid.to_owned();
    let mut stmt =
        conn.prepare_cached("SELECT into_gid FROM sync_aliases WHERE kind = ?1 AND gid = ?2")?;
    for _ in 0..32 {
        let next: Option<String> = stmt
            .query_row(params![kind.as_str(), current], |r| r.get(0))
            .optional()?;
        match next {
            Some(n) if n != current => current = n,
            _ => break,
        }
    }
    Ok(current)
}

/// The clocks to store for a record: the most common creation stamp as
/// the base, every other field's stamp spelled out.
pub(super) fn clocks_of(record: &Record) -> Clocks {
    let mut counts: BTreeMap<&Hlc, usize> = BTreeMap::new();
    for f in record.fields.values().filter(|f| f.prev.is_zero()) {
        *counts.entry(&f.hlc).or_default() += 1;
    }
    let base = counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(h, _)| h.clone())
        .unwrap_or_default();
    let mut clocks = Clocks {
        base,
        fields: BTreeMap::new(),
    };
    for (name, f) in &record.fields {
        clocks.set(name, f.hlc.clone(), f.prev.clone());
    }
    clocks
}

/// Which of two versions of a field wins: the later stamp, then (for the
/// ties that records made before sync can have) the larger value.
fn wins(a: &Field, b: &Field) -> bool {
    (&a.hlc, a.value.to_string()) > (&b.hlc, b.value.to_string())
}

/// Merges two versions of one record field by field. Returns the result
/// and, for each field where concurrent edits met, the losing version and
/// the winning stamp.
pub(crate) fn merge(local: &Record, incoming: &Record) -> (Record, Vec<(String, Field, Hlc)>) {
    let mut out = local.clone();
    let mut losers = Vec::new();
    for (name, theirs) in &incoming.fields {
        match local.fields.get(name) {
            None => {
                out.fields.insert(name.clone(), theirs.clone());
            }
            Some(ours) if ours == theirs => {}
            Some(ours) => {
                let (winner, loser) = if wins(theirs, ours) {
                    (theirs, ours)
                } else {
                    (ours, theirs)
                };
                // The winner's edit replaced something older than the
                // loser: it never saw the losing value. A concurrent edit.
                if winner.prev < loser.hlc && winner.value != loser.value && !loser.hlc.is_zero() {
                    losers.push((name.clone(), loser.clone(), winner.hlc.clone()));
                }
                out.fields.insert(name.clone(), winner.clone());
            }
        }
    }
    out.deleted = local.deleted.clone().max(incoming.deleted.clone());
    (out, losers)
}
