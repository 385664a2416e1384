//! Helpers for the parsers' tests: fixture files and expected records.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::{parse_with, DateOrder, Format, ImportError, ImportRecord, ParseOptions};

/// A file from `crates/test-support/fixtures/`, the one home of every
/// import fixture (see the README there). Read by path: the unit tests
/// cannot depend on the test-support crate's helper without a cycle.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../test-support/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Central European time, written out so the tests do not depend on the
/// machine's zone database.
pub fn berlin() -> ParseOptions {
    ParseOptions {
        tz: TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap(),
        date_order: DateOrder::Auto,
    }
}

/// The records of a fixture that must parse, wall-clock times in Berlin.
pub fn read(name: &str, format: Format) -> Vec<ImportRecord> {
    parse_with(&fixture(name), format, &berlin()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The problems of a fixture that must not parse.
pub fn problems(name: &str, format: Format) -> ImportError {
    match parse_with(&fixture(name), format, &berlin()) {
        Ok(records) => panic!("{name} parsed: {records:?}"),
        Err(e) => e,
    }
}

pub fn errors(err: &ImportError) -> Vec<(usize, &str)> {
    err.errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect()
}

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

pub fn tags(v: &[&str]) -> Vec<String> {
    v.iter().map(|t| t.to_string()).collect()
}

/// A record without client, tags or billing, to be completed with struct
/// update syntax.
pub fn entry(
    line: usize,
    project: Option<String>,
    description: &str,
    start: &str,
    end: Option<&str>,
) -> ImportRecord {
    ImportRecord {
        line,
        project,
        client: None,
        description: description.to_owned(),
        start: ts(start),
        end: end.map(ts),
        tags: Vec::new(),
        billable: None,
        hourly_rate_cents: None,
        currency: None,
    }
}
