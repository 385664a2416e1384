//! `tt doctor` and Settings › Diagnostics: each step of
//! docs/troubleshooting.md as a check that runs, with a stable id, a status,
//! what it found and what to do. Nothing here opens a connection off the
//! machine unless the caller asks for the online checks.

mod bundle;
mod data;
mod logs;
mod metrics;
mod online;
mod openmetrics;
mod sync_desktop;
mod telemetry;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::crash::scrub::Scrubber;
use crate::crash::CrashConfig;
use crate::logging::LogStatus;
use crate::metrics::MetricsStatus;
use crate::telemetry::TelemetryConfig;
use crate::{ErrorPayload, Tracker};

pub use bundle::{Bundle, BundleFile, BundlePreview, BundleSaved};
pub use openmetrics::validate as validate_openmetrics;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Ok,
    Warning,
    Problem,
    /// Not run, and `finding` says why (not configured, not asked for, or
    /// only the running app can tell).
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Check {
    /// Stable: docs/troubleshooting.md links to it, scripts match on it.
    pub id: String,
    pub status: CheckStatus,
    /// One line: what the check found.
    pub finding: String,
    /// What to do, in plain words; None when there is nothing to do.
    pub fix: Option<String>,
    /// Longer text to copy (a ready prometheus.yml job).
    pub detail: Option<String>,
}

impl Check {
    fn new(id: &str, status: CheckStatus, finding: impl Into<String>) -> Self {
        Self {
            id: id.to_owned(),
            status,
            finding: finding.into(),
            fix: None,
            detail: None,
        }
    }

    pub(crate) fn ok(id: &str, finding: impl Into<String>) -> Self {
        Self::new(id, CheckStatus::Ok, finding)
    }

    pub(crate) fn skipped(id: &str, why: impl Into<String>) -> Self {
        Self::new(id, CheckStatus::Skipped, why)
    }

    pub(crate) fn warning(id: &str, finding: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(id, CheckStatus::Warning, finding).with_fix(fix)
    }

    pub(crate) fn problem(id: &str, finding: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(id, CheckStatus::Problem, finding).with_fix(fix)
    }

    pub(crate) fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    pub(crate) fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// What `tt doctor --json` prints and Settings › Diagnostics shows.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DoctorReport {
    pub checks: Vec<Check>,
    /// The online checks were asked for (they may still be skipped).
    pub online: bool,
    /// RFC 3339 instant the checks ran.
    pub ran_at: String,
    pub version: String,
}

impl DoctorReport {
    /// True when nothing is a problem (warnings and skips are fine).
    pub fn healthy(&self) -> bool {
        !self.checks.iter().any(|c| c.status == CheckStatus::Problem)
    }

    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// What only the running app knows; `tt` leaves these `None` and the
/// matching checks say so.
#[derive(Debug, Clone, Default)]
pub struct Runtime {
    pub log: Option<LogStatus>,
    pub metrics: Option<MetricsStatus>,
    /// Usage events the outbox caps pushed out since launch.
    pub telemetry_dropped: Option<u64>,
    pub desktop: Option<DesktopRuntime>,
}

#[derive(Debug, Clone, Default)]
pub struct DesktopRuntime {
    /// Why the tray icon could not be made, if it could not.
    pub tray_error: Option<String>,
    /// Why the global shortcut is not active, if it is not.
    pub shortcut_error: Option<String>,
    /// "mutter", "x11", or none: idle detection cannot work.
    pub idle_source: Option<String>,
    /// What the autostart manager says, when it could be asked.
    pub autostart_registered: Option<bool>,
}

/// Everything the checks look at. The environment comes in as a lookup so
/// tests give their own and the process environment is never changed.
pub struct Doctor<'a> {
    pub data_dir: &'a Path,
    pub env: &'a dyn Fn(&str) -> Option<String>,
    pub database: Database<'a>,
    pub runtime: Runtime,
    /// Where the autostart entry would be (`~/.config/autostart`), for `tt`.
    pub autostart_dir: Option<PathBuf>,
    /// Below this, free space is a warning (200 MB; tests lower it).
    pub low_space_bytes: u64,
}

pub const LOW_SPACE_BYTES: u64 = 200 * 1000 * 1000;

/// The database as the checks find it.
#[derive(Clone)]
pub enum Database<'a> {
    Open(&'a Tracker),
    /// No database file yet (doctor does not create one to look at).
    Missing,
    /// An older schema, left as it is: opening it would upgrade it.
    Outdated {
        found: i64,
    },
    /// It could not be opened, and why.
    Failed(ErrorPayload),
}

