//! Applying parsed import records to the database: a preview first, then
//! one all-or-nothing transaction. Missing projects, clients and tags are
//! created; an entry whose start, end, project and description match one
//! already stored (or an earlier one in the same file) is skipped, so
//! importing a file twice adds nothing the second time.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::clients::{self, ProjectBilling};
use crate::entries::tags;
use crate::error::{Error, Result};
use crate::events::product::{bucket_count, ImportFormat};
use crate::events::Event;
use crate::io::import::{self, Format, ImportError, ImportRecord, LineError, ParseOptions};
use crate::projects::{normalize_name, PALETTE};
use crate::timer::normalize_description;
use crate::Tracker;

/// What an import would do, shown before it is committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportPreview {
    /// Entries in the file.
    pub total: u32,
    /// Entries that would be added.
    pub new_entries: u32,
    /// Entries skipped because they are already stored (or repeated).
    pub duplicates: u32,
    /// Projects that would be created, in file order.
    pub new_projects: Vec<String>,
    /// Tags never used before, in file order.
    pub new_tags: Vec<String>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportSummary {
    pub total: u32,
    /// Entries added.
    pub imported: u32,
    pub duplicates: u32,
    pub new_projects: Vec<String>,
    pub new_tags: Vec<String>,
}

/// Where a record's project comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ProjectRef {
    None,
    Existing(i64),
    /// Index into [`Plan::new_projects`].
    New(usize),
}

struct NewProject {
    name: String,
    billing: ProjectBilling,
    /// Some new entry is on it (not only duplicates).
    used: bool,
}

/// Is this entry stored already? (start, end, project id, description)
pub(crate) const STORED_SQL: &str = "SELECT 1 FROM time_entries INDEXED BY time_entries_started_at
         WHERE started_at = ?1 AND (stopped_at IS ?2 OR ?2 IS NULL)
         AND project_id IS ?3 AND description = ?4 LIMIT 1";

/// One record, checked and resolved.
struct Planned {
    project: ProjectRef,
    description: String,
    start: i64,
    end: Option<i64>,
    tags: Vec<String>,
    duplicate: bool,
}

struct Plan {
    entries: Vec<Planned>,
    new_projects: Vec<NewProject>,
    new_tags: Vec<String>,
}

