//! What the shell holds between commands: the open tracker (or the reason it
//! could not be opened, shown by the UI instead of a crash) and the logger.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use timetracker_core::app::{App, Config, Profile};
use timetracker_core::config::Env;
use timetracker_core::crash::{self, CrashReporter};
use timetracker_core::logging::{self, LogWriter};
use timetracker_core::metrics::{Metrics, MetricsControl};
use timetracker_core::telemetry::Telemetry;
use timetracker_core::{log_event, ErrorPayload, Tracker};

pub struct AppState {
    /// The environment as read at start-up (`tt doctor`'s checks read it).
    pub env: Env,
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
    /// Starts the whole app from the environment (core's composition root)
    /// and keeps its parts for the commands.
    pub fn load() -> Self {
        let app = App::start(Config::from_process(Profile::Desktop));
        let tracker = match app.tracker {
            Ok(Some(t)) => Ok(Mutex::new(t)),
            Ok(None) => Err(timetracker_core::Error::ConfigNoDataDir.to_payload()),
            Err(e) => Err(e.to_payload()),
        };
        Self {
            env: app.config.env,
            data_dir: app.data_dir,
            logs: app.logs,
            metrics: app.metrics,
            metrics_control: app.metrics_control.map(Mutex::new),
            telemetry: app.telemetry,
            crash: app.crash,
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
