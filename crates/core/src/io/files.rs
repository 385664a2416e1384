//! Which files an import may read and an export may replace. The paths come
//! from the user (a dialog, `tt -o`), so they are checked before any byte
//! moves: an import reads only a regular file of bounded size, and an
//! export never lands on the database or anything else in the data folder
//! (`tt export -o ~/.local/share/timetracker/timetracker.sqlite3` would
//! otherwise rename a CSV over the live database).

use std::collections::VecDeque;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use ts_rs::TS;

use crate::config::DATABASE_FILE;
use crate::error::{Error, Result};
use crate::limits::IMPORT_MAX_BYTES;
use crate::Tracker;

/// Reads the file to import, whole. A FIFO, a device or a folder is
/// refused before it is opened, and a file larger than
/// [`IMPORT_MAX_BYTES`] (also one that grows past it while read) is
/// refused without being read to the end.
pub fn read_import(path: &Path) -> Result<Vec<u8>> {
    read_capped(path, IMPORT_MAX_BYTES)
}

fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>> {
    let unreadable = |e: std::io::Error| Error::ImportUnreadable {
        path: path.to_owned(),
        source: e,
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(Error::ImportNotAFile(path.to_owned()));
    }
    if meta.len() > cap {
        return Err(Error::ImportTooLarge { bytes: meta.len() });
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    read_to_cap(file, cap, meta.len(), unreadable)
}

/// An import piped in (`tt import -`): the same cap as for a file, which
/// here can only be found by reading.
pub fn read_import_stream(input: impl Read) -> Result<Vec<u8>> {
    read_to_cap(input, IMPORT_MAX_BYTES, 0, |source| {
        Error::ImportUnreadable {
            path: "-".into(),
            source,
        }
    })
}

/// Reads at most one byte past `cap`, and refuses what had more: a file
/// that grew while it was read, or a stream without end.
fn read_to_cap(
    input: impl Read,
    cap: u64,
    expected: u64,
    unreadable: impl Fn(std::io::Error) -> Error,
) -> Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(usize::try_from(expected.min(cap)).unwrap_or(0));
    input
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > cap {
        return Err(Error::ImportTooLarge {
            bytes: bytes.len() as u64,
        });
    }
    Ok(bytes)
}

/// The files an export must not replace: the database with its journal
/// files, and, when the database sits in a TimeTracker data folder (under
/// its usual name), everything in that folder: logs, backups, the crash
/// cache, tokens.
#[derive(Debug, Clone, Default)]
pub struct Protected {
    database: Option<PathBuf>,
    folder: Option<PathBuf>,
}

impl Protected {
    pub fn of(tracker: &Tracker) -> Self {
        tracker
            .storage
            .path()
            .map(Self::database)
            .unwrap_or_default()
    }

    /// What [`Self::of`] protects, from the database's path alone (the
    /// doctor's support bundle has no tracker).
    pub fn database(db: &Path) -> Self {
        // Resolved once here, so a target written through a symlink or
        // with `..` is compared with the real place.
        let db = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_owned());
        let folder = (db.file_name() == Some(DATABASE_FILE.as_ref()))
            .then(|| db.parent().map(Path::to_owned))
            .flatten();
        Self {
            database: Some(db),
            folder,
        }
    }

    /// Refuses `target` when it is, or resolves to, a protected file.
    pub fn check(&self, target: &Path) -> Result<()> {
        // Both where the name sits (a rename replaces a symlink itself) and
        // where a symlink leads.
        if landing_places(target).iter().any(|p| self.covers(p)) {
            return Err(Error::ExportTargetProtected(target.to_owned()));
        }
        Ok(())
    }

    fn covers(&self, resolved: &Path) -> bool {
        if self
            .folder
            .as_ref()
            .is_some_and(|f| resolved.starts_with(f))
        {
            return true;
        }
        self.database.as_ref().is_some_and(|db| {
            ["", "-wal", "-shm", "-journal"].iter().any(|suffix| {
                let mut name = db.as_os_str().to_owned();
                name.push(suffix);
                Path::new(&name) == resolved
            })
        })
    }
}

/// The real places a write to `target` touches: the name in its real
/// folder and, for an existing symlink, the file it leads to. A folder that
/// does not exist yet is resolved from its nearest existing ancestor, so
/// `<data>/new/x.csv` is still seen to be inside the data folder.
fn landing_places(target: &Path) -> Vec<PathBuf> {
    let mut places = Vec::new();
    if let Some(name) = target.file_name() {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if let Some(real) = resolve_existing_prefix(parent) {
            places.push(real.join(name));
        }
    }
    if let Ok(real) = std::fs::canonicalize(target) {
        places.push(real);
    }
    places
}

fn resolve_existing_prefix(path: &Path) -> Option<PathBuf> {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        if let Ok(real) = std::fs::canonicalize(at) {
            return Some(rest.iter().rev().fold(real, |p, c| p.join(c)));
        }
        rest.push(at.file_name()?);
        at = at.parent()?;
        if at.as_os_str().is_empty() {
            at = Path::new(".");
        }
    }
}

/// Files the user chose in the system's open dialog, by token. The desktop
/// shell opens the dialog itself and gives the webview only a token: the
/// webview cannot name a path of its own (a compromised one could
/// otherwise read any file the user can).
#[derive(Debug, Default)]
pub struct Grants {
    chosen: Mutex<VecDeque<(String, PathBuf)>>,
}

/// What the webview learns of a chosen file: a token to pass back, and the
/// path to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChosenFile {
    pub token: String,
    pub path: String,
}

/// A handful: one import panel, plus a few choices the user changed their
/// mind about.
const GRANTS_KEPT: usize = 8;

impl Grants {
    pub fn grant(&self, path: PathBuf) -> ChosenFile {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let shown = path.display().to_string();
        let mut chosen = self.lock();
        if chosen.len() == GRANTS_KEPT {
            chosen.pop_front();
        }
        chosen.push_back((token.clone(), path));
        ChosenFile { token, path: shown }
    }

    /// The file `token` stands for, which stays granted (a preview).
    pub fn path(&self, token: &str) -> Result<PathBuf> {
        self.lock()
            .iter()
            .find(|(t, _)| t == token)
            .map(|(_, p)| p.clone())
            .ok_or(Error::ImportNotChosen)
    }

    /// Ends the grant (the import happened): a token is good for one
    /// import.
    pub fn spend(&self, token: &str) {
        self.lock().retain(|(t, _)| t != token);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(String, PathBuf)>> {
        // The list stays consistent whatever a panicking holder did.
        self.chosen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;
