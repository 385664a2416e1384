//! What the shell holds between commands: the open tracker (or the reason it
//! could not be opened, shown by the UI instead of a crash) and the logger.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use timetracker_core::crash::{self, CrashConfig, CrashReporter};
use timetracker_core::logging::{self, LogWriter};
use timetracker_core::metrics::{Metrics, MetricsControl};
use timetracker_core::telemetry::{sender, Telemetry, TelemetryConfig};
use timetracker_core::{config, log_event, ErrorPayload, SystemClock, Tracker};

pub struct AppState {
    pub data_dir: Option<PathBuf>,
    pub logs: Option<Arc<LogWriter>>,
    metrics: Arc<Metrics>,
    metrics_control: Option<Mutex<MetricsControl>>,
    pub telemetry: Arc<Telemetry>,
    /// None when the data folder is unknown: there is nowhere to keep reports.
    pub crash: Option<Arc<CrashReporter>>,
    tracker: Result<Mutex<Tracker>, ErrorPayload>,
}

impl AppState {
    /// Starts logging, then opens the database, under a `startup` request.
    pub fn load() -> Self {
        let data_dir = config::data_dir();
        let logs = data_dir.as_ref().ok().map(|dir| logging::init(dir));
        let _startup = logging::request_span("startup").entered();
        let metrics = match &data_dir {
            Ok(dir) => Metrics::with_database(&config::database_path(dir)),
            Err(_) => Metrics::new(),
        };
        let tracker = data_dir
            .as_ref()
            .map_err(|e| e.to_payload())
            .and_then(|dir| {
                Tracker::open_in_dir(dir, Arc::new(SystemClock)).map_err(|e| e.to_payload())
            });
        let mut metrics_control = data_dir
            .as_ref()
            .ok()
            .map(|dir| MetricsControl::from_env(metrics.clone(), dir.clone()));
        let telemetry = Telemetry::new(TelemetryConfig::from_env());
        telemetry.attach_metrics(metrics.clone());
        let crash = data_dir
            .as_ref()
            .ok()
            .map(|dir| CrashReporter::new(CrashConfig::from_env(&telemetry.config), dir).install());
        let tracker = tracker.map(|mut t| {
            t.attach_metrics(metrics.clone());
            // Telemetry is an extra: failing to set it up never stops the app.
            if let Err(e) = t.attach_telemetry(telemetry.clone()) {
                log_event!(warn, "telemetry.enqueue_failed", code = e.code());
            }
            // After the consent record is read: attaching applies it, and a
            // "no" deletes the reports cached on disk.
            if let Some(crash) = &crash {
                telemetry.attach_crash_reporter(crash.clone());
            }
            if let Some(path) = t.database_path() {
                sender::start(&telemetry, path.to_path_buf());
            }
            if let Some(control) = metrics_control.as_mut() {
                // A failure (port taken...) is kept for Settings to show.
                let _ = t.start_metrics(control);
            }
            Mutex::new(t)
        });
        match &tracker {
            Ok(_) => log_event!("app.started", version = env!("CARGO_PKG_VERSION")),
            Err(e) => log_event!(error, "app.start_failed", code = e.code.as_str()),
        }
        Self {
            data_dir: data_dir.ok(),
            logs,
            metrics,
            metrics_control: metrics_control.map(Mutex::new),
            telemetry,
            crash,
            tracker,
        }
    }

    pub fn startup_error(&self) -> Option<ErrorPayload> {
        self.tracker.as_ref().err().cloned()
    }

    /// Runs `f` on the tracker as the request `command`: every line logged
    /// meanwhile carries one request id, and a failure is logged by its code
    /// (never its message, which may quote a project name).
    pub fn with<T>(
        &self,
        command: &'static str,
        f: impl FnOnce(&mut Tracker) -> timetracker_core::Result<T>,
    ) -> Result<T, ErrorPayload> {
        let request_id = logging::new_request_id();
        let _request = logging::request_span_with_id(command, &request_id).entered();
        let start = Instant::now();
        let result = crash::scoped(command, &request_id, || self.run(f));
        self.metrics
            .observe_command(command, result.is_ok(), start.elapsed());
        result
    }

    fn run<T>(
        &self,
        f: impl FnOnce(&mut Tracker) -> timetracker_core::Result<T>,
    ) -> Result<T, ErrorPayload> {
        let tracker = self.tracker.as_ref().map_err(Clone::clone)?;
        // A panic in an earlier command cannot leave SQLite half-written
        // (every write is one transaction), so a poisoned lock is safe to reuse.
        let mut guard = tracker
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard).map_err(|e| {
            log_event!(warn, "command.failed", code = e.code());
            e.to_payload()
        })
    }

    /// The database's change counter for other connections' commits, read
    /// outside any request: the live-refresh poll is not a user command and
    /// must not fill the logs or the command metrics.
    pub fn data_version(&self) -> Option<i64> {
        let tracker = self.tracker.as_ref().ok()?;
        let guard = tracker
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        guard.data_version().ok()
    }

    /// Like [`Self::with`], for commands that also drive the metrics endpoint.
    pub fn with_metrics<T>(
        &self,
        command: &'static str,
        f: impl FnOnce(&mut Tracker, &mut MetricsControl) -> timetracker_core::Result<T>,
    ) -> Result<T, ErrorPayload> {
        let Some(control) = &self.metrics_control else {
            return Err(timetracker_core::Error::ConfigNoDataDir.to_payload());
        };
        self.with(command, |t| {
            let mut control = control
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            f(t, &mut control)
        })
    }
}

impl AppState {
    /// Runs `f` outside any request: the tray and background polls are not
    /// user commands and must not fill the logs or the command metrics.
    /// None when the tracker is unavailable or `f` failed.
    pub fn quiet<T>(
        &self,
        f: impl FnOnce(&mut Tracker) -> timetracker_core::Result<T>,
    ) -> Option<T> {
        let tracker = self.tracker.as_ref().ok()?;
        let mut guard = tracker
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard).ok()
    }
}
