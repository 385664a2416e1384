//! Tauri commands: parse, call core, map the error. Nothing else lives here.

use jiff::tz::TimeZone;
use tauri::State;
use timetracker_core::config::AppInfo;
use timetracker_core::crash::{self, TestResult};
use timetracker_core::logging::{self, LogStatus};
use timetracker_core::metrics::MetricsStatus;
use timetracker_core::reports::{Report, ReportQuery, ReportRange, Rounding};
use timetracker_core::settings::MetricsSettings;
use timetracker_core::telemetry::{Inspection, QueuedPage, TelemetryStatus};
use timetracker_core::{
    Day, Deleted, Entry, EntryPatch, Error, ErrorPayload, NewEntry, Project, ProjectBilling,
    StartOutcome,
};

use crate::state::AppState;

type CmdResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state.data_dir.as_ref().map(|d| d.display().to_string()),
        database_path: state.data_dir.as_ref().map(|d| {
            timetracker_core::config::database_path(d)
                .display()
                .to_string()
        }),
        startup_error: state.startup_error(),
    }
}

#[tauri::command]
pub fn projects_list(
    state: State<'_, AppState>,
    include_archived: bool,
) -> CmdResult<Vec<Project>> {
    state.with("projects_list", |t| t.list_projects(include_archived))
}

#[tauri::command]
pub fn project_create(
    state: State<'_, AppState>,
    name: String,
    color: Option<String>,
) -> CmdResult<Project> {
    state.with("project_create", |t| {
        t.create_project(&name, color.as_deref())
    })
}

#[tauri::command]
pub fn project_rename(state: State<'_, AppState>, id: i64, name: String) -> CmdResult<Project> {
    state.with("project_rename", |t| t.rename_project(id, &name))
}

#[tauri::command]
pub fn project_archive(state: State<'_, AppState>, id: i64) -> CmdResult<Project> {
    state.with("project_archive", |t| t.archive_project(id))
}

#[tauri::command]
pub fn project_restore(state: State<'_, AppState>, id: i64) -> CmdResult<Project> {
    state.with("project_restore", |t| t.restore_project(id))
}

#[tauri::command]
pub fn timer_start(
    state: State<'_, AppState>,
    project_id: Option<i64>,
    description: String,
) -> CmdResult<StartOutcome> {
    state.with("timer_start", |t| t.start_timer(project_id, &description))
}

#[tauri::command]
pub fn timer_stop(state: State<'_, AppState>) -> CmdResult<Entry> {
    state.with("timer_stop", |t| t.stop_timer())
}

#[tauri::command]
pub fn timer_status(state: State<'_, AppState>) -> CmdResult<Option<Entry>> {
    state.with("timer_status", |t| t.timer_status())
}

#[tauri::command]
pub fn entries_recent(state: State<'_, AppState>, days: u16) -> CmdResult<Vec<Day>> {
    state.with("entries_recent", |t| {
        t.recent_days(days, &TimeZone::system())
    })
}

#[tauri::command]
pub fn entry_add(state: State<'_, AppState>, entry: NewEntry) -> CmdResult<Entry> {
    state.with("entry_add", |t| t.add_entry(entry))
}

#[tauri::command]
pub fn entry_update(state: State<'_, AppState>, id: i64, patch: EntryPatch) -> CmdResult<Entry> {
    state.with("entry_update", |t| t.update_entry(id, patch))
}

#[tauri::command]
pub fn entry_delete(state: State<'_, AppState>, id: i64) -> CmdResult<Deleted> {
    state.with("entry_delete", |t| t.delete_entry(id))
}

#[tauri::command]
pub fn entry_restore(state: State<'_, AppState>, undo: String) -> CmdResult<Entry> {
    state.with("entry_restore", |t| t.restore_entry(&undo))
}

#[tauri::command]
pub fn project_set_billing(
    state: State<'_, AppState>,
    id: i64,
    billing: ProjectBilling,
) -> CmdResult<Project> {
    state.with("project_set_billing", |t| {
        t.set_project_billing(id, billing)
    })
}

#[tauri::command]
pub fn clients_list(state: State<'_, AppState>) -> CmdResult<Vec<String>> {
    state.with("clients_list", |t| t.list_clients())
}

#[tauri::command]
pub fn tags_list(state: State<'_, AppState>) -> CmdResult<Vec<String>> {
    state.with("tags_list", |t| t.list_tags())
}

/// A local calendar date from the UI's period picker.
pub(crate) fn local_date(text: &str) -> timetracker_core::Result<jiff::civil::Date> {
    text.parse().map_err(|_| Error::EntryInvalidRange)
}

/// The report for local days `from` through `to` (inclusive, `YYYY-MM-DD`)
/// in the system time zone, rounded as the settings say.
#[tauri::command]
pub fn report(state: State<'_, AppState>, from: String, to: String) -> CmdResult<Report> {
    let tz = TimeZone::system();
    state.with("report", |t| {
        let range = ReportRange::custom(local_date(&from)?, local_date(&to)?, &tz)?;
        let rounding = t.rounding()?;
        t.report(&ReportQuery {
            from: range.from,
            to: range.to,
            tz,
            rounding,
        })
    })
}

/// Stores the rounding reports use (`ROUNDING_MINUTES` still wins).
#[tauri::command]
pub fn rounding_set(state: State<'_, AppState>, minutes: u32) -> CmdResult<()> {
    state.with("rounding_set", |t| t.set_rounding(Rounding::new(minutes)?))
}

