//! The background watcher: every few seconds it reads the idle time and
//! redraws the tray; every minute it writes the heartbeat, looks for a
//! forgotten timer and decides on a reminder. Prompts go to the window as
//! events (`idle-prompt`, `forgotten-prompt`) and bring the window up.

use std::time::{Duration, Instant};

use jiff::Timestamp;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;
use timetracker_core::desktop::{self, IdleDetector, IdleSource};
use timetracker_core::log_event;

use super::{heartbeat_allowed, idle_sources, lock, settings, tray, DesktopState};
use crate::state::AppState;

pub const IDLE_PROMPT: &str = "idle-prompt";
pub const FORGOTTEN_PROMPT: &str = "forgotten-prompt";

const POLL_EVERY: Duration = Duration::from_secs(5);
const MINUTE: Duration = Duration::from_secs(60);

pub fn start(app: AppHandle) {
    // Without the thread the app still works, minus these prompts.
    let _ = std::thread::Builder::new()
        .name("desktop-watcher".into())
        .spawn(move || run(app));
}

fn run(app: AppHandle) {
    let source = idle_sources::detect();
    match &source {
        Some((name, _)) => {
            log_event!("idle.source_found", source = *name);
            *lock(&app.state::<DesktopState>().idle_source) = Some(*name);
        }
        None => log_event!(warn, "idle.source_found", source = "none"),
    }
    let source: Option<Box<dyn IdleSource>> = source.map(|(_, s)| s);
    let mut detector = IdleDetector::new(Duration::ZERO);
    let mut last_minute: Option<Instant> = None;
    let mut last_reminded: Option<Timestamp> = None;
    loop {
        let settings = settings(&app);
        let running = app
            .state::<AppState>()
            .quiet(|t| t.timer_status())
            .flatten();
        detector.set_timeout(Duration::from_secs(
            u64::from(settings.idle_timeout_minutes) * 60,
        ));
        let idle_for = source.as_ref().and_then(|s| s.idle_for());
        let now = Timestamp::now();
        if let Some(prompt) = detector.poll(now, idle_for, running.as_ref().map(|e| e.id)) {
            let _ = app.emit(IDLE_PROMPT, &prompt);
            tray::show_window(&app);
        }
        if last_minute.is_none_or(|at| at.elapsed() >= MINUTE) {
            last_minute = Some(Instant::now());
            every_minute(&app, &settings, running.as_ref(), &mut last_reminded);
        }
        tray::refresh(&app);
        std::thread::sleep(POLL_EVERY);
    }
}

fn every_minute(
    app: &AppHandle,
    settings: &desktop::DesktopSettings,
    running: Option<&timetracker_core::Entry>,
    last_reminded: &mut Option<Timestamp>,
) {
    let state = app.state::<AppState>();
    if heartbeat_allowed(app) {
        let _ = state.quiet(|t| t.heartbeat());
    }
    let now = Timestamp::now();
    let threshold = Duration::from_secs(u64::from(settings.forgotten_after_hours) * 3600);
    if let Some(entry) = state.quiet(|t| t.forgotten_timer(now, threshold)).flatten() {
        let desktop = app.state::<DesktopState>();
        let stale = lock(&desktop.stale).as_ref().map(|s| s.entry.id);
        // The stale prompt already asks about this one.
        if stale != Some(entry.id) && lock(&desktop.forgotten_asked).insert(entry.id) {
            desktop::log_forgotten_prompted(entry.id, entry.duration_seconds);
            let _ = app.emit(FORGOTTEN_PROMPT, &entry);
            tray::show_window(app);
        }
    }
    let tz = jiff::tz::TimeZone::system();
    if desktop::reminder_due(
        now,
        &tz,
        &settings.reminders,
        running.is_some(),
        *last_reminded,
    ) {
        *last_reminded = Some(now);
        let shown = app
            .notification()
            .builder()
            .title("TimeTracker")
            .body("No timer is running. Start one to track your work.")
            .show();
        if shown.is_ok() {
            desktop::log_reminder_shown();
        }
    }
}
