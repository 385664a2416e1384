//! Every importer fed mutated and random input: the real fixtures with
//! bytes flipped, inserted and cut, lines dropped, doubled and swapped, and
//! plain noise. Whatever comes in, no parser panics; every refusal names a
//! line that exists in the file; and a refused import leaves the database
//! exactly as it was, row for row.
//!
//! `TIMETRACKER_PROPTEST_CASES` sets how many inputs each test tries (64 by
//! default); the nightly long run raises it to tens of thousands.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, OnceLock};

use jiff::tz::TimeZone;
use jiff::Timestamp;
use proptest::prelude::*;
use rusqlite::Connection;
use timetracker_core::config::Env;
use timetracker_core::io::apply::parse_file;
use timetracker_core::io::import::{self, DateOrder, Format, ImportError, ParseOptions};
use timetracker_core::{Error, FakeClock, NewEntry, Tracker};

const CASES_ENV: &str = "TIMETRACKER_PROPTEST_CASES";

fn cases() -> u32 {
    Env::from_process()
        .value(CASES_ENV)
        .and_then(|n| n.parse().ok())
        .unwrap_or(64)
}

/// Every import fixture, good and bad: the seeds the mutations start from.
fn seeds() -> &'static [(String, Vec<u8>)] {
    static SEEDS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let readme = timetracker_test_support::fixture("README.md");
        let dir = readme.parent().unwrap();
        let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("csv" | "json")))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&p).unwrap())
            })
            .collect();
        found.sort();
        assert!(found.len() >= 15, "fixtures went missing: {found:?}");
        found
    })
}

/// Bytes that mean something to one of the formats, so that a mutation
/// more often lands on a parser's edge than on a plain typo.
const TOKENS: &[&[u8]] = &[
    b",",
    b";",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"-",
    b"T",
    b"Z",
    b"+",
    b"0",
    b"9",
    b"99999999999999999999",
    b"-1",
    b"24:00:00",
    b"2026-02-30",
    b"13/13/2026",
    b"1e308",
    b"null",
    b"true",
    b"\\u0000",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\xe2\x80\x9c",
    b"\t",
    b" ",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the byte at (position mod length) by this one.
    Flip(usize, u8),
    /// Insert a token at a position.
    Insert(usize, usize),
    /// Remove up to n bytes from a position.
    Cut(usize, usize),
    /// Keep only the first (position mod length) bytes.
    Truncate(usize),
    /// Drop, double or swap whole lines.
    DropLine(usize),
    DoubleLine(usize),
    SwapLines(usize, usize),
    /// Copy a stretch of the file elsewhere in it.
    Splice(usize, usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Flip(p, b)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(p, t)| Mutation::Insert(p, t)),
        (any::<usize>(), 1usize..40).prop_map(|(p, n)| Mutation::Cut(p, n)),
        any::<usize>().prop_map(Mutation::Truncate),
        any::<usize>().prop_map(Mutation::DropLine),
        any::<usize>().prop_map(Mutation::DoubleLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), any::<usize>(), 1usize..200)
            .prop_map(|(f, t, n)| Mutation::Splice(f, t, n)),
    ]
}

fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let at = |p: usize, len: usize| if len == 0 { 0 } else { p % (len + 1) };
    match *m {
        Mutation::Flip(p, b) if !bytes.is_empty() => {
            let i = p % bytes.len();
            bytes[i] = b;
        }
        Mutation::Flip(..) => {}
        Mutation::Insert(p, t) => {
            let i = at(p, bytes.len());
            bytes.splice(i..i, TOKENS[t].iter().copied());
        }
        Mutation::Cut(p, n) => {
            let i = at(p, bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Mutation::Truncate(p) => bytes.truncate(at(p, bytes.len())),
        Mutation::DropLine(p) | Mutation::DoubleLine(p) | Mutation::SwapLines(p, _) => {
            let mut ls = lines(bytes);
            if ls.is_empty() {
                return;
            }
            let i = p % ls.len();
            match *m {
                Mutation::DropLine(_) => {
                    ls.remove(i);
                }
                Mutation::DoubleLine(_) => {
                    let copy = ls[i].clone();
                    ls.insert(i, copy);
                }
                Mutation::SwapLines(_, q) => {
                    let j = q % ls.len();
                    ls.swap(i, j);
                }
                _ => unreachable!(),
            }
            *bytes = ls.concat();
        }
        Mutation::Splice(from, to, n) => {
            if bytes.is_empty() {
                return;
            }
            let f = from % bytes.len();
            let piece: Vec<u8> = bytes[f..(f + n).min(bytes.len())].to_vec();
            let t = at(to, bytes.len());
            bytes.splice(t..t, piece);
        }
    }
}

/// A fixture with a few mutations applied, or (one time in eight) noise
/// made of the formats' own tokens and random bytes.
fn input() -> impl Strategy<Value = (String, Vec<u8>)> {
    let mutated = (
        0..seeds().len(),
        proptest::collection::vec(mutation(), 0..6),
    )
        .prop_map(|(seed, ms)| {
            let (name, bytes) = &seeds()[seed];
            let mut bytes = bytes.clone();
            for m in &ms {
                apply(&mut bytes, m);
            }
            (format!("{name} {ms:?}"), bytes)
        });
    let noise = proptest::collection::vec(
        prop_oneof![
            (0..TOKENS.len()).prop_map(|t| TOKENS[t].to_vec()),
            any::<u8>().prop_map(|b| vec![b]),
        ],
        0..120,
    )
    .prop_map(|parts| ("noise".to_owned(), parts.concat()));
    prop_oneof![7 => mutated, 1 => noise]
}

fn options() -> ParseOptions {
    ParseOptions {
        tz: TimeZone::get("Europe/Berlin").unwrap(),
        date_order: DateOrder::Auto,
    }
}

/// The physical lines a refusal may name: 1 to the number of lines, plus
/// one for a problem found at the very end of a file without a final break.
fn max_line(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count() + 1
}

fn check_refusal(err: &ImportError, bytes: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!(
        !err.errors.is_empty(),
        "a refusal without a single line: {err:?}"
    );
    for e in &err.errors {
        prop_assert!(
            e.line >= 1 && e.line <= max_line(bytes),
            "line {} is not in a file of {} lines: {:?}",
            e.line,
            max_line(bytes),
            e
        );
        prop_assert!(
            !e.message.trim().is_empty(),
            "line {} has no message",
            e.line
        );
    }
    prop_assert!(
        err.to_string()
            .contains(&format!("Line {}", err.errors[0].line)),
        "the message does not name the line: {err}"
    );
    Ok(())
}

/// Every row of every table, in a stable order: what "the database is
/// unchanged" is checked against.
fn dump(path: &std::path::Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for table in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))
            .or_else(|_| conn.prepare(&format!("SELECT * FROM \"{table}\"")))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect();
                Ok(format!("{table}: {}", cells.join(" | ")))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

