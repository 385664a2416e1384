//! The one error type of the core. Every variant has a stable machine code
//! (`resource.reason`) that the UI and CLI branch on, and a message a person
//! can act on. Codes are part of the contract: never rename one.

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;

pub mod import;

use crate::limits::{DESCRIPTION_MAX_CHARS, NAME_MAX_CHARS, TAG_MAX_CHARS};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Give the project a name.")]
    ProjectNameEmpty,
    #[error("Project names can be at most {NAME_MAX_CHARS} characters; this one has {0}.")]
    ProjectNameTooLong(usize),
    #[error("A project named \u{201c}{0}\u{201d} already exists. Pick another name.")]
    ProjectNameTaken(String),
    #[error("Colours are written as #rrggbb, for example #3b82f6.")]
    ProjectInvalidColor,
    #[error("That project no longer exists. Reload the list and try again.")]
    ProjectNotFound(i64),
    #[error("The project \u{201c}{0}\u{201d} is archived. Restore it before tracking time on it.")]
    ProjectArchived(String),
    #[error("Descriptions can be at most {DESCRIPTION_MAX_CHARS} characters; this one has {0}.")]
    EntryDescriptionTooLong(usize),
    #[error("That time entry no longer exists. Reload the list and try again.")]
    EntryNotFound(i64),
    #[error("The start of a range must come before its end.")]
    EntryInvalidRange,
    #[error("Another timer is already running. Stop it first; only one entry can run at a time.")]
    EntryRunningConflict,
    #[error("That entry is already back; there is nothing to undo.")]
    EntryAlreadyExists,
    #[error("\u{201c}{0}\u{201d} is not a valid tag: tags are 1 to {TAG_MAX_CHARS} characters, without commas, semicolons or line breaks.")]
    TagInvalid(String),
    #[error("Client names can be at most {NAME_MAX_CHARS} characters; this one has {0}.")]
    ClientNameTooLong(usize),
    #[error("\u{201c}{0}\u{201d} is not a currency code: use three letters such as EUR or USD.")]
    ProjectInvalidCurrency(String),
    #[error("An hourly rate needs a currency, and cannot be negative.")]
    ProjectInvalidRate,
    #[error(
        "Rounding is in minutes, one of 1 (none), 5, 6, 10, 15 or 30; \u{201c}{0}\u{201d} is not."
    )]
    ReportInvalidRounding(String),
    #[error("This file is in none of the formats TimeTracker imports (Toggl or Clockify CSV, timew export, Watson frames, TimeTracker CSV or JSON). Name the format if you know it.")]
    ImportUnknownFormat,
    #[error("The export could not be written: {0}")]
    ExportWriteFailed(std::io::Error),
    #[error("No timer is running.")]
    TimerNotRunning,
    #[error(
        "This database was written by a newer TimeTracker (schema version {found}; this version \
         understands up to {supported}). Update TimeTracker to open it; the file was left untouched."
    )]
    StorageSchemaTooNew { found: i64, supported: i64 },
    #[error("The file {0} is not a TimeTracker database (or it is damaged). Move it aside and restart to begin afresh.")]
    StorageNotADatabase(PathBuf),
    #[error("The disk holding {0} is full. Free some space and try again; nothing was saved.")]
    StorageDiskFull(PathBuf),
    #[error("{0} cannot be written (read-only file or folder). Check its permissions; nothing was saved.")]
    StorageReadOnly(PathBuf),
    #[error(
        "The database is busy in another program (the tt command line?). Try again in a moment."
    )]
    StorageBusy,
    #[error("Could not back up the database to {path} before upgrading it ({source}); the upgrade was not attempted.")]
    StorageBackupFailed {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("The data folder {path} could not be created: {source}")]
    StorageDataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not an address with a port, like 127.0.0.1:9464.")]
    MetricsInvalidAddress(String),
    #[error("The metrics endpoint only listens on this computer: use 127.0.0.1, localhost or [::1], not {0}.")]
    MetricsNotLoopback(String),
    #[error("Port {0} is already in use by another program. Pick another port for the metrics endpoint; TimeTracker keeps running without it.")]
    MetricsPortInUse(u16),
    #[error("The metrics endpoint is switched off by TimeTracker's remote kill switch, because a problem was found in it. Update TimeTracker to use it again.")]
    MetricsDisabledRemotely,
    #[error("The metrics endpoint could not start on {addr}: {source}")]
    MetricsStartFailed {
        addr: String,
        source: std::io::Error,
    },
    #[error("The metrics token file {path} could not be written: {source}")]
    MetricsTokenFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Logging is not running, so there is no logs folder to open.")]
    LoggingUnavailable,
    #[error(
        "The logs folder ({path}) could not be opened: {reason}. Open it in your file manager."
    )]
    LoggingOpenFailed { path: PathBuf, reason: String },
    #[error("The telemetry export could not be written to {path}: {source}")]
    TelemetryExportFailed {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("The support bundle could not be written to {path}: {source}")]
    DoctorBundleFailed {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("The checks stopped unexpectedly; the log has the details.")]
    DoctorFailed,
    #[error("No data folder could be determined: set TIMETRACKER_DATA_DIR or HOME.")]
    ConfigNoDataDir,
    #[error("The test error could not be sent: the sending task stopped unexpectedly. Details are in the log.")]
    CrashTestFailed,
    /// A setting out of range; the message names the field and the range.
    #[error("{0}")]
    SettingsInvalid(String),
    #[error("TimeTracker has no record of when it last ran, so there is no time to stop this timer at. Edit its end instead.")]
    TimerNoHeartbeat,
    #[error("This is a test aid; start TimeTracker with TIMETRACKER_TEST_HOOKS=1 to use it.")]
    TestHooksDisabled,
    #[error("A sync file holds something this TimeTracker cannot use (a {0}); the file was skipped and the rest keeps syncing.")]
    SyncBadRecord(String),
    #[error("Sync is off. Turn it on in Settings \u{203a} Sync, or with tt sync enable FOLDER.")]
    SyncNotEnabled,
    #[error("The sync folder {0} cannot be found. Is the drive or share connected? Nothing was changed; your entries are safe here.")]
    SyncFolderMissing(PathBuf),
    #[error("TimeTracker cannot write to the sync folder {path} ({source}). Check that it is writable; your entries are safe here.")]
    SyncFolderUnwritable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Device names are 1 to 100 characters, without line breaks.")]
    SyncInvalidDeviceName,
    #[error("That sync conflict no longer exists. Reload the list.")]
    SyncConflictNotFound(i64),
    /// Every problem found in an import file, each with its line.
    #[error("{0}")]
    ImportInvalid(#[from] import::ImportError),
    #[error("Database error: {0}")]
    Database(rusqlite::Error),
}

