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
    #[error("Project names cannot contain line breaks or control characters; this one has {}.", crate::limits::code_point(*.0))]
    ProjectNameInvalid(char),
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
    #[error("Descriptions cannot contain control characters (line breaks and tabs are fine); this one has {}.", crate::limits::code_point(*.0))]
    EntryDescriptionInvalid(char),
    #[error("That time entry no longer exists. Reload the list and try again.")]
    EntryNotFound(i64),
    #[error("The start of a range must come before its end.")]
    EntryInvalidRange,
    #[error("Another timer is already running. Stop it first; only one entry can run at a time.")]
    EntryRunningConflict,
    #[error("That entry is already back; there is nothing to undo.")]
    EntryAlreadyExists,
    #[error("That delete can no longer be undone: it was undone already, or TimeTracker has restarted since.")]
    EntryUndoExpired,
    #[error("\u{201c}{0}\u{201d} is not a valid tag: tags are 1 to {TAG_MAX_CHARS} characters, without commas, semicolons or line breaks.")]
    TagInvalid(String),
    #[error("Client names can be at most {NAME_MAX_CHARS} characters; this one has {0}.")]
    ClientNameTooLong(usize),
    #[error("Client names cannot contain line breaks or control characters; this one has {}.", crate::limits::code_point(*.0))]
    ClientNameInvalid(char),
    #[error("Give the client a name.")]
    ClientNameEmpty,
    #[error("A client named \u{201c}{0}\u{201d} already exists. Pick another name, or restore it if it is archived.")]
    ClientNameTaken(String),
    #[error("That client no longer exists. Reload the list and try again.")]
    ClientNotFound(i64),
    #[error("That tag no longer exists. Reload the list and try again.")]
    TagNotFound(i64),
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
    #[error("{0} is TimeTracker's own data (the database or a file in its data folder); an export there would replace it. Choose a file somewhere else.")]
    ExportTargetProtected(PathBuf),
    #[error("{} could not be read: {source}", path.display())]
    ImportUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not a regular file (a folder, a device or a pipe); choose the exported file itself.")]
    ImportNotAFile(PathBuf),
    #[error(
        "Choose the file to import again: TimeTracker reads only a file picked in its open dialog."
    )]
    ImportNotChosen,
    #[error("This file is {} MiB; an import reads at most {} MiB. Split it, or export a shorter range from the other tracker.", bytes / 1024 / 1024, crate::limits::IMPORT_MAX_BYTES / 1024 / 1024)]
    ImportTooLarge { bytes: u64 },
    #[error("No timer is running.")]
    TimerNotRunning,
    #[error("No timer is paused: pause a running timer first.")]
    TimerNotPaused,
    #[error("This is not a calendar of days off TimeTracker can read: {0}")]
    HolidaysInvalid(String),
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
    #[error("There is no TimeTracker database at {0}, so there is nothing to show; nothing was created. Check --data-dir or TIMETRACKER_DATA_DIR (a command that records time, such as tt start, creates it).")]
    StorageNoDatabase(PathBuf),
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
    #[error("Per-project metrics carry your project names, so they need a token. Turn them off before removing it.")]
    MetricsTokenRequired,
    #[error("{0} is not an address with a port, like 127.0.0.1:9465.")]
    ApiInvalidAddress(String),
    #[error(
        "The local API only listens on this computer: use 127.0.0.1, localhost or [::1], not {0}."
    )]
    ApiNotLoopback(String),
    #[error("Port {0} is already in use by another program. Pick another port for the local API; TimeTracker keeps running without it.")]
    ApiPortInUse(u16),
    #[error("The local API could not start on {addr}: {source}")]
    ApiStartFailed {
        addr: String,
        source: std::io::Error,
    },
    #[error("The API token file {path} could not be written: {source}")]
    ApiTokenFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Send the API token as 'Authorization: Bearer <token>': it is in Settings, in the api-token file of the data folder, or in TIMETRACKER_API_TOKEN.")]
    ApiUnauthorized,
    #[error("This token may only read. Use the full API token to make changes.")]
    ApiReadOnly,
    #[error("Requests must name this API's own address in Host (127.0.0.1, localhost or [::1], with its port); requests from web pages (with an Origin header) are refused.")]
    ApiForbidden,
    #[error("There is no such API route; GET /api/v1/openapi.json lists them all.")]
    ApiNotFound,
    #[error(
        "This route does not take that method; GET /api/v1/openapi.json lists what each one takes."
    )]
    ApiMethodNotAllowed,
    #[error("{0:?} is not a webhook address: use an http:// or https:// URL, such as http://127.0.0.1:8123/hook.")]
    WebhookInvalidUrl(String),
    #[error("{0:?} is not a webhook event; the events are timer.started, timer.stopped, entry.created, entry.updated, entry.deleted, project.created, project.updated, project.archived and project.restored, or project.* for every project change.")]
    WebhookInvalidEvent(String),
    #[error("That webhook no longer exists. Reload the list and try again.")]
    WebhookNotFound(i64),
    #[error(
        "The test delivery did not arrive: {0}. The app tries it again later; see tt webhooks log."
    )]
    WebhookTestFailed(String),
    #[error("The request could not be read: {0}")]
    ApiInvalidRequest(String),
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

