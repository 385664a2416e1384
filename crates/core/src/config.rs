//! Where TimeTracker keeps its files. `TIMETRACKER_DATA_DIR` wins; otherwise
//! the platform data directory (`~/.local/share/timetracker` on Linux).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, ErrorPayload, Result};

pub const DATA_DIR_ENV: &str = "TIMETRACKER_DATA_DIR";
pub const DATABASE_FILE: &str = "timetracker.sqlite3";

/// One snapshot of the environment, read once at start-up and handed to
/// every layer that has a variable to honour. Nothing else reads the process
/// environment (clippy's `disallowed-methods` holds the code to that), so a
/// test sets a variable by building an `Env`, never by mutating the process
/// that other tests share.
#[derive(Debug, Clone, Default)]
pub struct Env(Arc<BTreeMap<String, String>>);

impl Env {
    /// The process environment as it is now; variables whose name or value
    /// is not UTF-8 are left out (none of ours can be).
    #[allow(clippy::disallowed_methods, reason = "the one read of the environment")]
    pub fn from_process() -> Self {
        Self(Arc::new(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        ))
    }

    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self(Arc::new(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ))
    }

    /// This environment with `key` set to `value`.
    pub fn with(&self, key: &str, value: &str) -> Self {
        let mut vars = (*self.0).clone();
        vars.insert(key.to_owned(), value.to_owned());
        Self(Arc::new(vars))
    }

    /// The value exactly as set.
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The value trimmed; a blank value counts as unset.
    pub fn value(&self, key: &str) -> Option<String> {
        non_empty(self.raw(key).map(str::to_owned))
    }

    /// For code that takes a lookup function (`tt doctor`, the configs).
    pub fn lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |key| self.raw(key).map(str::to_owned)
    }
}

/// Resolves the data directory from `TIMETRACKER_DATA_DIR`, else the
/// platform's data folder.
pub fn data_dir(env: &Env) -> Result<PathBuf> {
    data_dir_from(env.raw(DATA_DIR_ENV).map(PathBuf::from))
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

/// A variable's value with surrounding blanks trimmed; blank counts as unset.
pub fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// `APP_VERSION` when set (tests and packagers), else this build's version.
pub fn app_version(get: impl Fn(&str) -> Option<String>) -> String {
    non_empty(get("APP_VERSION")).unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_owned())
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
