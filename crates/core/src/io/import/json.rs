//! JSON documents whose items keep the line they start on.
//!
//! Items are first read as raw text slices (`RawValue`), so each one's
//! position in the file is known, then as values.

use jiff::Timestamp;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::text::LineCounter;
use super::values;
use crate::error::import::ImportError;

/// One item of a JSON array, parsed, with its line.
pub(crate) struct Item {
    pub line: usize,
    pub value: Value,
}

/// The whole of `text` as one JSON value, still raw. A syntax error or a
/// truncated file becomes a problem on the line where reading stopped.
pub(crate) fn document(text: &str) -> Result<&RawValue, ImportError> {
    serde_json::from_str::<&RawValue>(text).map_err(|e| syntax(&e))
}

fn syntax(e: &serde_json::Error) -> ImportError {
    let line = e.line().max(1);
    if e.is_eof() {
        return ImportError::at(
            line,
            "the file ends in the middle of the JSON; was it cut short?",
        );
    }
    // serde_json appends " at line L column C"; the line is reported apart.
    let full = e.to_string();
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m);
    ImportError::at(
        line,
        format!("this is not valid JSON ({message}, column {})", e.column()),
    )
}

/// The items of the array `raw` (a slice of `text`), each with its line;
/// `what` names the expected array for the message when `raw` is something
/// else.
pub(crate) fn items(text: &str, raw: &RawValue, what: &str) -> Result<Vec<Item>, ImportError> {
    let mut lines = LineCounter::new(text);
    let start_line = lines.line_of(raw.get().trim_start());
    if !raw.get().trim_start().starts_with('[') {
        return Err(ImportError::at(
            start_line,
            format!("expected {what}, a JSON array [...]"),
        ));
    }
    let raws: Vec<&RawValue> = serde_json::from_str(raw.get()).map_err(|e| syntax(&e))?;
    raws.into_iter()
        .map(|r| {
            let line = lines.line_of(r.get());
            let value = serde_json::from_str(r.get()).map_err(|e| syntax(&e))?;
            Ok(Item { line, value })
        })
        .collect()
}

/// Typed field access on one JSON object with messages naming the field.
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    pub errors: Vec<String>,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            errors: Vec::new(),
        }
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn wrong(&mut self, key: &str, expected: &str) {
        self.errors
            .push(format!("\u{201c}{key}\u{201d} must be {expected}"));
    }

    /// Text, or `None` when absent or null.
    pub fn text(&mut self, key: &str) -> Option<&'a str> {
        match self.get(key) {
            None => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                self.wrong(key, "text");
                None
            }
        }
    }

    pub fn name(&mut self, key: &str) -> Option<String> {
        self.text(key).and_then(values::name)
    }

    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.get(key) {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.wrong(key, "true or false");
                None
            }
        }
    }

    pub fn integer(&mut self, key: &str) -> Option<i64> {
        match self.get(key) {
            None => None,
            Some(v) => {
                let n = v.as_i64();
                if n.is_none() {
                    self.wrong(key, "a whole number");
                }
                n
            }
        }
    }

    /// A list of strings; absent is empty. Trimmed, empty ones dropped.
    pub fn tags(&mut self, key: &str) -> Vec<String> {
        let Some(v) = self.get(key) else {
            return Vec::new();
        };
        let list = v.as_array().and_then(|items| {
            items
                .iter()
                .map(Value::as_str)
                .collect::<Option<Vec<&str>>>()
        });
        match list {
            Some(list) => values::tag_list(list),
            None => {
                self.wrong(key, "a list of text");
                Vec::new()
            }
        }
    }

    /// An RFC 3339 instant such as `2026-11-23T09:00:00Z`; `required` adds
    /// a problem when it is absent.
    pub fn instant(&mut self, key: &str, required: bool) -> Option<Timestamp> {
        let s = self.text(key);
        let Some(s) = s else {
            if required && self.get(key).is_none() {
                self.errors
                    .push(format!("\u{201c}{key}\u{201d} is missing"));
            }
            return None;
        };
        match parse_instant(s) {
            Ok(t) => Some(t),
            Err(e) => {
                self.errors.push(format!("\u{201c}{key}\u{201d}: {e}"));
                None
            }
        }
    }
}

/// An instant with its offset: RFC 3339 (`2026-11-23T09:00:00Z`,
/// `2026-11-23T10:00:00+01:00`) or its compact form (`20261123T090000Z`).
pub(crate) fn parse_instant(s: &str) -> Result<Timestamp, String> {
    s.trim().parse::<Timestamp>().map_err(|_| {
        format!(
            "\u{201c}{}\u{201d} is not a date and time with a zone, like 2026-11-23T09:00:00Z",
            s.trim()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_know_their_lines() {
        let text = "[\n  {\"a\": 1},\n\n  {\"a\":\n 2}, [3]\n]";
        let items = items(text, document(text).unwrap(), "a list").unwrap();
        let got: Vec<(usize, String)> = items
            .iter()
            .map(|i| (i.line, i.value.to_string()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "{\"a\":1}".into()),
                (4, "{\"a\":2}".into()),
                (5, "[3]".into())
            ]
        );
    }

    #[test]
    fn syntax_errors_and_truncation_name_the_line() {
        let err = document("[\n{\"a\": 1},\n{\"a\": 2").err().unwrap();
        assert_eq!(err.errors[0].line, 3);
        assert_eq!(
            err.errors[0].message,
            "the file ends in the middle of the JSON; was it cut short?"
        );
        let err = document("[\n{\"a\": 1},\n{\"a\" 2}]").err().unwrap();
        assert_eq!(err.errors[0].line, 3);
        assert_eq!(
            err.errors[0].message,
            "this is not valid JSON (expected `:`, column 6)"
        );
        let text = "\n {\"a\": 1}";
        let err = items(text, document(text).unwrap(), "a list of frames")
            .err()
            .unwrap();
        assert_eq!(err.errors[0].line, 2);
        assert_eq!(
            err.errors[0].message,
            "expected a list of frames, a JSON array [...]"
        );
    }

    #[test]
    fn instants_in_both_iso_forms() {
        assert_eq!(
            parse_instant("2026-11-23T10:00:00+01:00").unwrap(),
            "2026-11-23T09:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            parse_instant("20261123T090000Z").unwrap(),
            "2026-11-23T09:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert!(parse_instant("2026-11-23 09:00").is_err());
    }
}
