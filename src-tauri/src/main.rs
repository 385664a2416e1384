// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod desktop;
mod dialogs;
mod doctor;
mod files;
mod integrations;
mod live;
mod state;
mod sync;

use tauri::Manager;
use timetracker_core::log_event;
use timetracker_core::logging;

fn main() {
    let app = tauri::Builder::default()
        // First: a second launch hands over to the running app and exits
        // here, before it opens the database or a window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            log_event!("app.second_instance");
            desktop::tray::show_window(app);
        }))
        // Size, position, maximized; not visibility: quitting from the tray
        // while hidden must not bring the next launch up hidden.
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        .plugin(tauri_plugin_autostart::Builder::new().build())
        .plugin(tauri_plugin_notification::init())
        .plugin(desktop::shortcut_plugin())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            app.manage(state::AppState::load());
            live::start(app.handle().clone());
            app.state::<state::AppState>()
                .start_api(app.handle().clone());
            sync::start(app.handle());
            app.manage(doctor::Previewed::default());
            app.manage(dialogs::TestAnswers::default());
            app.manage(timetracker_core::io::files::Grants::default());
            desktop::setup(app.handle());
            Ok(())
        })
        .on_window_event(desktop::on_window_event)
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
            commands::timer_pause,
            commands::timer_resume,
            commands::timer_paused,
            commands::entries_recent,
            commands::entries_page,
            commands::calendar_span,
            commands::calendar_edit,
            commands::work_hours_get,
            commands::work_hours_set,
            commands::work_progress,
            commands::work_hours_parse_ics,
            commands::entry_add,
            commands::entry_update,
            commands::entry_delete,
            commands::entry_restore,
            commands::project_set_billing,
            commands::clients_list,
            commands::tags_list,
            commands::clients_all,
            commands::client_create,
            commands::client_rename,
            commands::client_set_archived,
            commands::tags_all,
            commands::tag_create,
            commands::tag_rename,
            commands::tag_set_archived,
            commands::report,
            commands::rounding_set,
            files::export_entries,
            files::import_choose,
            files::import_preview,
            files::import_commit,
            commands::metrics_status,
            commands::metrics_configure,
            commands::metrics_token_generate,
            commands::metrics_token_remove,
            integrations::api_status,
            integrations::api_configure,
            integrations::api_tokens_rotate,
            integrations::webhooks_list,
            integrations::webhook_add,
            integrations::webhook_remove,
            integrations::webhook_test,
            integrations::webhook_deliveries,
            commands::telemetry_status,
            commands::telemetry_set_consent,
            commands::telemetry_inspect,
            commands::telemetry_queued_page,
            commands::telemetry_delete_queued,
            commands::telemetry_reset_id,
            commands::telemetry_export,
            commands::logging_status,
            commands::logs_open_folder,
            commands::ui_error_log,
            commands::crash_send_test_error,
            commands::crash_test_panic,
            dialogs::test_dialog_answer,
            desktop::commands::desktop_settings_get,
            desktop::commands::desktop_settings_set,
            desktop::commands::stale_timer_check,
            desktop::commands::stale_resolve,
            desktop::commands::idle_resolve,
            desktop::commands::timer_toggle,
            sync::sync_status,
            sync::sync_enable,
            sync::sync_disable,
            sync::sync_now,
            sync::sync_restore_conflict,
            sync::sync_dismiss_conflict,
            doctor::doctor_run,
            doctor::doctor_bundle_preview,
            doctor::doctor_bundle_save,
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
            let Some(state) = handle.try_state::<state::AppState>() else {
                return;
            };
            state.telemetry.shutdown(std::time::Duration::from_secs(2));
            // What is not delivered goes when the app runs next.
            let sender = state
                .webhook_sender
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            if let Some(sender) = sender {
                sender.stop();
            }
            if let Some(crash) = &state.crash {
                crash.flush(std::time::Duration::from_secs(2));
            }
            log_event!("app.exited");
            logging::flush(logging::EXIT_FLUSH_TIMEOUT);
        }
    });
}
