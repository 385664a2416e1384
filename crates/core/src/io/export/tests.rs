use jiff::SignedDuration;

use crate::clients::ProjectBilling;
use crate::entries::edit::NewEntry;
use crate::io::import::{self, Format};
use crate::test_support::{tracker_at, ts};

use super::*;

/// Two billed entries (one with a description full of CSV's special
/// characters), one without project, one outside the range, one running.
fn sample() -> Tracker {
    let (mut t, clock) = tracker_at("2026-11-25T08:00:00Z");
    let site = t.create_project("Site, relaunch", None).unwrap();
    t.set_project_billing(
        site.id,
        ProjectBilling {
            client: Some("Acmé".into()),
            billable: true,
            hourly_rate_cents: Some(8_505),
            currency: Some("EUR".into()),
        },
    )
    .unwrap();
    let add = |t: &mut Tracker, project, description: &str, from, to, tags: &[&str]| {
        t.add_entry(NewEntry {
            project_id: project,
            description: description.into(),
            started_at: ts(from),
            stopped_at: ts(to),
            tags: tags.iter().map(|s| (*s).to_owned()).collect(),
        })
        .unwrap()
    };
    add(
        &mut t,
        Some(site.id),
        "Call with \"Bob\", then\nnotes",
        "2026-11-23T08:00:00.250Z",
        "2026-11-23T09:30:00Z",
        &["review", "Design"],
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
        "old",
        "2026-10-01T12:00:00Z",
        "2026-10-01T12:20:00Z",
        &[],
    );
    t.start_timer_tagged(Some(site.id), "Still going", &["ünï".into()])
        .unwrap();
    clock.advance(SignedDuration::from_secs(60));
    t
}

fn range() -> (Timestamp, Timestamp) {
    (ts("2026-11-01T00:00:00Z"), ts("2026-12-01T00:00:00Z"))
}

#[test]
fn csv_is_rfc_4180_with_crlf_and_every_field() {
    let mut t = sample();
    let (from, to) = range();
    let mut out = Vec::new();
    let n = csv(&mut t, from, to, &mut out, ExportOptions::default()).unwrap();
    assert_eq!(n, 3);
    let text = String::from_utf8(out).unwrap();
    let expected = "id,project,client,description,start,end,duration_seconds,tags,billable,hourly_rate,currency\r\n\
        1,\"Site, relaunch\",Acmé,\"Call with \"\"Bob\"\", then\nnotes\",2026-11-23T08:00:00.25Z,2026-11-23T09:30:00Z,5399,Design;review,true,85.05,EUR\r\n\
        2,,,,2026-11-24T12:00:00Z,2026-11-24T12:20:00Z,1200,,false,,\r\n\
        4,\"Site, relaunch\",Acmé,Still going,2026-11-25T08:00:00Z,,,ünï,true,85.05,EUR\r\n";
    assert_eq!(text, expected);
}

#[test]
fn the_bom_is_optional() {
    let mut t = sample();
    let (from, to) = range();
    let mut out = Vec::new();
    csv(&mut t, from, to, &mut out, ExportOptions { bom: true }).unwrap();
    assert!(out.starts_with("\u{feff}id,project".as_bytes()));
}

#[test]
fn json_has_the_documented_shape() {
    let mut t = sample();
    let (from, to) = range();
    let mut out = Vec::new();
    assert_eq!(json(&mut t, from, to, &mut out).unwrap(), 3);
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["format"], "timetracker");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["exported_at"], "2026-11-25T08:01:00Z");
    assert_eq!(doc["from"], "2026-11-01T00:00:00Z");
    let entries = doc["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(
        entries[0],
        serde_json::json!({
            "id": 1,
            "project": "Site, relaunch",
            "client": "Acmé",
            "description": "Call with \"Bob\", then\nnotes",
            "start": "2026-11-23T08:00:00.25Z",
            "end": "2026-11-23T09:30:00Z",
            "duration_seconds": 5399,
            "tags": ["Design", "review"],
            "billable": true,
            "hourly_rate_cents": 8505,
            "currency": "EUR"
        })
    );
    assert_eq!(entries[1]["project"], serde_json::Value::Null);
    assert_eq!(entries[1]["billable"], false);
    assert_eq!(entries[2]["end"], serde_json::Value::Null);
    assert_eq!(entries[2]["duration_seconds"], serde_json::Value::Null);
    // One entry a line, so a diff or grep of two exports reads well.
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 5);
}

