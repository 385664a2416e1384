//! A synced record as it travels between devices: its kind, its global id,
//! every field with its value and the clock of the edit that set it, and
//! the stamp of its deletion, if any. Values are plain JSON (names, text,
//! RFC 3339 instants); references to other records are their global ids,
//! and an entry's tags are their case-folded names.
//!
//! This module reads a record out of the database and writes one back; it
//! decides nothing. What wins when two devices disagree is in `merge`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use crate::error::{Error, Result};

use super::hlc::Hlc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    // Declaration order is file order: what an entry refers to comes first.
    Client,
    Project,
    Tag,
    Entry,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Client, Kind::Project, Kind::Tag, Kind::Entry];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Client => "client",
            Kind::Project => "project",
            Kind::Tag => "tag",
            Kind::Entry => "entry",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The fields that sync, in the order files list them.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Kind::Client | Kind::Tag => &["name", "archived"],
            Kind::Project => &[
                "name",
                "color",
                "archived",
                "client",
                "billable",
                "hourly_rate_cents",
                "currency",
            ],
            Kind::Entry => &["project", "description", "start", "end", "tags"],
        }
    }
}

/// One field: its value and the stamp of the edit that set it, plus the
/// stamp of the value that edit replaced (which tells a later edit from a
/// concurrent one).
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub value: Value,
    pub hlc: Hlc,
    pub prev: Hlc,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub kind: Kind,
    /// The global id.
    pub id: String,
    /// When it was deleted; it stays deleted unless a field was edited later.
    pub deleted: Option<Hlc>,
    pub fields: BTreeMap<String, Field>,
}

impl Record {
    /// Alive unless deleted after its last edit: the later action wins.
    pub fn alive(&self) -> bool {
        match &self.deleted {
            None => true,
            Some(at) => self.fields.values().any(|f| f.hlc > *at),
        }
    }

    pub fn value(&self, field: &str) -> &Value {
        self.fields.get(field).map_or(&Value::Null, |f| &f.value)
    }

    pub fn str(&self, field: &str) -> Option<&str> {
        self.value(field).as_str()
    }

    /// The newest stamp anywhere in the record.
    pub fn newest(&self) -> Hlc {
        let fields = self.fields.values().map(|f| &f.hlc);
        fields
            .chain(self.deleted.iter())
            .max()
            .cloned()
            .unwrap_or_default()
    }
}

/// The clocks of one record's fields, as stored in `sync_records.clocks`:
/// the stamp of its creation (`*`), and `[stamp, replaced]` for each field
/// edited since.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Clocks {
    pub base: Hlc,
    pub fields: BTreeMap<String, (Hlc, Hlc)>,
}

impl Clocks {
    pub fn get(&self, field: &str) -> (Hlc, Hlc) {
        self.fields
            .get(field)
            .cloned()
            .unwrap_or_else(|| (self.base.clone(), Hlc::ZERO))
    }

    pub fn set(&mut self, field: &str, hlc: Hlc, prev: Hlc) {
        if prev == Hlc::ZERO && hlc == self.base {
            self.fields.remove(field);
        } else {
            self.fields.insert(field.to_owned(), (hlc, prev));
        }
    }

    pub fn parse(text: &str) -> Clocks {
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) else {
            return Clocks::default();
        };
        let mut clocks = Clocks::default();
        for (key, value) in map {
            if key == "*" {
                clocks.base = value.as_str().and_then(Hlc::parse).unwrap_or_default();
            } else if let Some([hlc, prev]) = value.as_array().map(Vec::as_slice) {
                let stamp = |v: &Value| v.as_str().and_then(Hlc::parse).unwrap_or_default();
                clocks.fields.insert(key, (stamp(hlc), stamp(prev)));
            }
        }
        clocks
    }

    pub fn to_json(&self) -> String {
        let mut map = serde_json::Map::new();
        if !self.base.is_zero() {
            map.insert("*".into(), json!(self.base));
        }
        for (key, (hlc, prev)) in &self.fields {
            map.insert(key.clone(), json!([hlc, prev]));
        }
        Value::Object(map).to_string()
    }
}

/// `sync_records`' row for a record: its clocks, deletion stamp, the
/// values kept with a tombstone, and a tag's key.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meta {
    pub clocks: Clocks,
    pub deleted: Option<Hlc>,
    pub state: Option<BTreeMap<String, Value>>,
    pub tag_key: Option<String>,
}

/// `(clocks, deleted, state, tag_key)` as stored.
type MetaRow = (String, Option<String>, Option<String>, Option<String>);