/// Opens the database in `data_dir` for the checks, changing nothing: a
/// missing one is not created and an older schema is not upgraded (what
/// opening a [`Tracker`] would do). `Err` says which, for [`Database`].
pub fn open_database(data_dir: &Path) -> Result<Tracker, Database<'static>> {
    let path = crate::config::database_path(data_dir);
    if !path.exists() {
        return Err(Database::Missing);
    }
    match crate::storage::Storage::peek_schema_version(&path) {
        Ok(found) if found < crate::storage::SCHEMA_VERSION => Err(Database::Outdated { found }),
        _ => Tracker::open_in_dir(data_dir, std::sync::Arc::new(crate::SystemClock))
            .map_err(|e| Database::Failed(e.to_payload())),
    }
}

impl<'a> Doctor<'a> {
    pub fn new(
        data_dir: &'a Path,
        env: &'a dyn Fn(&str) -> Option<String>,
        database: Database<'a>,
    ) -> Self {
        Self {
            data_dir,
            env,
            database,
            runtime: Runtime::default(),
            autostart_dir: directories::BaseDirs::new().map(|d| d.config_dir().join("autostart")),
            low_space_bytes: LOW_SPACE_BYTES,
        }
    }

    pub(crate) fn env(&self, key: &str) -> Option<String> {
        (self.env)(key)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    pub(crate) fn telemetry_config(&self) -> TelemetryConfig {
        TelemetryConfig::from_lookup(|k| (self.env)(k))
    }

    pub(crate) fn crash_config(&self) -> CrashConfig {
        CrashConfig::from_lookup(|k| (self.env)(k))
    }

    pub(crate) fn tracker(&self) -> Option<&'a Tracker> {
        match self.database {
            Database::Open(t) => Some(t),
            _ => None,
        }
    }

    /// Runs every local check. None of them opens a connection off the
    /// machine (the metrics scrape goes to loopback only).
    pub fn run(&self) -> DoctorReport {
        let mut checks = Vec::new();
        checks.extend(data::checks(self));
        checks.extend(logs::checks(self));
        checks.extend(telemetry::crash_checks(self));
        checks.extend(telemetry::usage_checks(self));
        checks.extend(metrics::checks(self));
        checks.extend(sync_desktop::sync_checks(self));
        checks.extend(sync_desktop::desktop_checks(self));
        DoctorReport {
            checks,
            online: false,
            ran_at: jiff::Timestamp::now().to_string(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// The local checks, then one test request to Sentry and one to
    /// PostHog, each only with the user's yes to that service.
    pub fn run_online(&self) -> DoctorReport {
        let mut report = self.run();
        report.online = true;
        report.checks.extend(online::checks(self));
        report
    }

    /// The support bundle's files, scrubbed, for a preview or to write.
    pub fn bundle(&self, report: &DoctorReport) -> Bundle {
        self.bundle_with(
            report,
            Scrubber::for_this_machine(self.crash_config().user, self.db_path()),
        )
    }

    /// As [`Self::bundle`], with the scrubber given (tests plant a home,
    /// user and host name of their own).
    pub fn bundle_with(&self, report: &DoctorReport, scrubber: Scrubber) -> Bundle {
        bundle::build(self, report, scrubber)
    }

    pub(crate) fn db_path(&self) -> Option<PathBuf> {
        Some(crate::config::database_path(self.data_dir)).filter(|p| p.exists())
    }
}

/// The plural "s" for a count: `format!("{n} file{}", plural_s(n))`.
pub(crate) fn plural_s<N: PartialEq + From<u8>>(n: N) -> &'static str {
    if n == N::from(1) {
        ""
    } else {
        "s"
    }
}

/// `1.2 MB`, `340 kB`: sizes as a person reads them.
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Whether this process may create files in `dir`, asked of the kernel
/// (a read-only mount answers no even to root), without writing anything:
/// doctor only looks.
pub(crate) fn writable(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        rustix::fs::access(
            dir,
            rustix::fs::Access::WRITE_OK | rustix::fs::Access::EXEC_OK,
        )
        .map_err(std::io::Error::from)
    }
    #[cfg(not(unix))]
    {
        let meta = std::fs::metadata(dir)?;
        if meta.permissions().readonly() {
            return Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        }
        Ok(())
    }
}

/// A path as it may be shown: the home folder as `~`.
pub(crate) fn shown(path: &Path) -> String {
    crate::logging::scrub_home(&path.display().to_string())
}