#[tauri::command]
pub fn metrics_status(state: State<'_, AppState>) -> CmdResult<MetricsStatus> {
    state.with_metrics("metrics_status", |t, c| c.status(t))
}

#[tauri::command]
pub fn metrics_configure(
    state: State<'_, AppState>,
    enabled: bool,
    port: u16,
    per_project: bool,
) -> CmdResult<MetricsStatus> {
    let settings = MetricsSettings {
        enabled,
        port,
        per_project,
    };
    state.with_metrics("metrics_configure", |t, c| c.configure(t, &settings))
}

#[tauri::command]
pub fn metrics_token_generate(state: State<'_, AppState>) -> CmdResult<MetricsStatus> {
    state.with_metrics("metrics_token_generate", |t, c| c.generate_token(t))
}

#[tauri::command]
pub fn metrics_token_remove(state: State<'_, AppState>) -> CmdResult<MetricsStatus> {
    state.with_metrics("metrics_token_remove", |t, c| c.remove_token(t))
}

#[tauri::command]
pub fn telemetry_status(state: State<'_, AppState>) -> CmdResult<TelemetryStatus> {
    state.with("telemetry_status", |t| state.telemetry.status(t))
}

#[tauri::command]
pub fn telemetry_set_consent(
    state: State<'_, AppState>,
    crash_reports: bool,
    usage: bool,
) -> CmdResult<TelemetryStatus> {
    state.with("telemetry_set_consent", |t| {
        state.telemetry.set_consent(t, crash_reports, usage)
    })
}

#[tauri::command]
pub fn telemetry_inspect(state: State<'_, AppState>) -> CmdResult<Inspection> {
    state.with("telemetry_inspect", |t| state.telemetry.inspection(t))
}

/// One page of the queued payloads, newest first (the outbox holds up to
/// 10,000; the inspector shows a page at a time).
#[tauri::command]
pub fn telemetry_queued_page(
    state: State<'_, AppState>,
    offset: u32,
    limit: u32,
) -> CmdResult<QueuedPage> {
    state.with("telemetry_queued_page", |t| {
        state.telemetry.queued_page(t, offset, limit)
    })
}

#[tauri::command]
pub fn telemetry_delete_queued(state: State<'_, AppState>) -> CmdResult<Inspection> {
    state.with("telemetry_delete_queued", |t| {
        state.telemetry.delete_queued(t)
    })
}

#[tauri::command]
pub fn telemetry_reset_id(state: State<'_, AppState>) -> CmdResult<TelemetryStatus> {
    state.with("telemetry_reset_id", |t| {
        state.telemetry.reset_anonymous_id(t)
    })
}

/// Writes the inspector's contents to a file in the data folder and
/// returns its path.
#[tauri::command]
pub fn telemetry_export(state: State<'_, AppState>) -> CmdResult<String> {
    state.with("telemetry_export", |t| {
        state.telemetry.export(t).map(|p| p.display().to_string())
    })
}

#[tauri::command]
pub fn logging_status(state: State<'_, AppState>) -> Option<LogStatus> {
    state.logs.as_ref().map(|w| w.status())
}

#[tauri::command]
pub fn logs_open_folder(app: tauri::AppHandle, state: State<'_, AppState>) -> CmdResult<()> {
    use tauri_plugin_opener::OpenerExt;
    let Some(dir) = state.logs.as_ref().map(|w| w.dir().to_path_buf()) else {
        return Err(Error::LoggingUnavailable.to_payload());
    };
    let _ = std::fs::create_dir_all(&dir);
    app.opener()
        .open_path(dir.display().to_string(), None::<&str>)
        .map_err(|e| {
            Error::LoggingOpenFailed {
                path: dir,
                reason: e.to_string(),
            }
            .to_payload()
        })
}

/// A JavaScript `error` or `unhandledrejection` from the window, logged
/// with the command the UI ran last.
#[tauri::command]
pub fn ui_error_log(
    kind: String,
    message: String,
    source: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    last_command: Option<String>,
) {
    let request_id = logging::new_request_id();
    let _request = logging::request_span_with_id("ui_error_log", &request_id).entered();
    let error = logging::UiError {
        kind,
        message,
        source,
        line,
        column,
        last_command,
    };
    // Error-level: with crash reports on, this becomes a Sentry event
    // tagged with the request, through the log bridge.
    let _ = crash::scoped("ui_error_log", &request_id, || -> Result<(), ()> {
        logging::log_ui_error(&error);
        Ok(())
    });
}

/// Async, and off the tracker lock: it waits up to 15 s for the server.
#[tauri::command]
pub async fn crash_send_test_error(state: State<'_, AppState>) -> CmdResult<TestResult> {
    let Some(crash) = state.crash.clone() else {
        return Err(Error::ConfigNoDataDir.to_payload());
    };
    let span = logging::request_span("crash_send_test_error");
    tauri::async_runtime::spawn_blocking(move || span.in_scope(|| crash.send_test_error()))
        .await
        .map_err(|_| Error::CrashTestFailed.to_payload())
}

#[tauri::command]
pub fn crash_test_panic(state: State<'_, AppState>) -> CmdResult<()> {
    state.with("crash_test_panic", |t| match &state.crash {
        Some(crash) => crash.test_panic(t),
        None => Err(timetracker_core::Error::TestHooksDisabled),
    })
}
