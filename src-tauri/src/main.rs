// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod state;

fn main() {
    let result = tauri::Builder::default()
        .manage(state::AppState::load())
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::projects_list,
            commands::project_create,
            commands::project_rename,
            commands::project_archive,
            commands::project_restore,
            commands::timer_start,
            commands::timer_stop,
            commands::timer_status,
            commands::entries_recent,
        ])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("TimeTracker could not start: {error}");
        std::process::exit(1);
    }
}