/// Builds [`ErrorCode`] from one table: each code's variant, its stable
/// string and its [`ErrorKind`]. The strings are the contract (the UI's
/// `ErrorCode` union and the CLI's `--json` output come from here), so a
/// code is added in exactly one place and never renamed.
macro_rules! error_codes {
    ($($variant:ident => $code:literal, $kind:ident;)*) => {
        /// The stable machine code of an [`Error`], serialised as its string.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
        #[ts(export)]
        pub enum ErrorCode {
            $(#[serde(rename = $code)] $variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            pub fn kind(self) -> ErrorKind {
                match self {
                    $(ErrorCode::$variant => ErrorKind::$kind,)*
                }
            }
        }
    };
}

error_codes! {
    ProjectNameEmpty => "project.name_empty", Refused;
    ProjectNameTooLong => "project.name_too_long", Refused;
    ProjectNameTaken => "project.name_taken", Refused;
    ProjectNameInvalid => "project.invalid_name", Refused;
    ProjectInvalidColor => "project.invalid_color", Refused;
    ProjectNotFound => "project.not_found", NotFound;
    ProjectArchived => "project.archived", Refused;
    EntryDescriptionTooLong => "entry.description_too_long", Refused;
    EntryDescriptionInvalid => "entry.invalid_description", Refused;
    EntryNotFound => "entry.not_found", NotFound;
    EntryInvalidRange => "entry.invalid_range", Refused;
    EntryRunningConflict => "entry.running_conflict", TimerState;
    EntryAlreadyExists => "entry.already_exists", Refused;
    EntryUndoExpired => "entry.undo_expired", NotFound;
    TagInvalid => "tag.invalid", Refused;
    ClientNameTooLong => "client.name_too_long", Refused;
    ClientNameInvalid => "client.invalid_name", Refused;
    ClientNameEmpty => "client.name_empty", Refused;
    ClientNameTaken => "client.name_taken", Refused;
    ClientNotFound => "client.not_found", NotFound;
    TagNotFound => "tag.not_found", NotFound;
    ProjectInvalidCurrency => "project.invalid_currency", Refused;
    ProjectInvalidRate => "project.invalid_rate", Refused;
    ReportInvalidRounding => "report.invalid_rounding", Refused;
    ImportUnknownFormat => "import.unknown_format", InvalidFile;
    ExportWriteFailed => "export.write_failed", Io;
    ExportTargetProtected => "export.target_protected", Refused;
    ImportUnreadable => "import.unreadable", Io;
    ImportNotAFile => "import.not_a_file", InvalidFile;
    ImportNotChosen => "import.not_chosen", Refused;
    ImportTooLarge => "import.too_large", InvalidFile;
    TimerNotRunning => "timer.not_running", TimerState;
    TimerNotPaused => "timer.not_paused", TimerState;
    HolidaysInvalid => "holidays.invalid", InvalidFile;
    StorageSchemaTooNew => "storage.schema_too_new", Storage;
    StorageNotADatabase => "storage.not_a_database", Storage;
    StorageDiskFull => "storage.disk_full", Storage;
    StorageReadOnly => "storage.read_only", Storage;
    StorageBusy => "storage.busy", Storage;
    StorageBackupFailed => "storage.backup_failed", Storage;
    StorageDataDir => "storage.data_dir", Storage;
    StorageNoDatabase => "storage.no_database", Storage;
    MetricsInvalidAddress => "metrics.invalid_address", Refused;
    MetricsNotLoopback => "metrics.not_loopback", Refused;
    MetricsPortInUse => "metrics.port_in_use", Refused;
    MetricsDisabledRemotely => "metrics.disabled_remotely", Refused;
    MetricsStartFailed => "metrics.start_failed", Refused;
    MetricsTokenFile => "metrics.token_file", Refused;
    MetricsTokenRequired => "metrics.token_required", Refused;
    ApiInvalidAddress => "api.invalid_address", Refused;
    ApiNotLoopback => "api.not_loopback", Refused;
    ApiPortInUse => "api.port_in_use", Refused;
    ApiStartFailed => "api.start_failed", Refused;
    ApiTokenFile => "api.token_file", Refused;
    ApiUnauthorized => "api.unauthorized", Refused;
    ApiReadOnly => "api.read_only", Refused;
    ApiForbidden => "api.forbidden", Refused;
    ApiNotFound => "api.not_found", NotFound;
    ApiMethodNotAllowed => "api.method_not_allowed", Refused;
    ApiInvalidRequest => "api.invalid_request", Refused;
    WebhookInvalidUrl => "webhook.invalid_url", Refused;
    WebhookInvalidEvent => "webhook.invalid_event", Refused;
    WebhookNotFound => "webhook.not_found", NotFound;
    WebhookTestFailed => "webhook.test_failed", Io;
    LoggingUnavailable => "logging.unavailable", Refused;
    LoggingOpenFailed => "logging.open_failed", Refused;
    TelemetryExportFailed => "telemetry.export_failed", Refused;
    DoctorBundleFailed => "doctor.bundle_failed", Io;
    DoctorFailed => "doctor.failed", Refused;
    ConfigNoDataDir => "config.no_data_dir", Storage;
    CrashTestFailed => "crash.test_failed", Refused;
    TestHooksDisabled => "test_hooks.disabled", Refused;
    SettingsInvalid => "settings.invalid", Refused;
    TimerNoHeartbeat => "timer.no_heartbeat", Refused;
    ImportInvalid => "import.invalid", InvalidFile;
    SyncBadRecord => "sync.bad_record", Refused;
    SyncNotEnabled => "sync.not_enabled", Refused;
    SyncFolderMissing => "sync.folder_missing", Io;
    SyncFolderUnwritable => "sync.folder_unwritable", Io;
    SyncInvalidDeviceName => "sync.invalid_device_name", Refused;
    SyncConflictNotFound => "sync.conflict_not_found", NotFound;
    StorageDatabase => "storage.database", Storage;
}

