//! What a crash report must never carry: the host name, paths under the
//! home folder, the user name, and anything the user typed (project and
//! client names, tags, descriptions). Applied to every event, breadcrumb and
//! transaction before it is written to disk or sent.

use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, MatchKind};
use sentry::protocol::{Breadcrumb, Event};
use serde_json::Value;

pub const REDACTED: &str = "[redacted]";
pub const HOST: &str = "[host]";
pub const USER: &str = "[user]";

/// Shorter terms are left alone: a project called "QA" must not turn every
/// "qa" inside a stack trace into noise, and says little about the user.
pub const MIN_TERM_CHARS: usize = 3;

/// Object keys whose values are code locations (function, module, file):
/// they get the path and host rules but not the user-content terms, which
/// would shred symbols such as `timetracker_core::projects`.
const CODE_KEYS: &[&str] = &[
    "frames", "module", "function", "filename", "abs_path", "package",
];

pub struct Scrubber {
    home: Option<String>,
    user: Option<String>,
    host: Option<String>,
    db_path: Option<PathBuf>,
}

impl Scrubber {
    /// Reads the home folder, user and host names of this machine; the
    /// database at `db_path` supplies the user's own words at send time.
    pub fn for_this_machine(user: Option<String>, db_path: Option<PathBuf>) -> Self {
        let home =
            directories::BaseDirs::new().map(|d| d.home_dir().to_string_lossy().into_owned());
        let user = user.or_else(|| {
            home.as_deref()
                .and_then(|h| Path::new(h).file_name())
                .map(|n| n.to_string_lossy().into_owned())
        });
        let host = gethostname::gethostname().into_string().ok();
        Self::new(home, user, host, db_path)
    }

    pub fn new(
        home: Option<String>,
        user: Option<String>,
        host: Option<String>,
        db_path: Option<PathBuf>,
    ) -> Self {
        let keep = |s: Option<String>, min: usize| {
            s.map(|s| s.trim().trim_end_matches('/').to_owned())
                .filter(|s| s.chars().count() >= min)
        };
        Self {
            // "/" as a home folder would turn every path into "~".
            home: keep(home, 2),
            user: keep(user, 2),
            host: keep(host, 2),
            db_path,
        }
    }

    /// A matcher for those of the user's own words that occur in
    /// `haystack` (case-insensitive for ASCII). SQLite finds them, so a
    /// history of 100,000 different descriptions costs a scan, not a
    /// matcher with 100,000 patterns.
    fn terms(&self, haystack: &str) -> Option<AhoCorasick> {
        let terms = self
            .db_path
            .as_deref()
            .map(|db| sensitive_terms_in(db, haystack))
            .unwrap_or_default();
        if terms.is_empty() {
            return None;
        }
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(terms)
            .ok()
    }

    fn text(&self, text: &str, terms: Option<&AhoCorasick>) -> String {
        let mut out = match terms {
            Some(ac) => {
                let mut out = String::with_capacity(text.len());
                ac.replace_all_with(text, &mut out, |_, _, dst| {
                    dst.push_str(REDACTED);
                    true
                });
                out
            }
            None => text.to_owned(),
        };
        if let Some(home) = &self.home {
            out = out.replace(home.as_str(), "~");
        }
        if let Some(host) = &self.host {
            out = out.replace(host.as_str(), HOST);
        }
        if let Some(user) = &self.user {
            out = replace_word(&out, user, USER);
        }
        out
    }

    fn value(&self, value: &mut Value, terms: Option<&AhoCorasick>) {
        match value {
            Value::String(s) => *s = self.text(s, terms),
            Value::Array(items) => items.iter_mut().for_each(|v| self.value(v, terms)),
            Value::Object(map) => {
                // Keys can carry user data too (a tracing field named after
                // nothing we chose is unlikely, but a map of names is not).
                let entries = std::mem::take(map);
                for (key, mut v) in entries {
                    let code = CODE_KEYS.contains(&key.as_str());
                    self.value(&mut v, if code { None } else { terms });
                    map.insert(self.text(&key, if code { None } else { terms }), v);
                }
            }
            _ => {}
        }
    }

