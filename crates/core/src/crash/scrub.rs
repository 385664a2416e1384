//! What a crash report must never carry: the host name, paths under the
//! home folder, the user name, and anything the user typed (project and
//! client names, tags, descriptions). Applied to every event, breadcrumb and
//! transaction before it is written to disk or sent.

use std::path::{Path, PathBuf};

use sentry::protocol::{Breadcrumb, Event};
use serde_json::Value;

use super::words::{self, Matcher};
pub use super::words::{WordsUnavailable, MIN_TERM_CHARS};

pub const REDACTED: &str = "[redacted]";
pub const HOST: &str = "[host]";
pub const USER: &str = "[user]";

/// Object keys whose values are code locations (function, module, file):
/// they get the path and host rules but not the user-content terms, which
/// would shred symbols such as `timetracker_core::projects`.
const CODE_KEYS: &[&str] = &[
    "frames", "module", "function", "filename", "abs_path", "package",
];

/// Fields of Sentry's event, transaction, span and breadcrumb schema that
/// are never rewritten, at any depth outside free-form maps. Ids are hex:
/// a description such as "add" or "cafe" inside `event_id` or `trace_id`
/// made the id unparseable, the event could not be rebuilt and was lost.
/// Enums and codes (level, type, status, op, category, platform) come
/// from code, never from the user, and Sentry rejects values it does not
/// know; timestamps, release, environment and SDK metadata come from the
/// build. None of them can hold what the user typed.
pub const NEVER_TOUCHED: &[&str] = &[
    // ids
    "event_id",
    "trace_id",
    "span_id",
    "parent_span_id",
    "segment_id",
    "thread_id",
    "id",
    // enums and codes
    "level",
    "type",
    "status",
    "op",
    "origin",
    "category",
    "platform",
    "handled",
    // times
    "timestamp",
    "start_timestamp",
    // build metadata
    "release",
    "dist",
    "environment",
    "sdk",
    "debug_meta",
];

/// Free-form maps (tracing fields, extra data): every key and string
/// inside is scrubbed, whatever it is called.
const FREE_KEYS: &[&str] = &["extra", "data", "params"];

/// Tags we set ourselves whose values are ids or names from code: the
/// request id leads from a report to its log lines and must survive.
const OWN_TAGS: &[&str] = &["request_id", "command", super::transport::NO_CACHE_TAG];

/// How a part of a report is scrubbed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Sentry's own structure: ids and enums stay, text is scrubbed.
    Schema,
    /// A free-form map: keys and every string are scrubbed.
    Free,
    /// Code locations: paths and host only.
    Code,
}

