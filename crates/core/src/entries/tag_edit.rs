//! Tags on their own: listed with their use, created ahead of any entry,
//! renamed, archived and restored.
//!
//! A tag's sync identity is its case-folded name, so a rename that keeps
//! the name's letters (a change of case) edits the tag in place, and any
//! other rename moves the entries to the tag of the new name (made if
//! needed, merged if it exists). Each moved entry's tag list changes, which
//! is what syncs. The old tag is archived, not deleted: another device may
//! still hold it, and the archived flag, which syncs, hides it there too.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::changes::{offer, Change};
use crate::error::{Error, Result};
use crate::Tracker;

use super::{get as entry, tags};

/// A tag as listed and edited on its own (entries carry its name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Tag {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// Archived tags are not suggested; entries keep them.
    pub archived: bool,
    /// How many entries carry it.
    #[ts(type = "number")]
    pub entries: i64,
}

const SELECT_TAG: &str = "SELECT t.id, t.name, t.archived,
        (SELECT count(*) FROM entry_tags et WHERE et.tag_id = t.id)
     FROM tags t";

impl Tag {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Tag {
            id: row.get(0)?,
            name: row.get(1)?,
            archived: row.get(2)?,
            entries: row.get(3)?,
        })
    }
}

fn get(conn: &Connection, id: i64) -> Result<Tag> {
    conn.prepare_cached(&format!("{SELECT_TAG} WHERE t.id = ?1"))?
        .query_row([id], Tag::from_row)
        .optional()?
        .ok_or(Error::TagNotFound(id))
}

/// One tag name, checked as a tag on an entry is.
fn normalize_one(raw: &str) -> Result<String> {
    tags::normalize(&[raw.to_owned()])?
        .pop()
        .ok_or_else(|| Error::TagInvalid(raw.to_owned()))
}

