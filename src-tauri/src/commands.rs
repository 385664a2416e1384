//! Tauri commands: parse, call core, map the error. Nothing else lives here.

use jiff::tz::TimeZone;
use tauri::State;
use timetracker_core::config::AppInfo;
use timetracker_core::{Day, Entry, ErrorPayload, Project, StartOutcome};

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
    state.with(|t| t.list_projects(include_archived))
}

#[tauri::command]
pub fn project_create(
    state: State<'_, AppState>,
    name: String,
    color: Option<String>,
) -> CmdResult<Project> {
    state.with(|t| t.create_project(&name, color.as_deref()))
}

#[tauri::command]
pub fn project_rename(state: State<'_, AppState>, id: i64, name: String) -> CmdResult<Project> {
    state.with(|t| t.rename_project(id, &name))
}

#[tauri::command]
pub fn project_archive(state: State<'_, AppState>, id: i64) -> CmdResult<Project> {
    state.with(|t| t.archive_project(id))
}

#[tauri::command]
pub fn project_restore(state: State<'_, AppState>, id: i64) -> CmdResult<Project> {
    state.with(|t| t.restore_project(id))
}

#[tauri::command]
pub fn timer_start(
    state: State<'_, AppState>,
    project_id: Option<i64>,
    description: String,
) -> CmdResult<StartOutcome> {
    state.with(|t| t.start_timer(project_id, &description))
}

#[tauri::command]
pub fn timer_stop(state: State<'_, AppState>) -> CmdResult<Entry> {
    state.with(|t| t.stop_timer())
}

#[tauri::command]
pub fn timer_status(state: State<'_, AppState>) -> CmdResult<Option<Entry>> {
    state.with(|t| t.timer_status())
}

#[tauri::command]
pub fn entries_recent(state: State<'_, AppState>, days: u16) -> CmdResult<Vec<Day>> {
    state.with(|t| t.recent_days(days, &TimeZone::system()))
}
