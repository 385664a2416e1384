//! What the shell holds between commands: the open tracker (or the reason it
//! could not be opened, shown by the UI instead of a crash) and the logger.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tauri::{AppHandle, Manager};
use timetracker_core::api::ApiControl;
use timetracker_core::app::{App, Config, Profile};
use timetracker_core::config::Env;
use timetracker_core::crash::{self, CrashReporter};
use timetracker_core::logging::{self, LogWriter};
use timetracker_core::metrics::{Metrics, MetricsControl};
use timetracker_core::telemetry::Telemetry;
use timetracker_core::webhooks::sender::WebhookSender;
use timetracker_core::{log_event, ErrorPayload, Tracker};

pub struct AppState {
    /// The environment as read at start-up (`tt doctor`'s checks read it).
    pub env: Env,
    pub data_dir: Option<PathBuf>,
    pub logs: Option<Arc<LogWriter>>,
    metrics: Arc<Metrics>,
    metrics_control: Option<Mutex<MetricsControl>>,
    api_control: Option<Mutex<ApiControl>>,
    /// Taken and stopped at exit, after a last round of deliveries.
    pub webhook_sender: Mutex<Option<WebhookSender>>,
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
            api_control: app.api_control.map(Mutex::new),
            webhook_sender: Mutex::new(app.webhook_sender),
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
        self.request(command, || self.run(f))
    }

    /// Like [`Self::with`], on a sibling connection: the tracker is locked
    /// only to open it, so that while a long import writes, the window's
    /// reads go on (and a timer started meanwhile waits for the commit, not
    /// for the whole import).
    pub fn with_sibling<T>(
        &self,
        command: &'static str,
        f: impl FnOnce(&mut Tracker) -> timetracker_core::Result<T>,
    ) -> Result<T, ErrorPayload> {
        self.request(command, || {
            let mut sibling = self.run(|t| t.open_sibling())?;
            f(&mut sibling).map_err(failed)
        })
    }

    fn request<T>(
        &self,
        command: &'static str,
        body: impl FnOnce() -> Result<T, ErrorPayload>,
    ) -> Result<T, ErrorPayload> {
        let request_id = logging::new_request_id();
        let _request = logging::request_span_with_id(command, &request_id).entered();
        let start = Instant::now();
        let result = crash::scoped(command, &request_id, body);
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
        f(&mut guard).map_err(failed)
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

    /// [`Self::with`] on the blocking pool. Commands are async and hand
    /// their work here, so no import, export or long report runs on the
    /// GTK main thread, where the window would stop drawing until it ended.
    pub async fn off_main<T, F>(
        app: AppHandle,
        command: &'static str,
        f: F,
    ) -> Result<T, ErrorPayload>
    where
        T: Send + 'static,
        F: FnOnce(&AppState, &mut Tracker) -> timetracker_core::Result<T> + Send + 'static,
    {
        on_pool(app, move |s| s.with(command, |t| f(s, t))).await
    }

    /// [`Self::with_metrics`] on the blocking pool, as [`Self::off_main`].
    pub async fn metrics_off_main<T, F>(
        app: AppHandle,
        command: &'static str,
        f: F,
    ) -> Result<T, ErrorPayload>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tracker, &mut MetricsControl) -> timetracker_core::Result<T>
            + Send
            + 'static,
    {
        on_pool(app, move |s| s.with_metrics(command, f)).await
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
    /// Starts the local API if Settings or `TIMETRACKER_API_ADDR` ask for
    /// it; its writes reload the window at once. A failure (port taken...)
    /// is kept for Settings to show.
    pub fn start_api(&self, app: AppHandle) {
        let Some(control) = &self.api_control else {
            return;
        };
        let mut control = control.lock().unwrap_or_else(|p| p.into_inner());
        control.set_on_change(std::sync::Arc::new(move || crate::live::changed(&app)));
        let _ = self.quiet(|t| control.start(t));
    }

    /// Like [`Self::with`], for commands that also drive the local API.
    pub fn with_api<T>(
        &self,
        command: &'static str,
        f: impl FnOnce(&mut Tracker, &mut ApiControl) -> timetracker_core::Result<T>,
    ) -> Result<T, ErrorPayload> {
        let Some(control) = &self.api_control else {
            return Err(timetracker_core::Error::ConfigNoDataDir.to_payload());
        };
        self.with(command, |t| {
            let mut control = control.lock().unwrap_or_else(|p| p.into_inner());
            f(t, &mut control)
        })
    }

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

/// Runs `f` on the blocking pool with the app's state, for commands whose
/// work is more than one [`AppState::with`].
pub async fn on_pool<T: Send + 'static, E: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&AppState) -> Result<T, E> + Send + 'static,
) -> Result<T, E> {
    let task = tauri::async_runtime::spawn_blocking(move || f(&app.state::<AppState>()));
    match task.await {
        Ok(result) => result,
        // The panic hook has logged the panic and cached its crash report;
        // as when commands ran on the main thread, a panic in one ends the
        // app rather than leave it running on half-changed state.
        Err(_) => std::process::abort(),
    }
}

/// A command's failure, logged by its code only.
fn failed(e: timetracker_core::Error) -> ErrorPayload {
    log_event!(warn, "command.failed", code = e.code());
    e.to_payload()
}
