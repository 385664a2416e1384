//! Clients and billing: who a project is billed to, whether its time is
//! billable, and at what hourly rate in which currency.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::events::product::ProjectChange;
use crate::events::Event;
use crate::projects::{self, Project, NAME_MAX_CHARS};
use crate::Tracker;

/// The billing fields of a project, all set at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProjectBilling {
    /// A client name; created when new, `null` or blank for none.
    pub client: Option<String>,
    pub billable: bool,
    #[ts(type = "number | null")]
    pub hourly_rate_cents: Option<i64>,
    /// ISO 4217 code (`EUR`); lower case is accepted.
    pub currency: Option<String>,
}

/// Trims a client name: blank means no client.
pub fn normalize_client(raw: Option<&str>) -> Result<Option<String>> {
    if let Some(c) = raw.and_then(|n| crate::limits::first_control(n.trim(), &[])) {
        return Err(Error::ClientNameInvalid(c));
    }
    normalize_synced_client(raw)
}

/// [`normalize_client`] without the character check, for sync (see
/// `projects::normalize_synced_name`).
pub(crate) fn normalize_synced_client(raw: Option<&str>) -> Result<Option<String>> {
    let Some(name) = raw.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let chars = name.chars().count();
    if chars > NAME_MAX_CHARS {
        return Err(Error::ClientNameTooLong(chars));
    }
    Ok(Some(name.to_owned()))
}

/// Upper-cases and checks an ISO 4217 code (three ASCII letters); blank
/// means none.
pub fn normalize_currency(raw: Option<&str>) -> Result<Option<String>> {
    let Some(code) = raw.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(Some(code.to_ascii_uppercase()))
    } else {
        Err(Error::ProjectInvalidCurrency(code.to_owned()))
    }
}

/// Checks a billing as a whole: a rate needs a currency and is not negative.
pub fn normalize_billing(billing: &ProjectBilling) -> Result<ProjectBilling> {
    let client = normalize_client(billing.client.as_deref())?;
    let currency = normalize_currency(billing.currency.as_deref())?;
    match billing.hourly_rate_cents {
        Some(rate) if rate < 0 || currency.is_none() => return Err(Error::ProjectInvalidRate),
        _ => {}
    }
    Ok(ProjectBilling {
        client,
        billable: billing.billable,
        hourly_rate_cents: billing.hourly_rate_cents,
        currency,
    })
}

/// A client as listed and edited on its own (projects carry its name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Client {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// Archived clients leave the pickers; their projects keep them.
    pub archived: bool,
    /// How many projects (archived ones too) are billed to it.
    #[ts(type = "number")]
    pub projects: i64,
}

const SELECT_CLIENT: &str = "SELECT c.id, c.name, c.archived,
        (SELECT count(*) FROM projects p WHERE p.client_id = c.id)
     FROM clients c";

impl Client {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Client {
            id: row.get(0)?,
            name: row.get(1)?,
            archived: row.get(2)?,
            projects: row.get(3)?,
        })
    }
}

fn get(conn: &Connection, id: i64) -> Result<Client> {
    conn.prepare_cached(&format!("{SELECT_CLIENT} WHERE c.id = ?1"))?
        .query_row([id], Client::from_row)
        .optional()?
        .ok_or(Error::ClientNotFound(id))
}

/// A client name for a client of its own: trimmed, checked, not blank.
fn normalize_own_name(raw: &str) -> Result<(String, String)> {
    let name = normalize_client(Some(raw))?.ok_or(Error::ClientNameEmpty)?;
    let key = name.to_lowercase();
    Ok((name, key))
}

/// Client names are unique archived or not: sync merges two of a name.
fn ensure_name_free(conn: &Connection, key: &str, except: Option<i64>) -> Result<()> {
    let clash: Option<String> = conn
        .prepare_cached("SELECT name FROM clients WHERE name_key = ?1 AND id IS NOT ?2")?
        .query_row(params![key, except], |r| r.get(0))
        .optional()?;
    match clash {
        Some(existing) => Err(Error::ClientNameTaken(existing)),
        None => Ok(()),
    }
}

