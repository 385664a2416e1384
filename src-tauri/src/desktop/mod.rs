//! Desktop integration in the shell: tray, global shortcut, idle sources,
//! the background watcher (idle, heartbeat, forgotten timers, reminders),
//! hide-to-tray and autostart. What to decide lives in core
//! (`timetracker_core::desktop`); this module gathers input and shows it.

pub mod commands;
mod idle_sources;
mod shortcut;

pub use shortcut::plugin as shortcut_plugin;
pub mod tray;
mod watcher;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime, Window, WindowEvent};
use tauri_plugin_global_shortcut::Shortcut;
use timetracker_core::desktop::{DesktopSettings, StaleTimer};
use timetracker_core::log_event;

use crate::state::AppState;

/// A heartbeat older than this at start-up means the app was not running.
const STALE_GRACE: Duration = Duration::from_secs(180);

/// What the desktop side remembers while the app runs.
#[derive(Default)]
pub struct DesktopState {
    /// Why the global shortcut could not be registered, for Settings.
    pub shortcut_error: Mutex<Option<String>>,
    registered_shortcut: Mutex<Option<Shortcut>>,
    /// The same for the pause shortcut.
    pub pause_shortcut_error: Mutex<Option<String>>,
    registered_pause_shortcut: Mutex<Option<Shortcut>>,
    /// Which idle source answered ("mutter", "x11"), for Settings.
    pub idle_source: Mutex<Option<&'static str>>,
    /// Why the tray icon could not be made, for Settings › Diagnostics.
    pub tray_error: Mutex<Option<String>>,
    /// The timer found running while the app was not, until answered.
    pub stale: Mutex<Option<StaleTimer>>,
    /// Heartbeats wait until the start-up stale check has run.
    stale_checked: AtomicBool,
    /// Entries already asked about "Still working on it?" (once each).
    pub forgotten_asked: Mutex<HashSet<i64>>,
}

impl DesktopState {
    fn registered(&self, slot: shortcut::Slot) -> &Mutex<Option<Shortcut>> {
        match slot {
            shortcut::Slot::Toggle => &self.registered_shortcut,
            shortcut::Slot::Pause => &self.registered_pause_shortcut,
        }
    }

    fn error(&self, slot: shortcut::Slot) -> &Mutex<Option<String>> {
        match slot {
            shortcut::Slot::Toggle => &self.shortcut_error,
            shortcut::Slot::Pause => &self.pause_shortcut_error,
        }
    }
}

pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn settings(app: &AppHandle) -> DesktopSettings {
    app.state::<AppState>()
        .quiet(|t| t.desktop_settings())
        .unwrap_or_default()
}

/// Everything that needs the app built: after the single-instance plugin
/// had its chance to end a second launch.
pub fn setup(app: &AppHandle) {
    app.manage(DesktopState::default());
    let desktop = app.state::<DesktopState>();
    // Before the first heartbeat, which would hide a stale timer.
    let stale = app
        .state::<AppState>()
        .with("stale_timer_check", |t| t.stale_timer(STALE_GRACE))
        .ok()
        .flatten();
    *lock(&desktop.stale) = stale;
    desktop.stale_checked.store(true, Ordering::SeqCst);

    let current = settings(app);
    shortcut::apply(app, shortcut::Slot::Toggle, &current.shortcut);
    shortcut::apply(app, shortcut::Slot::Pause, &current.pause_shortcut);
    if let Err(error) = tray::create(app) {
        // No tray (no StatusNotifier host, ...): the window still works.
        log_event!(warn, "tray.unavailable", code = "tray.create_failed");
        *lock(&desktop.tray_error) = Some(error.to_string());
    }
    watcher::start(app.clone());
}

/// Applies saved settings that live outside the database.
pub fn apply(app: &AppHandle, previous: &DesktopSettings, new: &DesktopSettings) {
    let desktop = app.state::<DesktopState>();
    if previous.shortcut != new.shortcut || lock(&desktop.shortcut_error).is_some() {
        shortcut::apply(app, shortcut::Slot::Toggle, &new.shortcut);
    }
    if previous.pause_shortcut != new.pause_shortcut
        || lock(&desktop.pause_shortcut_error).is_some()
    {
        shortcut::apply(app, shortcut::Slot::Pause, &new.pause_shortcut);
    }
    if previous.autostart != new.autostart {
        use tauri_plugin_autostart::ManagerExt;
        let launcher = app.autolaunch();
        let result = if new.autostart {
            launcher.enable()
        } else {
            launcher.disable()
        };
        match result {
            Ok(()) => log_event!("autostart.changed", enabled = new.autostart, ok = true),
            Err(_) => log_event!(
                warn,
                "autostart.changed",
                enabled = new.autostart,
                ok = false
            ),
        }
    }
}

/// Closing the window hides it to the tray when the setting is on.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        let app = window.app_handle();
        let hide = app
            .try_state::<AppState>()
            .and_then(|s| s.quiet(|t| t.desktop_settings()))
            .unwrap_or_default()
            .hide_to_tray;
        if hide {
            api.prevent_close();
            let _ = window.hide();
            log_event!("window.hidden_to_tray");
        }
    }
}

pub(crate) fn heartbeat_allowed(app: &AppHandle) -> bool {
    app.state::<DesktopState>()
        .stale_checked
        .load(Ordering::SeqCst)
}
