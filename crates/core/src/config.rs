//! Where TimeTracker keeps its files. `TIMETRACKER_DATA_DIR` wins; otherwise
//! the platform data directory (`~/.local/share/timetracker` on Linux).

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, ErrorPayload, Result};

pub const DATA_DIR_ENV: &str = "TIMETRACKER_DATA_DIR";
pub const DATABASE_FILE: &str = "timetracker.sqlite3";

/// Resolves the data directory from the environment.
pub fn data_dir() -> Result<PathBuf> {
    data_dir_from(std::env::var_os(DATA_DIR_ENV).map(PathBuf::from))
}

/// Resolves the data directory from an explicit override (the env var or a
/// `--data-dir` flag); an empty override counts as none.
pub fn data_dir_from(override_dir: Option<PathBuf>) -> Result<PathBuf> {
    match override_dir {
        Some(dir) if !dir.as_os_str().is_empty() => Ok(dir),
        _ => directories::ProjectDirs::from("", "", "timetracker")
            .map(|dirs| dirs.data_dir().to_path_buf())
            .ok_or(Error::ConfigNoDataDir),
    }
}

pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DATABASE_FILE)
}

/// What the UI shows about this installation, and why it could not open
/// the database if it could not.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: Option<String>,
    pub database_path: Option<String>,
    pub startup_error: Option<ErrorPayload>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_wins_and_empty_override_is_ignored() {
        assert_eq!(
            data_dir_from(Some(PathBuf::from("/tmp/tt-data"))).unwrap(),
            PathBuf::from("/tmp/tt-data")
        );
        let default = data_dir_from(Some(PathBuf::new())).unwrap();
        assert!(default.ends_with("timetracker"), "{default:?}");
    }

    #[test]
    fn database_lives_in_the_data_dir() {
        assert_eq!(
            database_path(Path::new("/d")),
            PathBuf::from("/d/timetracker.sqlite3")
        );
    }
}