/// Why a report could not be made safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScrubError {
    /// Try again later: the report must wait, unsent.
    Words(WordsUnavailable),
    /// The scrubbed report no longer fits Sentry's types.
    Rebuild,
}

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

    /// Every word of the user's, from the database; none without one.
    fn load_words(&self) -> Result<Vec<String>, WordsUnavailable> {
        match self.db_path.as_deref() {
            Some(db) => words::load(db),
            None => Ok(Vec::new()),
        }
    }

    fn text(&self, text: &str, words: Option<&Matcher>) -> String {
        let mut out = match words {
            Some(m) => m.replace(text, REDACTED),
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

    /// Scrubs one log line's free text (a panic or UI message) by the rules
    /// of a report. Fails when the user's words cannot be read: the caller
    /// then writes a placeholder instead of the text.
    pub fn line(&self, text: &str) -> Result<String, WordsUnavailable> {
        let words = self.load_words()?;
        let matcher = Matcher::for_text(&words, text);
        Ok(self.text(text, matcher.as_ref()))
    }

    /// Scrubs any serialisable payload by the schema rules above. With
    /// `with_words`, the user's words go too, and their absence is an
    /// error rather than a pass.
    fn scrub<T: serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        item: &T,
        with_words: bool,
    ) -> Result<T, ScrubError> {
        let mut value = serde_json::to_value(item).map_err(|_| ScrubError::Rebuild)?;
        if let Value::Object(map) = &mut value {
            map.remove("server_name");
        }
        let matcher = if with_words {
            let words = self.load_words().map_err(ScrubError::Words)?;
            let mut haystack = String::new();
            visit(&mut value.clone(), Mode::Schema, &mut |s, mode| {
                if mode != Mode::Code {
                    haystack.push_str(s);
                    haystack.push('\n');
                }
            });
            Matcher::for_text(&words, &haystack)
        } else {
            None
        };
        visit(&mut value, Mode::Schema, &mut |s, mode| {
            let words = if mode == Mode::Code {
                None
            } else {
                matcher.as_ref()
            };
            *s = self.text(s, words);
        });
        serde_json::from_value(value).map_err(|_| ScrubError::Rebuild)
    }

    /// Scrubs free text (a support bundle's files) by the same rules as a
    /// report: the user's words, home, host and user name. Finding the
    /// words by SQL, as reports do, costs a scan of the history per
    /// byte of text (fine for one crash report, seconds for 500 log lines),
    /// and an automaton of all 100,000 descriptions takes aho-corasick
    /// seconds to build; so the words that occur are found by rolling
    /// hashes, and only they make the replacing matcher.
    pub fn plain_texts(&self, texts: &[&str]) -> Vec<String> {
        let terms = self
            .db_path
            .as_deref()
            .map(sensitive_terms)
            .unwrap_or_default();
        let matcher = Matcher::for_text(&terms, &texts.join("\n"));
        texts
            .iter()
            .map(|t| self.text(t, matcher.as_ref()))
            .collect()
    }

    pub fn event(&self, event: &Event<'static>) -> Result<Event<'static>, ScrubError> {
        let mut event = self.scrub(event, true)?;
        event.server_name = None;
        Ok(event)
    }

    /// The rules that need no database (home, host, user name): applied to
    /// a report that must wait for the user's words, before it is written
    /// to disk.
    pub fn event_without_words(&self, event: &Event<'static>) -> Option<Event<'static>> {
        let mut event = self.scrub(event, false).ok()?;
        event.server_name = None;
        Some(event)
    }

    pub fn transaction(
        &self,
        tx: &sentry::protocol::Transaction<'static>,
    ) -> Result<sentry::protocol::Transaction<'static>, ScrubError> {
        self.scrub(tx, true)
    }

    /// Breadcrumbs come with every warning, so they get the cheap rules
    /// here; the user's words are removed when an event carries them out.
    pub fn breadcrumb(&self, crumb: &Breadcrumb) -> Option<Breadcrumb> {
        self.scrub(crumb, false).ok()
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

/// Calls `f` on every string the scrubber may rewrite, with how: schema
/// fields in [`NEVER_TOUCHED`] are skipped, and so are our own tags.
fn visit(value: &mut Value, mode: Mode, f: &mut dyn FnMut(&mut String, Mode)) {
    match value {
        Value::String(s) => f(s, mode),
        Value::Array(items) => items.iter_mut().for_each(|v| visit(v, mode, f)),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (mut key, mut v) in entries {
                let inner = match mode {
                    Mode::Code => Mode::Code,
                    _ if CODE_KEYS.contains(&key.as_str()) => Mode::Code,
                    Mode::Free => Mode::Free,
                    Mode::Schema if NEVER_TOUCHED.contains(&key.as_str()) => {
                        map.insert(key, v);
                        continue;
                    }
                    Mode::Schema if FREE_KEYS.contains(&key.as_str()) => Mode::Free,
                    Mode::Schema => Mode::Schema,
                };
                if mode == Mode::Schema && key == "tags" {
                    visit_tags(&mut v, f);
                } else {
                    visit(&mut v, inner, f);
                }
                // Keys of free-form maps can carry user data too (a map of
                // names); schema keys are Sentry's own.
                if mode == Mode::Free {
                    f(&mut key, Mode::Free);
                }
                map.insert(key, v);
            }
        }
        _ => {}
    }
}

/// Tags: our own keep their values; any other is free text.
fn visit_tags(tags: &mut Value, f: &mut dyn FnMut(&mut String, Mode)) {
    let Value::Object(map) = tags else {
        return visit(tags, Mode::Free, f);
    };
    let entries = std::mem::take(map);
    for (mut key, mut v) in entries {
        if !OWN_TAGS.contains(&key.as_str()) {
            visit(&mut v, Mode::Free, f);
            f(&mut key, Mode::Free);
        }
        map.insert(key, v);
    }
}

/// Project and client names, tags and descriptions from the database, read
/// on a connection of its own: the command that panicked may hold the
/// tracker's. Empty when they cannot be read (the support bundle).
pub fn sensitive_terms(db_path: &Path) -> Vec<String> {
    words::load(db_path).unwrap_or_default()
}
