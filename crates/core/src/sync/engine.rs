//! One sync run: read every other device's new files and apply each in
//! its own transaction (all of a file or none of it), then write this
//! device's pending changes as one new file, and fold old files into a
//! snapshot when there are many.

use std::collections::BTreeSet;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::Tracker;

use super::export::{self, COMPACT_AFTER_BYTES, COMPACT_AFTER_FILES};
use super::files::{self, FileKind, Invalid, Item, Manifest, ManifestDevice, Unusable};
use super::merge::{Applied, Applier};
use super::{State, SyncProblem, SyncReport};

/// What reading the other devices' files did.
#[derive(Default)]
struct Reading {
    applied: Applied,
    skipped: u64,
    devices: u64,
    problems: Vec<SyncProblem>,
}

impl Tracker {
    /// Reads and applies what other devices wrote, then writes what this
    /// device changed. Safe to run at any time and as often as wanted:
    /// reading a file twice changes nothing.
    pub(crate) fn run_sync(&mut self, state: &State) -> Result<SyncReport> {
        let folder = state.folder.clone().ok_or(Error::SyncNotEnabled)?;
        if !folder.is_dir() {
            return Err(Error::SyncFolderMissing(folder));
        }
        let root = files::root(&folder);
        let own = root.join(&state.device_id);
        std::fs::create_dir_all(own.join(files::CHANGES)).map_err(|source| {
            Error::SyncFolderUnwritable {
                path: folder.clone(),
                source,
            }
        })?;
        files::remove_our_temps(&own.join(files::CHANGES));
        files::remove_our_temps(&own.join(files::SNAPSHOTS));
        files::remove_our_temps(&own);

        let mut reading = Reading::default();
        for peer in peer_dirs(&root, &state.device_id) {
            self.read_peer(&root, &peer, &mut reading)?;
        }
        let exported = self.write_own(state, &own, &mut reading.problems)?;
        let now = self.clock.now().as_millisecond();
        let problems = serde_json::to_string(&reading.problems).unwrap_or_else(|_| "[]".into());
        let applied_records = reading.applied.records;
        let current = reading.problems.clone();
        self.storage.write("sync_finish", |tx| {
            // The metric counts files newly skipped, not every retry of a
            // file that stays damaged.
            let before: String =
                tx.query_row("SELECT problems FROM sync_state", [], |r| r.get(0))?;
            let before: Vec<SyncProblem> = serde_json::from_str(&before).unwrap_or_default();
            let skipped = current
                .iter()
                .filter(|p| p.path.is_some() && p.code != "sync.device_clash")
                .filter(|p| !before.iter().any(|b| b.path == p.path && b.code == p.code))
                .count();
            tx.execute(
                "UPDATE sync_state SET last_sync_ms = ?1, last_success_ms = ?1, problems = ?2,
                 applied_total = applied_total + ?3, skipped_total = skipped_total + ?4",
                params![
                    now,
                    problems,
                    i64::try_from(applied_records).unwrap_or(i64::MAX),
                    i64::try_from(skipped).unwrap_or(i64::MAX)
                ],
            )?;
            Ok(())
        })?;
        Ok(SyncReport {
            exported,
            applied: reading.applied.records,
            skipped_files: reading.skipped,
            conflicts: reading.applied.conflicts,
            devices: reading.devices,
            timers_stopped: reading.applied.timers_stopped,
        })
    }