    /// Scrubs any serialisable payload; `None` if it cannot be rebuilt, so
    /// an unscrubbed payload is dropped rather than sent.
    fn scrub<T: serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        item: &T,
        with_terms: bool,
    ) -> Option<T> {
        let mut value = serde_json::to_value(item).ok()?;
        if let Value::Object(map) = &mut value {
            map.remove("server_name");
        }
        let terms = if with_terms {
            let mut haystack = String::new();
            collect_text(&value, &mut haystack);
            self.terms(&haystack.to_ascii_lowercase())
        } else {
            None
        };
        self.value(&mut value, terms.as_ref());
        serde_json::from_value(value).ok()
    }

    /// Scrubs free text (a support bundle's files) by the same rules as a
    /// report: the user's words, home, host and user name. Finding the
    /// words by SQL, as reports do, costs a scan of the history per
    /// byte of text (fine for one crash report, seconds for 500 log lines),
    /// and an automaton of all 100,000 descriptions takes aho-corasick
    /// seconds to build; so the words that occur are found by rolling
    /// hashes, and only they make the replacing matcher.
    pub fn plain_texts(&self, texts: &[&str]) -> Vec<String> {
        let mut terms = self
            .db_path
            .as_deref()
            .map(sensitive_terms)
            .unwrap_or_default();
        // Log lines and payloads are JSON: `Call "Bob"` is written there as
        // `Call \"Bob\"`, so look for the escaped form too.
        let escaped: Vec<String> = terms
            .iter()
            .filter_map(|t| {
                let json = serde_json::to_string(t).ok()?;
                let inner = json.get(1..json.len() - 1)?;
                (inner != t).then(|| inner.to_owned())
            })
            .collect();
        terms.extend(escaped);
        let found = terms_in(&terms, &texts.join("\n"));
        let matcher = (!found.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(found)
                    .ok()
            })
            .flatten();
        texts
            .iter()
            .map(|t| self.text(t, matcher.as_ref()))
            .collect()
    }

    pub fn event(&self, event: &Event<'static>) -> Option<Event<'static>> {
        let mut event = self.scrub(event, true)?;
        event.server_name = None;
        Some(event)
    }

    pub fn transaction(
        &self,
        tx: &sentry::protocol::Transaction<'static>,
    ) -> Option<sentry::protocol::Transaction<'static>> {
        self.scrub(tx, true)
    }

    /// Breadcrumbs come with every warning, so they get the cheap rules
    /// here; the user's words are removed when an event carries them out.
    pub fn breadcrumb(&self, crumb: &Breadcrumb) -> Option<Breadcrumb> {
        self.scrub(crumb, false)
    }
}

/// Replaces `word` where it stands alone (not inside a longer word), so
/// the user "dev" does not turn "development" into "[user]elopment".
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        let alone = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
        out.push_str(&rest[..at]);
        out.push_str(if alone(before) && alone(after) {
            with
        } else {
            word
        });
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// Every string and key outside code locations, one per line: where the
/// user's words could be.
fn collect_text(value: &Value, out: &mut String) {
    match value {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(items) => items.iter().for_each(|v| collect_text(v, out)),
        Value::Object(map) => {
            for (key, v) in map {
                if !CODE_KEYS.contains(&key.as_str()) {
                    out.push_str(key);
                    out.push('\n');
                    collect_text(v, out);
                }
            }
        }
        _ => {}
    }
}

/// Those of `terms` that occur in `haystack`, ignoring ASCII case
/// (Rabin-Karp: one rolling hash over the text per distinct term length).
fn terms_in<'a>(terms: &'a [String], haystack: &str) -> Vec<&'a str> {
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

/// Project and client names, tags and descriptions from the database, read
/// on a connection of its own: the command that panicked may hold the
/// tracker's. Missing tables (an older schema) are skipped.
pub fn sensitive_terms(db_path: &Path) -> Vec<String> {
    query_terms(db_path, None)
}

/// Those of [`sensitive_terms`] that occur in `haystack` (lower-case).
pub fn sensitive_terms_in(db_path: &Path, haystack: &str) -> Vec<String> {
    query_terms(db_path, Some(haystack))
}

fn query_terms(db_path: &Path, haystack: Option<&str>) -> Vec<String> {
    use rusqlite::OpenFlags;
    let Ok(conn) = rusqlite::Connection::open_with_flags(
        db_path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return Vec::new();
    };
    let _ = conn.busy_timeout(std::time::Duration::from_millis(500));
    // lower() folds ASCII only, like the matcher built from the result.
    let filter = if haystack.is_some() {
        "AND instr(?1, lower(trim(t))) > 0"
    } else {
        "AND ?1 IS NULL"
    };
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
        let sql =
            format!("SELECT t FROM ({source}) WHERE length(trim(t)) >= {MIN_TERM_CHARS} {filter}");
        let Ok(mut stmt) = conn.prepare(&sql) else {
            continue;
        };
        if let Ok(rows) = stmt.query_map([haystack], |r| r.get::<_, String>(0)) {
            terms.extend(rows.filter_map(|r| r.ok()));
        };
    }
    terms.into_iter().map(|t| t.trim().to_owned()).collect()
}

#[cfg(test)]
mod terms_tests {
    use super::terms_in;

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
}
