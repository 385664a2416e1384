//! Projects: create, rename, archive, restore, list.

use jiff::Timestamp;
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::changes::{offer, Change};
use crate::error::{Error, Result};
use crate::events::product::ProjectChange;
use crate::events::Event;
use crate::storage::ts_from_ms;
use crate::Tracker;

pub use crate::limits::NAME_MAX_CHARS;

/// Colours handed out in turn to new projects; chosen to stay readable on
/// both the light and the dark theme.
pub const PALETTE: &[&str] = &[
    "#3b82f6", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6", "#f97316",
    "#6366f1", "#84cc16",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Project {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub color: String,
    pub archived: bool,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// The client billed for this project, if any.
    pub client: Option<String>,
    pub billable: bool,
    /// Per hour, in the currency's minor unit (cents).
    #[ts(type = "number | null")]
    pub hourly_rate_cents: Option<i64>,
    /// ISO 4217 code, upper case (`EUR`).
    pub currency: Option<String>,
}

const SELECT: &str = "SELECT p.id, p.name, p.color, p.archived, p.created_at, p.updated_at,
        c.name, p.billable, p.hourly_rate_cents, p.currency
     FROM projects p LEFT JOIN clients c ON c.id = p.client_id";

impl Project {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Project {
            id: row.get(0)?,
            name: row.get(1)?,
            color: row.get(2)?,
            archived: row.get(3)?,
            created_at: ts_from_ms(4, row.get(4)?)?,
            updated_at: ts_from_ms(5, row.get(5)?)?,
            client: row.get(6)?,
            billable: row.get(7)?,
            hourly_rate_cents: row.get(8)?,
            currency: row.get(9)?,
        })
    }
}

/// Trims a project name and checks its length and characters. Returns the
/// name and its case-folded key used for uniqueness.
pub fn normalize_name(raw: &str) -> Result<(String, String)> {
    if let Some(c) = crate::limits::first_control(raw.trim(), &[]) {
        return Err(Error::ProjectNameInvalid(c));
    }
    normalize_synced_name(raw)
}

/// [`normalize_name`] without the character check, for names another
/// device already accepted: an older version let control characters in,
/// and refusing its record would stop sync. `tt` escapes them on output.
pub(crate) fn normalize_synced_name(raw: &str) -> Result<(String, String)> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::ProjectNameEmpty);
    }
    let chars = name.chars().count();
    if chars > NAME_MAX_CHARS {
        return Err(Error::ProjectNameTooLong(chars));
    }
    Ok((name.to_owned(), name.to_lowercase()))
}

pub(crate) fn normalize_color(raw: &str) -> Result<String> {
    let color = raw.trim().to_ascii_lowercase();
    let valid = color.len() == 7
        && color.starts_with('#')
        && color[1..].chars().all(|c| c.is_ascii_hexdigit());
    if valid {
        Ok(color)
    } else {
        Err(Error::ProjectInvalidColor)
    }
}

pub(crate) fn get(tx: &rusqlite::Connection, id: i64) -> Result<Project> {
    tx.prepare_cached(&format!("{SELECT} WHERE p.id = ?1"))?
        .query_row([id], Project::from_row)
        .optional()?
        .ok_or(Error::ProjectNotFound(id))
}

/// Fails with `project.name_taken` when an active project other than
/// `except` already uses `key`.
fn ensure_name_free(tx: &Transaction<'_>, key: &str, except: Option<i64>) -> Result<()> {
    let clash: Option<String> = tx
        .query_row(
            "SELECT name FROM projects WHERE name_key = ?1 AND archived = 0 AND id IS NOT ?2",
            params![key, except],
            |r| r.get(0),
        )
        .optional()?;
    match clash {
        Some(existing) => Err(Error::ProjectNameTaken(existing)),
        None => Ok(()),
    }
}

/// The unique index is the last word when another process wins a race
/// between our check and our write.
fn name_clash_or(err: rusqlite::Error, name: &str) -> Error {
    match err.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation)
            if err.to_string().contains("projects.name_key") =>
        {
            Error::ProjectNameTaken(name.to_owned())
        }
        _ => err.into(),
    }
}