pub(crate) fn meta(conn: &Connection, kind: Kind, gid: &str) -> Result<Option<Meta>> {
    let row: Option<MetaRow> = conn
        .prepare_cached(
            "SELECT clocks, deleted, state, tag_key FROM sync_records WHERE kind = ?1 AND gid = ?2",
        )?
        .query_row(params![kind.as_str(), gid], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    Ok(row.map(|(clocks, deleted, state, tag_key)| Meta {
        clocks: Clocks::parse(&clocks),
        deleted: deleted.as_deref().and_then(Hlc::parse),
        state: state.and_then(|s| serde_json::from_str::<BTreeMap<String, Value>>(&s).ok()),
        tag_key,
    }))
}

pub(crate) fn put_meta(conn: &Connection, kind: Kind, gid: &str, meta: &Meta) -> Result<()> {
    let state = meta
        .state
        .as_ref()
        .map(|s| serde_json::to_string(s).unwrap_or_else(|_| "{}".into()));
    conn.prepare_cached(
        "INSERT INTO sync_records (kind, gid, clocks, deleted, state, tag_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (kind, gid) DO UPDATE SET clocks = excluded.clocks,
             deleted = excluded.deleted, state = excluded.state, tag_key = excluded.tag_key",
    )?
    .execute(params![
        kind.as_str(),
        gid,
        meta.clocks.to_json(),
        meta.deleted.as_ref().map(Hlc::as_str),
        state,
        meta.tag_key
    ])?;
    Ok(())
}

pub(crate) fn mark_pending(conn: &Connection, kind: &str, gid: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_pending (kind, gid) VALUES (?1, ?2)
         ON CONFLICT (kind, gid) DO UPDATE SET version = version + 1",
    )?
    .execute(params![kind, gid])?;
    Ok(())
}

/// A tag's global id: a name-based UUID of its case-folded name, the same
/// on every device, so tags typed on two devices are one tag.
pub fn tag_gid(key: &str) -> String {
    uuid::Uuid::new_v5(&TAG_NAMESPACE, key.as_bytes()).to_string()
}

const TAG_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f7a_3c1e_2b4d_4e8f_9a0b_1c2d_3e4f_5a6b);

pub(crate) fn instant(ms: i64) -> Value {
    Timestamp::from_millisecond(ms).map_or(Value::Null, |t| Value::String(t.to_string()))
}

/// Milliseconds of an instant written as RFC 3339.
pub(crate) fn millis(value: &Value) -> Option<i64> {
    value
        .as_str()
        .and_then(|s| s.parse::<Timestamp>().ok())
        .map(|t| t.as_millisecond())
}

/// The values of a live record, read from its table; `None` if no row has
/// this global id. Also returns the local row id.
pub(crate) fn row_values(
    conn: &Connection,
    kind: Kind,
    gid: &str,
) -> Result<Option<(i64, BTreeMap<String, Value>)>> {
    let mut values = BTreeMap::new();
    let id = match kind {
        Kind::Entry => {
            let row = conn
                .prepare_cached(
                    "SELECT e.id, p.gid, e.description, e.started_at, e.stopped_at
                     FROM time_entries e LEFT JOIN projects p ON p.id = e.project_id
                     WHERE e.gid = ?1",
                )?
                .query_row([gid], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Option<i64>>(4)?,
                    ))
                })
                .optional()?;
            let Some((id, project, description, start, end)) = row else {
                return Ok(None);
            };
            values.insert("project".into(), json!(project));
            values.insert("description".into(), json!(description));
            values.insert("start".into(), instant(start));
            values.insert("end".into(), end.map_or(Value::Null, instant));
            values.insert("tags".into(), tag_keys(conn, id)?);
            id
        }
        Kind::Project => {
            let row = conn
                .prepare_cached(
                    "SELECT p.id, p.name, p.color, p.archived, c.gid, p.billable,
                            p.hourly_rate_cents, p.currency
                     FROM projects p LEFT JOIN clients c ON c.id = p.client_id WHERE p.gid = ?1",
                )?
                .query_row([gid], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        json!({
                            "name": r.get::<_, String>(1)?,
                            "color": r.get::<_, String>(2)?,
                            "archived": r.get::<_, bool>(3)?,
                            "client": r.get::<_, Option<String>>(4)?,
                            "billable": r.get::<_, bool>(5)?,
                            "hourly_rate_cents": r.get::<_, Option<i64>>(6)?,
                            "currency": r.get::<_, Option<String>>(7)?,
                        }),
                    ))
                })
                .optional()?;
            let Some((id, Value::Object(map))) = row else {
                return Ok(None);
            };
            values.extend(map);
            id
        }
        Kind::Client => {
            let row: Option<(i64, String, bool)> = conn
                .prepare_cached("SELECT id, name, archived FROM clients WHERE gid = ?1")?
                .query_row([gid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let Some((id, name, archived)) = row else {
                return Ok(None);
            };
            values.insert("name".into(), json!(name));
            values.insert("archived".into(), json!(archived));
            id
        }
        Kind::Tag => {
            let Some((id, name, archived)) = tag_by_gid(conn, gid)? else {
                return Ok(None);
            };
            values.insert("name".into(), json!(name));
            values.insert("archived".into(), json!(archived));
            id
        }
    };
    Ok(Some((id, values)))
}

