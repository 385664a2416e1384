//! Tauri commands for the desktop features: thin wrappers over core.

use tauri::{AppHandle, State};
use timetracker_core::desktop::{
    DesktopSettings, DesktopStatus, IdleDecision, IdlePrompt, StaleDecision, StaleTimer,
};
use timetracker_core::{Entry, ErrorPayload};

use super::{apply, lock, tray, DesktopState};
use crate::state::AppState;

type CmdResult<T> = Result<T, ErrorPayload>;

fn status(desktop: &DesktopState, settings: DesktopSettings) -> DesktopStatus {
    DesktopStatus {
        settings,
        shortcut_error: lock(&desktop.shortcut_error).clone(),
        idle_source: *lock(&desktop.idle_source),
    }
}

#[tauri::command]
pub fn desktop_settings_get(
    state: State<'_, AppState>,
    desktop: State<'_, DesktopState>,
) -> CmdResult<DesktopStatus> {
    let settings = state.with("desktop_settings_get", |t| t.desktop_settings())?;
    Ok(status(&desktop, settings))
}

#[tauri::command]
pub fn desktop_settings_set(
    app: AppHandle,
    state: State<'_, AppState>,
    desktop: State<'_, DesktopState>,
    settings: DesktopSettings,
) -> CmdResult<DesktopStatus> {
    let (previous, saved) = state.with("desktop_settings_set", |t| {
        let previous = t.desktop_settings()?;
        let saved = t.set_desktop_settings(&settings)?;
        Ok((previous, saved))
    })?;
    apply(&app, &previous, &saved);
    Ok(status(&desktop, saved))
}

/// The timer found running while the app was not (checked at start-up).
#[tauri::command]
pub fn stale_timer_check(desktop: State<'_, DesktopState>) -> Option<StaleTimer> {
    lock(&desktop.stale).clone()
}

#[tauri::command]
pub fn stale_resolve(
    app: AppHandle,
    state: State<'_, AppState>,
    desktop: State<'_, DesktopState>,
    entry_id: i64,
    decision: StaleDecision,
) -> CmdResult<Entry> {
    let entry = state.with("stale_resolve", |t| t.resolve_stale(entry_id, decision))?;
    *lock(&desktop.stale) = None;
    tray::refresh(&app);
    Ok(entry)
}

#[tauri::command]
pub fn idle_resolve(
    app: AppHandle,
    state: State<'_, AppState>,
    prompt: IdlePrompt,
    decision: IdleDecision,
) -> CmdResult<Option<Entry>> {
    let entry = state.with("idle_resolve", |t| t.resolve_idle(&prompt, decision))?;
    tray::refresh(&app);
    Ok(entry)
}

/// Stop the running timer, else start the last project: the in-app
/// shortcut, like the global one and the tray.
#[tauri::command]
pub fn timer_toggle(app: AppHandle) {
    tray::toggle_timer(&app, "window");
}
