//! Tags on entries: free words, unique ignoring case, kept in the spelling
//! first used. Tags with no entries stay in the table; they cost nothing and
//! keep their spelling for the next time they are typed.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};

use super::Entry;

pub use crate::limits::TAG_MAX_CHARS;

/// Trims and checks each tag, drops repeats (ignoring case, keeping the
/// first spelling) and sorts them ignoring case. `;` separates tags in our
/// CSV and `,` in other trackers' files, so neither may appear in one.
pub fn normalize(raw: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(raw.len());
    for tag in raw {
        let tag = tag.trim();
        let chars = tag.chars().count();
        let bad = tag.is_empty()
            || chars > TAG_MAX_CHARS
            || tag.chars().any(|c| c.is_control() || c == ';' || c == ',');
        if bad {
            return Err(Error::TagInvalid(tag.to_owned()));
        }
        let key = tag.to_lowercase();
        if !out.iter().any(|(k, _)| *k == key) {
            out.push((key, tag.to_owned()));
        }
    }
    out.sort();
    Ok(out.into_iter().map(|(_, name)| name).collect())
}

/// A tag found or made by [`ensure`].
pub(crate) struct Ensured {
    pub id: i64,
    /// Its stored spelling.
    pub name: String,
    /// Made just now.
    pub created: bool,
}

/// The tag named `name` (ignoring case), created if needed. Typing an
/// archived tag again brings it back.
pub(crate) fn ensure(conn: &Connection, name: &str) -> Result<Ensured> {
    let key = name.to_lowercase();
    let found: Option<(i64, String)> = conn
        .prepare_cached("SELECT id, name FROM tags WHERE name_key = ?1")?
        .query_row([&key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((id, name)) = found {
        conn.prepare_cached("UPDATE tags SET archived = 0 WHERE id = ?1 AND archived = 1")?
            .execute([id])?;
        return Ok(Ensured {
            id,
            name,
            created: false,
        });
    }
    conn.prepare_cached("INSERT INTO tags (name, name_key) VALUES (?1, ?2)")?
        .execute(params![name, key])?;
    Ok(Ensured {
        id: conn.last_insert_rowid(),
        name: name.to_owned(),
        created: true,
    })
}

/// Replaces the tags of `entry_id` with `tags` (already normalised) and
/// returns them as stored, sorted.
pub(crate) fn set(conn: &Connection, entry_id: i64, tags: &[String]) -> Result<Vec<String>> {
    // Unchanged tags are left alone: rewriting them would count as an edit
    // of the entry's tags, and sync would let it win over a real one.
    let current = of_entry(conn, entry_id)?;
    let mut wanted: Vec<String> = tags.iter().map(|t| t.to_lowercase()).collect();
    wanted.sort();
    wanted.dedup();
    let mut have: Vec<String> = current.iter().map(|(key, _)| key.clone()).collect();
    have.sort();
    if have == wanted {
        let mut names: Vec<String> = current.into_iter().map(|(_, name)| name).collect();
        sort(&mut names);
        return Ok(names);
    }
    conn.prepare_cached("DELETE FROM entry_tags WHERE entry_id = ?1")?
        .execute([entry_id])?;
    let mut stored = Vec::with_capacity(tags.len());
    let mut insert =
        conn.prepare_cached("INSERT OR IGNORE INTO entry_tags (entry_id, tag_id) VALUES (?1, ?2)")?;
    for tag in tags {
        let tag = ensure(conn, tag)?;
        insert.execute(params![entry_id, tag.id])?;
        stored.push(tag.name);
    }
    sort(&mut stored);
    Ok(stored)
}

/// The (case-folded key, stored name) of each tag on `entry_id`.
pub(crate) fn of_entry(conn: &Connection, entry_id: i64) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.name_key, t.name FROM entry_tags et JOIN tags t ON t.id = et.tag_id
         WHERE et.entry_id = ?1",
    )?;
    let rows = stmt.query_map([entry_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn sort(tags: &mut [String]) {
    tags.sort_by_cached_key(|t| t.to_lowercase());
}

/// Loads the tags of every entry in `entries` with one query.
pub(crate) fn fill(conn: &Connection, entries: &mut [Entry]) -> Result<()> {
    let ids = ids_json(entries.iter().map(|e| e.id));
    let mut stmt = conn.prepare_cached(
        "SELECT et.entry_id, t.name FROM entry_tags et JOIN tags t ON t.id = et.tag_id
         WHERE et.entry_id IN (SELECT value FROM json_each(?1))",
    )?;
    let mut by_entry: HashMap<i64, Vec<String>> = HashMap::new();
    let mut rows = stmt.query([ids])?;
    while let Some(row) = rows.next()? {
        by_entry.entry(row.get(0)?).or_default().push(row.get(1)?);
    }
    if by_entry.is_empty() {
        return Ok(());
    }
    for entry in entries.iter_mut() {
        if let Some(mut tags) = by_entry.remove(&entry.id) {
            sort(&mut tags);
            entry.tags = tags;
        }
    }
    Ok(())
}

/// A JSON array of ids, bound as one parameter so a list of any length is
/// one statement (SQLite's `json_each` reads it back).
pub(crate) fn ids_json(ids: impl Iterator<Item = i64>) -> String {
    let mut out = String::from("[");
    for (i, id) in ids.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&id.to_string());
    }
    out.push(']');
    out
}

/// Every active tag's name, sorted ignoring case.
pub(crate) fn all(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT name FROM tags WHERE archived = 0 ORDER BY name_key")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn tags_are_trimmed_deduplicated_ignoring_case_and_sorted() {
        let got = normalize(&strings(&[" urgent ", "Billing", "URGENT", "b"])).unwrap();
        assert_eq!(got, ["b", "Billing", "urgent"]);
    }

    #[test]
    fn bad_tags_are_refused_by_name() {
        for bad in [
            "",
            "  ",
            "a;b",
            "a,b",
            "tab\there",
            &"x".repeat(TAG_MAX_CHARS + 1),
        ] {
            let err = normalize(&strings(&[bad])).unwrap_err();
            assert_eq!(err.code(), "tag.invalid", "{bad:?}");
        }
        assert!(normalize(&strings(&[&"é".repeat(TAG_MAX_CHARS)])).is_ok());
    }
}