/// What sort of failure a code is, for callers that react to the sort and
/// not the code: the CLI's exit status (docs/cli.md) comes from this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The request was understood and refused: a rule, a setting, a state.
    Refused,
    /// A file to import is not one that can be imported.
    InvalidFile,
    /// The timer is not in the state the request needs.
    TimerState,
    /// What the request names does not exist (any more).
    NotFound,
    /// The database or the data folder cannot be used.
    Storage,
    /// A file or folder outside the database could not be read or written.
    Io,
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

// Lets callers and tests compare a code with the string they know it by.
impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Error {
    /// The stable machine code of this error, as its string.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// What sort of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.error_code().kind()
    }

    /// The stable machine code of this error.
    pub fn error_code(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            Error::ProjectNameEmpty => C::ProjectNameEmpty,
            Error::ProjectNameTooLong(_) => C::ProjectNameTooLong,
            Error::ProjectNameTaken(_) => C::ProjectNameTaken,
            Error::ProjectNameInvalid(_) => C::ProjectNameInvalid,
            Error::ProjectInvalidColor => C::ProjectInvalidColor,
            Error::ProjectNotFound(_) => C::ProjectNotFound,
            Error::ProjectArchived(_) => C::ProjectArchived,
            Error::EntryDescriptionTooLong(_) => C::EntryDescriptionTooLong,
            Error::EntryDescriptionInvalid(_) => C::EntryDescriptionInvalid,
            Error::EntryNotFound(_) => C::EntryNotFound,
            Error::EntryInvalidRange => C::EntryInvalidRange,
            Error::EntryRunningConflict => C::EntryRunningConflict,
            Error::EntryAlreadyExists => C::EntryAlreadyExists,
            Error::EntryUndoExpired => C::EntryUndoExpired,
            Error::TagInvalid(_) => C::TagInvalid,
            Error::ClientNameTooLong(_) => C::ClientNameTooLong,
            Error::ClientNameInvalid(_) => C::ClientNameInvalid,
            Error::ClientNameEmpty => C::ClientNameEmpty,
            Error::ClientNameTaken(_) => C::ClientNameTaken,
            Error::ClientNotFound(_) => C::ClientNotFound,
            Error::TagNotFound(_) => C::TagNotFound,
            Error::ProjectInvalidCurrency(_) => C::ProjectInvalidCurrency,
            Error::ProjectInvalidRate => C::ProjectInvalidRate,
            Error::ReportInvalidRounding(_) => C::ReportInvalidRounding,
            Error::ImportUnknownFormat => C::ImportUnknownFormat,
            Error::ExportWriteFailed(_) => C::ExportWriteFailed,
            Error::ExportTargetProtected(_) => C::ExportTargetProtected,
            Error::ImportUnreadable { .. } => C::ImportUnreadable,
            Error::ImportNotAFile(_) => C::ImportNotAFile,
            Error::ImportNotChosen => C::ImportNotChosen,
            Error::ImportTooLarge { .. } => C::ImportTooLarge,
            Error::TimerNotRunning => C::TimerNotRunning,
            Error::TimerNotPaused => C::TimerNotPaused,
            Error::HolidaysInvalid(_) => C::HolidaysInvalid,
            Error::StorageSchemaTooNew { .. } => C::StorageSchemaTooNew,
            Error::StorageNotADatabase(_) => C::StorageNotADatabase,
            Error::StorageDiskFull(_) => C::StorageDiskFull,
            Error::StorageReadOnly(_) => C::StorageReadOnly,
            Error::StorageBusy => C::StorageBusy,
            Error::StorageBackupFailed { .. } => C::StorageBackupFailed,
            Error::StorageDataDir { .. } => C::StorageDataDir,
            Error::StorageNoDatabase(_) => C::StorageNoDatabase,
            Error::MetricsInvalidAddress(_) => C::MetricsInvalidAddress,
            Error::MetricsNotLoopback(_) => C::MetricsNotLoopback,
            Error::MetricsPortInUse(_) => C::MetricsPortInUse,
            Error::MetricsDisabledRemotely => C::MetricsDisabledRemotely,
            Error::MetricsStartFailed { .. } => C::MetricsStartFailed,
            Error::MetricsTokenFile { .. } => C::MetricsTokenFile,
            Error::MetricsTokenRequired => C::MetricsTokenRequired,
            Error::ApiInvalidAddress(_) => C::ApiInvalidAddress,
            Error::ApiNotLoopback(_) => C::ApiNotLoopback,
            Error::ApiPortInUse(_) => C::ApiPortInUse,
            Error::ApiStartFailed { .. } => C::ApiStartFailed,
            Error::ApiTokenFile { .. } => C::ApiTokenFile,
            Error::ApiUnauthorized => C::ApiUnauthorized,
            Error::ApiReadOnly => C::ApiReadOnly,
            Error::ApiForbidden => C::ApiForbidden,
            Error::ApiNotFound => C::ApiNotFound,
            Error::ApiMethodNotAllowed => C::ApiMethodNotAllowed,
            Error::ApiInvalidRequest(_) => C::ApiInvalidRequest,
            Error::WebhookInvalidUrl(_) => C::WebhookInvalidUrl,
            Error::WebhookInvalidEvent(_) => C::WebhookInvalidEvent,
            Error::WebhookNotFound(_) => C::WebhookNotFound,
            Error::WebhookTestFailed(_) => C::WebhookTestFailed,
            Error::LoggingUnavailable => C::LoggingUnavailable,
            Error::LoggingOpenFailed { .. } => C::LoggingOpenFailed,
            Error::TelemetryExportFailed { .. } => C::TelemetryExportFailed,
            Error::DoctorBundleFailed { .. } => C::DoctorBundleFailed,
            Error::DoctorFailed => C::DoctorFailed,
            Error::ConfigNoDataDir => C::ConfigNoDataDir,
            Error::CrashTestFailed => C::CrashTestFailed,
            Error::TestHooksDisabled => C::TestHooksDisabled,
            Error::SettingsInvalid(_) => C::SettingsInvalid,
            Error::TimerNoHeartbeat => C::TimerNoHeartbeat,
            Error::ImportInvalid(_) => C::ImportInvalid,
            Error::SyncBadRecord(_) => C::SyncBadRecord,
            Error::SyncNotEnabled => C::SyncNotEnabled,
            Error::SyncFolderMissing(_) => C::SyncFolderMissing,
            Error::SyncFolderUnwritable { .. } => C::SyncFolderUnwritable,
            Error::SyncInvalidDeviceName => C::SyncInvalidDeviceName,
            Error::SyncConflictNotFound(_) => C::SyncConflictNotFound,
            Error::Database(_) => C::StorageDatabase,
        }
    }

    /// The error as the UI and the CLI's `--json` output receive it.
    pub fn to_payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.error_code(),
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
            // SQLite reports a write it could not make as a plain I/O error
            // in places (growing the -shm file as it opens): a full disk
            // underneath must still be named as such.
            Some(C::SystemIoFailure) if disk_is_full(path) => {
                Error::StorageDiskFull(path.to_owned())
            }
            _ => Error::Database(err),
        }
    }
}

