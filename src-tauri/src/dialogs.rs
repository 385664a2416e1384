//! The system's open and save dialogs, opened by the shell and never by the
//! webview: a path reaches the core only from a dialog the user answered,
//! so a compromised webview cannot read or replace a file of its choosing.
//!
//! With `TIMETRACKER_TEST_HOOKS=1` the end-to-end tests, which cannot drive
//! a GTK dialog over WebDriver, queue the answers instead.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;

use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::DialogExt;
use timetracker_core::crash::TEST_HOOKS_ENV;
use timetracker_core::{Error, ErrorPayload};

use crate::state::AppState;

/// Answers queued by the end-to-end tests, used before any dialog opens.
#[derive(Default)]
pub struct TestAnswers(Mutex<VecDeque<PathBuf>>);

impl TestAnswers {
    fn next(&self) -> Option<PathBuf> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop_front()
    }
}

/// A dialog to open: its title and file type filter.
pub struct Ask<'a> {
    pub title: &'a str,
    pub filters: &'a [(&'a str, &'a [&'a str])],
}

/// The file the user picked to open, or None when they cancelled.
pub async fn pick_file(app: &AppHandle, ask: Ask<'_>) -> Option<PathBuf> {
    if let Some(answer) = app.state::<TestAnswers>().next() {
        return Some(answer);
    }
    let dialog = builder(app, &ask);
    blocking(move || dialog.blocking_pick_file()).await
}

/// Where the user chose to save, or None when they cancelled.
pub async fn save_file(app: &AppHandle, ask: Ask<'_>, file_name: &str) -> Option<PathBuf> {
    if let Some(answer) = app.state::<TestAnswers>().next() {
        return Some(answer);
    }
    let dialog = builder(app, &ask).set_file_name(file_name);
    blocking(move || dialog.blocking_save_file()).await
}

fn builder(app: &AppHandle, ask: &Ask<'_>) -> tauri_plugin_dialog::FileDialogBuilder<tauri::Wry> {
    let mut dialog = app.dialog().file().set_title(ask.title);
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    for (name, extensions) in ask.filters {
        dialog = dialog.add_filter(*name, extensions);
    }
    dialog
}

/// Runs a blocking dialog off the async workers and the main thread (where
/// a blocking dialog would wait on the very loop that draws it).
async fn blocking(
    ask: impl FnOnce() -> Option<tauri_plugin_dialog::FilePath> + Send + 'static,
) -> Option<PathBuf> {
    let chosen = tauri::async_runtime::spawn_blocking(ask).await.ok()??;
    chosen.into_path().ok()
}

/// Queues the path the next dialog answers with. A test aid, refused
/// unless the app was started with `TIMETRACKER_TEST_HOOKS=1`.
#[tauri::command]
pub fn test_dialog_answer(
    state: State<'_, AppState>,
    answers: State<'_, TestAnswers>,
    path: String,
) -> Result<(), ErrorPayload> {
    state.with("test_dialog_answer", |_| {
        if state.env.raw(TEST_HOOKS_ENV) != Some("1") {
            return Err(Error::TestHooksDisabled);
        }
        answers
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push_back(PathBuf::from(path));
        Ok(())
    })
}
