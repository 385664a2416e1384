//! `tt sync`, `tt edit` and `tt delete` as a user runs them: two data
//! folders (two "devices") sharing one sync folder, as a network share.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Tt;
use serde_json::Value;

fn entries(tt: &Tt) -> Vec<Value> {
    let mut export = tt.json(&["export", "--format", "json"]);
    let mut list = export["entries"].take().as_array().unwrap().clone();
    for e in &mut list {
        e.as_object_mut().unwrap().remove("id");
    }
    list
}

fn id_of(tt: &Tt, description: &str) -> String {
    let log = tt.json(&["log", "--all"]);
    log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["description"] == description)
        .unwrap_or_else(|| panic!("no {description} in {log}"))["id"]
        .to_string()
}

#[test]
fn two_devices_sync_entries_edits_and_deletes_through_one_folder() {
    let share = tempfile::tempdir().unwrap();
    let folder = share.path().to_str().unwrap();
    let (a, b) = (Tt::new(), Tt::new());
    let on = a.json(&["sync", "enable", folder, "--name", "laptop"]);
    assert_eq!(on["enabled"], true);
    assert_eq!(on["device"]["name"], "laptop");
    b.ok(&["sync", "enable", folder, "--name", "desktop"]);

    a.ok(&["start", "Website", "-d", "Landing page", "--tag", "design"]);
    a.ok(&["stop"]);
    let now = a.json(&["sync", "now"]);
    for key in [
        "exported",
        "applied",
        "skipped_files",
        "conflicts",
        "devices",
    ] {
        assert!(now[key].is_u64(), "{key} in {now}");
    }
    assert!(now["exported"].as_u64().unwrap() >= 1, "{now}");
    let got = b.json(&["sync", "now"]);
    assert_eq!(got["devices"], 1);
    assert!(got["applied"].as_u64().unwrap() >= 1, "{got}");
    assert_eq!(entries(&b), entries(&a));
    let report = b.json(&["report", "--all"]);
    assert_eq!(report["by_project"][0]["name"], "Website");

    // An edit on B reaches A; a delete on A reaches B and stays.
    let id = id_of(&b, "Landing page");
    b.ok(&["edit", &id, "-d", "Landing page, v2", "--tag", "review"]);
    b.ok(&["sync", "now"]);
    a.ok(&["sync", "now"]);
    let on_a = entries(&a);
    assert_eq!(on_a[0]["description"], "Landing page, v2");
    assert_eq!(on_a[0]["tags"], serde_json::json!(["review"]));
    let id = id_of(&a, "Landing page, v2");
    a.ok(&["delete", &id]);
    a.ok(&["sync", "now"]);
    b.ok(&["sync", "now"]);
    assert!(entries(&b).is_empty());
    b.ok(&["sync", "now"]);
    assert!(entries(&b).is_empty());

    let status = b.json(&["sync", "status"]);
    for key in [
        "enabled",
        "folder",
        "device",
        "devices",
        "pending",
        "last_sync",
        "conflicts",
        "problems",
    ] {
        assert!(status.get(key).is_some(), "{key} missing in {status}");
    }
    assert_eq!(status["devices"][0]["name"], "laptop");
    assert!(status["devices"][0]["last_seen"].is_string());
    assert_eq!(status["pending"], 0);
    let text = b.ok(&["sync", "status"]);
    assert!(text.contains("device laptop"), "{text}");

    // Off: nothing syncs, the folder stays; a run says how to turn it on.
    b.ok(&["sync", "disable"]);
    let off = b.run(&["sync", "now"]);
    assert_eq!(off.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&off.stderr).contains("Sync is off"));
    let log = std::fs::read_to_string(b.data_dir().join("logs/app.jsonl")).unwrap();
    for event in ["sync.enabled", "sync.completed", "sync.disabled"] {
        assert!(log.contains(&format!("\"{event}\"")), "no {event}");
    }
    assert!(
        !log.contains("Landing"),
        "the log holds a description: {log}"
    );
}

#[test]
fn the_same_field_edited_on_both_sides_is_a_conflict_that_can_be_restored() {
    let share = tempfile::tempdir().unwrap();
    let folder = share.path().to_str().unwrap();
    let (a, b) = (Tt::new(), Tt::new());
    a.ok(&["sync", "enable", folder, "--name", "a"]);
    b.ok(&["sync", "enable", folder, "--name", "b"]);
    a.ok(&["start", "-d", "original"]);
    a.ok(&["stop"]);
    a.ok(&["sync", "now"]);
    b.ok(&["sync", "now"]);
    a.ok(&["edit", &id_of(&a, "original"), "-d", "from a"]);
    // B's edit is later by the clock (and both processes see real time).
    std::thread::sleep(std::time::Duration::from_millis(20));
    b.ok(&["edit", &id_of(&b, "original"), "-d", "from b"]);
    for _ in 0..2 {
        a.ok(&["sync", "now"]);
        b.ok(&["sync", "now"]);
    }
    assert_eq!(entries(&a), entries(&b));
    assert_eq!(entries(&a)[0]["description"], "from b");
    let status = a.json(&["sync", "status"]);
    let conflict = &status["conflicts"][0];
    assert_eq!(conflict["lost"], "from a");
    assert_eq!(conflict["lost_here"], true);
    a.ok(&["sync", "restore", &conflict["id"].to_string()]);
    a.ok(&["sync", "now"]);
    b.ok(&["sync", "now"]);
    assert_eq!(entries(&b)[0]["description"], "from a");
    let missing = a.run(&["sync", "restore", "999"]);
    assert_eq!(missing.status.code(), Some(5));
}

#[test]
fn a_missing_sync_folder_exits_7_with_a_clear_message() {
    let tt = Tt::new();
    let gone = tt.data_dir().join("not mounted");
    let out = tt.run(&["--json", "sync", "enable", gone.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(7));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "sync.folder_missing");
    assert_eq!(tt.json(&["sync", "status"])["enabled"], false);
}

#[test]
fn edit_changes_the_fields_given_and_delete_removes_the_entry() {
    let tt = Tt::new();
    tt.ok(&["start", "Site", "-d", "draft", "-t", "a"]);
    tt.ok(&["stop"]);
    let id = id_of(&tt, "draft");
    let edited = tt.json(&[
        "edit",
        &id,
        "--project",
        "Blog",
        "--start",
        "2026-11-23 09:00",
        "--end",
        "10:30",
        "-d",
        "final",
    ]);
    assert_eq!(edited["project_name"], "Blog");
    assert_eq!(edited["started_at"], "2026-11-23T09:00:00Z");
    assert_eq!(edited["stopped_at"], "2026-11-23T10:30:00Z");
    assert_eq!(edited["tags"], serde_json::json!(["a"]));
    let cleared = tt.json(&["edit", &id, "--project", "", "--no-tags"]);
    assert_eq!(cleared["project_id"], Value::Null);
    assert_eq!(cleared["tags"], serde_json::json!([]));
    let backwards = tt.run(&["edit", &id, "--end", "2026-11-23 08:00"]);
    assert_eq!(backwards.status.code(), Some(1));
    let bad = tt.run(&["edit", &id, "--start", "yesterday-ish"]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(tt.run(&["edit", "999", "-d", "x"]).status.code(), Some(5));
    tt.ok(&["delete", &id]);
    assert_eq!(tt.json(&["log", "--all"])["entries"], serde_json::json!([]));
    assert_eq!(tt.run(&["delete", &id]).status.code(), Some(5));
}
