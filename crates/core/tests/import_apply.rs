//! Import applied to a real database: every fixture format imports and a
//! second import adds nothing; malformed files change nothing; our own CSV
//! and JSON round-trip every field; all-or-nothing on bad records.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use timetracker_core::io::apply::parse_file;
use timetracker_core::io::export::{self, ExportOptions};
use timetracker_core::io::import::{DateOrder, Format, ImportRecord, ParseOptions};
use timetracker_core::{Error, FakeClock, NewEntry, ProjectBilling, Tracker};

fn fixture(name: &str) -> Vec<u8> {
    let path = timetracker_test_support::fixture(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn utc() -> ParseOptions {
    ParseOptions {
        tz: TimeZone::UTC,
        date_order: DateOrder::Auto,
    }
}

fn tracker() -> (Tracker, FakeClock) {
    let clock = FakeClock::at(ts("2026-12-01T09:00:00Z"));
    (
        Tracker::open_in_memory(Arc::new(clock.clone())).unwrap(),
        clock,
    )
}

fn all_time() -> (Timestamp, Timestamp) {
    (ts("1970-01-01T00:00:00Z"), ts("2100-01-01T00:00:00Z"))
}

fn entry_count(t: &Tracker) -> usize {
    let (from, to) = all_time();
    t.list_entries(from, to).unwrap().len()
}

const GOOD: [(&str, Format); 8] = [
    ("toggl.csv", Format::Toggl),
    ("clockify.csv", Format::Clockify),
    ("clockify-day-first.csv", Format::Clockify),
    ("timewarrior.json", Format::Timewarrior),
    ("watson-frames.json", Format::Watson),
    ("watson-log.json", Format::Watson),
    ("timetracker.csv", Format::Csv),
    ("timetracker.json", Format::Json),
];

#[test]
fn every_format_imports_as_previewed_and_twice_adds_nothing() {
    for (name, format) in GOOD {
        let (mut t, _) = tracker();
        let (detected, records) = parse_file(&fixture(name), None, &utc()).unwrap();
        assert_eq!(detected, format, "{name}");
        assert!(!records.is_empty(), "{name}");
        let preview = t.preview_import(&records).unwrap();
        assert_eq!(entry_count(&t), 0, "a preview writes nothing ({name})");
        assert_eq!(preview.total as usize, records.len());

        let first = t.import_records(&records, Some(format)).unwrap();
        assert_eq!(first.imported, preview.new_entries, "{name}");
        assert_eq!(first.new_projects, preview.new_projects, "{name}");
        assert_eq!(first.new_tags, preview.new_tags, "{name}");
        assert_eq!(entry_count(&t), first.imported as usize, "{name}");
        let mut projects: Vec<String> = t
            .list_projects(true)
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        projects.sort();
        let mut expected = first.new_projects.clone();
        expected.sort();
        assert_eq!(projects, expected, "{name}");

        let again = t.preview_import(&records).unwrap();
        assert_eq!(
            (again.new_entries, again.duplicates),
            (0, again.total),
            "{name}"
        );
        assert!(again.new_projects.is_empty() && again.new_tags.is_empty());
        let second = t.import(&records).unwrap();
        assert_eq!(second.imported, 0, "{name}");
        assert_eq!(entry_count(&t), first.imported as usize, "{name}");
    }
}

#[test]
fn timewarrior_tags_become_a_project_and_tags() {
    let (mut t, _) = tracker();
    let (_, records) = parse_file(&fixture("timewarrior.json"), None, &utc()).unwrap();
    t.import(&records).unwrap();
    let (from, to) = all_time();
    let entries = t.list_entries(from, to).unwrap();
    for (entry, record) in entries.iter().zip(&records) {
        assert_eq!(entry.project_name, record.project);
        assert_eq!(entry.tags.len(), record.tags.len());
        assert_eq!(entry.started_at, record.start);
        assert_eq!(entry.stopped_at, record.end);
    }
    assert!(entries.iter().any(|e| e.project_id.is_none()));
}

#[test]
fn malformed_files_import_nothing_and_say_which_lines() {
    let bad = [
        ("toggl-bad-rows.csv", Some(Format::Toggl)),
        ("toggl-missing-columns.csv", Some(Format::Toggl)),
        ("clockify-mixed-dates.csv", Some(Format::Clockify)),
        ("clockify-end-before-start.csv", Some(Format::Clockify)),
        ("timetracker-bad.csv", None),
        ("timetracker-bad.json", None),
        ("timewarrior-truncated.json", None),
        ("watson-bad-frames.json", Some(Format::Watson)),
    ];
    for (name, format) in bad {
        let err = parse_file(&fixture(name), format, &utc()).unwrap_err();
        assert_eq!(err.code(), "import.invalid", "{name}");
        let Error::ImportInvalid(details) = &err else {
            panic!("{name}: {err:?}")
        };
        assert!(!details.errors.is_empty(), "{name}");
        assert!(details.errors.iter().all(|e| e.line >= 1), "{name}");
        assert!(err.to_string().contains("Line "), "{name}: {err}");
    }
    let err = parse_file(b"just some words\n", None, &utc()).unwrap_err();
    assert_eq!(err.code(), "import.unknown_format");
}

fn record(line: usize, project: Option<&str>, start: &str, end: Option<&str>) -> ImportRecord {
    ImportRecord {
        line,
        project: project.map(str::to_owned),
        client: None,
        description: "work".into(),
        start: ts(start),
        end: end.map(ts),
        tags: vec![],
        billable: None,
        hourly_rate_cents: None,
        currency: None,
    }
}

#[test]
fn one_bad_record_imports_nothing_and_every_problem_is_listed() {
    let (mut t, _) = tracker();
    let good = record(
        2,
        Some("New"),
        "2026-11-01T10:00:00Z",
        Some("2026-11-01T11:00:00Z"),
    );
    let mut long = record(
        3,
        None,
        "2026-11-01T12:00:00Z",
        Some("2026-11-01T13:00:00Z"),
    );
    long.description = "x".repeat(3000);
    let mut bad_tag = record(
        5,
        None,
        "2026-11-01T14:00:00Z",
        Some("2026-11-01T15:00:00Z"),
    );
    bad_tag.tags = vec!["a;b".into()];
    let mut bad_rate = record(7, Some("Other"), "2026-11-01T16:00:00Z", None);
    bad_rate.hourly_rate_cents = Some(100);
    let records = [good, long, bad_tag, bad_rate];
    for err in [
        t.preview_import(&records).unwrap_err(),
        t.import(&records).unwrap_err(),
    ] {
        let Error::ImportInvalid(details) = &err else {
            panic!("{err:?}")
        };
        let lines: Vec<usize> = details.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 5, 7]);
    }
    assert_eq!(entry_count(&t), 0);
    assert!(t.list_projects(true).unwrap().is_empty());
    assert!(t.list_tags().unwrap().is_empty());
}

