//! Our own export files, CSV and JSON, written straight from the database
//! to any writer (a file, standard output) without holding every entry in
//! memory. Both carry every field an import needs to rebuild the entries,
//! their projects, clients, tags and billing: see docs/export-format.md.

use std::collections::HashMap;
use std::io::Write;

use jiff::Timestamp;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::events::product::bucket_count;
use crate::events::Event;
use crate::io::formula;
use crate::reports::{project_infos as projects, ProjectInfo};
use crate::storage::ts_from_ms;
use crate::Tracker;

/// The CSV header, in column order. Part of the file format: only ever add
/// columns at the end.
pub const CSV_COLUMNS: [&str; 11] = [
    "id",
    "project",
    "client",
    "description",
    "start",
    "end",
    "duration_seconds",
    "tags",
    "billable",
    "hourly_rate",
    "currency",
];

/// The two export files, as the app's Export panel names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// The `version` written in JSON exports.
pub const JSON_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportOptions {
    /// Start the CSV with a UTF-8 byte-order mark, which older Excel needs
    /// to read accents right. Off by default: other tools show it as junk.
    pub bom: bool,
}

/// One exported entry, as the JSON export writes it (field order is part
/// of the format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportEntry<'a> {
    pub id: i64,
    pub project: Option<&'a str>,
    pub client: Option<&'a str>,
    pub description: String,
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    pub duration_seconds: Option<i64>,
    pub tags: Vec<&'a str>,
    pub billable: bool,
    pub hourly_rate_cents: Option<i64>,
    pub currency: Option<&'a str>,
}

/// Every tag name, with its place in the sorted order.
struct TagNames {
    /// By tag id: (rank ignoring case, name).
    by_id: HashMap<i64, (usize, String)>,
}

fn tag_names(conn: &Connection) -> Result<TagNames> {
    let mut stmt = conn.prepare_cached("SELECT id, name FROM tags")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut all = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    all.sort_by_cached_key(|(_, name)| name.to_lowercase());
    Ok(TagNames {
        by_id: all
            .into_iter()
            .enumerate()
            .map(|(rank, (id, name))| (id, (rank, name)))
            .collect(),
    })
}

