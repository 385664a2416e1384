//! The desktop app on a full disk and on a read-only data folder, each a
//! real tmpfs: it keeps running and says in the window what is wrong, shows
//! what was saved before, and works again once there is room. Without
//! permission to mount, each test says why it is skipped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use timetracker_e2e::{tt, App, SERIAL};
use timetracker_test_support::{skip, Tmpfs};

/// 1 when `PRAGMA integrity_check` finds the database damaged, else 0.
fn integrity_failures(data: &std::path::Path) -> u32 {
    let conn = rusqlite::Connection::open(data.join("timetracker.sqlite3")).unwrap();
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    u32::from(verdict != "ok")
}

fn descriptions(data: &std::path::Path) -> Vec<String> {
    let log: Value = serde_json::from_str(&tt(data, &["--json", "log", "--all"])).unwrap();
    log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["description"].as_str().unwrap().to_owned())
        .collect()
}

/// A 16 MiB tmpfs as the data folder (the mount itself: the driver writes
/// its log beside the data folder), holding one entry "saved before";
/// `None` when mounting is not permitted (the skip is reported).
fn saved_on_a_tmpfs(under: &std::path::Path, test: &str) -> Option<(Tmpfs, std::path::PathBuf)> {
    let disk = match Tmpfs::mount(&under.join("disk"), "size=16m") {
        Ok(d) => d,
        Err(why) => {
            skip(test, &why);
            return None;
        }
    };
    let data = disk.path().to_owned();
    tt(&data, &["start", "-d", "saved before"]);
    tt(&data, &["stop"]);
    Some((disk, data))
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_full_disk_the_app_keeps_running_shows_the_error_and_resumes() {
    let _serial = SERIAL.lock().await;
    let tmp = tempfile::tempdir().unwrap();
    let Some((disk, data)) = saved_on_a_tmpfs(tmp.path(), "e2e faults_disk::on_a_full_disk") else {
        return;
    };

    let app = App::launch(&data).await;
    app.wait_for_count("entry-row", 1).await;
    let filler = disk.path().join("filler");
    disk.fill(&filler);

    // Each refusal shows the error anew (the old one goes at the click):
    // counted as the window draws them, so one message left standing is
    // not taken for three.
    app.client
        .execute(
            "window.__errors = 0; new MutationObserver((ms) => { for (const m of ms) for (const n of m.addedNodes) \
             if (n.nodeType === 1 && n.matches(\"[data-testid='timer-error']\")) window.__errors++; })\
             .observe(document.body, { childList: true, subtree: true }); return true;",
            vec![],
        )
        .await
        .unwrap();
    let mut refusals = 0;
    for round in 1..=3u64 {
        app.click("timer-start").await;
        let deadline = std::time::Instant::now() + timetracker_e2e::UI_TIMEOUT;
        loop {
            let drawn = app
                .client
                .execute("return window.__errors;", vec![])
                .await
                .unwrap();
            if drawn.as_u64() == Some(round) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "refusal {round} was not shown ({drawn})"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let shown = app.text("timer-error").await;
        assert!(shown.contains("is full"), "the window says {shown:?}");
        assert_eq!(app.text("timer-status").await, "stopped");
        refusals += 1;
    }
    assert!(app.app_pid().is_some(), "the app quit on a full disk");
    // What was saved is still listed.
    app.wait_for_count("entry-row", 1).await;

    std::fs::remove_file(&filler).unwrap();
    app.fill("timer-description", "after space was freed").await;
    app.click("timer-start").await;
    app.wait_for_text("timer-status", |t| t == "running").await;
    app.click("timer-stop").await;
    app.wait_for_text("timer-status", |t| t == "stopped").await;
    app.quit().await;

    let now = descriptions(&data);
    let lost = usize::from(!now.contains(&"saved before".to_owned()));
    let bad = integrity_failures(&data);
    println!("| app on a full disk | {refusals} starts refused, error shown, app kept running | {lost} | {bad} |");
    assert_eq!(lost, 0);
    assert_eq!(bad, 0);
    assert!(now.contains(&"after space was freed".to_owned()), "{now:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_read_only_data_folder_the_window_says_why() {
    let _serial = SERIAL.lock().await;
    let tmp = tempfile::tempdir().unwrap();
    let Some((disk, data)) =
        saved_on_a_tmpfs(tmp.path(), "e2e faults_disk::on_a_read_only_data_folder")
    else {
        return;
    };
    disk.remount("ro");

    let app = App::launch(&data).await;
    let shown = app.wait_for("startup-error").await.text().await.unwrap();
    assert!(
        shown.contains("cannot be written"),
        "the window says {shown:?}"
    );
    assert!(app.app_pid().is_some());
    app.quit().await;

    disk.remount("rw");
    let app = App::launch(&data).await;
    app.wait_for_count("entry-row", 1).await;
    app.quit().await;
    let lost = usize::from(!descriptions(&data).contains(&"saved before".to_owned()));
    let bad = integrity_failures(&data);
    println!("| app on a read-only data folder | 1 start refused, error shown | {lost} | {bad} |");
    assert_eq!(lost, 0);
    assert_eq!(bad, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_full_log_folder_the_app_tracks_as_ever() {
    let _serial = SERIAL.lock().await;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let logs = match Tmpfs::mount(&data.join("logs"), "size=256k") {
        Ok(d) => d,
        Err(why) => return skip("e2e faults_disk::with_a_full_log_folder", &why),
    };
    logs.fill(&logs.path().join("filler"));
    let app = App::launch(&data).await;
    let mut tracked = 0;
    for k in 0..3 {
        app.fill("timer-description", &format!("unlogged {k}"))
            .await;
        app.click("timer-start").await;
        app.wait_for_text("timer-status", |t| t == "running").await;
        app.click("timer-stop").await;
        app.wait_for_text("timer-status", |t| t == "stopped").await;
        tracked += 1;
    }
    app.wait_for_count("entry-row", 3).await;
    app.quit().await;
    let lost = 3usize.saturating_sub(descriptions(&data).len());
    let bad = integrity_failures(&data);
    println!("| app with a full log folder | {tracked} timers tracked | {lost} | {bad} |");
    assert_eq!(lost, 0);
    assert_eq!(bad, 0);
}