    /// Applies the new files of one other device.
    fn read_peer(&mut self, root: &Path, peer: &str, reading: &mut Reading) -> Result<()> {
        let dir = root.join(peer);
        let manifest = files::read_manifest(&dir);
        if let Some(m) = &manifest {
            if m.timetracker_sync > files::FORMAT {
                reading
                    .problems
                    .push(SyncProblem::newer_format(&dir.join(files::MANIFEST)));
            }
        }
        reading.devices += 1;
        let (changes, odd_changes) = files::list(&dir, FileKind::Changes);
        let (snapshots, odd_snapshots) = files::list(&dir, FileKind::Snapshot);
        for (name, why) in odd_changes.into_iter().chain(odd_snapshots) {
            // Another device's own temporary file is gone a moment later.
            if why == Unusable::OurTemp {
                continue;
            }
            reading.skipped += 1;
            reading
                .problems
                .push(SyncProblem::unusable(&dir.join(&name), &why));
            crate::log_event!(warn, "sync.file_skipped", reason = why.code());
        }
        let (mut upto, mut applied) = self.peer_progress(peer)?;
        for seq in changes {
            if seq <= upto || applied.contains(&seq) {
                continue;
            }
            let path = dir.join(files::CHANGES).join(files::file_name(seq));
            if self.apply_file(peer, &path, seq, false, reading)? {
                applied.insert(seq);
                while applied.remove(&(upto + 1)) {
                    upto += 1;
                }
            }
        }
        if let Some(&snap) = snapshots.last().filter(|s| **s > upto) {
            let covered = (upto + 1..snap).all(|s| applied.contains(&s));
            let path = dir.join(files::SNAPSHOTS).join(files::file_name(snap));
            // Every file before the snapshot was read one by one: it holds
            // nothing new. Otherwise some were removed (or are damaged), and
            // the snapshot stands in for them.
            if covered || self.apply_file(peer, &path, snap, true, reading)? {
                self.mark_covered(peer, snap)?;
            }
        }
        self.seen_peer(peer, manifest.as_ref())?;
        Ok(())
    }

    /// `(applied_upto, applied since)` for a peer.
    fn peer_progress(&self, peer: &str) -> Result<(u64, BTreeSet<u64>)> {
        self.storage.read("sync_peer", |conn| {
            let upto: i64 = conn
                .prepare_cached("SELECT applied_upto FROM sync_peers WHERE device_id = ?1")?
                .query_row([peer], |r| r.get(0))
                .optional()?
                .unwrap_or(0);
            let applied = conn
                .prepare_cached("SELECT seq FROM sync_applied WHERE device_id = ?1")?
                .query_map([peer], |r| r.get::<_, i64>(0))?
                .map(|s| s.map(|s| u64::try_from(s).unwrap_or(0)))
                .collect::<rusqlite::Result<BTreeSet<u64>>>()?;
            Ok((u64::try_from(upto).unwrap_or(0), applied))
        })
    }

