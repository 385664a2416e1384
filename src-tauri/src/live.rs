//! Live refresh: a change another process makes to the database (the `tt`
//! command line, a second app) shows in the window without a restart.
//! SQLite's `PRAGMA data_version` on our connection moves whenever another
//! connection commits, and never for our own writes, so one cheap read a
//! second is enough; the window then reloads what it shows.

use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;

/// The event the UI listens for (ui/src/lib/live.ts).
pub const DATA_CHANGED: &str = "data-changed";

/// One poll a second keeps a CLI change on screen within two seconds.
const POLL_EVERY: Duration = Duration::from_secs(1);

/// Tells the window at once that another connection changed the data (the
/// local API's writes), without waiting for the next poll.
pub fn changed(app: &AppHandle) {
    let _ = app.emit(DATA_CHANGED, ());
}

pub fn start(app: AppHandle) {
    // Without the thread the app still works; views also reload on focus.
    let _ = std::thread::Builder::new()
        .name("live-refresh".into())
        .spawn(move || {
            // The baseline is read before the window has loaded anything, so
            // a commit made while it loads is not taken for the baseline.
            let mut seen = app.state::<AppState>().data_version();
            loop {
                std::thread::sleep(POLL_EVERY);
                let Some(version) = app.state::<AppState>().data_version() else {
                    continue;
                };
                if seen.is_some_and(|old| old != version) {
                    let _ = app.emit(DATA_CHANGED, ());
                }
                seen = Some(version);
            }
        });
}
