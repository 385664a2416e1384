//! Import and export commands: the UI passes a path (typed, or from the
//! system's open/save dialog) and the core reads or writes the file. Kept
//! apart from commands.rs because an import error carries more than a code
//! and a message: every problem in the file, by line.

use std::path::PathBuf;

use jiff::tz::TimeZone;
use tauri::State;
use timetracker_core::io::apply::{parse_file, ImportPreview, ImportSummary};
use timetracker_core::io::export::{self, ExportFormat, ExportOptions};
use timetracker_core::io::import::{
    Format, ImportError, ImportFailure, ImportRecord, ParseOptions,
};
use timetracker_core::reports::ReportRange;
use timetracker_core::{Error, ErrorPayload, Tracker};

use crate::commands::local_date;
use crate::state::AppState;

/// Writes the entries that started on local days `from` through `to` to
/// `path` and returns how many were written.
#[tauri::command]
pub fn export_entries(
    state: State<'_, AppState>,
    path: PathBuf,
    format: ExportFormat,
    bom: bool,
    from: String,
    to: String,
) -> Result<u32, ErrorPayload> {
    let tz = TimeZone::system();
    state.with("export_entries", |t| {
        let range = ReportRange::custom(local_date(&from)?, local_date(&to)?, &tz)?;
        export::to_file(&path, |out| match format {
            ExportFormat::Csv => export::csv(t, range.from, range.to, out, ExportOptions { bom }),
            ExportFormat::Json => export::json(t, range.from, range.to, out),
        })
    })
}

/// Runs `f` on the records in the file at `path` as the request `command`,
/// keeping the line-numbered problems of a file that cannot be imported.
fn with_records<T>(
    state: &AppState,
    command: &'static str,
    path: &PathBuf,
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
    let result = state.with(command, |t| {
        let bytes = std::fs::read(path).map_err(|e| {
            Error::ImportInvalid(ImportError::at(
                1,
                format!("The file could not be read: {e}."),
            ))
        })?;
        let (format, records) =
            parse_file(&bytes, format, &ParseOptions::default()).map_err(&mut keep)?;
        f(t, format, &records).map_err(&mut keep)
    });
    result.map_err(|error| ImportFailure::new(error, problems))
}

/// What importing the file would do; changes nothing.
#[tauri::command]
pub fn import_preview(
    state: State<'_, AppState>,
    path: PathBuf,
    format: Option<Format>,
) -> Result<ImportPreview, ImportFailure> {
    with_records(&state, "import_preview", &path, format, |t, _, records| {
        t.preview_import(records)
    })
}

/// Imports the file, all or nothing.
#[tauri::command]
pub fn import_commit(
    state: State<'_, AppState>,
    path: PathBuf,
    format: Option<Format>,
) -> Result<ImportSummary, ImportFailure> {
    with_records(
        &state,
        "import_commit",
        &path,
        format,
        |t, format, records| t.import_records(records, Some(format)),
    )
}
