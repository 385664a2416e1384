//! Import and export commands. The shell opens the system's dialogs itself
//! (see dialogs.rs): an export asks where to save and writes there; an
//! import hands the webview a token for the chosen file, which preview and
//! commit take instead of a path. Kept apart from commands.rs because an
//! import error carries more than a code and a message: every problem in
//! the file, by line.

use jiff::tz::TimeZone;
use tauri::{AppHandle, Manager, State};
use timetracker_core::io::apply::{parse_file, ImportPreview, ImportSummary};
use timetracker_core::io::export::{self, ExportDone, ExportFormat, ExportOptions};
use timetracker_core::io::files::{self, ChosenFile, Grants, Protected};
use timetracker_core::io::import::{
    Format, ImportError, ImportFailure, ImportRecord, ParseOptions,
};
use timetracker_core::reports::ReportRange;
use timetracker_core::{Error, ErrorPayload, Tracker};

use crate::commands::local_date;
use crate::dialogs::{self, Ask};
use crate::state::{on_pool, AppState};

/// Asks where to save, then writes the entries that started on local days
/// `from` through `to` there. None when the user cancelled the dialog.
#[tauri::command]
pub async fn export_entries(
    app: AppHandle,
    format: ExportFormat,
    bom: bool,
    from: String,
    to: String,
) -> Result<Option<ExportDone>, ErrorPayload> {
    let span = if from == to {
        from.clone()
    } else {
        format!("{from}_to_{to}")
    };
    let (filter, ext): (&str, &[&str]) = match format {
        ExportFormat::Csv => ("CSV (spreadsheets)", &["csv"]),
        ExportFormat::Json => ("JSON", &["json"]),
    };
    let ask = Ask {
        title: "Export time entries",
        filters: &[(filter, ext)],
    };
    let name = format!("timetracker-{span}.{}", ext[0]);
    let Some(path) = dialogs::save_file(&app, ask, &name).await else {
        return Ok(None);
    };
    let tz = TimeZone::system();
    AppState::off_main(app, "export_entries", move |_, t| {
        let range = ReportRange::custom(local_date(&from)?, local_date(&to)?, &tz)?;
        let protected = Protected::of(t);
        let entries = export::to_file(&protected, &path, |out| match format {
            ExportFormat::Csv => export::csv(t, range.from, range.to, out, ExportOptions { bom }),
            ExportFormat::Json => export::json(t, range.from, range.to, out),
        })?;
        Ok(Some(ExportDone {
            entries,
            path: path.display().to_string(),
        }))
    })
    .await
}

/// Opens the system's open dialog; the webview gets a token for the file
/// the user picked (None when they cancelled).
#[tauri::command]
pub async fn import_choose(
    app: AppHandle,
    grants: State<'_, Grants>,
) -> Result<Option<ChosenFile>, ErrorPayload> {
    let ask = Ask {
        title: "Import time entries",
        filters: &[
            ("Time tracker exports", &["csv", "json", "frames"]),
            ("All files", &["*"]),
        ],
    };
    Ok(dialogs::pick_file(&app, ask)
        .await
        .map(|path| grants.grant(path)))
}

/// Runs `f` on the records in the file `token` stands for as the request
/// `command`, keeping the line-numbered problems of a file that cannot be
/// imported.
fn with_records<T>(
    state: &AppState,
    grants: &Grants,
    command: &'static str,
    token: &str,
    format: Option<Format>,
    f: impl FnOnce(&mut Tracker, Format, &[ImportRecord]) -> timetracker_core::Result<T>,
) -> Result<T, ImportFailure> {
    let mut problems: Option<ImportError> = None;
    let mut keep = |e: Error| {
        if let Error::ImportInvalid(found) = &e {
            problems = Some(found.clone());
        }
        e
    };
    // Years of entries take seconds to check and write: on a connection
    // of their own, the window's reads do not wait for them.
    let result = state.with_sibling(command, |t| {
        let bytes = files::read_import(&grants.path(token)?)?;
        let (format, records) =
            parse_file(&bytes, format, &ParseOptions::default()).map_err(&mut keep)?;
        f(t, format, &records).map_err(&mut keep)
    });
    result.map_err(|error| ImportFailure::new(error, problems))
}

/// What importing the chosen file would do; changes nothing.
#[tauri::command]
pub async fn import_preview(
    app: AppHandle,
    token: String,
    format: Option<Format>,
) -> Result<ImportPreview, ImportFailure> {
    let handle = app.clone();
    on_pool(app, move |state| {
        let grants = handle.state::<Grants>();
        with_records(
            state,
            &grants,
            "import_preview",
            &token,
            format,
            |t, _, records| t.preview_import(records),
        )
    })
    .await
}

/// Imports the chosen file, all or nothing. Its token is spent once the
/// import has happened.
#[tauri::command]
pub async fn import_commit(
    app: AppHandle,
    token: String,
    format: Option<Format>,
) -> Result<ImportSummary, ImportFailure> {
    let handle = app.clone();
    on_pool(app, move |state| {
        let grants = handle.state::<Grants>();
        let summary = with_records(
            state,
            &grants,
            "import_commit",
            &token,
            format,
            |t, format, records| t.import_records(records, Some(format)),
        )?;
        grants.spend(&token);
        Ok(summary)
    })
    .await
}
