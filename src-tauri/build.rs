// The app manifest turns each command into a permission (`allow-<name>`),
// so capabilities/default.json can grant the UI exactly these and no more.
const COMMANDS: &[&str] = &[
    "app_info",
    "projects_list",
    "project_create",
    "project_rename",
    "project_archive",
    "project_restore",
    "timer_start",
    "timer_stop",
    "timer_status",
    "entries_recent",
    "entry_add",
    "entry_update",
    "entry_delete",
    "entry_restore",
    "project_set_billing",
    "clients_list",
    "tags_list",
    "report",
    "rounding_set",
    "export_entries",
    "import_choose",
    "import_preview",
    "import_commit",
    "metrics_status",
    "metrics_configure",
    "metrics_token_generate",
    "metrics_token_remove",
    "telemetry_status",
    "telemetry_set_consent",
    "telemetry_inspect",
    "telemetry_queued_page",
    "telemetry_delete_queued",
    "telemetry_reset_id",
    "telemetry_export",
    "logging_status",
    "logs_open_folder",
    "ui_error_log",
    "crash_send_test_error",
    "crash_test_panic",
    "test_dialog_answer",
    "desktop_settings_get",
    "desktop_settings_set",
    "stale_timer_check",
    "stale_resolve",
    "idle_resolve",
    "timer_toggle",
    "sync_status",
    "sync_enable",
    "sync_disable",
    "sync_now",
    "sync_restore_conflict",
    "sync_dismiss_conflict",
    "doctor_run",
    "doctor_bundle_preview",
    "doctor_bundle_save",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by exiting non-zero.
        eprintln!("tauri-build failed: {error:#}");
        std::process::exit(1);
    }
}
