// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod files;
mod live;
mod state;

use timetracker_core::log_event;
use timetracker_core::logging;

fn main() {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .manage(state::AppState::load())
        .setup(|app| {
            live::start(app.handle().clone());
            Ok(())
        })
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
            commands::entry_add,
            commands::entry_update,
            commands::entry_delete,
            commands::entry_restore,
            commands::project_set_billing,
            commands::clients_list,
            commands::tags_list,
            commands::report,
            commands::rounding_set,
            files::export_entries,
            files::import_preview,
            files::import_commit,
            commands::metrics_status,
            commands::metrics_configure,
            commands::metrics_token_generate,
            commands::metrics_token_remove,
            commands::telemetry_status,
            commands::telemetry_set_consent,
            commands::telemetry_inspect,
            commands::telemetry_delete_queued,
            commands::telemetry_reset_id,
            commands::telemetry_export,
            commands::logging_status,
            commands::logs_open_folder,
            commands::ui_error_log,
            commands::crash_send_test_error,
            commands::crash_test_panic,
        ])
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(error) => {
            log_event!(critical, "app.start_failed", code = "app.tauri");
            logging::flush(logging::EXIT_FLUSH_TIMEOUT);
            eprintln!("TimeTracker could not start: {error}");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            let _exit = logging::request_span("exit").entered();
            // What is not delivered in two seconds goes at the next launch.
            use tauri::Manager;
            let state = handle.state::<state::AppState>();
            state.telemetry.shutdown(std::time::Duration::from_secs(2));
            if let Some(crash) = &state.crash {
                crash.flush(std::time::Duration::from_secs(2));
            }
            log_event!("app.exited");
            logging::flush(logging::EXIT_FLUSH_TIMEOUT);
        }
    });
}