    /// Reads, checks and applies one file in one transaction. `false` when
    /// it was skipped (damaged, newer, or refused), to be tried again.
    fn apply_file(
        &mut self,
        peer: &str,
        path: &Path,
        seq: u64,
        snapshot: bool,
        reading: &mut Reading,
    ) -> Result<bool> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            // Removed by its device since it was listed: a snapshot has it.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => {
                reading.skipped += 1;
                reading
                    .problems
                    .push(SyncProblem::damaged(path, &e.to_string()));
                return Ok(false);
            }
        };
        let items = match files::decode(&bytes) {
            Ok((header, items)) if header.device == peer && header.seq == seq => items,
            Ok(_) => {
                reading.skipped += 1;
                reading.problems.push(SyncProblem::damaged(
                    path,
                    "its header names another device or number",
                ));
                crate::log_event!(warn, "sync.file_skipped", reason = "misplaced");
                return Ok(false);
            }
            Err(Invalid::NewerFormat(_)) => {
                reading.skipped += 1;
                reading.problems.push(SyncProblem::newer_format(path));
                crate::log_event!(warn, "sync.file_skipped", reason = "newer_format");
                return Ok(false);
            }
            Err(Invalid::Damaged(why)) => {
                reading.skipped += 1;
                reading.problems.push(SyncProblem::damaged(path, &why));
                crate::log_event!(warn, "sync.file_skipped", reason = "damaged");
                return Ok(false);
            }
        };
        let clock = self.clock.clone();
        let result = self.storage.write("sync_apply", |tx| {
            tx.execute("UPDATE sync_state SET applying = 1", [])?;
            let mut applier = Applier::new(tx, &*clock);
            for item in items {
                match item {
                    Item::Record(record) => applier.apply(record)?,
                    Item::Merge {
                        kind,
                        gone,
                        into,
                        hlc,
                    } => applier.apply_merge(kind, &gone, &into, &hlc)?,
                }
            }
            let applied = applier.finish()?;
            if snapshot {
                cover(tx, peer, seq)?;
            } else {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO sync_applied (device_id, seq) VALUES (?1, ?2)",
                )?
                .execute(params![peer, i64::try_from(seq).unwrap_or(i64::MAX)])?;
                fold(tx, peer)?;
            }
            tx.execute("UPDATE sync_state SET applying = 0", [])?;
            Ok(applied)
        });
        match result {
            Ok(applied) => {
                crate::log_event!(
                    "sync.file_applied",
                    seq = seq,
                    records = applied.records,
                    conflicts = applied.conflicts,
                    snapshot = snapshot,
                );
                reading.applied.records += applied.records;
                reading.applied.conflicts += applied.conflicts;
                reading.applied.timers_stopped += applied.timers_stopped;
                reading.applied.merged += applied.merged;
                Ok(true)
            }
            // A record this version cannot use (a value out of range, a
            // constraint it breaks): the file waits, the rest goes on. A full,
            // read-only or busy disk stops the run instead.
            Err(e) if matches!(e, Error::Database(_)) || !e.code().starts_with("storage.") => {
                reading.skipped += 1;
                reading.problems.push(SyncProblem::refused(path, &e));
                crate::log_event!(
                    warn,
                    "sync.file_skipped",
                    reason = "bad_record",
                    code = e.code()
                );
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    fn mark_covered(&mut self, peer: &str, seq: u64) -> Result<()> {
        self.storage.write("sync_peer", |tx| cover(tx, peer, seq))
    }

    fn seen_peer(&mut self, peer: &str, manifest: Option<&Manifest>) -> Result<()> {
        let name = manifest.map(|m| m.device.name.clone());
        let seen = manifest.map(|m| m.updated_at.as_millisecond());
        self.storage.write("sync_peer", |tx| {
            tx.prepare_cached(
                "INSERT INTO sync_peers (device_id, name, last_seen_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (device_id) DO UPDATE SET
                     name = coalesce(excluded.name, name),
                     last_seen_ms = max(coalesce(excluded.last_seen_ms, 0), coalesce(last_seen_ms, 0))",
            )?
            .execute(params![peer, name, seen])?;
            Ok(())
        })
    }

    /// Writes this device's pending changes (everything, the first time),
    /// and a snapshot when enough change files piled up. Returns how many
    /// records were written.
    fn write_own(
        &mut self,
        state: &State,
        own: &Path,
        problems: &mut Vec<SyncProblem>,
    ) -> Result<u64> {
        let manifest = files::read_manifest(own);
        let on_disk = export::highest_on_disk(own);
        // Files numbered beyond ours that this database did not write: a
        // copy of it syncs as this device. Never overwrite them.
        if on_disk > state.next_seq {
            problems.push(SyncProblem::device_clash(own));
        }
        let mut seq = state.next_seq.max(on_disk + 1);
        let device = state.device_id.clone();
        let now = self.clock.now();
        let mut snapshot = manifest.as_ref().and_then(|m| m.snapshot);
        // Nothing of ours in the folder yet: everything goes in a snapshot,
        // numbered one past the last file so that no device can take it for
        // a summary of files it already read (see `read_peer`).
        if on_disk == 0 && manifest.is_none() {
            let snap = seq + 1;
            let exported = self.storage.write("sync_export", |tx| {
                let done = export::pending(tx)?.done;
                let items = export::everything(tx)?;
                let bytes = files::encode(FileKind::Snapshot, &device, snap, now, &items);
                export::write_file(own, FileKind::Snapshot, snap, &bytes)?;
                export::mark_done(tx, &done)?;
                set_written(tx, snap, Some(snap))?;
                Ok(items.len() as u64)
            })?;
            crate::log_event!(
                "sync.exported",
                seq = snap,
                records = exported,
                snapshot = true
            );
            self.write_manifest(state, own, manifest.as_ref(), snap, Some(snap))?;
            return Ok(exported);
        }
        let exported = self.storage.write("sync_export", |tx| {
            let batch = export::pending(tx)?;
            if batch.items.is_empty() {
                export::mark_done(tx, &batch.done)?;
                return Ok(0);
            }
            let bytes = files::encode(FileKind::Changes, &device, seq, now, &batch.items);
            export::write_file(own, FileKind::Changes, seq, &bytes)?;
            export::mark_done(tx, &batch.done)?;
            set_written(tx, seq, None)?;
            Ok(batch.items.len() as u64)
        })?;
        if exported > 0 {
            crate::log_event!(
                "sync.exported",
                seq = seq,
                records = exported,
                snapshot = false
            );
            seq += 1;
        }
        let since: i64 = self.storage.read("sync_state", |c| {
            Ok(
                c.query_row("SELECT changes_since_snapshot FROM sync_state", [], |r| {
                    r.get(0)
                })?,
            )
        })?;
        if since >= COMPACT_AFTER_FILES || export::change_bytes(own) >= COMPACT_AFTER_BYTES {
            self.storage.write("sync_snapshot", |tx| {
                let items = export::everything(tx)?;
                let bytes = files::encode(FileKind::Snapshot, &device, seq, now, &items);
                export::write_file(own, FileKind::Snapshot, seq, &bytes)?;
                set_written(tx, seq, Some(seq))
            })?;
            crate::log_event!("sync.compacted", seq = seq);
            snapshot = Some(seq);
            seq += 1;
        }
        self.write_manifest(state, own, manifest.as_ref(), seq - 1, snapshot)?;
        Ok(exported)
    }

    /// Rewrites `device.json` when it says something new (or is old).
    fn write_manifest(
        &self,
        state: &State,
        own: &Path,
        old: Option<&Manifest>,
        last_seq: u64,
        snapshot: Option<u64>,
    ) -> Result<()> {
        let now = self.clock.now();
        let stale = old.is_none_or(|m| {
            m.last_seq != last_seq
                || m.snapshot != snapshot
                || m.device.name != state.device_name
                || (now.as_millisecond() - m.updated_at.as_millisecond()) > MANIFEST_REFRESH_MS
        });
        if stale {
            let manifest = Manifest {
                timetracker_sync: files::FORMAT,
                device: ManifestDevice {
                    id: state.device_id.clone(),
                    name: state.device_name.clone(),
                },
                app_version: env!("CARGO_PKG_VERSION").to_owned(),
                last_seq,
                snapshot,
                updated_at: now,
            };
            files::write_manifest(own, &manifest).map_err(|source| {
                Error::SyncFolderUnwritable {
                    path: own.to_owned(),
                    source,
                }
            })?;
        }
        // The snapshot holds everything older files held.
        if let Some(snap) = snapshot {
            export::prune_before(own, snap);
        }
        Ok(())
    }
}

/// Records that file `seq` is written (and is the newest snapshot, if so).
fn set_written(conn: &Connection, seq: u64, snapshot: Option<u64>) -> Result<()> {
    let next = i64::try_from(seq + 1).unwrap_or(i64::MAX);
    match snapshot {
        Some(snap) => conn.execute(
            "UPDATE sync_state SET next_seq = ?1, snapshot_seq = ?2, changes_since_snapshot = 0",
            params![next, i64::try_from(snap).unwrap_or(i64::MAX)],
        )?,
        None => conn.execute(
            "UPDATE sync_state SET next_seq = ?1, changes_since_snapshot = changes_since_snapshot + 1",
            [next],
        )?,
    };
    Ok(())
}

/// How often `device.json` is rewritten with nothing new, so other devices
/// see this one as recently present.
const MANIFEST_REFRESH_MS: i64 = 60 * 60 * 1000;

/// The folders of the other devices.
fn peer_dirs(root: &Path, own: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != own && uuid::Uuid::parse_str(name).is_ok())
        .collect();
    out.sort();
    out
}

