//! Sync against real Syncthing: two instances on this machine, each with
//! its own home and folder, talking only over 127.0.0.1. `tt` on "device" A
//! and B each uses its own data folder and its own copy of the shared
//! folder, exactly as two computers would; the app on B shows what A did.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use timetracker_e2e::syncthing::{self, Syncthing};
use timetracker_e2e::{tt, App, SERIAL, UI_TIMEOUT};

fn json(data: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&tt(data, &all)).unwrap()
}

/// `tt export --format json` without what may differ between devices.
fn export(data: &Path) -> Vec<Value> {
    let mut doc = json(data, &["export", "--format", "json"]);
    let mut entries = doc["entries"].take().as_array().unwrap().clone();
    for e in &mut entries {
        e.as_object_mut().unwrap().remove("id");
    }
    entries
}

fn entry_id(data: &Path, description: &str) -> String {
    let log = json(data, &["log", "--all"]);
    log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["description"] == description)
        .unwrap_or_else(|| panic!("no {description:?} in {log}"))["id"]
        .to_string()
}

/// Nothing in either instance's options may reach beyond loopback.
fn assert_loopback_only(st: &Syncthing) {
    let o = st.options();
    for off in [
        "globalAnnounceEnabled",
        "localAnnounceEnabled",
        "relaysEnabled",
        "natEnabled",
        "crashReportingEnabled",
        "startBrowser",
        "announceLANAddresses",
    ] {
        assert_eq!(o[off], false, "{off} in {o}");
    }
    assert_eq!(o["urAccepted"], -1, "{o}");
    assert_eq!(o["autoUpgradeIntervalH"], 0, "{o}");
    let listen = o["listenAddresses"].as_array().unwrap();
    assert!(
        listen
            .iter()
            .all(|a| a.as_str().unwrap().starts_with("tcp://127.0.0.1:")),
        "{listen:?}"
    );
}

/// Turns sync on for device "laptop" (A) and "desktop" (B), each with its
/// own data folder and its own Syncthing copy of the shared folder.
fn enable_both(root: &Path, a: &Syncthing, b: &Syncthing) -> (PathBuf, PathBuf) {
    let (a_data, b_data) = (root.join("a-data"), root.join("b-data"));
    for (data, st, name) in [(&a_data, a, "laptop"), (&b_data, b, "desktop")] {
        tt(
            data,
            &[
                "sync",
                "enable",
                st.folder.to_str().unwrap(),
                "--name",
                name,
            ],
        );
    }
    (a_data, b_data)
}

/// A writes, Syncthing carries A's files to B, B applies them.
fn a_to_b(a: &Syncthing, b: &Syncthing, a_data: &Path, b_data: &Path) {
    tt(a_data, &["sync", "now"]);
    a.wait_in_sync_with(b);
    tt(b_data, &["sync", "now"]);
}

fn b_to_a(a: &Syncthing, b: &Syncthing, a_data: &Path, b_data: &Path) {
    tt(b_data, &["sync", "now"]);
    b.wait_in_sync_with(a);
    tt(a_data, &["sync", "now"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn timers_edits_and_deletes_travel_between_two_devices_over_syncthing() {
    let _serial = SERIAL.lock().await;
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = syncthing::pair(tmp.path());
    assert_loopback_only(&a);
    assert_loopback_only(&b);
    let (a_data, b_data) = enable_both(tmp.path(), &a, &b);

    // A timer started and stopped on A appears in B's report.
    tt(
        &a_data,
        &["start", "Website", "-d", "Landing page", "--tag", "design"],
    );
    std::thread::sleep(Duration::from_millis(1100));
    tt(&a_data, &["stop"]);
    a_to_b(&a, &b, &a_data, &b_data);
    let report = json(&b_data, &["report", "--all"]);
    assert_eq!(report["by_project"][0]["name"], "Website", "{report}");
    assert!(report["total_seconds"].as_i64().unwrap() >= 1, "{report}");
    assert_eq!(export(&b_data), export(&a_data));
    let status = json(&b_data, &["sync", "status"]);
    assert_eq!(status["devices"][0]["name"], "laptop", "{status}");

    // Edits on both sides, to different fields, converge with both kept.
    let on_a = entry_id(&a_data, "Landing page");
    let on_b = entry_id(&b_data, "Landing page");
    tt(&a_data, &["edit", &on_a, "-d", "Landing page, final"]);
    tt(
        &b_data,
        &["edit", &on_b, "--tag", "design", "--tag", "review"],
    );
    a_to_b(&a, &b, &a_data, &b_data);
    b_to_a(&a, &b, &a_data, &b_data);
    let merged = export(&a_data);
    assert_eq!(merged, export(&b_data));
    assert_eq!(merged[0]["description"], "Landing page, final");
    assert_eq!(merged[0]["tags"], serde_json::json!(["design", "review"]));

    // A delete on A removes the entry on B, and it stays removed.
    tt(
        &a_data,
        &["delete", &entry_id(&a_data, "Landing page, final")],
    );
    a_to_b(&a, &b, &a_data, &b_data);
    assert!(export(&b_data).is_empty());
    b_to_a(&a, &b, &a_data, &b_data);
    tt(&b_data, &["sync", "now"]);
    assert!(export(&b_data).is_empty());
    assert!(export(&a_data).is_empty());
    // Syncthing never had a conflict to resolve: each device writes its own files.
    let copies: Vec<_> = walk(&a.folder)
        .into_iter()
        .chain(walk(&b.folder))
        .filter(|p| p.contains("sync-conflict"))
        .collect();
    assert!(copies.is_empty(), "{copies:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_on_b_shows_an_entry_made_on_a_without_a_restart() {
    let _serial = SERIAL.lock().await;
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = syncthing::pair(tmp.path());
    let (a_data, b_data) = enable_both(tmp.path(), &a, &b);
    let app = App::launch(&b_data).await;
    app.click("nav-entries").await;

    tt(&a_data, &["start", "Heron Survey", "-d", "Counted at dawn"]);
    tt(&a_data, &["stop"]);
    tt(&a_data, &["sync", "now"]);
    a.wait_in_sync_with(&b);
    // Nothing is clicked: the app's watcher applies the file, and the window refreshes.
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        let mut texts = Vec::new();
        for row in app.all("entry-row").await {
            texts.push(row.prop("textContent").await.unwrap().unwrap_or_default());
        }
        if texts
            .iter()
            .any(|t| t.contains("Counted at dawn") && t.contains("Heron Survey"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the entry from A never showed: {texts:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Settings › Sync lists A, and an entry made in the window reaches A.
    app.open_settings("sync").await;
    app.wait_for_count("sync-device-row", 1).await;
    let row = app.text("sync-device-row").await;
    assert!(row.contains("laptop"), "{row}");
    let status = app.text("settings-sync-status").await;
    assert!(status.contains("Sync is on"), "{status}");
    app.click("nav-timer").await;
    app.fill("timer-description", "Logged in the hide").await;
    app.click("timer-start").await;
    app.wait_for_text("timer-status", |t| t == "running").await;
    app.click("timer-stop").await;
    app.wait_for_text("timer-status", |t| t == "stopped").await;
    // The app writes its change by itself within a few seconds.
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        b.wait_in_sync_with(&a);
        tt(&a_data, &["sync", "now"]);
        if export(&a_data)
            .iter()
            .any(|e| e["description"] == "Logged in the hide")
        {
            break;
        }
        assert!(Instant::now() < deadline, "the app's entry never reached A");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    app.quit().await;
    assert_eq!(export(&a_data), export(&b_data));
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}
