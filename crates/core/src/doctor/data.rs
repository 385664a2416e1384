//! The data folder and the database in it.

use std::path::Path;

use super::{human_bytes, shown, Check, Database, Doctor};
use crate::storage::SCHEMA_VERSION;

/// A write-ahead log this large means checkpoints are held back (a reader
/// that never lets go, such as an open `sqlite3` shell).
const WAL_WARN_BYTES: u64 = 64 * 1000 * 1000;
/// Below this a write may fail at any moment.
const SPACE_PROBLEM_BYTES: u64 = 5 * 1000 * 1000;

pub(super) fn checks(d: &Doctor) -> Vec<Check> {
    vec![
        folder(d.data_dir),
        free_space(d.data_dir, d.low_space_bytes),
        database(d),
        schema(d),
        wal(d.data_dir),
    ]
}

fn folder(dir: &Path) -> Check {
    const ID: &str = "data.folder";
    let meta = match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => meta,
        Ok(_) => {
            return Check::problem(
                ID,
                format!("{} is a file, not a folder", shown(dir)),
                "Move the file away, or set TIMETRACKER_DATA_DIR to the folder that holds timetracker.sqlite3.",
            )
        }
        Err(_) => {
            return Check::problem(
                ID,
                format!("The data folder {} does not exist", shown(dir)),
                "Start the app (or run any tt command) once to create it, or set TIMETRACKER_DATA_DIR to the folder that holds timetracker.sqlite3.",
            )
        }
    };
    owner_and_mode(ID, dir, &meta)
}

