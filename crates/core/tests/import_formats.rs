//! Import through the public API, across formats: detection of every
//! fixture in `crates/test-support/fixtures/`, our CSV and JSON agreeing, a file
//! read as the wrong format, and the core error it becomes. Each parser's
//! own fixtures (well-formed and malformed, every field asserted) are
//! tested beside it in `src/io/import/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::tz::TimeZone;
use jiff::Timestamp;
use timetracker_core::io::import::{
    detect, parse, parse_with, DateOrder, Format, ImportError, ImportRecord, ParseOptions,
};
use timetracker_core::Error;

fn fixture(name: &str) -> Vec<u8> {
    let path = timetracker_test_support::fixture(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Central European time, written out so the tests do not depend on the
/// machine's zone database.
fn berlin() -> ParseOptions {
    ParseOptions {
        tz: TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap(),
        date_order: DateOrder::Auto,
    }
}

fn problems(name: &str, format: Format) -> ImportError {
    match parse_with(&fixture(name), format, &berlin()) {
        Ok(records) => panic!("{name} parsed: {records:?}"),
        Err(e) => e,
    }
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

fn tags(v: &[&str]) -> Vec<String> {
    v.iter().map(|t| t.to_string()).collect()
}

/// A record with no billing, to be completed with struct update syntax.
fn entry(
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

fn errors(err: &ImportError) -> Vec<(usize, &str)> {
    err.errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect()
}

#[test]
fn our_csv_and_json_hold_the_same_entries() {
    let acme = |line, description: &str, start, end: Option<&str>, t: &[&str]| ImportRecord {
        client: s("Acme Corp"),
        tags: tags(t),
        billable: Some(true),
        hourly_rate_cents: Some(8500),
        currency: s("USD"),
        ..entry(line, s("Website relaunch"), description, start, end)
    };
    let expected = |lines: [usize; 5]| {
        vec![
            acme(
                lines[0],
                "Homepage layout, hero section",
                "2026-11-23T08:00:00Z",
                Some("2026-11-23T09:30:00Z"),
                &["design", "review"],
            ),
            acme(
                lines[1],
                "Call with \"Bob\"\nabout the launch",
                "2026-11-23T10:00:00Z",
                Some("2026-11-23T10:45:00Z"),
                &[],
            ),
            ImportRecord {
                tags: tags(&["admin"]),
                billable: Some(false),
                ..entry(
                    lines[2],
                    s("Internal"),
                    "Inbox zero",
                    "2026-11-23T22:30:00Z",
                    Some("2026-11-23T23:15:00Z"),
                )
            },
            ImportRecord {
                billable: Some(false),
                ..entry(
                    lines[3],
                    None,
                    "",
                    "2026-11-24T12:00:00Z",
                    Some("2026-11-24T12:20:00Z"),
                )
            },
            acme(
                lines[4],
                "Still going",
                "2026-11-25T08:00:00Z",
                None,
                &["backend", "ünïcödé"],
            ),
        ]
    };
    assert_eq!(
        parse(&fixture("timetracker.csv"), Format::Csv).unwrap(),
        expected([2, 3, 5, 6, 7])
    );
    assert_eq!(
        parse(&fixture("timetracker.json"), Format::Json).unwrap(),
        expected([6, 22, 35, 50, 63])
    );
}

#[test]
fn every_fixture_is_detected() {
    let cases = [
        ("toggl.csv", Format::Toggl),
        ("toggl-bad-rows.csv", Format::Toggl),
        ("clockify.csv", Format::Clockify),
        ("clockify-day-first.csv", Format::Clockify),
        ("clockify-mixed-dates.csv", Format::Clockify),
        ("clockify-end-before-start.csv", Format::Clockify),
        ("timewarrior.json", Format::Timewarrior),
        ("timewarrior-truncated.json", Format::Timewarrior),
        ("watson-frames.json", Format::Watson),
        ("watson-bad-frames.json", Format::Watson),
        ("watson-log.json", Format::Watson),
        ("timetracker.csv", Format::Csv),
        ("timetracker-bad.csv", Format::Csv),
        ("timetracker.json", Format::Json),
        ("timetracker-bad.json", Format::Json),
    ];
    for (name, format) in cases {
        assert_eq!(detect(&fixture(name)), Some(format), "{name}");
    }
    // Without its time columns a Toggl file is no longer recognisable.
    assert_eq!(detect(&fixture("toggl-missing-columns.csv")), None);
    assert_eq!(detect(&fixture("README.md")), None);
}

#[test]
fn the_wrong_format_is_named_as_such() {
    let err = problems("timewarrior.json", Format::Csv);
    assert_eq!(err.errors[0].line, 1);
    assert!(
        err.errors[0]
            .message
            .starts_with("the header has no \u{201c}project\u{201d}, "),
        "{err}"
    );
    let err = problems("timetracker.json", Format::Timewarrior);
    assert_eq!(
        errors(&err),
        vec![(
            1,
            "expected the intervals printed by `timew export`, a JSON array [...]"
        )]
    );
    let err = problems("timewarrior.json", Format::Json);
    assert_eq!(
        errors(&err),
        vec![(
            1,
            "expected a TimeTracker export, a JSON object {\"format\": \"timetracker\", ...}"
        )]
    );
}

#[test]
fn import_problems_are_a_core_error_with_a_stable_code() {
    let err = Error::from(problems("clockify-end-before-start.csv", Format::Clockify));
    assert_eq!(err.code(), "import.invalid");
    let payload = err.to_payload();
    assert_eq!(payload.code, "import.invalid");
    assert_eq!(
        payload.message,
        "The file has a problem, so nothing was imported.\n\
         Line 2: the entry ends (11/23/2026 09:00:00 AM) before it starts (11/23/2026 10:30:00 AM)"
    );
}

#[test]
fn formats_have_stable_names() {
    for format in Format::ALL {
        assert_eq!(format.name().parse::<Format>(), Ok(format));
        assert_eq!(
            serde_json::to_string(&format).unwrap(),
            format!("\"{}\"", format.name())
        );
    }
    assert_eq!(" Toggl ".parse::<Format>(), Ok(Format::Toggl));
    let err = "harvest".parse::<Format>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "Unknown import format \u{201c}harvest\u{201d}; use one of toggl, clockify, timewarrior, watson, csv, json."
    );
}

#[test]
fn empty_and_foreign_files() {
    let err = parse(b"", Format::Toggl).unwrap_err();
    assert_eq!(
        errors(&err),
        vec![(1, "the file is empty; expected a header row")]
    );
    assert_eq!(parse(b"[]", Format::Watson).unwrap(), vec![]);
    let err = parse(b"id,project\n\xff\n", Format::Csv).unwrap_err();
    assert_eq!(
        errors(&err),
        vec![(
            2,
            "the file is not UTF-8 text here; export it again as UTF-8"
        )]
    );
}