/// A database with something in it already: a project, a stopped entry and
/// a running timer, so an import that goes wrong has something to damage.
fn seeded(dir: &std::path::Path) -> Tracker {
    let clock = FakeClock::at("2026-12-01T09:00:00Z".parse::<Timestamp>().unwrap());
    let mut t = Tracker::open_in_dir(dir, Arc::new(clock)).unwrap();
    let p = t.create_project("Website relaunch", None).unwrap();
    t.add_entry(NewEntry {
        project_id: Some(p.id),
        description: "Homepage layout, hero section".into(),
        started_at: "2026-11-23T08:00:00Z".parse().unwrap(),
        stopped_at: "2026-11-23T09:30:00Z".parse().unwrap(),
        tags: vec!["design".into()],
    })
    .unwrap();
    t.start_timer(Some(p.id), "still going").unwrap();
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Each of the six parsers, and detection, on the same input.
    #[test]
    fn no_parser_panics_and_every_refusal_names_a_line((name, bytes) in input()) {
        let _ = &name;
        for format in Format::ALL {
            match import::parse_with(&bytes, format, &options()) {
                Ok(records) => {
                    for r in &records {
                        prop_assert!(r.line >= 1 && r.line <= max_line(&bytes), "{format}: record on line {}", r.line);
                    }
                }
                Err(err) => check_refusal(&err, &bytes)?,
            }
        }
        match parse_file(&bytes, None, &options()) {
            Ok(_) | Err(Error::ImportUnknownFormat) => {}
            Err(Error::ImportInvalid(err)) => check_refusal(&err, &bytes)?,
            Err(other) => prop_assert!(false, "parse_file: {other:?}"),
        }
    }

    /// Whatever parses is offered to a real database with data in it: an
    /// import either goes in whole or leaves every row as it was.
    #[test]
    fn a_refused_import_changes_nothing((name, bytes) in input()) {
        let _ = &name;
        let tmp = tempfile::tempdir().unwrap();
        let mut tracker = seeded(tmp.path());
        let db = tracker.database_path().unwrap().to_owned();
        for format in Format::ALL {
            let Ok(records) = import::parse_with(&bytes, format, &options()) else {
                continue;
            };
            let before = dump(&db);
            match tracker.import_records(&records, Some(format)) {
                Ok(summary) => {
                    prop_assert_eq!(summary.total as usize, records.len());
                    let after = dump(&db);
                    if summary.imported == 0 {
                        prop_assert_eq!(after, before, "{}: nothing imported, yet rows changed", format);
                    }
                }
                Err(Error::ImportInvalid(err)) => {
                    check_refusal(&err, &bytes)?;
                    prop_assert_eq!(dump(&db), before, "{}: a refused import changed the database", format);
                }
                Err(other) => {
                    prop_assert_eq!(dump(&db), before, "{}: a failed import changed the database", format);
                    prop_assert!(false, "{format}: refused without naming a line: {other:?}");
                }
            }
        }
        let running: usize = tracker
            .list_entries("1970-01-01T00:00:00Z".parse().unwrap(), "2100-01-01T00:00:00Z".parse().unwrap())
            .unwrap()
            .iter()
            .filter(|e| e.is_running())
            .count();
        prop_assert!(running <= 1, "{running} timers run after the imports");
    }
}

/// The mutations do reach both outcomes: without this, a strategy that only
/// ever produced garbage would pass the tests above without testing imports.
#[test]
fn mutated_fixtures_are_sometimes_accepted_and_sometimes_refused() {
    let mut accepted = 0;
    let mut refused = 0;
    for (_, seed) in seeds() {
        for cut in [0usize, 7, 50] {
            let mut bytes = seed.clone();
            if cut > 0 {
                apply(&mut bytes, &Mutation::Cut(cut, 3));
            }
            match parse_file(&bytes, None, &options()) {
                Ok(_) => accepted += 1,
                Err(_) => refused += 1,
            }
        }
    }
    assert!(
        accepted > 5 && refused > 5,
        "{accepted} accepted, {refused} refused"
    );
}