/// The entries that carry tag `id`, by id.
fn carrying(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    Ok(conn
        .prepare_cached("SELECT entry_id FROM entry_tags WHERE tag_id = ?1 ORDER BY entry_id")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Moves every entry tagged `from` to `to`, returning the entries moved.
fn move_entries(conn: &Connection, from: i64, to: i64, now_ms: i64) -> Result<Vec<i64>> {
    let moved = carrying(conn, from)?;
    conn.prepare_cached(
        "INSERT OR IGNORE INTO entry_tags (entry_id, tag_id)
         SELECT entry_id, ?2 FROM entry_tags WHERE tag_id = ?1",
    )?
    .execute(params![from, to])?;
    conn.prepare_cached("DELETE FROM entry_tags WHERE tag_id = ?1")?
        .execute([from])?;
    // Only the moved ones: entries that had `to` already did not change.
    conn.prepare_cached(
        "UPDATE time_entries SET updated_at = ?2 WHERE id IN (SELECT value FROM json_each(?1))",
    )?
    .execute(params![tags::ids_json(moved.iter().copied()), now_ms])?;
    Ok(moved)
}

impl Tracker {
    /// Active tags by name, then (when asked) archived ones by name.
    pub fn tags(&self, include_archived: bool) -> Result<Vec<Tag>> {
        let sql =
            format!("{SELECT_TAG} WHERE t.archived = 0 OR ?1 ORDER BY t.archived, t.name_key");
        self.storage.read("tags_list", |conn| {
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map([include_archived], Tag::from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    pub fn tag(&self, id: i64) -> Result<Tag> {
        self.storage.read("tag_get", |conn| get(conn, id))
    }

    /// The tag named `name`, made if there is none (true) or brought back
    /// if archived, as typing it on an entry would.
    pub fn create_tag(&mut self, name: &str) -> Result<(Tag, bool)> {
        let name = normalize_one(name)?;
        let (tag, created) = self.storage.write("tag_create", |tx| {
            let ensured = tags::ensure(tx, &name)?;
            Ok((get(tx, ensured.id)?, ensured.created))
        })?;
        if created {
            crate::log_event!("tag.created", tag_id = tag.id);
        }
        Ok((tag, created))
    }

    /// Renames a tag on every entry that carries it, and returns the tag
    /// those entries now have: the same one for a change of case, else the
    /// tag of the new name (another id; an existing one is merged into).
    pub fn rename_tag(&mut self, id: i64, name: &str) -> Result<Tag> {
        let name = normalize_one(name)?;
        let key = name.to_lowercase();
        let now = self.clock.now();
        let changers = &self.change_observers;
        let (tag, moved) = self.storage.write("tag_rename", |tx| {
            let old = get(tx, id)?;
            let (to, moved) = if old.name.to_lowercase() == key {
                tx.prepare_cached("UPDATE tags SET name = ?2 WHERE id = ?1")?
                    .execute(params![id, name])?;
                (id, carrying(tx, id)?)
            } else {
                let to = tags::ensure(tx, &name)?.id;
                // Named as typed, even when merged onto an existing tag.
                tx.prepare_cached("UPDATE tags SET name = ?2 WHERE id = ?1")?
                    .execute(params![to, name])?;
                let moved = move_entries(tx, id, to, now.as_millisecond())?;
                tx.prepare_cached("UPDATE tags SET archived = 1 WHERE id = ?1")?
                    .execute([id])?;
                (to, moved)
            };
            offer(changers, tx, now, || {
                moved
                    .iter()
                    .filter_map(|e| entry(tx, *e, now).ok())
                    .map(Change::EntryUpdated)
                    .collect()
            });
            Ok((get(tx, to)?, moved.len()))
        })?;
        crate::log_event!(
            "tag.renamed",
            tag_id = id,
            into_tag_id = tag.id,
            entries = moved
        );
        Ok(tag)
    }

    /// Archives a tag (true) or restores it (false): it leaves or rejoins
    /// the tag suggestions; entries keep it either way.
    pub fn set_tag_archived(&mut self, id: i64, archived: bool) -> Result<Tag> {
        let tag = self.storage.write("tag_set_archived", |tx| {
            get(tx, id)?;
            tx.prepare_cached("UPDATE tags SET archived = ?2 WHERE id = ?1")?
                .execute(params![id, archived])?;
            get(tx, id)
        })?;
        let change = if archived { "archived" } else { "restored" };
        crate::log_event!("tag.updated", tag_id = id, change = change);
        Ok(tag)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::test_support::{tracker, ts};
    use crate::{EntryPatch, NewEntry};

    /// Keeps the names of the changes offered, as a webhook queue would.
    #[derive(Default)]
    struct Seen(Mutex<Vec<(String, Vec<String>)>>);

    impl crate::changes::ChangeObserver for Seen {
        fn in_transaction(&self, _: &Connection, _: jiff::Timestamp, changes: &[Change]) {
            let mut seen = self.0.lock().unwrap();
            for c in changes {
                let tags = match c {
                    Change::EntryUpdated(e) => e.tags.clone(),
                    _ => vec![],
                };
                seen.push((c.name().to_owned(), tags));
            }
        }
    }

    fn add(t: &mut Tracker, tags: &[&str]) -> crate::Entry {
        t.add_entry(NewEntry {
            project_id: None,
            description: String::new(),
            started_at: ts("2026-11-23T08:00:00Z"),
            stopped_at: ts("2026-11-23T08:30:00Z"),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        })
        .unwrap()
    }

    #[test]
    fn a_tag_made_on_its_own_is_suggested_and_making_it_again_returns_it() {
        let (mut t, _) = tracker();
        let (made, created) = t.create_tag("  Deep work ").unwrap();
        assert!(created);
        assert_eq!((made.name.as_str(), made.entries), ("Deep work", 0));
        assert_eq!(t.list_tags().unwrap(), ["Deep work"]);
        let (again, created) = t.create_tag("DEEP WORK").unwrap();
        assert!(!created);
        assert_eq!(again, made);
        assert_eq!(t.create_tag("a;b").unwrap_err().code(), "tag.invalid");
        assert_eq!(t.create_tag(" ").unwrap_err().code(), "tag.invalid");
    }

    #[test]
    fn renaming_onto_an_existing_tag_merges_them_and_each_entry_is_offered_once() {
        let (mut t, clock) = tracker();
        let seen = Arc::new(Seen::default());
        let both = add(&mut t, &["ops", "Infra"]);
        let only_ops = add(&mut t, &["ops"]);
        let only_infra = add(&mut t, &["Infra"]);
        let updated = |t: &Tracker, id: i64| -> i64 {
            t.storage
                .conn()
                .query_row(
                    "SELECT updated_at FROM time_entries WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .unwrap()
        };
        let before = updated(&t, only_infra.id);
        clock.advance(jiff::SignedDuration::from_mins(1));
        t.observe_changes(seen.clone());
        let ops = t.tags(false).unwrap()[1].clone();
        assert_eq!(ops.name, "ops");
        let infra = t.rename_tag(ops.id, "infra").unwrap();
        assert_eq!(
            (infra.name.as_str(), infra.entries, infra.archived),
            ("infra", 3, false)
        );
        // Only the moved entries changed.
        assert_eq!(updated(&t, only_infra.id), before);
        assert!(updated(&t, only_ops.id) > before);
        assert_eq!(t.entry(both.id).unwrap().tags, ["infra"]);
        assert_eq!(t.entry(only_ops.id).unwrap().tags, ["infra"]);
        assert_eq!(t.list_tags().unwrap(), ["infra"]);
        let old = t.tag(ops.id).unwrap();
        assert!(old.archived && old.entries == 0, "{old:?}");
        let seen = seen.0.lock().unwrap().clone();
        assert_eq!(
            seen,
            [
                ("entry.updated".to_owned(), vec!["infra".to_owned()]),
                ("entry.updated".to_owned(), vec!["infra".to_owned()])
            ]
        );
    }

    #[test]
    fn archiving_hides_a_tag_from_suggestions_but_not_from_its_entries() {
        let (mut t, _) = tracker();
        let e = add(&mut t, &["old"]);
        let id = t.tags(false).unwrap()[0].id;
        let archived = t.set_tag_archived(id, true).unwrap();
        assert!(archived.archived);
        assert!(t.list_tags().unwrap().is_empty());
        assert!(t.tags(false).unwrap().is_empty());
        assert_eq!(t.tags(true).unwrap(), [archived]);
        assert_eq!(t.entry(e.id).unwrap().tags, ["old"]);
        // Typed again on an entry, it is back.
        t.update_entry(
            e.id,
            EntryPatch {
                tags: Some(vec!["new".into(), "Old".into()]),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(t.list_tags().unwrap(), ["new", "old"]);
    }

    #[test]
    fn bad_renames_and_unknown_tags_are_refused_and_change_nothing() {
        let (mut t, _) = tracker();
        let e = add(&mut t, &["keep"]);
        let id = t.tags(false).unwrap()[0].id;
        assert_eq!(t.rename_tag(id, "a,b").unwrap_err().code(), "tag.invalid");
        assert_eq!(t.rename_tag(id, "").unwrap_err().code(), "tag.invalid");
        assert_eq!(t.rename_tag(999, "x").unwrap_err().code(), "tag.not_found");
        assert_eq!(
            t.set_tag_archived(999, true).unwrap_err().code(),
            "tag.not_found"
        );
        assert_eq!(t.tag(999).unwrap_err().code(), "tag.not_found");
        assert_eq!(t.entry(e.id).unwrap().tags, ["keep"]);
        assert_eq!(t.list_tags().unwrap(), ["keep"]);
    }
}
