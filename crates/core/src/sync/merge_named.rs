//! Applying another device's projects, clients and tags, and merging two
//! records of the same name into one.

use rusqlite::{params, OptionalExtension};

use crate::entries::tags;
use crate::error::Result;

use super::hlc::Hlc;
use super::merge::{alias_kind, clocks_of, merge, row_id, table, Applier};
use super::record::{self, bad, Kind, Meta, Record};

impl Applier<'_> {
    pub(super) fn write_named(&mut self, record: Record) -> Result<()> {
        let kind = record.kind;
        let (name, key) = match kind {
            Kind::Project => {
                crate::projects::normalize_synced_name(record.str("name").unwrap_or_default())?
            }
            _ => {
                let name = crate::clients::normalize_synced_client(record.str("name"))?
                    .ok_or_else(|| bad(kind, "name"))?;
                let key = name.to_lowercase();
                (name, key)
            }
        };
        // Client names are unique archived or not; project names only
        // among active projects.
        let active = kind != Kind::Project || !record.value("archived").as_bool().unwrap_or(false);
        let clash: Option<String> = if active {
            let sql = match kind {
                Kind::Project => {
                    "SELECT gid FROM projects WHERE name_key = ?1 AND archived = 0 AND gid IS NOT ?2"
                }
                _ => "SELECT gid FROM clients WHERE name_key = ?1 AND gid IS NOT ?2",
            };
            self.conn
                .prepare_cached(sql)?
                .query_row(params![key, record.id], |r| r.get(0))
                .optional()?
        } else {
            None
        };
        match clash {
            Some(other) => self.merge_into_one(record, &other),
            None => self.store_named(&record, &name, &key),
        }
    }

    /// Writes a project or client row from `record` (its name checked).
    fn store_named(&mut self, record: &Record, name: &str, key: &str) -> Result<()> {
        let kind = record.kind;
        let row = row_id(self.conn, kind, &record.id)?;
        match kind {
            Kind::Project => {
                let color = crate::projects::normalize_color(
                    record.str("color").unwrap_or(crate::projects::PALETTE[0]),
                )?;
                let client = match record.str("client") {
                    None => None,
                    Some(gid) => Some(
                        row_id(self.conn, Kind::Client, gid)?
                            .ok_or_else(|| bad(Kind::Project, "client"))?,
                    ),
                };
                let billing = crate::clients::normalize_billing(&crate::ProjectBilling {
                    client: None,
                    billable: record.value("billable").as_bool().unwrap_or(false),
                    hourly_rate_cents: record.value("hourly_rate_cents").as_i64(),
                    currency: record.str("currency").map(str::to_owned),
                })?;
                let archived = record.value("archived").as_bool().unwrap_or(false);
                let values = params![
                    record.id,
                    name,
                    key,
                    color,
                    archived,
                    client,
                    billing.billable,
                    billing.hourly_rate_cents,
                    billing.currency,
                    self.now_ms
                ];
                match row {
                    Some(id) => {
                        self.conn
                            .prepare_cached(
                                "UPDATE projects SET name = ?2, name_key = ?3, color = ?4, archived = ?5,
                                 client_id = ?6, billable = ?7, hourly_rate_cents = ?8, currency = ?9,
                                 updated_at = ?10 WHERE gid = ?1",
                            )?
                            .execute(values)?;
                        let _ = id;
                    }
                    None => {
                        self.conn
                            .prepare_cached(
                                "INSERT INTO projects (gid, name, name_key, color, archived, client_id,
                                 billable, hourly_rate_cents, currency, created_at, updated_at)
                                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                            )?
                            .execute(values)?;
                    }
                }
            }
            _ => {
                let archived = record.value("archived").as_bool().unwrap_or(false);
                let sql = match row {
                    Some(_) => {
                        "UPDATE clients SET name = ?2, name_key = ?3, archived = ?5 WHERE gid = ?1"
                    }
                    None => {
                        "INSERT INTO clients (gid, name, name_key, created_at, archived)
                         VALUES (?1, ?2, ?3, ?4, ?5)"
                    }
                };
                self.conn.prepare_cached(sql)?.execute(params![
                    record.id,
                    name,
                    key,
                    self.now_ms,
                    archived
                ])?;
            }
        }
        let meta = Meta {
            clocks: clocks_of(record),
            ..Meta::default()
        };
        record::put_meta(self.conn, kind, &record.id, &meta)
    }

    /// `record` has the same name as the local `other`: they become one,
    /// under the smaller id, and the merge is queued to sync.
    fn merge_into_one(&mut self, record: Record, other: &str) -> Result<()> {
        let stamp = self.derived()?;
        let (keep, gone) = if record.id.as_str() < other {
            (record.id.clone(), other.to_owned())
        } else {
            (other.to_owned(), record.id.clone())
        };
        self.alias(record.kind, &gone, &keep, &stamp)?;
        record::mark_pending(self.conn, &alias_kind(record.kind), &gone)?;
        self.combine(record.kind, Some(record), &gone, &keep)
    }

    /// Applies a merge read from another device: `gone` is now `into`.
    pub fn apply_merge(&mut self, kind: Kind, gone: &str, into: &str, stamp: &Hlc) -> Result<()> {
        self.see(stamp);
        let a = self.resolve(kind, gone)?;
        let b = self.resolve(kind, into)?;
        if a == b {
            return Ok(());
        }
        // The smaller id survives, whichever order merges arrive in.
        let (keep, gone) = if a < b { (a, b) } else { (b, a) };
        self.alias(kind, &gone, &keep, stamp)?;
        self.combine(kind, None, &gone, &keep)?;
        self.applied.records += 1;
        Ok(())
    }

    fn alias(&self, kind: Kind, gone: &str, keep: &str, stamp: &Hlc) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO sync_aliases (kind, gid, into_gid, hlc) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (kind, gid) DO UPDATE SET into_gid = excluded.into_gid",
            )?
            .execute(params![kind.as_str(), gone, keep, stamp.as_str()])?;
        Ok(())
    }

    /// Folds record `gone` into `keep`: fields by the usual rule, the
    /// entries (or projects) of `gone` moved over, and `gone`'s row and
    /// clocks removed. `incoming` is `gone` or `keep` as just read.
    fn combine(
        &mut self,
        kind: Kind,
        incoming: Option<Record>,
        gone: &str,
        keep: &str,
    ) -> Result<()> {
        let mut parts: Vec<Record> = Vec::new();
        for gid in [keep, gone] {
            if let Some(mut r) = record::load(self.conn, kind, gid)? {
                self.resolve_refs(&mut r)?;
                parts.push(r);
            }
        }
        if let Some(r) = incoming {
            parts.push(r);
        }
        let Some(mut combined) = parts.first().cloned() else {
            return Ok(());
        };
        for part in &parts[1..] {
            let (merged, losers) = merge(&combined, part);
            combined = merged;
            for (field, loser, winner) in losers {
                let mut named = combined.clone();
                named.id = keep.to_owned();
                self.conflict(&named, &field, &loser, &winner)?;
            }
        }
        combined.id = keep.to_owned();
        combined.deleted = None;
        let gone_row = row_id(self.conn, kind, gone)?;
        let keep_row = row_id(self.conn, kind, keep)?;
        match (gone_row, keep_row) {
            (Some(g), Some(k)) => {
                self.move_references(kind, g, k)?;
                self.delete_row(kind, g)?;
            }
            (Some(g), None) => {
                let table = table(kind);
                self.conn.execute(
                    &format!("UPDATE {table} SET gid = ?2 WHERE id = ?1"),
                    params![g, keep],
                )?;
            }
            _ => {}
        }
        self.conn
            .prepare_cached("DELETE FROM sync_records WHERE kind = ?1 AND gid = ?2")?
            .execute(params![kind.as_str(), gone])?;
        self.applied.merged += 1;
        crate::log_event!("sync.merged", kind = kind.as_str());
        // The survivor now holds fields that may have lived only here (a
        // record made on this device and not yet written): it travels.
        record::mark_pending(self.conn, kind.as_str(), keep)?;
        // The survivor may clash with nothing now: it holds the only row.
        let (name, key) = match kind {
            Kind::Project => {
                crate::projects::normalize_synced_name(combined.str("name").unwrap_or_default())?
            }
            _ => {
                let name = combined.str("name").unwrap_or_default().trim().to_owned();
                let key = name.to_lowercase();
                (name, key)
            }
        };
        self.store_named(&combined, &name, &key)
    }

    fn move_references(&self, kind: Kind, from: i64, to: i64) -> Result<()> {
        let sql = match kind {
            Kind::Project => "UPDATE time_entries SET project_id = ?2 WHERE project_id = ?1",
            Kind::Client => "UPDATE projects SET client_id = ?2 WHERE client_id = ?1",
            Kind::Tag | Kind::Entry => return Ok(()),
        };
        self.conn.execute(sql, params![from, to])?;
        Ok(())
    }

    fn delete_row(&self, kind: Kind, id: i64) -> Result<()> {
        self.conn
            .execute(&format!("DELETE FROM {} WHERE id = ?1", table(kind)), [id])?;
        Ok(())
    }

    pub(super) fn write_tag(&mut self, record: Record) -> Result<()> {
        let name = tags::normalize(&[record.str("name").unwrap_or_default().to_owned()])?
            .pop()
            .ok_or_else(|| bad(Kind::Tag, "name"))?;
        let key = name.to_lowercase();
        if record::tag_gid(&key) != record.id {
            return Err(bad(Kind::Tag, "name"));
        }
        let archived = record.value("archived").as_bool().unwrap_or(false);
        self.conn
            .prepare_cached(
                "INSERT INTO tags (name, name_key, archived) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name_key) DO UPDATE SET name = excluded.name, archived = excluded.archived",
            )?
            .execute(params![name, key, archived])?;
        let meta = Meta {
            clocks: clocks_of(&record),
            tag_key: Some(key),
            ..Meta::default()
        };
        record::put_meta(self.conn, Kind::Tag, &record.id, &meta)
    }
}