/// The id of the client named `name` (ignoring case), created if needed.
/// Naming an archived client again (on a project) brings it back.
pub(crate) fn ensure(conn: &Connection, name: &str, now_ms: i64) -> Result<i64> {
    let key = name.to_lowercase();
    let found: Option<i64> = conn
        .prepare_cached("SELECT id FROM clients WHERE name_key = ?1")?
        .query_row([&key], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        conn.prepare_cached("UPDATE clients SET archived = 0 WHERE id = ?1 AND archived = 1")?
            .execute([id])?;
        return Ok(id);
    }
    conn.prepare_cached("INSERT INTO clients (name, name_key, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![name, key, now_ms])?;
    Ok(conn.last_insert_rowid())
}

/// Stores `billing` (already normalised) on project `id`.
pub(crate) fn apply(
    conn: &Connection,
    id: i64,
    billing: &ProjectBilling,
    now_ms: i64,
) -> Result<()> {
    let client_id = billing
        .client
        .as_deref()
        .map(|name| ensure(conn, name, now_ms))
        .transpose()?;
    conn.prepare_cached(
        "UPDATE projects SET client_id = ?2, billable = ?3, hourly_rate_cents = ?4, currency = ?5,
         updated_at = ?6 WHERE id = ?1",
    )?
    .execute(params![
        id,
        client_id,
        billing.billable,
        billing.hourly_rate_cents,
        billing.currency,
        now_ms
    ])?;
    Ok(())
}

impl Tracker {
    /// Sets the client, billable flag, hourly rate and currency of a project.
    pub fn set_project_billing(&mut self, id: i64, billing: ProjectBilling) -> Result<Project> {
        let billing = normalize_billing(&billing)?;
        let at = self.clock.now();
        let changers = &self.change_observers;
        let project = self.storage.write("project_set_billing", |tx| {
            projects::get(tx, id)?;
            apply(tx, id, &billing, at.as_millisecond())?;
            projects::updated(changers, tx, at, id)
        })?;
        crate::log_event!("project.updated", project_id = id, change = "billing");
        self.track(Event::ProjectUpdated {
            change: ProjectChange::Billing,
        });
        Ok(project)
    }

    /// The name of every active client, sorted ignoring case: what the
    /// client picker offers.
    pub fn list_clients(&self) -> Result<Vec<String>> {
        self.storage.read("clients_list", |conn| {
            let mut stmt = conn
                .prepare_cached("SELECT name FROM clients WHERE archived = 0 ORDER BY name_key")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Active clients by name, then (when asked) archived ones by name.
    pub fn clients(&self, include_archived: bool) -> Result<Vec<Client>> {
        let sql = format!(
            "{SELECT_CLIENT} WHERE c.archived = 0 OR ?1 ORDER BY c.archived, c.name_key, c.id"
        );
        self.storage.read("clients_list", |conn| {
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map([include_archived], Client::from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    pub fn client(&self, id: i64) -> Result<Client> {
        self.storage.read("client_get", |conn| get(conn, id))
    }

    /// A client with no projects yet, for a project to be billed to later.
    pub fn create_client(&mut self, name: &str) -> Result<Client> {
        let (name, key) = normalize_own_name(name)?;
        let now = self.clock.now().as_millisecond();
        let client = self.storage.write("client_create", |tx| {
            ensure_name_free(tx, &key, None)?;
            tx.prepare_cached(
                "INSERT INTO clients (name, name_key, created_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![name, key, now])?;
            get(tx, tx.last_insert_rowid())
        })?;
        crate::log_event!("client.created", client_id = client.id);
        Ok(client)
    }

    /// Renames a client, on every project billed to it. A change of case
    /// alone is a rename too.
    pub fn rename_client(&mut self, id: i64, name: &str) -> Result<Client> {
        let (name, key) = normalize_own_name(name)?;
        let at = self.clock.now();
        let changers = &self.change_observers;
        let client = self.storage.write("client_rename", |tx| {
            get(tx, id)?;
            ensure_name_free(tx, &key, Some(id))?;
            tx.prepare_cached("UPDATE clients SET name = ?2, name_key = ?3 WHERE id = ?1")?
                .execute(params![id, name, key])?;
            // Projects show the client's name: each one billed to it changed.
            let projects: Vec<i64> = tx
                .prepare_cached("SELECT id FROM projects WHERE client_id = ?1")?
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for project in projects {
                projects::updated(changers, tx, at, project)?;
            }
            get(tx, id)
        })?;
        crate::log_event!("client.updated", client_id = id, change = "name");
        Ok(client)
    }

    /// Archives a client (true) or restores it (false): it leaves or
    /// rejoins the client picker; its projects keep it either way.
    pub fn set_client_archived(&mut self, id: i64, archived: bool) -> Result<Client> {
        let client = self.storage.write("client_set_archived", |tx| {
            get(tx, id)?;
            tx.prepare_cached("UPDATE clients SET archived = ?2 WHERE id = ?1")?
                .execute(params![id, archived])?;
            get(tx, id)
        })?;
        let change = if archived { "archived" } else { "restored" };
        crate::log_event!("client.updated", client_id = id, change = change);
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::tracker;

    #[test]
    fn client_names_with_control_characters_are_refused() {
        let (mut t, _) = tracker();
        let p = t.create_project("Site", None).unwrap();
        let billing = |client: &str| ProjectBilling {
            client: Some(client.into()),
            billable: false,
            hourly_rate_cents: None,
            currency: None,
        };
        let err = t
            .set_project_billing(p.id, billing("AC\u{1b}ME"))
            .unwrap_err();
        assert_eq!(err.code(), "client.invalid_name");
        let err = t.set_project_billing(p.id, billing("AC\nME")).unwrap_err();
        assert_eq!(err.code(), "client.invalid_name");
        let ok = t.set_project_billing(p.id, billing("ACME")).unwrap();
        assert_eq!(ok.client.as_deref(), Some("ACME"));
    }

    #[test]
    fn billing_is_stored_and_clients_are_shared_ignoring_case() {
        let (mut t, _) = tracker();
        let a = t.create_project("Site", None).unwrap();
        let b = t.create_project("Shop", None).unwrap();
        let got = t
            .set_project_billing(
                a.id,
                ProjectBilling {
                    client: Some("  ACME ".into()),
                    billable: true,
                    hourly_rate_cents: Some(9_500),
                    currency: Some("eur".into()),
                },
            )
            .unwrap();
        assert_eq!(got.client.as_deref(), Some("ACME"));
        assert!(got.billable);
        assert_eq!(got.hourly_rate_cents, Some(9_500));
        assert_eq!(got.currency.as_deref(), Some("EUR"));
        let b = t
            .set_project_billing(
                b.id,
                ProjectBilling {
                    client: Some("acme".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(b.client.as_deref(), Some("ACME"));
        assert_eq!(t.list_clients().unwrap(), ["ACME"]);
        assert_eq!(t.project(a.id).unwrap(), got);

        let cleared = t
            .set_project_billing(a.id, ProjectBilling::default())
            .unwrap();
        assert_eq!(
            (
                cleared.client,
                cleared.billable,
                cleared.hourly_rate_cents,
                cleared.currency
            ),
            (None, false, None, None)
        );
    }

    #[test]
    fn bad_billing_is_refused_and_changes_nothing() {
        let (mut t, _) = tracker();
        let p = t.create_project("Site", None).unwrap();
        let with = |rate: Option<i64>, currency: Option<&str>| ProjectBilling {
            client: None,
            billable: true,
            hourly_rate_cents: rate,
            currency: currency.map(str::to_owned),
        };
        let code = |t: &mut Tracker, b| t.set_project_billing(p.id, b).unwrap_err().code();
        assert_eq!(code(&mut t, with(Some(100), None)), "project.invalid_rate");
        assert_eq!(
            code(&mut t, with(Some(-1), Some("EUR"))),
            "project.invalid_rate"
        );
        assert_eq!(
            code(&mut t, with(None, Some("EURO"))),
            "project.invalid_currency"
        );
        assert_eq!(
            code(&mut t, with(None, Some("€"))),
            "project.invalid_currency"
        );
        let long = ProjectBilling {
            client: Some("x".repeat(NAME_MAX_CHARS + 1)),
            ..Default::default()
        };
        assert_eq!(code(&mut t, long), "client.name_too_long");
        assert_eq!(
            t.set_project_billing(999, ProjectBilling::default())
                .unwrap_err()
                .code(),
            "project.not_found"
        );
        assert_eq!(t.project(p.id).unwrap(), p);
    }

    #[test]
    fn a_client_made_on_its_own_is_offered_renamed_archived_and_restored() {
        let (mut t, _) = tracker();
        let acme = t.create_client("  Acme ").unwrap();
        assert_eq!(
            (acme.name.as_str(), acme.archived, acme.projects),
            ("Acme", false, 0)
        );
        assert_eq!(t.list_clients().unwrap(), ["Acme"]);
        let p = t.create_project("Site", None).unwrap();
        let billing = ProjectBilling {
            client: Some("ACME".into()),
            ..Default::default()
        };
        t.set_project_billing(p.id, billing.clone()).unwrap();
        assert_eq!(t.client(acme.id).unwrap().projects, 1);

        let renamed = t.rename_client(acme.id, "ACME Corp").unwrap();
        assert_eq!(renamed.name, "ACME Corp");
        assert_eq!(
            t.project(p.id).unwrap().client.as_deref(),
            Some("ACME Corp")
        );
        // A change of case alone is a rename, not a clash with itself.
        assert_eq!(
            t.rename_client(acme.id, "Acme Corp").unwrap().name,
            "Acme Corp"
        );

        let archived = t.set_client_archived(acme.id, true).unwrap();
        assert!(archived.archived);
        assert!(t.list_clients().unwrap().is_empty());
        assert!(t.clients(false).unwrap().is_empty());
        assert_eq!(t.clients(true).unwrap(), [archived]);
        assert_eq!(
            t.project(p.id).unwrap().client.as_deref(),
            Some("Acme Corp")
        );
        assert!(!t.set_client_archived(acme.id, false).unwrap().archived);

        // Billing a project to an archived client by name brings it back.
        t.set_client_archived(acme.id, true).unwrap();
        let billing = ProjectBilling {
            client: Some("acme corp".into()),
            ..billing
        };
        t.set_project_billing(p.id, billing).unwrap();
        assert_eq!(t.list_clients().unwrap(), ["Acme Corp"]);
    }

    #[test]
    fn client_names_that_clash_or_are_blank_and_unknown_clients_are_refused() {
        let (mut t, _) = tracker();
        let a = t.create_client("Acme").unwrap();
        let b = t.create_client("Initech").unwrap();
        t.set_client_archived(b.id, true).unwrap();
        let code = |r: Result<Client>| r.unwrap_err().code();
        assert_eq!(code(t.create_client("ACME")), "client.name_taken");
        // Archived or not: sync would merge two clients of one name.
        assert_eq!(code(t.create_client("initech")), "client.name_taken");
        assert_eq!(code(t.rename_client(a.id, "INITECH")), "client.name_taken");
        assert_eq!(code(t.create_client("  ")), "client.name_empty");
        assert_eq!(code(t.rename_client(a.id, "")), "client.name_empty");
        assert_eq!(code(t.create_client("a\u{7}b")), "client.invalid_name");
        assert_eq!(
            code(t.create_client(&"x".repeat(NAME_MAX_CHARS + 1))),
            "client.name_too_long"
        );
        assert_eq!(code(t.rename_client(999, "X")), "client.not_found");
        assert_eq!(code(t.set_client_archived(999, true)), "client.not_found");
        assert_eq!(code(t.client(999)), "client.not_found");
        assert_eq!(t.client(a.id).unwrap(), a);
        assert_eq!(t.clients(true).unwrap().len(), 2);
    }
}