#[test]
fn an_empty_range_is_a_header_or_an_empty_list() {
    let mut t = sample();
    let (from, to) = (ts("2020-01-01T00:00:00Z"), ts("2020-01-02T00:00:00Z"));
    let mut out = Vec::new();
    assert_eq!(
        csv(&mut t, from, to, &mut out, ExportOptions::default()).unwrap(),
        0
    );
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
    let mut out = Vec::new();
    json(&mut t, from, to, &mut out).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["entries"], serde_json::json!([]));
    let err = json(&mut t, to, from, &mut Vec::new()).unwrap_err();
    assert_eq!(err.code(), "entry.invalid_range");
}

#[test]
fn both_formats_read_back_with_every_field() {
    let mut t = sample();
    let (from, to) = range();
    let mut csv_out = Vec::new();
    csv(&mut t, from, to, &mut csv_out, ExportOptions { bom: true }).unwrap();
    let mut json_out = Vec::new();
    json(&mut t, from, to, &mut json_out).unwrap();
    assert_eq!(import::detect(&csv_out), Some(Format::Csv));
    assert_eq!(import::detect(&json_out), Some(Format::Json));
    let from_csv = import::parse(&csv_out, Format::Csv).unwrap();
    let from_json = import::parse(&json_out, Format::Json).unwrap();
    let strip = |mut v: Vec<import::ImportRecord>| {
        for r in &mut v {
            r.line = 0;
        }
        v
    };
    let records = strip(from_csv);
    assert_eq!(records, strip(from_json));
    let first = &records[0];
    assert_eq!(first.project.as_deref(), Some("Site, relaunch"));
    assert_eq!(first.client.as_deref(), Some("Acmé"));
    assert_eq!(first.description, "Call with \"Bob\", then\nnotes");
    assert_eq!(first.start, ts("2026-11-23T08:00:00.250Z"));
    assert_eq!(first.tags, ["Design", "review"]);
    assert_eq!(
        (
            first.billable,
            first.hourly_rate_cents,
            first.currency.as_deref()
        ),
        (Some(true), Some(8_505), Some("EUR"))
    );
    assert_eq!(records[2].end, None);
}

struct Broken;

impl Write for Broken {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("disk full"))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_writer_is_a_typed_error() {
    let mut t = sample();
    let (from, to) = range();
    let err = csv(&mut t, from, to, Broken, ExportOptions::default()).unwrap_err();
    assert_eq!(err.code(), "export.write_failed");
    let err = json(&mut t, from, to, Broken).unwrap_err();
    assert_eq!(err.code(), "export.write_failed");
}

#[test]
fn rates_print_as_decimals() {
    assert_eq!(format_rate(8500), "85.00");
    assert_eq!(format_rate(5), "0.05");
    assert_eq!(format_rate(0), "0.00");
}

#[cfg(unix)]
#[test]
fn an_export_file_is_the_owners_only_and_replaces_the_old_one_whole() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    std::fs::write(&path, "old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let n = to_file(&Default::default(), &path, |out| {
        out.write_all(b"new").map_err(write_failed)?;
        Ok(1)
    })
    .unwrap();
    assert_eq!(n, 1);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(!dir.path().join("out.csv.partial").exists());
}

#[test]
fn an_export_onto_the_live_database_is_refused_and_the_database_stays_whole() {
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(crate::clock::FakeClock::at(
        "2026-11-27T10:00:00Z".parse().unwrap(),
    ));
    let mut t = Tracker::open_in_dir(dir.path(), clock).unwrap();
    t.start_timer(None, "kept").unwrap();
    let db = crate::config::database_path(dir.path());
    let guard = crate::io::files::Protected::of(&t);
    let from = "2026-01-01T00:00:00Z".parse().unwrap();
    let to = "2027-01-01T00:00:00Z".parse().unwrap();
    let err = to_file(&guard, &db, |out| {
        csv(&mut t, from, to, out, ExportOptions::default())
    })
    .unwrap_err();
    assert_eq!(err.code(), "export.target_protected");
    assert!(!dir.path().join("timetracker.sqlite3.partial").exists());
    assert!(
        t.timer_status().unwrap().is_some(),
        "the database is intact"
    );
}
