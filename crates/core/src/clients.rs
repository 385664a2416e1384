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

/// The id of the client named `name` (ignoring case), created if needed.
pub(crate) fn ensure(conn: &Connection, name: &str, now_ms: i64) -> Result<i64> {
    let key = name.to_lowercase();
    let found: Option<i64> = conn
        .prepare_cached("SELECT id FROM clients WHERE name_key = ?1")?
        .query_row([&key], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
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

    /// Every client name, sorted ignoring case.
    pub fn list_clients(&self) -> Result<Vec<String>> {
        self.storage.read("clients_list", |conn| {
            let mut stmt = conn.prepare_cached("SELECT name FROM clients ORDER BY name_key")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
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
}