/// Every file of `peer` up to `seq` counts as applied.
fn cover(conn: &Connection, peer: &str, seq: u64) -> Result<()> {
    let seq = i64::try_from(seq).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "INSERT INTO sync_peers (device_id, applied_upto) VALUES (?1, ?2)
         ON CONFLICT (device_id) DO UPDATE SET applied_upto = max(applied_upto, excluded.applied_upto)",
    )?
    .execute(params![peer, seq])?;
    conn.prepare_cached("DELETE FROM sync_applied WHERE device_id = ?1 AND seq <= ?2")?
        .execute(params![peer, seq])?;
    fold(conn, peer)
}

/// Moves `applied_upto` over files applied one by one, while they follow on.
fn fold(conn: &Connection, peer: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO sync_peers (device_id) VALUES (?1)")?
        .execute([peer])?;
    loop {
        let upto: i64 = conn
            .prepare_cached("SELECT applied_upto FROM sync_peers WHERE device_id = ?1")?
            .query_row([peer], |r| r.get(0))?;
        let next = conn
            .prepare_cached("DELETE FROM sync_applied WHERE device_id = ?1 AND seq = ?2")?
            .execute(params![peer, upto + 1])?;
        if next == 0 {
            return Ok(());
        }
        conn.prepare_cached("UPDATE sync_peers SET applied_upto = ?2 WHERE device_id = ?1")?
            .execute(params![peer, upto + 1])?;
    }
}
