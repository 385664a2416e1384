//! Sync across devices through a folder that a sync engine (Syncthing,
//! Nextcloud, Dropbox, a network share) keeps the same on every device.
//! The live database never goes in the folder: each device writes its
//! changes there as files of its own, and reads everyone else's. See
//! `docs/sync.md` for what a user sees, and the submodules for how:
//!
//! - [`hlc`]: the hybrid logical clock that orders edits across devices;
//! - [`stamp`]: every local write stamps the fields it changed;
//! - [`record`]: a record as it travels, read from and written to SQLite;
//! - [`merge`]: what wins when devices disagree;
//! - [`files`]: the folder layout and the file format;
//! - [`export`] and [`engine`]: one sync run, reading then writing;
//! - [`watch`]: the desktop app's watcher, which syncs on its own.

pub mod conflicts;
mod engine;
mod export;
pub mod files;
pub mod hlc;
pub mod merge;
mod merge_entry;
mod merge_named;
pub mod record;
pub(crate) mod stamp;
pub mod watch;

use std::fs::File;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::events::product::DeviceCount;
use crate::events::Event;
use crate::Tracker;

pub use conflicts::SyncConflict;
pub use files::Unusable;

/// What `tt sync now` and *Sync now* report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncReport {
    /// Records this device wrote to the folder.
    #[ts(type = "number")]
    pub exported: u64,
    /// Records from other devices that changed something here.
    #[ts(type = "number")]
    pub applied: u64,
    /// Files not applied this time (damaged, in progress, newer, copies).
    #[ts(type = "number")]
    pub skipped_files: u64,
    /// New conflicts: values that lost to a concurrent edit elsewhere.
    #[ts(type = "number")]
    pub conflicts: u64,
    /// Other devices in the folder.
    #[ts(type = "number")]
    pub devices: u64,
    /// Timers stopped because another device's timer started later.
    #[ts(type = "number")]
    pub timers_stopped: u64,
}

/// Something the last run could not do, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncProblem {
    /// `sync.file_damaged`, `sync.file_in_progress`, `sync.conflict_copy`,
    /// `sync.unknown_file`, `sync.newer_format`, `sync.bad_record`,
    /// `sync.device_clash` or `sync.folder_missing`.
    pub code: String,
    pub message: String,
    pub path: Option<String>,
}

impl SyncProblem {
    fn at(code: &str, message: String, path: &Path) -> Self {
        SyncProblem {
            code: code.to_owned(),
            message,
            path: Some(path.display().to_string()),
        }
    }

    pub(crate) fn unusable(path: &Path, why: &Unusable) -> Self {
        let message = match why {
            Unusable::EngineTemp => {
                "The sync engine is still copying this file; it is read once complete.".to_owned()
            }
            Unusable::ConflictCopy => "A conflict copy made by the sync engine: TimeTracker never \
                writes the same file on two devices, so this copy is ignored. It can be deleted."
                .to_owned(),
            Unusable::OurTemp | Unusable::Unknown => {
                "Not a TimeTracker file; it is ignored.".to_owned()
            }
        };
        SyncProblem::at(why.code(), message, path)
    }

    pub(crate) fn damaged(path: &Path, why: &str) -> Self {
        SyncProblem::at(
            "sync.file_damaged",
            format!(
                "Skipped a damaged or incomplete file ({why}); it is tried again at the next sync."
            ),
            path,
        )
    }

    pub(crate) fn newer_format(path: &Path) -> Self {
        SyncProblem::at(
            "sync.newer_format",
            "Written by a newer TimeTracker: update TimeTracker on this device to read it. \
             Everything else keeps syncing."
                .to_owned(),
            path,
        )
    }

    pub(crate) fn refused(path: &Path, error: &Error) -> Self {
        SyncProblem::at(
            "sync.bad_record",
            format!("Skipped a file this TimeTracker cannot apply: {error}"),
            path,
        )
    }

    pub(crate) fn device_clash(path: &Path) -> Self {
        SyncProblem::at(
            "sync.device_clash",
            "Another copy of this database syncs under this device's id (was the data folder \
             copied to another computer?). Its files are kept; give one copy a new id with \
             tt sync disable, then tt sync enable FOLDER --new-device."
                .to_owned(),
            path,
        )
    }
}