impl Plan {
    fn duplicates(&self) -> u32 {
        count(self.entries.iter().filter(|e| e.duplicate).count())
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The billing a record carries, if it carries any.
fn billing_of(record: &ImportRecord) -> std::result::Result<ProjectBilling, Error> {
    clients::normalize_billing(&ProjectBilling {
        client: record.client.clone(),
        billable: record.billable.unwrap_or(false),
        hourly_rate_cents: record.hourly_rate_cents,
        currency: record.currency.clone(),
    })
}

/// Checks every record against what the database accepts, resolves
/// projects and finds duplicates. Reads only.
fn plan(conn: &Connection, records: &[ImportRecord]) -> Result<Plan> {
    let mut errors: Vec<LineError> = Vec::new();
    let mut projects: HashMap<String, ProjectRef> = HashMap::new();
    let mut new_projects: Vec<NewProject> = Vec::new();
    let mut known_tags: HashSet<String> = HashSet::new();
    let mut new_tags: Vec<String> = Vec::new();
    let mut seen: HashSet<(i64, Option<i64>, ProjectRef, String)> = HashSet::new();
    let mut running_line: Option<usize> = None;
    let db_running: Option<i64> = conn
        .prepare_cached("SELECT started_at FROM time_entries WHERE stopped_at IS NULL")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let mut find_project = conn.prepare_cached(
        "SELECT id FROM projects WHERE name_key = ?1 ORDER BY archived, updated_at DESC LIMIT 1",
    )?;
    let mut find_tag = conn.prepare_cached("SELECT 1 FROM tags WHERE name_key = ?1")?;
    // A running entry in the file matches the stored one even after that
    // was stopped: it is the same entry, exported while it ran. INDEXED BY:
    // without statistics SQLite prefers the project_id index, which holds
    // thousands of rows per project; a start time holds one.
    let mut stored = conn.prepare_cached(STORED_SQL)?;

    let mut entries = Vec::with_capacity(records.len());
    for record in records {
        let line = record.line;
        let description = match normalize_description(&record.description) {
            Ok(d) => d,
            Err(e) => {
                errors.push(problem(line, e));
                continue;
            }
        };
        let entry_tags = match tags::normalize(&record.tags) {
            Ok(t) => t,
            Err(e) => {
                errors.push(problem(line, e));
                continue;
            }
        };
        let project = match record.project.as_deref() {
            None => ProjectRef::None,
            Some(raw) => {
                let (name, key) = match normalize_name(raw) {
                    Ok(n) => n,
                    Err(e) => {
                        errors.push(problem(line, e));
                        continue;
                    }
                };
                match projects.get(&key) {
                    Some(found) => *found,
                    None => {
                        let found = match find_project.query_row([&key], |r| r.get(0)).optional()? {
                            Some(id) => ProjectRef::Existing(id),
                            None => {
                                let billing = match billing_of(record) {
                                    Ok(b) => b,
                                    Err(e) => {
                                        errors.push(problem(line, e));
                                        continue;
                                    }
                                };
                                new_projects.push(NewProject {
                                    name,
                                    billing,
                                    used: false,
                                });
                                ProjectRef::New(new_projects.len() - 1)
                            }
                        };
                        projects.insert(key, found);
                        found
                    }
                }
            }
        };
        let start = record.start.as_millisecond();
        let end = record.end.map(|t| t.as_millisecond());
        if end.is_some_and(|e| e < start) {
            errors.push(problem(line, Error::EntryInvalidRange));
            continue;
        }
        let key = (start, end, project, description.clone());
        let duplicate = if seen.contains(&key) {
            true
        } else {
            let in_db = match project {
                ProjectRef::New(_) => false,
                ProjectRef::None => stored.exists(params![start, end, None::<i64>, description])?,
                ProjectRef::Existing(id) => stored.exists(params![start, end, id, description])?,
            };
            seen.insert(key);
            in_db
        };
        if end.is_none() && !duplicate {
            if let Some(first) = running_line {
                errors.push(problem(
                    line,
                    format!("this entry has no end, like the one on line {first}: only one entry can run at a time"),
                ));
                continue;
            }
            running_line = Some(line);
            if db_running.is_some() {
                errors.push(problem(
                    line,
                    "this entry has no end, and a timer is running in TimeTracker: stop it first, or give the entry an end",
                ));
                continue;
            }
        }
        if !duplicate {
            for tag in &entry_tags {
                let key = tag.to_lowercase();
                if !known_tags.contains(&key) {
                    if !find_tag.exists([&key])? {
                        new_tags.push(tag.clone());
                    }
                    known_tags.insert(key);
                }
            }
        }
        entries.push(Planned {
            project,
            description,
            start,
            end,
            tags: entry_tags,
            duplicate,
        });
    }
    if !errors.is_empty() {
        return Err(Error::ImportInvalid(ImportError::new(errors)));
    }
    // A project only duplicates would use is not worth creating.
    for e in entries.iter().filter(|e| !e.duplicate) {
        if let ProjectRef::New(i) = e.project {
            if let Some(p) = new_projects.get_mut(i) {
                p.used = true;
            }
        }
    }
    Ok(Plan {
        entries,
        new_projects,
        new_tags,
    })
}

fn problem(line: usize, message: impl std::fmt::Display) -> LineError {
    LineError {
        line,
        message: message.to_string(),
    }
}

fn new_project_names(plan: &Plan) -> Vec<String> {
    plan.new_projects
        .iter()
        .filter(|p| p.used)
        .map(|p| p.name.clone())
        .collect()
}

/// Writes `plan` inside the caller's transaction.
fn write(conn: &Connection, plan: &Plan, now_ms: i64) -> Result<u32> {
    let mut project_count: i64 =
        conn.query_row("SELECT count(*) FROM projects", [], |r| r.get(0))?;
    let mut project_ids: Vec<Option<i64>> = Vec::with_capacity(plan.new_projects.len());
    for p in &plan.new_projects {
        if !p.used {
            project_ids.push(None);
            continue;
        }
        let color = PALETTE[project_count.unsigned_abs() as usize % PALETTE.len()];
        project_count += 1;
        conn.prepare_cached(
            "INSERT INTO projects (name, name_key, color, archived, created_at, updated_at)
             VALUES (?1, ?2, ?3, 0, ?4, ?4)",
        )?
        .execute(params![p.name, p.name.to_lowercase(), color, now_ms])?;
        let id = conn.last_insert_rowid();
        clients::apply(conn, id, &p.billing, now_ms)?;
        project_ids.push(Some(id));
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO time_entries (project_id, description, started_at, stopped_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?;
    let mut link =
        conn.prepare_cached("INSERT OR IGNORE INTO entry_tags (entry_id, tag_id) VALUES (?1, ?2)")?;
    let mut tag_ids: HashMap<String, i64> = HashMap::new();
    let mut imported = 0u32;
    for e in plan.entries.iter().filter(|e| !e.duplicate) {
        let project_id = match e.project {
            ProjectRef::None => None,
            ProjectRef::Existing(id) => Some(id),
            ProjectRef::New(i) => project_ids.get(i).copied().flatten(),
        };
        insert.execute(params![project_id, e.description, e.start, e.end, now_ms])?;
        let entry_id = conn.last_insert_rowid();
        for tag in &e.tags {
            let key = tag.to_lowercase();
            let tag_id = match tag_ids.get(&key) {
                Some(&id) => id,
                None => {
                    let id = tags::ensure(conn, tag)?.id;
                    tag_ids.insert(key, id);
                    id
                }
            };
            link.execute(params![entry_id, tag_id])?;
        }
        imported += 1;
    }
    Ok(imported)
}

fn telemetry_format(format: Format) -> ImportFormat {
    match format {
        Format::Toggl => ImportFormat::Toggl,
        Format::Clockify => ImportFormat::Clockify,
        Format::Timewarrior => ImportFormat::Timewarrior,
        Format::Watson => ImportFormat::Watson,
        Format::Csv => ImportFormat::Csv,
        Format::Json => ImportFormat::Json,
    }
}

/// Reads `bytes` as `format`, or as the format detected from the content.
pub fn parse_file(
    bytes: &[u8],
    format: Option<Format>,
    options: &ParseOptions,
) -> Result<(Format, Vec<ImportRecord>)> {
    let format = match format {
        Some(f) => f,
        None => import::detect(bytes).ok_or(Error::ImportUnknownFormat)?,
    };
    Ok((format, import::parse_with(bytes, format, options)?))
}

impl Tracker {
    /// What [`Tracker::import`] would do with `records`, changing nothing.
    /// Fails with `import.invalid` (every problem, with its line) when the
    /// import would.
    pub fn preview_import(&self, records: &[ImportRecord]) -> Result<ImportPreview> {
        let plan = self
            .storage
            .read("import_preview", |conn| plan(conn, records))?;
        Ok(ImportPreview {
            total: count(records.len()),
            new_entries: count(plan.entries.len()) - plan.duplicates(),
            duplicates: plan.duplicates(),
            new_projects: new_project_names(&plan),
            new_tags: plan.new_tags,
        })
    }

    /// Imports `records` in one transaction: all of them or, on any
    /// problem, none.
    pub fn import(&mut self, records: &[ImportRecord]) -> Result<ImportSummary> {
        self.import_records(records, None)
    }

    /// [`Tracker::import`], reporting `format` in the log and analytics.
    pub fn import_records(
        &mut self,
        records: &[ImportRecord],
        format: Option<Format>,
    ) -> Result<ImportSummary> {
        let now = self.clock.now().as_millisecond();
        let summary = self.storage.write("import", |tx| {
            let plan = plan(tx, records)?;
            let imported = write(tx, &plan, now)?;
            Ok(ImportSummary {
                total: count(records.len()),
                imported,
                duplicates: plan.duplicates(),
                new_projects: new_project_names(&plan),
                new_tags: plan.new_tags,
            })
        })?;
        crate::log_event!(
            "import.completed",
            format = format.map(Format::name),
            entries = summary.imported,
            duplicates = summary.duplicates,
            projects_created = count(summary.new_projects.len()),
        );
        if let Some(format) = format {
            self.track(Event::ImportCompleted {
                entries: bucket_count(summary.imported as usize),
                format: telemetry_format(format),
            });
        }
        Ok(summary)
    }
}