/// The tag whose global id is `gid`, found through `sync_records`, where
/// every tag this device stamped or received is listed with its key.
fn tag_by_gid(conn: &Connection, gid: &str) -> Result<Option<(i64, String, bool)>> {
    let key: Option<String> = conn
        .prepare_cached("SELECT tag_key FROM sync_records WHERE kind = 'tag' AND gid = ?1")?
        .query_row([gid], |r| r.get(0))
        .optional()?
        .flatten();
    let Some(key) = key else {
        return Ok(None);
    };
    Ok(conn
        .prepare_cached("SELECT id, name, archived FROM tags WHERE name_key = ?1")?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// The sorted case-folded names of an entry's tags.
pub(crate) fn tag_keys(conn: &Connection, entry_id: i64) -> Result<Value> {
    let mut keys: Vec<String> = conn
        .prepare_cached(
            "SELECT t.name_key FROM entry_tags et JOIN tags t ON t.id = et.tag_id
             WHERE et.entry_id = ?1",
        )?
        .query_map([entry_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    keys.sort();
    Ok(json!(keys))
}

/// The record with global id `gid` as this device holds it (alive, or a
/// tombstone), with every field's clock; `None` if it never heard of it.
pub(crate) fn load(conn: &Connection, kind: Kind, gid: &str) -> Result<Option<Record>> {
    let meta = meta(conn, kind, gid)?;
    let row = row_values(conn, kind, gid)?;
    let (values, deleted, clocks) = match (row, meta) {
        (Some((_, values)), meta) => {
            let (clocks, deleted) =
                meta.map_or((Clocks::default(), None), |m| (m.clocks, m.deleted));
            (values, deleted, clocks)
        }
        (
            None,
            Some(Meta {
                clocks,
                deleted: Some(deleted),
                state: Some(state),
                ..
            }),
        ) => (state, Some(deleted), clocks),
        (None, _) => return Ok(None),
    };
    let fields = values
        .into_iter()
        .map(|(name, value)| {
            let (hlc, prev) = clocks.get(&name);
            (name, Field { value, hlc, prev })
        })
        .collect();
    Ok(Some(Record {
        kind,
        id: gid.to_owned(),
        deleted,
        fields,
    }))
}

/// Reads a tombstone's state as the trigger wrote it (raw milliseconds,
/// the project's gid, tag keys) into record values.
pub(crate) fn tombstone_values(raw: &str) -> BTreeMap<String, Value> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(raw) else {
        return BTreeMap::new();
    };
    let mut values = BTreeMap::new();
    values.insert(
        "project".into(),
        map.get("project").cloned().unwrap_or(Value::Null),
    );
    values.insert(
        "description".into(),
        map.get("description").cloned().unwrap_or_else(|| json!("")),
    );
    let ms = |key: &str| map.get(key).and_then(Value::as_i64);
    values.insert("start".into(), ms("start").map_or(Value::Null, instant));
    values.insert("end".into(), ms("end").map_or(Value::Null, instant));
    let mut tags: Vec<String> = map
        .get("tags")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    tags.sort();
    values.insert("tags".into(), json!(tags));
    values
}

/// The global id of the row `row_id` of `kind`, if it still exists.
pub(crate) fn gid_of(conn: &Connection, kind: Kind, row_id: i64) -> Result<Option<String>> {
    let sql = match kind {
        Kind::Entry => "SELECT gid FROM time_entries WHERE id = ?1",
        Kind::Project => "SELECT gid FROM projects WHERE id = ?1",
        Kind::Client => "SELECT gid FROM clients WHERE id = ?1",
        Kind::Tag => "SELECT name_key FROM tags WHERE id = ?1",
    };
    let found: Option<Option<String>> = conn
        .prepare_cached(sql)?
        .query_row([row_id], |r| r.get(0))
        .optional()?;
    Ok(match (kind, found.flatten()) {
        (Kind::Tag, Some(key)) => Some(tag_gid(&key)),
        (_, gid) => gid,
    })
}

/// A value read from a file that does not fit its field.
pub(crate) fn bad(kind: Kind, field: &str) -> Error {
    Error::SyncBadRecord(format!("{} field \u{201c}{field}\u{201d}", kind.as_str()))
}
