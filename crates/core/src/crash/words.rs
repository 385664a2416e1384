//! The user's own words (project and client names, tags, descriptions,
//! device names) and the matcher that finds them in a report or a log
//! line, whatever their case and however the text around them escaped
//! them. Loading them can fail (a busy, damaged or unreadable database):
//! callers must then hold the text back, never send it as it is.

use std::path::Path;

use aho_corasick::{AhoCorasick, MatchKind};

/// Shorter terms are left alone: a project called "QA" must not turn every
/// "qa" inside a stack trace into noise, and says little about the user.
pub const MIN_TERM_CHARS: usize = 3;

/// The user's words could not be read, so text cannot be made safe now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordsUnavailable(pub String);

impl std::fmt::Display for WordsUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the user's words could not be loaded: {}", self.0)
    }
}

/// Every term from the database at `db_path`. A missing file holds no
/// words yet (first run); anything else that stops the read is an error,
/// including a table of the current schema that is absent (an old or
/// foreign file), because its words would then go unredacted.
pub fn load(db_path: &Path) -> Result<Vec<String>, WordsUnavailable> {
    use rusqlite::OpenFlags;
    if !db_path.exists() {
        return Ok(Vec::new());
    }
    let fail = |e: rusqlite::Error| WordsUnavailable(e.to_string());
    let conn = rusqlite::Connection::open_with_flags(
        db_path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(fail)?;
    // The command that panicked may hold the write lock: wait a little,
    // then give up (the report waits in the cache for a later try).
    conn.busy_timeout(std::time::Duration::from_millis(500))
        .map_err(fail)?;
    let sources = [
        "SELECT name AS t FROM projects",
        "SELECT name AS t FROM clients",
        "SELECT name AS t FROM tags",
        "SELECT DISTINCT description AS t FROM time_entries",
        // Device names are often the owner's name ("Alice's laptop").
        "SELECT device_name AS t FROM sync_state WHERE device_name IS NOT NULL",
        "SELECT name AS t FROM sync_peers WHERE name IS NOT NULL",
    ];
    let mut terms = Vec::new();
    for source in sources {
        let sql = format!("SELECT t FROM ({source}) WHERE length(trim(t)) >= {MIN_TERM_CHARS}");
        let mut stmt = conn.prepare(&sql).map_err(fail)?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(fail)?;
        for row in rows {
            terms.push(row.map_err(fail)?.trim().to_owned());
        }
    }
    Ok(terms)
}

/// The forms `term` takes in text that escaped it: JSON (`\"`, `\n`,
/// `\\`), JSON with non-ASCII as `\u00e9`, Rust's `{:?}` (`\"`, `\'`), and
/// JSON inside JSON (a log line quoted in a report).
fn variants(term: &str) -> Vec<String> {
    let json = json_inner(term);
    let mut out = vec![
        term.to_owned(),
        json_ascii(&json),
        // `\u00C9` and `\u00e9` are different letters: the matcher folds
        // case after escaping, so escape each case on its own.
        json_ascii(&json_inner(&term.to_uppercase())),
        json_ascii(&json_inner(&term.to_lowercase())),
        term.escape_debug().to_string(),
        json_inner(&json),
        json,
    ];
    out.sort();
    out.dedup();
    out
}

fn json_inner(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default()
        .to_owned()
}

/// `json` (already escaped) with every non-ASCII character as `\uXXXX`
/// (UTF-16, as JSON writes characters beyond the BMP).
fn json_ascii(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// `text` in lower case (full Unicode), with, for each byte of the result,
/// the byte range of the original character it came from.
struct Folded {
    text: String,
    starts: Vec<usize>,
    ends: Vec<usize>,
}

fn fold(text: &str) -> Folded {
    let mut folded = Folded {
        text: String::with_capacity(text.len()),
        starts: Vec::with_capacity(text.len()),
        ends: Vec::with_capacity(text.len()),
    };
    for (at, c) in text.char_indices() {
        for lower in c.to_lowercase() {
            folded.text.push(lower);
            for _ in 0..lower.len_utf8() {
                folded.starts.push(at);
                folded.ends.push(at + c.len_utf8());
            }
        }
    }
    folded
}

/// Replaces the user's words in any case and escaping.
pub struct Matcher {
    ac: AhoCorasick,
}

impl Matcher {
    /// A matcher for those of `terms` (in any of their forms) that occur in
    /// `haystack`; `None` when none does.
    pub fn for_text(terms: &[String], haystack: &str) -> Option<Matcher> {
        let mut forms: Vec<String> = terms
            .iter()
            .flat_map(|t| variants(t))
            .map(|v| fold(&v).text)
            .filter(|v| v.chars().count() >= MIN_TERM_CHARS)
            .collect();
        forms.sort();
        forms.dedup();
        let found = terms_in(&forms, &fold(haystack).text);
        if found.is_empty() {
            return None;
        }
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(found)
            .ok()
            .map(|ac| Matcher { ac })
    }

    pub fn replace(&self, text: &str, with: &str) -> String {
        let folded = fold(text);
        let mut out = String::with_capacity(text.len());
        let mut done = 0;
        for m in self.ac.find_iter(&folded.text) {
            let start = folded.starts[m.start()].max(done);
            let end = folded.ends[m.end() - 1];
            if end <= start {
                continue;
            }
            out.push_str(&text[done..start]);
            out.push_str(with);
            done = end;
        }
        out.push_str(&text[done..]);
        out
    }
}

/// Those of `terms` that occur in `haystack`, ignoring ASCII case
/// (Rabin-Karp: one rolling hash over the text per distinct term length),
/// so 100,000 descriptions cost a pass over the text per length, and only
/// the few that occur make the replacing automaton.
pub(crate) fn terms_in<'a>(terms: &'a [String], haystack: &str) -> Vec<&'a str> {
    use std::collections::HashMap;
    const BASE: u64 = 1_000_003;
    let hay = haystack.to_ascii_lowercase().into_bytes();
    let lowered: Vec<Vec<u8>> = terms
        .iter()
        .map(|t| t.to_ascii_lowercase().into_bytes())
        .collect();
    let hash = |bytes: &[u8]| {
        bytes.iter().fold(0u64, |h, &b| {
            h.wrapping_mul(BASE).wrapping_add(u64::from(b))
        })
    };
    let mut by_len: HashMap<usize, HashMap<u64, Vec<usize>>> = HashMap::new();
    for (i, t) in lowered.iter().enumerate() {
        if !t.is_empty() && t.len() <= hay.len() {
            by_len
                .entry(t.len())
                .or_default()
                .entry(hash(t))
                .or_default()
                .push(i);
        }
    }
    let mut found = vec![false; terms.len()];
    for (len, table) in by_len {
        let top = (1..len).fold(1u64, |p, _| p.wrapping_mul(BASE));
        let mut h = hash(&hay[..len]);
        for start in 0..=hay.len() - len {
            if let Some(candidates) = table.get(&h) {
                for &i in candidates {
                    if hay[start..start + len] == lowered[i][..] {
                        found[i] = true;
                    }
                }
            }
            if start + len < hay.len() {
                h = h
                    .wrapping_sub(u64::from(hay[start]).wrapping_mul(top))
                    .wrapping_mul(BASE)
                    .wrapping_add(u64::from(hay[start + len]));
            }
        }
    }
    terms
        .iter()
        .zip(found)
        .filter_map(|(t, f)| f.then_some(t.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrub(terms: &[&str], text: &str) -> String {
        let terms: Vec<String> = terms.iter().map(|s| (*s).to_owned()).collect();
        match Matcher::for_text(&terms, text) {
            Some(m) => m.replace(text, "[x]"),
            None => text.to_owned(),
        }
    }

    #[test]
    fn rolling_hashes_find_every_term_that_occurs_whatever_its_case() {
        let terms: Vec<String> = ["Acme", "Landing page", "x", "absent", "acme corp", "page"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let found = terms_in(&terms, "Working on the LANDING PAGE for ACME Corp.\nx");
        assert_eq!(found, ["Acme", "Landing page", "x", "acme corp", "page"]);
        assert!(terms_in(&terms, "").is_empty());
        let long = vec!["a term longer than the text".to_owned()];
        assert!(terms_in(&long, "short").is_empty());
    }

    #[test]
    fn words_are_found_in_any_case_including_beyond_ascii() {
        assert_eq!(scrub(&["Café Noir"], "at CAFÉ NOIR today"), "at [x] today");
        assert_eq!(scrub(&["Ärger"], "ärger, ÄRGER"), "[x], [x]");
    }

    #[test]
    fn escaped_forms_of_the_words_are_found_too() {
        let call = r#"Call "Bob""#;
        assert_eq!(
            scrub(&[call], r#"{"m":"Call \"Bob\" now"}"#),
            r#"{"m":"[x] now"}"#
        );
        assert_eq!(
            scrub(&["two\nlines"], r#"Entry { description: "two\nlines" }"#),
            r#"Entry { description: "[x]" }"#
        );
        assert_eq!(
            scrub(&["café"], r#"{"d":"caf\u00e9 au lait"}"#),
            r#"{"d":"[x] au lait"}"#
        );
        assert_eq!(scrub(&["café"], r#"{"d":"CAF\u00C9"}"#), r#"{"d":"[x]"}"#);
        assert_eq!(scrub(&["it's"], r"Some('it\'s')"), r"Some('[x]')");
        // A log line quoted inside JSON escapes twice.
        assert_eq!(scrub(&[call], r#"\"Call \\\"Bob\\\"\""#), r#"\"[x]\""#);
    }

    #[test]
    fn a_missing_database_has_no_words_and_a_foreign_file_fails() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(load(&tmp.path().join("none.sqlite3")), Ok(vec![]));
        let junk = tmp.path().join("junk.sqlite3");
        std::fs::write(&junk, b"this is not a database, but it is long enough").unwrap();
        assert!(load(&junk).is_err());
        let old = tmp.path().join("old.sqlite3");
        rusqlite::Connection::open(&old)
            .unwrap()
            .execute_batch("CREATE TABLE projects (name TEXT)")
            .unwrap();
        assert!(load(&old).is_err(), "a schema without the other tables");
    }
}