/// `(entry id, tag rank)` for the entries started in `[from, to)`, sorted,
/// so each entry's tags are one run, already in order: no string is copied
/// or compared per entry.
fn tag_pairs(conn: &Connection, names: &TagNames, from: i64, to: i64) -> Result<Vec<(i64, usize)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT et.entry_id, et.tag_id FROM time_entries e JOIN entry_tags et ON et.entry_id = e.id
         WHERE e.started_at >= ?1 AND e.started_at < ?2",
    )?;
    let mut rows = stmt.query(params![from, to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        if let Some((rank, _)) = names.by_id.get(&r.get::<_, i64>(1)?) {
            out.push((r.get(0)?, *rank));
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// Calls `each` with every entry that started in `[from, to)`, oldest
/// first, reading as it goes.
fn for_each_entry(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
    mut each: impl FnMut(ExportEntry<'_>) -> Result<()>,
) -> Result<u32> {
    let (from, to) = (from.as_millisecond(), to.as_millisecond());
    let projects = projects(conn)?;
    let names = tag_names(conn)?;
    let ranked: Vec<&str> = {
        let mut v = vec![""; names.by_id.len()];
        for (rank, name) in names.by_id.values() {
            if let Some(slot) = v.get_mut(*rank) {
                *slot = name.as_str();
            }
        }
        v
    };
    let pairs = tag_pairs(conn, &names, from, to)?;
    let mut stmt = conn.prepare_cached(
        // Ties by global id, not local id: two synced devices list the
        // same entries in the same order.
        "SELECT id, project_id, description, started_at, stopped_at FROM time_entries
         WHERE started_at >= ?1 AND started_at < ?2 ORDER BY started_at, gid",
    )?;
    let mut rows = stmt.query(params![from, to])?;
    let mut count = 0u32;
    let none = ProjectInfo::default();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let project_id: Option<i64> = r.get(1)?;
        let start = ts_from_ms(3, r.get(3)?)?;
        let end = r
            .get::<_, Option<i64>>(4)?
            .map(|ms| ts_from_ms(4, ms))
            .transpose()?;
        let project = project_id.and_then(|p| projects.get(&p));
        let info = project.unwrap_or(&none);
        each(ExportEntry {
            id,
            project: project.map(|p| p.name.as_str()),
            client: info.client.as_deref(),
            description: r.get(2)?,
            start,
            end,
            duration_seconds: end
                .map(|e| (e.as_millisecond() - start.as_millisecond()).max(0) / 1000),
            tags: {
                let at = pairs.partition_point(|&(e, _)| e < id);
                pairs[at..]
                    .iter()
                    .take_while(|&&(e, _)| e == id)
                    .filter_map(|&(_, rank)| ranked.get(rank).copied())
                    .collect()
            },
            billable: info.billable,
            hourly_rate_cents: info.rate,
            currency: info.currency.as_deref(),
        })?;
        count = count.saturating_add(1);
    }
    Ok(count)
}

fn write_failed(err: std::io::Error) -> Error {
    Error::ExportWriteFailed(err)
}

fn csv_failed(err: csv::Error) -> Error {
    match err.into_kind() {
        csv::ErrorKind::Io(e) => write_failed(e),
        other => write_failed(std::io::Error::other(format!("{other:?}"))),
    }
}

/// A finished export, for the window to confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ExportDone {
    pub entries: u32,
    pub path: String,
}

/// Runs `write` into `<path>.partial` (mode 0600) and renames that over
/// `path` only once it is complete and synced to disk, so a failed export (a full disk, a bad
/// entry) never leaves a half-written file where a good one was. A target
/// that `protected` covers (the database, the data folder) is refused
/// before anything is written. Shared by `tt export -o` and the app's
/// export panel.
pub fn to_file(
    protected: &super::files::Protected,
    path: &std::path::Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<u32>,
) -> Result<u32> {
    protected.check(path)?;
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    // An export holds every description and rate: the owner's only.
    let written = crate::private::create_file(&partial)
        .map_err(Error::ExportWriteFailed)
        .and_then(|file| {
            let mut out = std::io::BufWriter::new(file);
            let n = write(&mut out)?;
            out.flush().map_err(Error::ExportWriteFailed)?;
            // On disk before the rename: a power cut never leaves the new
            // name pointing at a file whose contents were still in memory.
            out.get_ref().sync_all().map_err(Error::ExportWriteFailed)?;
            Ok(n)
        })
        .and_then(|n| {
            std::fs::rename(&partial, path).map_err(Error::ExportWriteFailed)?;
            Ok(n)
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// `8500` cents as `85.00`.
pub fn format_rate(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Writes the entries that started in `[from, to)` as RFC 4180 CSV (UTF-8,
/// CRLF line ends, a header row) and returns how many were written.
pub fn csv(
    tracker: &mut Tracker,
    from: Timestamp,
    to: Timestamp,
    out: impl Write,
    options: ExportOptions,
) -> Result<u32> {
    check_range(from, to)?;
    let mut out = out;
    if options.bom {
        out.write_all("\u{feff}".as_bytes()).map_err(write_failed)?;
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(CSV_COLUMNS).map_err(csv_failed)?;
    let count = tracker.storage.read("export_csv", |conn| {
        for_each_entry(conn, from, to, |e| {
            let id = e.id.to_string();
            let start = e.start.to_string();
            let end = e.end.map(|t| t.to_string()).unwrap_or_default();
            let duration = e
                .duration_seconds
                .map(|d| d.to_string())
                .unwrap_or_default();
            let tags = e.tags.join(";");
            let rate = e.hourly_rate_cents.map(format_rate).unwrap_or_default();
            // Text a user (or an imported file) typed: never a live formula.
            let text = |cell: &'_ str| formula::neutralise(cell).into_owned();
            writer
                .write_record([
                    id.as_str(),
                    &text(e.project.unwrap_or("")),
                    &text(e.client.unwrap_or("")),
                    &text(&e.description),
                    start.as_str(),
                    end.as_str(),
                    duration.as_str(),
                    &text(&tags),
                    if e.billable { "true" } else { "false" },
                    rate.as_str(),
                    e.currency.unwrap_or(""),
                ])
                .map_err(csv_failed)
        })
    })?;
    writer.flush().map_err(write_failed)?;
    crate::log_event!("export.csv", entries = count);
    tracker.track(Event::ExportCsv {
        entries: bucket_count(count as usize),
    });
    Ok(count)
}

/// Writes the entries that started in `[from, to)` as our JSON export (one
/// entry a line inside `entries`) and returns how many were written.
pub fn json(tracker: &mut Tracker, from: Timestamp, to: Timestamp, out: impl Write) -> Result<u32> {
    check_range(from, to)?;
    let mut out = std::io::BufWriter::new(out);
    // Milliseconds, like every instant we store.
    let exported_at = Timestamp::from_millisecond(tracker.now().as_millisecond())
        .unwrap_or_else(|_| tracker.now());
    write!(
        out,
        "{{\"format\":\"timetracker\",\"version\":{JSON_VERSION},\"exported_at\":\"{exported_at}\",\
         \"from\":\"{from}\",\"to\":\"{to}\",\"entries\":["
    )
    .map_err(write_failed)?;
    let count = tracker.storage.read("export_json", |conn| {
        let mut first = true;
        for_each_entry(conn, from, to, |e| {
            out.write_all(if first { b"\n" } else { b",\n" })
                .map_err(write_failed)?;
            first = false;
            serde_json::to_writer(&mut out, &e).map_err(|e| write_failed(e.into()))
        })
    })?;
    out.write_all(b"\n]}\n").map_err(write_failed)?;
    out.flush().map_err(write_failed)?;
    crate::log_event!("export.json", entries = count);
    tracker.track(Event::ExportJson {
        entries: bucket_count(count as usize),
    });
    Ok(count)
}

fn check_range(from: Timestamp, to: Timestamp) -> Result<()> {
    if from > to {
        Err(Error::EntryInvalidRange)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
