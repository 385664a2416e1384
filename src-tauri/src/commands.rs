//! Tauri commands: parse, call core, map the error. Nothing else lives here.

use jiff::tz::TimeZone;
use tauri::{AppHandle, State};
use timetracker_core::breaks::Paused;
use timetracker_core::calendar::{CalendarEdit, CalendarSpan};
use timetracker_core::config::AppInfo;
use timetracker_core::crash::{self, TestResult};
use timetracker_core::logging::{self, LogStatus};
use timetracker_core::metrics::MetricsStatus;
use timetracker_core::reports::{Report, ReportQuery, ReportRange, Rounding};
use timetracker_core::settings::MetricsSettings;
use timetracker_core::targets::ics::IcsDays;
use timetracker_core::targets::{WorkHours, WorkProgress};
use timetracker_core::telemetry::{Inspection, QueuedPage, TelemetryStatus};
use timetracker_core::{
    Client, Day, Deleted, Entry, EntryPage, EntryPatch, Error, ErrorPayload, NewEntry, PageAt,
    Project, ProjectBilling, StartOutcome, Tag,
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
pub async fn projects_list(app: AppHandle, include_archived: bool) -> CmdResult<Vec<Project>> {
    AppState::off_main(app, "projects_list", move |_, t| {
        t.list_projects(include_archived)
    })
    .await
}

#[tauri::command]
pub async fn project_create(
    app: AppHandle,
    name: String,
    color: Option<String>,
) -> CmdResult<Project> {
    AppState::off_main(app, "project_create", move |_, t| {
        t.create_project(&name, color.as_deref())
    })
    .await
}

#[tauri::command]
pub async fn project_rename(app: AppHandle, id: i64, name: String) -> CmdResult<Project> {
    AppState::off_main(app, "project_rename", move |_, t| {
        t.rename_project(id, &name)
    })
    .await
}

#[tauri::command]
pub async fn project_archive(app: AppHandle, id: i64) -> CmdResult<Project> {
    AppState::off_main(app, "project_archive", move |_, t| t.archive_project(id)).await
}

#[tauri::command]
pub async fn project_restore(app: AppHandle, id: i64) -> CmdResult<Project> {
    AppState::off_main(app, "project_restore", move |_, t| t.restore_project(id)).await
}

#[tauri::command]
pub async fn timer_start(
    app: AppHandle,
    project_id: Option<i64>,
    description: String,
) -> CmdResult<StartOutcome> {
    AppState::off_main(app, "timer_start", move |_, t| {
        t.start_timer(project_id, &description)
    })
    .await
}

#[tauri::command]
pub async fn timer_stop(app: AppHandle) -> CmdResult<Entry> {
    AppState::off_main(app, "timer_stop", move |_, t| t.stop_timer()).await
}

#[tauri::command]
pub async fn timer_pause(app: AppHandle) -> CmdResult<Entry> {
    AppState::off_main(app, "timer_pause", move |_, t| t.pause_timer()).await
}

#[tauri::command]
pub async fn timer_resume(app: AppHandle) -> CmdResult<StartOutcome> {
    AppState::off_main(app, "timer_resume", move |_, t| t.resume_timer()).await
}

#[tauri::command]
pub async fn timer_paused(app: AppHandle) -> CmdResult<Option<Paused>> {
    AppState::off_main(app, "timer_paused", move |_, t| t.paused()).await
}

#[tauri::command]
pub async fn timer_status(app: AppHandle) -> CmdResult<Option<Entry>> {
    AppState::off_main(app, "timer_status", move |_, t| t.timer_status()).await
}

#[tauri::command]
pub async fn entries_recent(app: AppHandle, days: u16) -> CmdResult<Vec<Day>> {
    AppState::off_main(app, "entries_recent", move |_, t| {
        t.recent_days(days, &TimeZone::system())
    })
    .await
}

/// A page of the Entries list: whole days from `at`, at least `limit`
/// entries.
#[tauri::command]
pub async fn entries_page(app: AppHandle, at: PageAt, limit: u32) -> CmdResult<EntryPage> {
    AppState::off_main(app, "entries_page", move |_, t| {
        t.entries_page(at, limit as usize, &TimeZone::system())
    })
    .await
}

/// The calendar's columns: `days` local days from `from` (`YYYY-MM-DD`).
#[tauri::command]
pub async fn calendar_span(
    app: AppHandle,
    from: jiff::civil::Date,
    days: u8,
) -> CmdResult<CalendarSpan> {
    AppState::off_main(app, "calendar_span", move |_, t| {
        t.calendar(from, days, &TimeZone::system())
    })
    .await
}

/// A block dragged in the calendar.
#[tauri::command]
pub async fn calendar_edit(app: AppHandle, id: i64, edit: CalendarEdit) -> CmdResult<Entry> {
    AppState::off_main(app, "calendar_edit", move |_, t| t.calendar_edit(id, edit)).await
}

#[tauri::command]
pub async fn work_hours_get(app: AppHandle) -> CmdResult<WorkHours> {
    AppState::off_main(app, "work_hours_get", move |_, t| t.work_hours()).await
}

#[tauri::command]
pub async fn work_hours_set(app: AppHandle, hours: WorkHours) -> CmdResult<WorkHours> {
    AppState::off_main(app, "work_hours_set", move |_, t| t.set_work_hours(hours)).await
}

/// The days off in a holiday calendar (`.ics`) the user picked in the
/// window: its text, never a path, and at most 5 MiB of it.
#[tauri::command]
pub async fn work_hours_parse_ics(app: AppHandle, text: String) -> CmdResult<IcsDays> {
    AppState::off_main(app, "work_hours_parse_ics", move |_, _| {
        timetracker_core::targets::ics::days_off(&text)
    })
    .await
}

/// Today's and this week's progress; the week starts on `first_day`
/// (1 Monday through 7 Sunday, from the window's locale).
#[tauri::command]
pub async fn work_progress(app: AppHandle, first_day: i8) -> CmdResult<Option<WorkProgress>> {
    AppState::off_main(app, "work_progress", move |_, t| {
        let week_start = jiff::civil::Weekday::from_monday_one_offset(first_day)
            .map_err(|_| Error::SettingsInvalid(format!("no weekday {first_day}")))?;
        t.work_progress(week_start, &TimeZone::system())
    })
    .await
}

#[tauri::command]
pub async fn entry_add(app: AppHandle, entry: NewEntry) -> CmdResult<Entry> {
    AppState::off_main(app, "entry_add", move |_, t| t.add_entry(entry)).await
}

#[tauri::command]
pub async fn entry_update(app: AppHandle, id: i64, patch: EntryPatch) -> CmdResult<Entry> {
    AppState::off_main(app, "entry_update", move |_, t| t.update_entry(id, patch)).await
}

#[tauri::command]
pub async fn entry_delete(app: AppHandle, id: i64) -> CmdResult<Deleted> {
    AppState::off_main(app, "entry_delete", move |_, t| t.delete_entry(id)).await
}

#[tauri::command]
pub async fn entry_restore(app: AppHandle, undo: String) -> CmdResult<Entry> {
    AppState::off_main(app, "entry_restore", move |_, t| t.restore_entry(&undo)).await
}

#[tauri::command]
pub async fn project_set_billing(
    app: AppHandle,
    id: i64,
    billing: ProjectBilling,
) -> CmdResult<Project> {
    AppState::off_main(app, "project_set_billing", move |_, t| {
        t.set_project_billing(id, billing)
    })
    .await
}

#[tauri::command]
pub async fn clients_list(app: AppHandle) -> CmdResult<Vec<String>> {
    AppState::off_main(app, "clients_list", move |_, t| t.list_clients()).await
}

#[tauri::command]
pub async fn tags_list(app: AppHandle) -> CmdResult<Vec<String>> {
    AppState::off_main(app, "tags_list", move |_, t| t.list_tags()).await
}

#[tauri::command]
pub async fn clients_all(app: AppHandle, include_archived: bool) -> CmdResult<Vec<Client>> {
    AppState::off_main(app, "clients_all", move |_, t| t.clients(include_archived)).await
}

#[tauri::command]
pub async fn client_create(app: AppHandle, name: String) -> CmdResult<Client> {
    AppState::off_main(app, "client_create", move |_, t| t.create_client(&name)).await
}

#[tauri::command]
pub async fn client_rename(app: AppHandle, id: i64, name: String) -> CmdResult<Client> {
    AppState::off_main(app, "client_rename", move |_, t| t.rename_client(id, &name)).await
}

#[tauri::command]
pub async fn client_set_archived(app: AppHandle, id: i64, archived: bool) -> CmdResult<Client> {
    AppState::off_main(app, "client_set_archived", move |_, t| {
        t.set_client_archived(id, archived)
    })
    .await
}

#[tauri::command]
pub async fn tags_all(app: AppHandle, include_archived: bool) -> CmdResult<Vec<Tag>> {
    AppState::off_main(app, "tags_all", move |_, t| t.tags(include_archived)).await
}

/// The tag, made unless one of that name exists (then returned, restored).
#[tauri::command]
pub async fn tag_create(app: AppHandle, name: String) -> CmdResult<Tag> {
    AppState::off_main(app, "tag_create", move |_, t| {
        t.create_tag(&name).map(|(tag, _)| tag)
    })
    .await
}

#[tauri::command]
pub async fn tag_rename(app: AppHandle, id: i64, name: String) -> CmdResult<Tag> {
    AppState::off_main(app, "tag_rename", move |_, t| t.rename_tag(id, &name)).await
}

#[tauri::command]
pub async fn tag_set_archived(app: AppHandle, id: i64, archived: bool) -> CmdResult<Tag> {
    AppState::off_main(app, "tag_set_archived", move |_, t| {
        t.set_tag_archived(id, archived)
    })
    .await
}

/// A local calendar date from the UI's period picker.
pub(crate) fn local_date(text: &str) -> timetracker_core::Result<jiff::civil::Date> {
    text.parse().map_err(|_| Error::EntryInvalidRange)
}

/// The report for local days `from` through `to` (inclusive, `YYYY-MM-DD`)
/// in the system time zone, rounded as the settings say.
#[tauri::command]
pub async fn report(app: AppHandle, from: String, to: String) -> CmdResult<Report> {
    let tz = TimeZone::system();
    AppState::off_main(app, "report", move |_, t| {
        let range = ReportRange::custom(local_date(&from)?, local_date(&to)?, &tz)?;
        let rounding = t.rounding()?;
        t.report(&ReportQuery {
            from: range.from,
            to: range.to,
            tz,
            rounding,
        })
    })
    .await
}

/// Stores the rounding reports use (`ROUNDING_MINUTES` still wins).
#[tauri::command]
pub async fn rounding_set(app: AppHandle, minutes: u32) -> CmdResult<()> {
    AppState::off_main(app, "rounding_set", move |_, t| {
        t.set_rounding(Rounding::new(minutes)?)
    })
    .await
}

#[tauri::command]
pub async fn metrics_status(app: AppHandle) -> CmdResult<MetricsStatus> {
    AppState::metrics_off_main(app, "metrics_status", move |t, c| c.status(t)).await
}

#[tauri::command]
pub async fn metrics_configure(
    app: AppHandle,
    enabled: bool,
    port: u16,
    per_project: bool,
) -> CmdResult<MetricsStatus> {
    let settings = MetricsSettings {
        enabled,
        port,
        per_project,
    };
    AppState::metrics_off_main(app, "metrics_configure", move |t, c| {
        c.configure(t, &settings)
    })
    .await
}

#[tauri::command]
pub async fn metrics_token_generate(app: AppHandle) -> CmdResult<MetricsStatus> {
    AppState::metrics_off_main(app, "metrics_token_generate", move |t, c| {
        c.generate_token(t)
    })
    .await
}

#[tauri::command]
pub async fn metrics_token_remove(app: AppHandle) -> CmdResult<MetricsStatus> {
    AppState::metrics_off_main(app, "metrics_token_remove", move |t, c| c.remove_token(t)).await
}

#[tauri::command]
pub async fn telemetry_status(app: AppHandle) -> CmdResult<TelemetryStatus> {
    AppState::off_main(app, "telemetry_status", move |state, t| {
        state.telemetry.status(t)
    })
    .await
}

#[tauri::command]
pub async fn telemetry_set_consent(
    app: AppHandle,
    crash_reports: bool,
    usage: bool,
) -> CmdResult<TelemetryStatus> {
    AppState::off_main(app, "telemetry_set_consent", move |state, t| {
        state.telemetry.set_consent(t, crash_reports, usage)
    })
    .await
}

#[tauri::command]
pub async fn telemetry_inspect(app: AppHandle) -> CmdResult<Inspection> {
    AppState::off_main(app, "telemetry_inspect", move |state, t| {
        state.telemetry.inspection(t)
    })
    .await
}

/// One page of the queued payloads, newest first (the outbox holds up to
/// 10,000; the inspector shows a page at a time).
#[tauri::command]
pub async fn telemetry_queued_page(
    app: AppHandle,
    offset: u32,
    limit: u32,
) -> CmdResult<QueuedPage> {
    AppState::off_main(app, "telemetry_queued_page", move |state, t| {
        state.telemetry.queued_page(t, offset, limit)
    })
    .await
}

#[tauri::command]
pub async fn telemetry_delete_queued(app: AppHandle) -> CmdResult<Inspection> {
    AppState::off_main(app, "telemetry_delete_queued", move |state, t| {
        state.telemetry.delete_queued(t)
    })
    .await
}

#[tauri::command]
pub async fn telemetry_reset_id(app: AppHandle) -> CmdResult<TelemetryStatus> {
    AppState::off_main(app, "telemetry_reset_id", move |state, t| {
        state.telemetry.reset_anonymous_id(t)
    })
    .await
}

/// Writes the inspector's contents to a file in the data folder and
/// returns its path.
#[tauri::command]
pub async fn telemetry_export(app: AppHandle) -> CmdResult<String> {
    AppState::off_main(app, "telemetry_export", move |state, t| {
        state.telemetry.export(t).map(|p| p.display().to_string())
    })
    .await
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
pub fn ui_error_log(error: logging::UiError) {
    let request_id = logging::new_request_id();
    let _request = logging::request_span_with_id("ui_error_log", &request_id).entered();
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
pub async fn crash_test_panic(app: AppHandle) -> CmdResult<()> {
    AppState::off_main(app, "crash_test_panic", move |state, t| {
        match &state.crash {
            Some(crash) => crash.test_panic(t),
            None => Err(timetracker_core::Error::TestHooksDisabled),
        }
    })
    .await
}
