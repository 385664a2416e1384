//! Tauri commands for the desktop features: thin wrappers over core.

use tauri::{AppHandle, Manager, State};
use timetracker_core::desktop::{
    DesktopSettings, DesktopStatus, IdleDecision, IdlePrompt, StaleDecision, StaleTimer,
};
use timetracker_core::{Entry, ErrorPayload};

use super::{apply, lock, tray, DesktopState};
use crate::state::on_pool;

type CmdResult<T> = Result<T, ErrorPayload>;

fn status(desktop: &DesktopState, settings: DesktopSettings) -> DesktopStatus {
    DesktopStatus {
        settings,
        shortcut_error: lock(&desktop.shortcut_error).clone(),
        pause_shortcut_error: lock(&desktop.pause_shortcut_error).clone(),
        idle_source: *lock(&desktop.idle_source),
    }
}

#[tauri::command]
pub async fn desktop_settings_get(app: AppHandle) -> CmdResult<DesktopStatus> {
    let handle = app.clone();
    on_pool(app, move |state| {
        let settings = state.with("desktop_settings_get", |t| t.desktop_settings())?;
        Ok(status(&handle.state::<DesktopState>(), settings))
    })
    .await
}

#[tauri::command]
pub async fn desktop_settings_set(
    app: AppHandle,
    settings: DesktopSettings,
) -> CmdResult<DesktopStatus> {
    let handle = app.clone();
    on_pool(app, move |state| {
        let (previous, saved) = state.with("desktop_settings_set", |t| {
            let previous = t.desktop_settings()?;
            let saved = t.set_desktop_settings(&settings)?;
            Ok((previous, saved))
        })?;
        apply(&handle, &previous, &saved);
        Ok(status(&handle.state::<DesktopState>(), saved))
    })
    .await
}

/// The timer found running while the app was not (checked at start-up).
#[tauri::command]
pub fn stale_timer_check(desktop: State<'_, DesktopState>) -> Option<StaleTimer> {
    lock(&desktop.stale).clone()
}

#[tauri::command]
pub async fn stale_resolve(
    app: AppHandle,
    entry_id: i64,
    decision: StaleDecision,
) -> CmdResult<Entry> {
    let handle = app.clone();
    on_pool(app, move |state| {
        let entry = state.with("stale_resolve", |t| t.resolve_stale(entry_id, decision))?;
        *lock(&handle.state::<DesktopState>().stale) = None;
        tray::refresh(&handle);
        Ok(entry)
    })
    .await
}

#[tauri::command]
pub async fn idle_resolve(
    app: AppHandle,
    prompt: IdlePrompt,
    decision: IdleDecision,
) -> CmdResult<Option<Entry>> {
    let handle = app.clone();
    on_pool(app, move |state| {
        let entry = state.with("idle_resolve", |t| t.resolve_idle(&prompt, decision))?;
        tray::refresh(&handle);
        Ok(entry)
    })
    .await
}

/// Stop the running timer, else start the last project: the in-app
/// shortcut, like the global one and the tray.
#[tauri::command]
pub async fn timer_toggle(app: AppHandle) {
    let handle = app.clone();
    let _ = on_pool(app, move |_| {
        tray::toggle_timer_now(&handle, "window");
        Ok::<(), ()>(())
    })
    .await;
}
