//! The tray icon (an Ayatana AppIndicator on Linux): running or stopped at a
//! glance, and a menu to pause or stop, resume a break, start the last project or one of the five
//! most recent, open the window or quit. The menu is rebuilt when what it
//! shows changes; AppIndicator menus cannot update one label in place.

use std::sync::Mutex;

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, Wry};
use timetracker_core::{log_event, Entry, Tracker};

use crate::live::DATA_CHANGED;
use crate::state::AppState;

const TRAY_ID: &str = "main";
const RECENT_PROJECTS: usize = 5;
/// How far back "recent projects" look.
const RECENT_DAYS: u16 = 60;

/// What the menu shows; the tray is only touched when this changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TraySnapshot {
    /// Project name (or "No project") and elapsed `H:MM` of the running timer.
    pub running: Option<(String, String)>,
    /// The project of the newest entry, for "Start <last project>".
    pub last_project: Option<(i64, String)>,
    pub recent: Vec<(i64, String)>,
    /// While no timer runs: the paused entry's project, for "Resume <project>".
    pub paused: Option<String>,
}

/// The last snapshot shown, so a poll that changes nothing costs no redraw.
#[derive(Default)]
pub struct TrayState {
    shown: Mutex<Option<TraySnapshot>>,
}

pub fn elapsed_label(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

fn project_label(entry: &Entry) -> String {
    entry
        .project_name
        .clone()
        .unwrap_or_else(|| "No project".to_owned())
}

pub fn snapshot(t: &Tracker) -> timetracker_core::Result<TraySnapshot> {
    let running = t
        .timer_status()?
        .map(|e| (project_label(&e), elapsed_label(e.duration_seconds)));
    let paused = t.paused()?.map(|p| project_label(&p.entry));
    let recent = t.recent_projects(RECENT_DAYS, RECENT_PROJECTS, &jiff::tz::TimeZone::system())?;
    Ok(TraySnapshot {
        running,
        last_project: recent.first().cloned(),
        recent,
        paused,
    })
}

/// Running: the app icon; stopped: the same icon in grey, half transparent.
fn icon(running: bool) -> Option<Image<'static>> {
    let image = Image::from_bytes(include_bytes!("../../icons/32x32.png")).ok()?;
    if running {
        return Some(image.to_owned());
    }
    let mut rgba = image.rgba().to_vec();
    for px in rgba.chunks_exact_mut(4) {
        let grey = ((u16::from(px[0]) * 3 + u16::from(px[1]) * 6 + u16::from(px[2])) / 10) as u8;
        px[0] = grey;
        px[1] = grey;
        px[2] = grey;
        px[3] /= 2;
    }
    Some(Image::new_owned(rgba, image.width(), image.height()))
}

fn menu(app: &AppHandle, s: &TraySnapshot) -> tauri::Result<Menu<Wry>> {
    let menu = Menu::new(app)?;
    match &s.running {
        Some((project, elapsed)) => {
            let status = format!("{project} — {elapsed}");
            menu.append(&MenuItem::with_id(
                app,
                "status",
                status,
                false,
                None::<&str>,
            )?)?;
            menu.append(&MenuItem::with_id(
                app,
                "pause",
                "Pause",
                true,
                None::<&str>,
            )?)?;
            menu.append(&MenuItem::with_id(app, "stop", "Stop", true, None::<&str>)?)?;
        }
        None => {
            menu.append(&MenuItem::with_id(
                app,
                "status",
                "No timer running",
                false,
                None::<&str>,
            )?)?;
            if let Some(project) = &s.paused {
                menu.append(&MenuItem::with_id(
                    app,
                    "resume",
                    format!("Resume {project}"),
                    true,
                    None::<&str>,
                )?)?;
            }
            let label = match &s.last_project {
                Some((_, name)) => format!("Start {name}"),
                None => "Start".to_owned(),
            };
            menu.append(&MenuItem::with_id(
                app,
                "start-last",
                label,
                true,
                None::<&str>,
            )?)?;
        }
    }
    if !s.recent.is_empty() {
        menu.append(&PredefinedMenuItem::separator(app)?)?;
        for (id, name) in &s.recent {
            menu.append(&MenuItem::with_id(
                app,
                format!("project:{id}"),
                name,
                true,
                None::<&str>,
            )?)?;
        }
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(
        app,
        "open",
        "Open TimeTracker",
        true,
        None::<&str>,
    )?)?;
    menu.append(&MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?)?;
    Ok(menu)
}

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    app.manage(TrayState::default());
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("TimeTracker")
        .menu(&menu(app, &TraySnapshot::default())?)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()));
    if let Some(icon) = icon(false) {
        builder = builder.icon(icon);
    }
    builder.build(app)?;
    refresh(app);
    Ok(())
}