impl Unusable {
    pub fn code(&self) -> &'static str {
        match self {
            Unusable::EngineTemp => "sync.file_in_progress",
            Unusable::ConflictCopy => "sync.conflict_copy",
            Unusable::OurTemp | Unusable::Unknown => "sync.unknown_file",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncDevice {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncPeer {
    pub id: String,
    pub name: String,
    /// When that device last wrote to the folder (by its own clock).
    #[ts(type = "string | null")]
    pub last_seen: Option<Timestamp>,
}

/// Something sync did that the user should know about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncNotice {
    pub message: String,
    #[ts(type = "string | null")]
    pub at: Option<Timestamp>,
}

/// What `tt sync status` and Settings › Sync show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncStatus {
    pub enabled: bool,
    pub folder: Option<String>,
    pub device: SyncDevice,
    pub devices: Vec<SyncPeer>,
    /// Records changed here and not yet written to the folder.
    #[ts(type = "number")]
    pub pending: u64,
    #[ts(type = "string | null")]
    pub last_sync: Option<Timestamp>,
    pub conflicts: Vec<SyncConflict>,
    pub problems: Vec<SyncProblem>,
    pub notices: Vec<SyncNotice>,
}

/// This device's sync settings and progress (`sync_state`).
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub device_id: String,
    pub device_name: String,
    pub folder: Option<PathBuf>,
    pub enabled: bool,
    pub next_seq: u64,
}

pub(crate) fn state(conn: &Connection) -> Result<State> {
    Ok(conn
        .prepare_cached(
            "SELECT device_id, device_name, folder, enabled, next_seq FROM sync_state WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok(State {
                device_id: r.get(0)?,
                device_name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                folder: r.get::<_, Option<String>>(2)?.map(PathBuf::from),
                enabled: r.get(3)?,
                next_seq: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(1),
            })
        })?)
}

/// The name a device gets when the user gives none: the computer's name,
/// which only the user's own devices see (it is written to the sync
/// folder, never sent anywhere).
fn default_device_name() -> String {
    let host = gethostname::gethostname()
        .to_string_lossy()
        .trim()
        .to_owned();
    if host.is_empty() {
        "This computer".to_owned()
    } else {
        host.chars().take(100).collect()
    }
}

fn normalize_device_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::SyncInvalidDeviceName);
    }
    Ok(name.to_owned())
}

fn ts(ms: Option<i64>) -> Option<Timestamp> {
    ms.and_then(|ms| Timestamp::from_millisecond(ms).ok())
}

impl Tracker {
    fn sync_state(&self) -> Result<State> {
        self.storage.read("sync_state", state)
    }

