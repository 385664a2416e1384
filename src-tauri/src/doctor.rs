//! Settings › Diagnostics: the checks `tt doctor` runs, plus what only the
//! running app knows (its log writer, the metrics endpoint it serves, the
//! tray, the shortcut, the idle source). The checks read the database on a
//! connection of their own, on a blocking thread, so a slow scrape or an
//! online check never holds up the window or the timer.

use std::sync::Mutex;

use tauri::{AppHandle, Manager};
use timetracker_core::doctor::{
    self, Bundle, BundlePreview, BundleSaved, Database, DesktopRuntime, Doctor, DoctorReport,
    Runtime,
};
use timetracker_core::{log_event, logging, ErrorPayload};

use crate::desktop::{lock, DesktopState};
use crate::state::AppState;

type CmdResult<T> = Result<T, ErrorPayload>;

/// The bundle last shown in the preview: saving writes exactly it.
#[derive(Default)]
pub struct Previewed(Mutex<Option<Bundle>>);

fn runtime(app: &AppHandle) -> Runtime {
    let state = app.state::<AppState>();
    let desktop = app.state::<DesktopState>();
    let autostart = {
        use tauri_plugin_autostart::ManagerExt;
        app.autolaunch().is_enabled().ok()
    };
    let desktop = DesktopRuntime {
        tray_error: lock(&desktop.tray_error).clone(),
        shortcut_error: lock(&desktop.shortcut_error).clone(),
        idle_source: lock(&desktop.idle_source).map(str::to_owned),
        autostart_registered: autostart,
    };
    Runtime {
        log: state.logs.as_ref().map(|l| l.status()),
        metrics: state
            .with_metrics("metrics_status", |t, c| c.status(t))
            .ok(),
        telemetry_dropped: Some(state.telemetry.dropped()),
        desktop: Some(desktop),
    }
}

/// Runs `f` with a doctor over the app's data folder, on a blocking thread.
async fn with_doctor<T: Send + 'static>(
    app: AppHandle,
    command: &'static str,
    f: impl FnOnce(&Doctor) -> timetracker_core::Result<T> + Send + 'static,
) -> CmdResult<T> {
    let worker = app.clone();
    crate::state::on_pool(app, move |state| {
        let _request = logging::request_span(command).entered();
        let Some(data_dir) = state.data_dir.clone() else {
            return Err(timetracker_core::Error::ConfigNoDataDir.to_payload());
        };
        let runtime = runtime(&worker);
        // A connection of the checks' own: they never wait on the timer's.
        let own = match state.startup_error() {
            Some(error) => Err(Database::Failed(error)),
            None => doctor::open_database(&data_dir),
        };
        let database = match &own {
            Ok(tracker) => Database::Open(tracker),
            Err(why) => why.clone(),
        };
        let lookup = state.env.lookup();
        let mut doctor = Doctor::new(&data_dir, &lookup, database);
        doctor.runtime = runtime;
        f(&doctor).map_err(|e| {
            log_event!(warn, "command.failed", code = e.code());
            e.to_payload()
        })
    })
    .await
}

#[tauri::command]
pub async fn doctor_run(app: AppHandle, online: bool) -> CmdResult<DoctorReport> {
    let command = if online {
        "doctor_run_online"
    } else {
        "doctor_run"
    };
    with_doctor(app, command, move |d| {
        let report = if online { d.run_online() } else { d.run() };
        log_event!(
            "doctor.ran",
            online = online,
            problems = report
                .checks
                .iter()
                .filter(|c| c.status == timetracker_core::doctor::CheckStatus::Problem)
                .count()
        );
        Ok(report)
    })
    .await
}

#[tauri::command]
pub async fn doctor_bundle_preview(app: AppHandle) -> CmdResult<BundlePreview> {
    let handle = app.clone();
    with_doctor(app, "doctor_bundle_preview", move |d| {
        let bundle = d.bundle(&d.run());
        let preview = bundle.preview();
        *lock(&handle.state::<Previewed>().0) = Some(bundle);
        Ok(preview)
    })
    .await
}

/// Asks where to save, then writes the bundle the user saw in the preview
/// (a fresh one if none). None when the user cancelled the dialog.
#[tauri::command]
pub async fn doctor_bundle_save(app: AppHandle) -> CmdResult<Option<BundleSaved>> {
    let stamp = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .date();
    let ask = crate::dialogs::Ask {
        title: "Save the support bundle",
        filters: &[("Support bundle", &["tar.gz", "gz"])],
    };
    let name = format!("timetracker-support-{stamp}.tar.gz");
    let Some(path) = crate::dialogs::save_file(&app, ask, &name).await else {
        return Ok(None);
    };
    let handle = app.clone();
    with_doctor(app, "doctor_bundle_save", move |d| {
        let previewed = &handle.state::<Previewed>().0;
        let shown = lock(previewed).take();
        let bundle = shown.unwrap_or_else(|| d.bundle(&d.run()));
        let written = bundle.write(&path);
        if written.is_err() {
            // Kept for another try: what is saved is always what was shown.
            *lock(previewed) = Some(bundle);
        }
        written.map(|bytes| {
            Some(BundleSaved {
                bytes,
                path: path.display().to_string(),
            })
        })
    })
    .await
}
