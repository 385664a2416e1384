//! Sync in the desktop app: the background watcher (core's `AutoSync`,
//! which syncs on its own when files arrive or changes are made), and the
//! Settings › Sync commands.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Emitter, Manager};
use timetracker_core::sync::watch::AutoSync;
use timetracker_core::sync::{SyncReport, SyncStatus};
use timetracker_core::{ErrorPayload, SystemClock};

use crate::live::DATA_CHANGED;
use crate::state::AppState;

type CmdResult<T> = Result<T, ErrorPayload>;

/// The running watcher, poked after a settings change.
pub struct SyncWatcher(Mutex<Option<AutoSync>>);

impl SyncWatcher {
    fn poke(&self) {
        if let Ok(w) = self.0.lock() {
            if let Some(w) = w.as_ref() {
                w.poke();
            }
        }
    }
}

/// Starts the watcher on the app's database; what it applies shows at once.
pub fn start(app: &AppHandle) {
    let db = app
        .state::<AppState>()
        .data_dir
        .as_ref()
        .map(|d| timetracker_core::config::database_path(d));
    let watcher = db.map(|db| {
        let handle = app.clone();
        AutoSync::start(db, Arc::new(SystemClock), move |report: &SyncReport| {
            if report.applied > 0 {
                let _ = handle.emit(DATA_CHANGED, ());
            }
        })
    });
    app.manage(SyncWatcher(Mutex::new(watcher)));
}

/// Runs `f` as the request `command` on a blocking thread, then pokes the
/// watcher (a new folder, a new device name).
async fn run<T: Send + 'static>(
    app: AppHandle,
    command: &'static str,
    f: impl FnOnce(&mut timetracker_core::Tracker) -> timetracker_core::Result<T> + Send + 'static,
) -> CmdResult<T> {
    let result = AppState::off_main(app.clone(), command, move |_, t| f(t)).await;
    app.state::<SyncWatcher>().poke();
    result
}

#[tauri::command]
pub async fn sync_status(app: AppHandle) -> CmdResult<SyncStatus> {
    run(app, "sync_status", |t| t.sync_status()).await
}

#[tauri::command]
pub async fn sync_enable(
    app: AppHandle,
    folder: String,
    name: Option<String>,
) -> CmdResult<SyncReport> {
    run(app, "sync_enable", move |t| {
        t.sync_enable(
            &PathBuf::from(folder),
            name.as_deref().filter(|n| !n.trim().is_empty()),
            false,
        )
    })
    .await
}

#[tauri::command]
pub async fn sync_disable(app: AppHandle) -> CmdResult<SyncStatus> {
    run(app, "sync_disable", |t| t.sync_disable()).await
}

#[tauri::command]
pub async fn sync_now(app: AppHandle) -> CmdResult<SyncReport> {
    run(app, "sync_now", |t| t.sync_now()).await
}

#[tauri::command]
pub async fn sync_restore_conflict(app: AppHandle, id: i64) -> CmdResult<SyncStatus> {
    run(app, "sync_restore_conflict", move |t| {
        t.sync_restore_conflict(id)?;
        t.sync_status()
    })
    .await
}

#[tauri::command]
pub async fn sync_dismiss_conflict(app: AppHandle, id: i64) -> CmdResult<SyncStatus> {
    run(app, "sync_dismiss_conflict", move |t| {
        t.sync_dismiss_conflict(id)?;
        t.sync_status()
    })
    .await
}