impl Error {
    /// The stable machine code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::ProjectNameEmpty => "project.name_empty",
            Error::ProjectNameTooLong(_) => "project.name_too_long",
            Error::ProjectNameTaken(_) => "project.name_taken",
            Error::ProjectInvalidColor => "project.invalid_color",
            Error::ProjectNotFound(_) => "project.not_found",
            Error::ProjectArchived(_) => "project.archived",
            Error::EntryDescriptionTooLong(_) => "entry.description_too_long",
            Error::EntryNotFound(_) => "entry.not_found",
            Error::EntryInvalidRange => "entry.invalid_range",
            Error::EntryRunningConflict => "entry.running_conflict",
            Error::EntryAlreadyExists => "entry.already_exists",
            Error::TagInvalid(_) => "tag.invalid",
            Error::ClientNameTooLong(_) => "client.name_too_long",
            Error::ProjectInvalidCurrency(_) => "project.invalid_currency",
            Error::ProjectInvalidRate => "project.invalid_rate",
            Error::ReportInvalidRounding(_) => "report.invalid_rounding",
            Error::ImportUnknownFormat => "import.unknown_format",
            Error::ExportWriteFailed(_) => "export.write_failed",
            Error::TimerNotRunning => "timer.not_running",
            Error::StorageSchemaTooNew { .. } => "storage.schema_too_new",
            Error::StorageNotADatabase(_) => "storage.not_a_database",
            Error::StorageDiskFull(_) => "storage.disk_full",
            Error::StorageReadOnly(_) => "storage.read_only",
            Error::StorageBusy => "storage.busy",
            Error::StorageBackupFailed { .. } => "storage.backup_failed",
            Error::StorageDataDir { .. } => "storage.data_dir",
            Error::MetricsInvalidAddress(_) => "metrics.invalid_address",
            Error::MetricsNotLoopback(_) => "metrics.not_loopback",
            Error::MetricsPortInUse(_) => "metrics.port_in_use",
            Error::MetricsDisabledRemotely => "metrics.disabled_remotely",
            Error::MetricsStartFailed { .. } => "metrics.start_failed",
            Error::MetricsTokenFile { .. } => "metrics.token_file",
            Error::LoggingUnavailable => "logging.unavailable",
            Error::LoggingOpenFailed { .. } => "logging.open_failed",
            Error::TelemetryExportFailed { .. } => "telemetry.export_failed",
            Error::DoctorBundleFailed { .. } => "doctor.bundle_failed",
            Error::DoctorFailed => "doctor.failed",
            Error::ConfigNoDataDir => "config.no_data_dir",
            Error::CrashTestFailed => "crash.test_failed",
            Error::TestHooksDisabled => "test_hooks.disabled",
            Error::SettingsInvalid(_) => "settings.invalid",
            Error::TimerNoHeartbeat => "timer.no_heartbeat",
            Error::ImportInvalid(_) => "import.invalid",
            Error::SyncBadRecord(_) => "sync.bad_record",
            Error::SyncNotEnabled => "sync.not_enabled",
            Error::SyncFolderMissing(_) => "sync.folder_missing",
            Error::SyncFolderUnwritable { .. } => "sync.folder_unwritable",
            Error::SyncInvalidDeviceName => "sync.invalid_device_name",
            Error::SyncConflictNotFound(_) => "sync.conflict_not_found",
            Error::Database(_) => "storage.database",
        }
    }

    /// The error as the UI and the CLI's `--json` output receive it.
    pub fn to_payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code().to_owned(),
            message: self.to_string(),
        }
    }

    /// Classifies a raw SQLite error for the database at `path`, so a full or
    /// read-only disk reads as such instead of as a generic database error.
    pub(crate) fn from_sqlite(err: rusqlite::Error, path: &std::path::Path) -> Self {
        use rusqlite::ErrorCode as C;
        match err.sqlite_error_code() {
            Some(C::DiskFull) => Error::StorageDiskFull(path.to_owned()),
            Some(C::ReadOnly) | Some(C::CannotOpen) | Some(C::PermissionDenied) => {
                Error::StorageReadOnly(path.to_owned())
            }
            Some(C::NotADatabase) => Error::StorageNotADatabase(path.to_owned()),
            Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => Error::StorageBusy,
            _ => Error::Database(err),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        match err.sqlite_error_code() {
            Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => Error::StorageBusy,
            _ => Error::Database(err),
        }
    }
}

/// The serialised form of an [`Error`]: what crosses into the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
}
