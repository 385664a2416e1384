//! The global shortcuts: one toggles the timer, an optional second one
//! pauses it or resumes the break, from any application. A shortcut that
//! cannot be registered (bad syntax, taken by another app) is kept as a
//! message for Settings instead of failing the start-up.

use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Shortcut, ShortcutEvent, ShortcutState};
use timetracker_core::log_event;

use super::{lock, tray, DesktopState};

/// Which of the two shortcuts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Toggle,
    Pause,
}

/// The plugin, with the one handler every registered shortcut shares.
pub fn plugin() -> tauri::plugin::TauriPlugin<Wry> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(
            |app: &AppHandle, shortcut: &Shortcut, event: ShortcutEvent| {
                if event.state() != ShortcutState::Pressed {
                    return;
                }
                let pause = *lock(app.state::<DesktopState>().registered(Slot::Pause));
                if pause.as_ref() == Some(shortcut) {
                    tray::pause_or_resume(app, "shortcut");
                } else {
                    tray::toggle_timer(app, "shortcut");
                }
            },
        )
        .build()
}

/// Replaces the shortcut in `slot` with `text` (empty: none), recording
/// any failure.
pub fn apply(app: &AppHandle, slot: Slot, text: &str) {
    let desktop = app.state::<DesktopState>();
    let shortcuts = app.global_shortcut();
    if let Some(old) = lock(desktop.registered(slot)).take() {
        let _ = shortcuts.unregister(old);
    }
    if text.is_empty() {
        *lock(desktop.error(slot)) = None;
        return;
    }
    let result = text
        .parse::<Shortcut>()
        .map_err(|e| format!("“{text}” is not a shortcut: {e}"))
        .and_then(|shortcut| {
            shortcuts
                .register(shortcut)
                .map(|()| shortcut)
                .map_err(|e| format!("“{text}” could not be registered: {e}"))
        });
    let which = match slot {
        Slot::Toggle => "toggle",
        Slot::Pause => "pause",
    };
    match result {
        Ok(shortcut) => {
            log_event!("shortcut.registered", shortcut = which);
            *lock(desktop.registered(slot)) = Some(shortcut);
            *lock(desktop.error(slot)) = None;
        }
        Err(message) => {
            log_event!(warn, "shortcut.failed", shortcut = which);
            *lock(desktop.error(slot)) = Some(message);
        }
    }
}