#[test]
fn control_characters_in_an_imported_file_are_refused_with_their_line() {
    let (mut t, _) = tracker();
    let file = "id,project,client,description,start,end,duration_seconds,tags,billable,hourly_rate,currency\r\n\
        1,Fine,,ok,2026-11-23T08:00:00Z,2026-11-23T09:00:00Z,3600,,false,,\r\n\
        2,\u{1b}]52;c;aGk=\u{7}Evil,,x,2026-11-23T10:00:00Z,2026-11-23T11:00:00Z,3600,,false,,\r\n\
        3,Fine,,\"multi\r\nline\",2026-11-23T12:00:00Z,2026-11-23T13:00:00Z,3600,,false,,\r\n\
        4,Fine,,bell\u{7},2026-11-23T14:00:00Z,2026-11-23T15:00:00Z,3600,,false,,\r\n";
    let (_, records) = parse_file(file.as_bytes(), Some(Format::Csv), &utc()).unwrap();
    let err = t.import(&records).unwrap_err();
    let Error::ImportInvalid(details) = &err else {
        panic!("{err:?}")
    };
    let lines: Vec<usize> = details.errors.iter().map(|e| e.line).collect();
    // The multi-line description (a quoted field over lines 4 and 5) is
    // fine; the bell is on line 6.
    assert_eq!(lines, [3, 6], "{err}");
    assert!(err.to_string().contains("U+001B"), "{err}");
    assert!(err.to_string().contains("U+0007"), "{err}");
    assert_eq!(entry_count(&t), 0);
}