/// Reads the timer and recent projects and redraws the tray if they changed.
pub fn refresh(app: &AppHandle) {
    let Some(snapshot) = app.state::<AppState>().quiet(|t| snapshot(t)) else {
        return;
    };
    let Some(tray_state) = app.try_state::<TrayState>() else {
        return;
    };
    {
        let mut shown = tray_state
            .shown
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if shown.as_ref() == Some(&snapshot) {
            return;
        }
        *shown = Some(snapshot.clone());
    }
    let handle = app.clone();
    // Menus and icons belong to the GTK main thread.
    let _ = app.run_on_main_thread(move || {
        let Some(tray) = handle.tray_by_id(TRAY_ID) else {
            return;
        };
        if let Ok(menu) = menu(&handle, &snapshot) {
            let _ = tray.set_menu(Some(menu));
        }
        let _ = tray.set_icon(icon(snapshot.running.is_some()));
        let tooltip = match &snapshot.running {
            Some((project, elapsed)) => format!("TimeTracker: {project} {elapsed}"),
            None => "TimeTracker: stopped".to_owned(),
        };
        let _ = tray.set_tooltip(Some(tooltip));
    });
}

pub fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Stops the running timer, else starts the last project (the global
/// shortcut and the tray's first item).
/// From the tray's menu or the global shortcut, on the GTK main thread.
pub fn toggle_timer(app: &AppHandle, via: &'static str) {
    off_main(app, move |app| toggle_timer_now(app, via));
}

/// Stop the running timer, else start the last project.
pub fn toggle_timer_now(app: &AppHandle, via: &'static str) {
    let state = app.state::<AppState>();
    let result = state.with("timer_toggle", |t| {
        if t.timer_status()?.is_some() {
            t.stop_timer().map(|_| "stop")
        } else {
            let last = snapshot(t)?.last_project.map(|(id, _)| id);
            t.start_timer(last, "").map(|_| "start")
        }
    });
    if let Ok(action) = result {
        log_event!("tray.action", action = action, via = via);
    }
    changed(app);
}

/// Pauses the running timer, else resumes the break (the tray's Pause and
/// Resume, and the pause shortcut).
pub fn pause_or_resume(app: &AppHandle, via: &'static str) {
    off_main(app, move |app| {
        let state = app.state::<AppState>();
        let done = state.with("timer_pause_or_resume", |t| {
            if t.timer_status()?.is_some() {
                t.pause_timer().map(|_| "pause")
            } else {
                t.resume_timer().map(|_| "resume")
            }
        });
        if let Ok(action) = done {
            log_event!("tray.action", action = action, via = via);
        }
        changed(app);
    });
}

fn start_project(app: &AppHandle, project_id: i64) {
    off_main(app, move |app| {
        let state = app.state::<AppState>();
        if state
            .with("timer_start", |t| t.start_timer(Some(project_id), ""))
            .is_ok()
        {
            log_event!("tray.action", action = "start_project", via = "tray");
        }
        changed(app);
    });
}

/// The tray's menu and the global shortcut call back on the GTK main
/// thread; their writes go to the blocking pool so that a long import
/// holding the database cannot freeze the window behind them.
fn off_main(app: &AppHandle, f: impl FnOnce(&AppHandle) + Send + 'static) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || f(&app));
}

/// Our own writes do not move SQLite's data_version: tell the window.
pub fn changed(app: &AppHandle) {
    let _ = app.emit(DATA_CHANGED, ());
    refresh(app);
}

fn on_menu(app: &AppHandle, id: &str) {
    match id {
        "stop" | "start-last" => toggle_timer(app, "tray"),
        "pause" | "resume" => pause_or_resume(app, "tray"),
        "open" => {
            log_event!("tray.action", action = "open", via = "tray");
            show_window(app);
        }
        "quit" => {
            log_event!("tray.action", action = "quit", via = "tray");
            app.exit(0);
        }
        other => {
            if let Some(id) = other.strip_prefix("project:").and_then(|n| n.parse().ok()) {
                start_project(app, id);
            }
        }
    }
}