/// Less than this free counts as full: SQLite needs a page or two (and the
/// -shm file 32 KiB) for any write.
const FULL_BELOW_BYTES: u64 = 64 * 1024;

#[cfg(unix)]
fn disk_is_full(path: &std::path::Path) -> bool {
    let probe = path
        .ancestors()
        .find(|a| a.exists())
        .unwrap_or(std::path::Path::new("/"));
    rustix::fs::statvfs(probe)
        .is_ok_and(|s| s.f_bavail.saturating_mul(s.f_frsize) < FULL_BELOW_BYTES)
}

#[cfg(not(unix))]
fn disk_is_full(_path: &std::path::Path) -> bool {
    false
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
    pub code: ErrorCode,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_are_unique_resource_dot_reason_strings() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} is in the table twice");
            let (resource, reason) = s.split_once('.').unwrap();
            let word =
                |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            assert!(word(resource) && word(reason), "{s} is not resource.reason");
        }
    }

    #[test]
    fn a_code_serialises_as_its_string() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::json!(code.as_str()));
        }
        let payload = Error::EntryInvalidRange.to_payload();
        assert_eq!(
            serde_json::to_value(&payload).unwrap(),
            serde_json::json!({"code": "entry.invalid_range", "message": Error::EntryInvalidRange.to_string()})
        );
    }
}