    /// Turns sync on with `folder` (which must exist: it is the folder the
    /// sync engine keeps in step), then syncs once. With `new_device`, this
    /// database gets a new device id first (for a copied data folder).
    pub fn sync_enable(
        &mut self,
        folder: &Path,
        name: Option<&str>,
        new_device: bool,
    ) -> Result<SyncReport> {
        let name = name.map(normalize_device_name).transpose()?;
        if !folder.is_dir() {
            return Err(Error::SyncFolderMissing(folder.to_owned()));
        }
        let folder = std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_owned());
        let before = self.sync_state()?;
        let moved = before.folder.as_deref() != Some(folder.as_path());
        let folder_text = folder.display().to_string();
        self.storage.write("sync_enable", |tx| {
            if new_device {
                tx.execute(
                    "UPDATE sync_state SET device_id = ?1, next_seq = 1, snapshot_seq = NULL",
                    [uuid::Uuid::new_v4().to_string()],
                )?;
            }
            if moved || new_device {
                // Another folder: what was read from the old one says
                // nothing about this one. Reading files twice is harmless.
                tx.execute_batch("DELETE FROM sync_peers; DELETE FROM sync_applied;")?;
            }
            let name = name
                .clone()
                .or_else(|| Some(before.device_name.clone()).filter(|n| !n.is_empty()))
                .unwrap_or_else(default_device_name);
            tx.execute(
                "UPDATE sync_state SET enabled = 1, folder = ?1, device_name = ?2, problems = '[]'",
                params![folder_text, name],
            )?;
            Ok(())
        })?;
        let report = self.sync_now()?;
        crate::log_event!("sync.enabled", devices = report.devices);
        self.track(Event::SyncEnabled {
            devices: DeviceCount::of(report.devices),
        });
        Ok(report)
    }

    /// Turns sync off. The local data stays complete and the folder is left
    /// as it is; turning sync on again resumes where it stopped.
    pub fn sync_disable(&mut self) -> Result<SyncStatus> {
        let devices = self.sync_status()?.devices.len() as u64;
        self.storage.write("sync_disable", |tx| {
            tx.execute("UPDATE sync_state SET enabled = 0", [])?;
            Ok(())
        })?;
        crate::log_event!("sync.disabled", devices = devices);
        self.track(Event::SyncDisabled {
            devices: DeviceCount::of(devices),
        });
        self.sync_status()
    }

    /// One sync run: apply what other devices wrote, write what this one
    /// changed. Runs one at a time per database, across processes.
    pub fn sync_now(&mut self) -> Result<SyncReport> {
        let state = self.sync_state()?;
        if !state.enabled {
            return Err(Error::SyncNotEnabled);
        }
        let _lock = self.sync_lock();
        let started = std::time::Instant::now();
        let result = self.run_sync(&state);
        match &result {
            Ok(report) => crate::log_event!(
                "sync.completed",
                exported = report.exported,
                applied = report.applied,
                skipped_files = report.skipped_files,
                conflicts = report.conflicts,
                devices = report.devices,
                duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            ),
            Err(e) => {
                crate::log_event!(warn, "sync.failed", code = e.code());
                let problem = SyncProblem {
                    code: e.code().to_owned(),
                    message: e.to_string(),
                    path: state.folder.as_ref().map(|f| f.display().to_string()),
                };
                let problems = serde_json::to_string(&[problem]).unwrap_or_else(|_| "[]".into());
                let now = self.clock.now().as_millisecond();
                let _ = self.storage.write("sync_failed", |tx| {
                    tx.execute(
                        "UPDATE sync_state SET last_sync_ms = ?1, problems = ?2",
                        params![now, problems],
                    )?;
                    Ok(())
                });
            }
        }
        result
    }

    /// One sync at a time for this database, whichever process runs it
    /// (the app's watcher, `tt sync now`): an exclusive lock on a file
    /// beside it, released when the returned handle drops.
    fn sync_lock(&self) -> Option<File> {
        let path = self.storage.path()?;
        let mut name = path.file_name()?.to_os_string();
        name.push(".sync-lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path.with_file_name(name))
            .ok()?;
        file.lock().ok()?;
        Some(file)
    }

    /// The sync settings, the devices seen, what is pending, conflicts and
    /// problems.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.storage.read("sync_status", |conn| {
            let st = state(conn)?;
            let (last_sync, problems, notices): (Option<i64>, String, String) = conn.query_row(
                "SELECT last_sync_ms, problems, notices FROM sync_state WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            let devices = conn
                .prepare_cached(
                    "SELECT device_id, coalesce(name, ''), last_seen_ms FROM sync_peers ORDER BY name, device_id",
                )?
                .query_map([], |r| {
                    Ok(SyncPeer {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        last_seen: ts(r.get(2)?),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let pending: i64 = conn.query_row("SELECT count(*) FROM sync_pending", [], |r| r.get(0))?;
            let notices: Vec<serde_json::Value> = serde_json::from_str(&notices).unwrap_or_default();
            Ok(SyncStatus {
                enabled: st.enabled,
                folder: st.folder.map(|f| f.display().to_string()),
                device: SyncDevice {
                    id: st.device_id,
                    name: st.device_name,
                },
                devices,
                pending: u64::try_from(pending).unwrap_or(0),
                last_sync: ts(last_sync),
                conflicts: conflicts::open(conn)?,
                problems: serde_json::from_str(&problems).unwrap_or_default(),
                notices: notices.iter().map(|n| notice(conn, n)).collect(),
            })
        })
    }
}

/// A stored notice in words.
fn notice(conn: &Connection, raw: &serde_json::Value) -> SyncNotice {
    let at = ts(raw["at"].as_i64());
    let entry = raw["entry"].as_str().unwrap_or_default();
    let description: Option<String> = conn
        .query_row(
            "SELECT description FROM time_entries WHERE gid = ?1",
            [entry],
            |r| r.get(0),
        )
        .optional()
        .ok()
        .flatten();
    let what = match description.as_deref() {
        Some("") | None => "A timer".to_owned(),
        Some(d) => format!("The timer \u{201c}{d}\u{201d}"),
    };
    let message = if raw["kind"] == "stopped_elsewhere" {
        format!("{what} was stopped on another device.")
    } else {
        format!(
            "{what} was stopped: only one timer runs across your devices, and another device started one later."
        )
    };
    SyncNotice { message, at }
}

#[cfg(test)]
mod tests;