/// The project as changed, offered to the change observers inside `tx`.
pub(crate) fn updated(
    changers: &[std::sync::Arc<dyn crate::changes::ChangeObserver>],
    tx: &rusqlite::Connection,
    at: jiff::Timestamp,
    id: i64,
) -> Result<Project> {
    let project = get(tx, id)?;
    offer(changers, tx, at, || {
        vec![Change::ProjectUpdated(project.clone())]
    });
    Ok(project)
}

impl Tracker {
    /// Creates a project; `color` defaults to the next colour of the palette.
    pub fn create_project(&mut self, name: &str, color: Option<&str>) -> Result<Project> {
        let (name, key) = normalize_name(name)?;
        let color = color.map(normalize_color).transpose()?;
        let at = self.clock.now();
        let now = at.as_millisecond();
        let changers = &self.change_observers;
        self.storage
            .write("project_create", |tx| {
                ensure_name_free(tx, &key, None)?;
                let color = match color {
                    Some(c) => c,
                    None => {
                        let count: i64 =
                            tx.query_row("SELECT count(*) FROM projects", [], |r| r.get(0))?;
                        PALETTE[count.unsigned_abs() as usize % PALETTE.len()].to_owned()
                    }
                };
                tx.execute(
                    "INSERT INTO projects (name, name_key, color, archived, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 0, ?4, ?4)",
                    params![name, key, color, now],
                )
                .map_err(|e| name_clash_or(e, &name))?;
                let project = get(tx, tx.last_insert_rowid())?;
                offer(changers, tx, at, || {
                    vec![Change::ProjectCreated(project.clone())]
                });
                Ok(project)
            })
            .inspect(|p| crate::log_event!("project.created", project_id = p.id))
            .inspect(|_| self.track(Event::ProjectCreated {}))
    }

    pub fn rename_project(&mut self, id: i64, name: &str) -> Result<Project> {
        let (name, key) = normalize_name(name)?;
        let at = self.clock.now();
        let now = at.as_millisecond();
        let changers = &self.change_observers;
        self.storage
            .write("project_rename", |tx| {
                let project = get(tx, id)?;
                if !project.archived {
                    ensure_name_free(tx, &key, Some(id))?;
                }
                tx.execute(
                    "UPDATE projects SET name = ?2, name_key = ?3, updated_at = ?4 WHERE id = ?1",
                    params![id, name, key, now],
                )
                .map_err(|e| name_clash_or(e, &name))?;
                updated(changers, tx, at, id)
            })
            .inspect(|p| crate::log_event!("project.updated", project_id = p.id, change = "name"))
            .inspect(|_| {
                self.track(Event::ProjectUpdated {
                    change: ProjectChange::Name,
                })
            })
    }

    pub fn set_project_color(&mut self, id: i64, color: &str) -> Result<Project> {
        let color = normalize_color(color)?;
        let at = self.clock.now();
        let now = at.as_millisecond();
        let changers = &self.change_observers;
        self.storage
            .write("project_set_color", |tx| {
                get(tx, id)?;
                tx.execute(
                    "UPDATE projects SET color = ?2, updated_at = ?3 WHERE id = ?1",
                    params![id, color, now],
                )?;
                updated(changers, tx, at, id)
            })
            .inspect(|p| crate::log_event!("project.updated", project_id = p.id, change = "color"))
            .inspect(|_| {
                self.track(Event::ProjectUpdated {
                    change: ProjectChange::Color,
                })
            })
    }

    /// Archives a project: it leaves the pickers but keeps its entries. A
    /// timer already running on it keeps running.
    pub fn archive_project(&mut self, id: i64) -> Result<Project> {
        self.set_archived(id, true)
            .inspect(|p| crate::log_event!("project.archived", project_id = p.id))
            .inspect(|_| self.track(Event::ProjectArchived {}))
    }

    /// Brings an archived project back, unless an active one took its name.
    pub fn restore_project(&mut self, id: i64) -> Result<Project> {
        self.set_archived(id, false)
            .inspect(|p| crate::log_event!("project.restored", project_id = p.id))
            .inspect(|_| {
                self.track(Event::ProjectUpdated {
                    change: ProjectChange::Restored,
                })
            })
    }