#[test]
fn running_entries_in_a_file_do_not_fight_the_timer() {
    let (mut t, clock) = tracker();
    let two = [
        record(2, None, "2026-11-01T10:00:00Z", None),
        record(3, None, "2026-11-02T10:00:00Z", None),
    ];
    let err = t.import(&two).unwrap_err();
    assert_eq!(err.code(), "import.invalid");
    assert!(err.to_string().contains("line 2"), "{err}");

    t.start_timer(None, "").unwrap();
    let one = [record(4, None, "2026-11-01T10:00:00Z", None)];
    let err = t.import(&one).unwrap_err();
    assert!(err.to_string().contains("Line 4"), "{err}");
    clock.advance(SignedDuration::from_secs(60));
    t.stop_timer().unwrap();
    assert_eq!(t.import(&one).unwrap().imported, 1);
    assert!(t.timer_status().unwrap().is_some());
    // Stopped since it was exported, it is still the same entry.
    clock.advance(SignedDuration::from_secs(60));
    t.stop_timer().unwrap();
    assert_eq!(t.import(&one).unwrap().duplicates, 1);
}

#[test]
fn an_existing_project_is_reused_and_keeps_its_billing() {
    let (mut t, _) = tracker();
    let p = t.create_project("Site", None).unwrap();
    let billing = ProjectBilling {
        client: Some("ACME".into()),
        billable: true,
        hourly_rate_cents: Some(10_000),
        currency: Some("EUR".into()),
    };
    t.set_project_billing(p.id, billing).unwrap();
    let mut r = record(
        2,
        Some("site"),
        "2026-11-01T10:00:00Z",
        Some("2026-11-01T11:00:00Z"),
    );
    r.billable = Some(false);
    r.currency = Some("USD".into());
    r.hourly_rate_cents = Some(1);
    let summary = t.import(&[r]).unwrap();
    assert!(summary.new_projects.is_empty());
    let after = t.project(p.id).unwrap();
    assert_eq!(after.hourly_rate_cents, Some(10_000));
    let (from, to) = all_time();
    assert_eq!(t.list_entries(from, to).unwrap()[0].project_id, Some(p.id));
}

/// A database with every field in use: billing, clients, tags, an entry
/// without project, milliseconds, a multi-line description and a running
/// entry.
fn populated() -> Tracker {
    let (mut t, clock) = tracker();
    let site = t.create_project("Site, relaunch", None).unwrap();
    t.set_project_billing(
        site.id,
        ProjectBilling {
            client: Some("Acmé \"Corp\"".into()),
            billable: true,
            hourly_rate_cents: Some(8_505),
            currency: Some("EUR".into()),
        },
    )
    .unwrap();
    let inner = t.create_project("Internal", None).unwrap();
    t.set_project_billing(
        inner.id,
        ProjectBilling {
            client: None,
            billable: false,
            hourly_rate_cents: Some(1_000),
            currency: Some("USD".into()),
        },
    )
    .unwrap();
    let add = |t: &mut Tracker, project, description: &str, from: &str, to: &str, tags: &[&str]| {
        t.add_entry(NewEntry {
            project_id: project,
            description: description.into(),
            started_at: ts(from),
            stopped_at: ts(to),
            tags: tags.iter().map(|s| (*s).to_owned()).collect(),
        })
        .unwrap();
    };
    add(
        &mut t,
        Some(site.id),
        "Call with \"Bob\",\nthen notes",
        "2026-11-23T08:00:00.250Z",
        "2026-11-23T09:30:00Z",
        &["review", "Design"],
    );
    add(
        &mut t,
        Some(inner.id),
        "Inbox",
        "2026-11-23T22:30:00Z",
        "2026-11-24T00:15:00Z",
        &["admin"],
    );
    add(
        &mut t,
        None,
        "",
        "2026-11-24T12:00:00Z",
        "2026-11-24T12:20:00Z",
        &[],
    );
    add(
        &mut t,
        None,
        "overlap",
        "2026-11-24T12:10:00Z",
        "2026-11-24T12:15:00Z",
        &["ünï"],
    );
    clock.set(ts("2026-11-30T10:00:00Z"));
    t.start_timer_tagged(Some(site.id), "Still going", &["live".into()])
        .unwrap();
    clock.advance(SignedDuration::from_secs(90));
    t
}

