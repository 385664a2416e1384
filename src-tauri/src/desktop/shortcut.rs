//! The global shortcut that toggles the timer from any application. A
//! shortcut that cannot be registered (bad syntax, taken by another app)
//! is kept as a message for Settings instead of failing the start-up.

use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Shortcut, ShortcutEvent, ShortcutState};
use timetracker_core::log_event;

use super::{lock, tray, DesktopState};

/// The plugin, with the one handler every registered shortcut shares.
pub fn plugin() -> tauri::plugin::TauriPlugin<Wry> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(
            |app: &AppHandle, _shortcut: &Shortcut, event: ShortcutEvent| {
                if event.state() == ShortcutState::Pressed {
                    tray::toggle_timer(app, "shortcut");
                }
            },
        )
        .build()
}

/// Replaces the registered shortcut with `text`, recording any failure.
pub fn apply(app: &AppHandle, text: &str) {
    let desktop = app.state::<DesktopState>();
    let shortcuts = app.global_shortcut();
    if let Some(old) = lock(&desktop.registered_shortcut).take() {
        let _ = shortcuts.unregister(old.as_str());
    }
    let result = text
        .parse::<Shortcut>()
        .map_err(|e| format!("“{text}” is not a shortcut: {e}"))
        .and_then(|shortcut| {
            shortcuts
                .register(shortcut)
                .map_err(|e| format!("“{text}” could not be registered: {e}"))
        });
    match result {
        Ok(()) => {
            log_event!("shortcut.registered");
            *lock(&desktop.registered_shortcut) = Some(text.to_owned());
            *lock(&desktop.shortcut_error) = None;
        }
        Err(message) => {
            log_event!(warn, "shortcut.failed");
            *lock(&desktop.shortcut_error) = Some(message);
        }
    }
}