    fn set_archived(&mut self, id: i64, archived: bool) -> Result<Project> {
        let at = self.clock.now();
        let now = at.as_millisecond();
        let changers = &self.change_observers;
        self.storage.write("project_set_archived", |tx| {
            let project = get(tx, id)?;
            if project.archived == archived {
                return Ok(project);
            }
            if !archived {
                ensure_name_free(tx, &project.name.to_lowercase(), Some(id))?;
            }
            tx.execute(
                "UPDATE projects SET archived = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, archived, now],
            )
            .map_err(|e| name_clash_or(e, &project.name))?;
            let project = get(tx, id)?;
            offer(changers, tx, at, || {
                vec![if archived {
                    Change::ProjectArchived(project.clone())
                } else {
                    Change::ProjectRestored(project.clone())
                }]
            });
            Ok(project)
        })
    }

    /// The project named `name` ignoring case: the active one, else the
    /// most recently archived one.
    pub fn find_project(&self, name: &str) -> Result<Option<Project>> {
        let key = name.trim().to_lowercase();
        self.storage.read("project_find", |conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "{SELECT} WHERE p.name_key = ?1 ORDER BY p.archived, p.updated_at DESC LIMIT 1"
                ))?
                .query_row([key], Project::from_row)
                .optional()?)
        })
    }

    /// The project named `name` (ignoring case), made if there is none;
    /// true when it was made. What `tt start PROJECT`, the API's and `tt
    /// mcp`'s timer starts do with a name.
    pub fn find_or_create_project(&mut self, name: &str) -> Result<(Project, bool)> {
        match self.find_project(name)? {
            Some(p) => Ok((p, false)),
            None => Ok((self.create_project(name, None)?, true)),
        }
    }

    pub fn project(&self, id: i64) -> Result<Project> {
        self.storage.read("project_get", |conn| get(conn, id))
    }

    /// Active projects by name, then (when asked) archived ones by name.
    pub fn list_projects(&self, include_archived: bool) -> Result<Vec<Project>> {
        let sql =
            format!("{SELECT} WHERE p.archived = 0 OR ?1 ORDER BY p.archived, p.name_key, p.id");
        self.storage.read("projects_list", |conn| {
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map([include_archived], Project::from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::tracker;

    #[test]
    fn names_are_trimmed_and_bounded() {
        let (mut t, _) = tracker();
        assert_eq!(
            t.create_project("  Website  ", None).unwrap().name,
            "Website"
        );
        assert_eq!(
            t.create_project("   ", None).unwrap_err().code(),
            "project.name_empty"
        );
        assert_eq!(
            t.create_project("", None).unwrap_err().code(),
            "project.name_empty"
        );
        let long = "é".repeat(NAME_MAX_CHARS);
        assert_eq!(t.create_project(&long, None).unwrap().name, long);
        let too_long = "x".repeat(NAME_MAX_CHARS + 1);
        let err = t.create_project(&too_long, None).unwrap_err();
        assert_eq!(err.code(), "project.name_too_long");
        assert!(err.to_string().contains("201"), "{err}");
    }

    #[test]
    fn names_are_unique_among_active_projects_ignoring_case() {
        let (mut t, _) = tracker();
        let first = t.create_project("Écriture", None).unwrap();
        let err = t.create_project("éCRITURE ", None).unwrap_err();
        assert_eq!(err.code(), "project.name_taken");
        assert!(err.to_string().contains("Écriture"), "{err}");
        assert_eq!(t.list_projects(true).unwrap().len(), 1);

        // Once archived, the name is free again; restoring then clashes.
        t.archive_project(first.id).unwrap();
        let second = t.create_project("écriture", None).unwrap();
        assert_eq!(
            t.restore_project(first.id).unwrap_err().code(),
            "project.name_taken"
        );
        t.rename_project(second.id, "Writing").unwrap();
        assert!(!t.restore_project(first.id).unwrap().archived);
    }

    #[test]
    fn the_schema_itself_refuses_duplicate_active_names() {
        let (t, _) = tracker();
        let conn = t.storage.conn();
        conn.execute(
            "INSERT INTO projects (name, name_key, color, created_at, updated_at) VALUES ('A', 'a', '#000000', 0, 0)",
            [],
        )
        .unwrap();
        let dup = conn.execute(
            "INSERT INTO projects (name, name_key, color, created_at, updated_at) VALUES ('a', 'a', '#000000', 0, 0)",
            [],
        );
        assert!(dup.is_err());
    }

    #[test]
    fn names_with_control_characters_or_line_breaks_are_refused() {
        let (mut t, _) = tracker();
        let p = t.create_project("Fine", None).unwrap();
        for bad in [
            "\u{1b}]52;c;aGk=\u{7}Evil",
            "two\nlines",
            "tab\there",
            "csi\u{9b}2J",
        ] {
            let err = t.create_project(bad, None).unwrap_err();
            assert_eq!(err.code(), "project.invalid_name", "{bad:?}");
            assert_eq!(
                t.rename_project(p.id, bad).unwrap_err().code(),
                "project.invalid_name"
            );
        }
        let err = t.create_project("a\u{1b}b", None).unwrap_err();
        assert!(err.to_string().contains("U+001B"), "{err}");
        // Trimmed before the check: a trailing newline from a pasted name is fine.
        assert_eq!(t.create_project(" Pasted\n", None).unwrap().name, "Pasted");
        assert_eq!(
            t.create_project("Ünïcode – ✓", None).unwrap().name,
            "Ünïcode – ✓"
        );
        assert_eq!(t.list_projects(true).unwrap().len(), 3);
    }

    #[test]
    fn rename_validates_and_keeps_own_name_case_changes() {
        let (mut t, clock) = tracker();
        let p = t.create_project("website", None).unwrap();
        t.create_project("Blog", None).unwrap();
        clock.advance(jiff::SignedDuration::from_secs(5));
        let renamed = t.rename_project(p.id, "Website").unwrap();
        assert_eq!(renamed.name, "Website");
        assert!(renamed.updated_at > p.updated_at);
        assert_eq!(
            t.rename_project(p.id, "BLOG").unwrap_err().code(),
            "project.name_taken"
        );
        assert_eq!(
            t.rename_project(p.id, " ").unwrap_err().code(),
            "project.name_empty"
        );
        assert_eq!(
            t.rename_project(999, "Zed").unwrap_err().code(),
            "project.not_found"
        );
        assert_eq!(t.project(p.id).unwrap().name, "Website");
    }

    #[test]
    fn list_puts_active_first_and_hides_archived_unless_asked() {
        let (mut t, _) = tracker();
        let b = t.create_project("beta", None).unwrap();
        t.create_project("Alpha", None).unwrap();
        t.create_project("gamma", None).unwrap();
        t.archive_project(b.id).unwrap();
        let names = |ps: Vec<Project>| ps.into_iter().map(|p| p.name).collect::<Vec<_>>();
        assert_eq!(names(t.list_projects(false).unwrap()), ["Alpha", "gamma"]);
        assert_eq!(
            names(t.list_projects(true).unwrap()),
            ["Alpha", "gamma", "beta"]
        );
    }

    #[test]
    fn colours_come_from_the_palette_or_are_validated() {
        let (mut t, _) = tracker();
        let a = t.create_project("A", None).unwrap();
        let b = t.create_project("B", None).unwrap();
        assert_eq!(a.color, PALETTE[0]);
        assert_eq!(b.color, PALETTE[1]);
        assert_eq!(
            t.create_project("C", Some("#ABCDEF")).unwrap().color,
            "#abcdef"
        );
        assert_eq!(
            t.create_project("D", Some("red")).unwrap_err().code(),
            "project.invalid_color"
        );
        assert_eq!(
            t.set_project_color(a.id, "#00ff00").unwrap().color,
            "#00ff00"
        );
        assert_eq!(
            t.set_project_color(a.id, "#00ff0").unwrap_err().code(),
            "project.invalid_color"
        );
    }
}