#[cfg(unix)]
fn owner_and_mode(id: &str, dir: &Path, meta: &std::fs::Metadata) -> Check {
    use std::os::unix::fs::MetadataExt;
    let me = rustix::process::getuid().as_raw();
    if meta.uid() != me {
        return Check::problem(
            id,
            format!(
                "{} belongs to user id {}, not to you ({me})",
                shown(dir),
                meta.uid()
            ),
            format!(
                "Give it back to yourself: sudo chown -R \"$USER\" '{}'",
                shown(dir)
            ),
        );
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o077 != 0 {
        return Check::warning(
            id,
            format!(
                "{} is open to other users of this computer (mode {mode:o})",
                shown(dir)
            ),
            format!(
                "Only you should read your history: chmod 700 '{}'",
                shown(dir)
            ),
        );
    }
    Check::ok(
        id,
        format!("{} is yours and private (mode {mode:o})", shown(dir)),
    )
}

#[cfg(not(unix))]
fn owner_and_mode(id: &str, dir: &Path, _meta: &std::fs::Metadata) -> Check {
    Check::ok(id, format!("{} exists", shown(dir)))
}

fn free_space(dir: &Path, low: u64) -> Check {
    const ID: &str = "data.free_space";
    let probe = if dir.exists() {
        dir
    } else {
        match dir.ancestors().find(|a| a.exists()) {
            Some(a) => a,
            None => return Check::skipped(ID, "No existing folder to measure"),
        }
    };
    let free = match available_bytes(probe) {
        Ok(free) => free,
        Err(e) => return Check::skipped(ID, format!("Free space is unknown here: {e}")),
    };
    space_verdict(ID, free, low)
}

pub(super) fn space_verdict(id: &str, free: u64, low: u64) -> Check {
    if free < SPACE_PROBLEM_BYTES.min(low) {
        Check::problem(
            id,
            format!("Only {} free where the data lives: saving may fail", human_bytes(free)),
            "Free some disk space; TimeTracker keeps every entry it has, but cannot save new ones on a full disk.",
        )
    } else if free < low {
        Check::warning(
            id,
            format!(
                "{} free where the data lives (under {})",
                human_bytes(free),
                human_bytes(low)
            ),
            "Free some disk space before the disk fills up.",
        )
    } else {
        Check::ok(id, format!("{} free", human_bytes(free)))
    }
}

#[cfg(unix)]
fn available_bytes(path: &Path) -> std::io::Result<u64> {
    let stat = rustix::fs::statvfs(path)?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

#[cfg(not(unix))]
fn available_bytes(_path: &Path) -> std::io::Result<u64> {
    Err(std::io::Error::other("not measured on this system"))
}

fn database(d: &Doctor) -> Check {
    const ID: &str = "data.database";
    let tracker = match &d.database {
        Database::Open(t) => *t,
        Database::Outdated { .. } => {
            return Check::skipped(
                ID,
                "Not opened: doctor does not upgrade the schema (see data.schema)",
            )
        }
        Database::Missing => {
            return Check::warning(
                ID,
                format!("No database yet: no {} in the data folder", crate::config::DATABASE_FILE),
                "Start the app or run any tt command once; if you expected your history here, check TIMETRACKER_DATA_DIR.",
            )
        }
        Database::Failed(e) => {
            return Check::problem(
                ID,
                format!("The database could not be opened: {} ({})", e.message, e.code),
                "See the error code in docs/troubleshooting.md; restore the copy kept beside the database (timetracker.sqlite3.v<version>-<time>.bak) if the file is damaged.",
            )
        }
    };
    match tracker.quick_check() {
        Ok(found) if found == "ok" => Check::ok(ID, "The database passes SQLite's quick_check"),
        Ok(found) => Check::problem(
            ID,
            format!("SQLite's quick_check found damage: {}", crate::logging::truncate(&found, 200)),
            "Quit the app, copy timetracker.sqlite3 somewhere safe, then run: sqlite3 timetracker.sqlite3 '.recover' | sqlite3 recovered.sqlite3",
        ),
        Err(e) => Check::problem(
            ID,
            format!("The database could not be checked: {e}"),
            "Quit other programs that have the database open, then run tt doctor again.",
        ),
    }
}

fn schema(d: &Doctor) -> Check {
    const ID: &str = "data.schema";
    let tracker = match &d.database {
        Database::Open(t) => *t,
        Database::Outdated { found } => {
            return Check::warning(
                ID,
                format!("Schema version {found}; this version of TimeTracker uses {SCHEMA_VERSION} and upgrades it when it opens the database"),
                "Start the app or run any other tt command: it upgrades the database, keeping a copy beside it first.",
            )
        }
        _ => return Check::skipped(ID, "The database is not open"),
    };
    match tracker.schema_version() {
        Ok(v) if v == SCHEMA_VERSION => {
            Check::ok(ID, format!("Schema version {v}, the current one"))
        }
        Ok(v) => Check::problem(
            ID,
            format!("Schema version {v}; this version of TimeTracker uses {SCHEMA_VERSION}"),
            "Install the newest TimeTracker, which opens this database.",
        ),
        Err(e) => Check::problem(
            ID,
            format!("The schema version could not be read: {e}"),
            "Run tt doctor again; if it persists, restore the copy kept beside the database.",
        ),
    }
}

fn wal(dir: &Path) -> Check {
    const ID: &str = "data.wal";
    let path = crate::config::database_path(dir).with_extension("sqlite3-wal");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    if size > WAL_WARN_BYTES {
        Check::warning(
            ID,
            format!("The write-ahead log is {}: SQLite cannot fold it back", human_bytes(size)),
            "Quit other programs that keep the database open (an old tt, a sqlite3 shell); the app folds the log back when they let go.",
        )
    } else {
        Check::ok(ID, format!("The write-ahead log is {}", human_bytes(size)))
    }
}

impl crate::Tracker {
    /// SQLite's `quick_check`: "ok", or what it found, one finding a line.
    pub(crate) fn quick_check(&self) -> crate::Result<String> {
        self.storage.read("doctor_quick_check", |conn| {
            let mut stmt = conn.prepare("PRAGMA quick_check")?;
            let rows = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows.join("\n"))
        })
    }

    pub(crate) fn schema_version(&self) -> crate::Result<i64> {
        self.storage.schema_version()
    }
}