/// An export with the parts that legitimately differ between databases
/// (entry ids, the export time) blanked.
fn export_text(t: &mut Tracker, format: Format) -> String {
    let (from, to) = all_time();
    let mut out = Vec::new();
    match format {
        Format::Csv => {
            export::csv(t, from, to, &mut out, ExportOptions::default()).unwrap();
        }
        _ => {
            export::json(t, from, to, &mut out).unwrap();
        }
    }
    let text = String::from_utf8(out).unwrap();
    if format == Format::Csv {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().skip(1).map(str::to_owned).collect())
            .collect();
        format!("{rows:?}")
    } else {
        let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        doc["exported_at"] = serde_json::Value::Null;
        for e in doc["entries"].as_array_mut().unwrap() {
            e["id"] = serde_json::Value::Null;
        }
        doc.to_string()
    }
}

#[test]
fn our_csv_and_json_round_trip_every_field() {
    for format in [Format::Csv, Format::Json] {
        let mut source = populated();
        let (from, to) = all_time();
        let mut file = Vec::new();
        match format {
            Format::Csv => export::csv(
                &mut source,
                from,
                to,
                &mut file,
                ExportOptions { bom: true },
            )
            .map(|_| ()),
            _ => export::json(&mut source, from, to, &mut file).map(|_| ()),
        }
        .unwrap();

        let (mut target, _) = tracker();
        let (detected, records) = parse_file(&file, None, &utc()).unwrap();
        assert_eq!(detected, format);
        let summary = target.import_records(&records, Some(format)).unwrap();
        assert_eq!(summary.imported, 5, "{format}");
        assert_eq!(summary.new_projects, ["Site, relaunch", "Internal"]);

        assert_eq!(
            export_text(&mut target, format),
            export_text(&mut source, format),
            "{format}: every field survives"
        );
        let (from, to) = all_time();
        let flags: Vec<bool> = target
            .list_entries(from, to)
            .unwrap()
            .iter()
            .map(|e| e.overlaps)
            .collect();
        assert_eq!(flags, [false, false, true, true, false]);
        assert!(target.timer_status().unwrap().is_some(), "still running");
        let site = target.find_project("site, relaunch").unwrap().unwrap();
        assert_eq!(site.client.as_deref(), Some("Acmé \"Corp\""));

        // The same file into the database it came from adds nothing.
        let again = source.import(&records).unwrap();
        assert_eq!((again.imported, again.duplicates), (0, 5), "{format}");
    }
}

#[test]
fn formula_text_is_exported_inert_and_imported_back_exactly() {
    let (mut source, _) = tracker();
    let project = source.create_project("=cmd|' /C calc'!A0", None).unwrap();
    let descriptions = [
        "=HYPERLINK(\"http://127.0.0.1/x\",\"click\")",
        "+1 call",
        "-minus",
        "@SUM(A1:A9)",
        "'=already quoted",
        "plain",
    ];
    for (i, description) in descriptions.iter().enumerate() {
        let from = format!("2026-11-2{i}T08:00:00Z");
        let to = format!("2026-11-2{i}T09:00:00Z");
        source
            .add_entry(NewEntry {
                project_id: Some(project.id),
                description: (*description).into(),
                started_at: ts(&from),
                stopped_at: ts(&to),
                tags: vec!["=tag".into()],
            })
            .unwrap();
    }
    let (from, to) = all_time();
    let mut file = Vec::new();
    export::csv(&mut source, from, to, &mut file, ExportOptions::default()).unwrap();

    // No text cell a spreadsheet would evaluate.
    let mut reader = csv::Reader::from_reader(file.as_slice());
    for row in reader.records() {
        let row = row.unwrap();
        for column in [1, 2, 3, 7] {
            let cell = &row[column];
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "column {column} is live: {cell:?}"
            );
        }
    }
    let text = String::from_utf8(file.clone()).unwrap();
    assert!(text.contains("'=HYPERLINK"), "{text}");

    let (mut target, _) = tracker();
    let (_, records) = parse_file(&file, None, &utc()).unwrap();
    target.import_records(&records, Some(Format::Csv)).unwrap();
    let mut got: Vec<(String, Vec<String>)> = target
        .list_entries(from, to)
        .unwrap()
        .into_iter()
        .map(|e| (e.description, e.tags))
        .collect();
    got.sort();
    let mut wanted: Vec<(String, Vec<String>)> = descriptions
        .iter()
        .map(|d| ((*d).to_owned(), vec!["=tag".to_owned()]))
        .collect();
    wanted.sort();
    assert_eq!(got, wanted);
    assert!(target.find_project("=cmd|' /C calc'!A0").unwrap().is_some());
}
