//! SIGKILL while sync writes: `tt sync now` and the desktop app are killed
//! at random moments while they write change files and snapshots, 50 times
//! each. After every kill the folder holds only whole files (a temporary
//! file of ours at most, which no device reads), and the next run completes;
//! at the end a second device that reads the folder holds the same entries.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use timetracker_core::sync::files;
use timetracker_e2e::{
    app_binary, descendants, import_batch, midday_zone, tt, tt_binary, Lcg, SERIAL,
};

const KILLS: u32 = 50;

fn batch(dir: &Path, k: u32, n: u32) -> std::path::PathBuf {
    import_batch(dir, k, n, "Project", 7)
}

/// Every file with a real name in every device folder reads whole. Files
/// are never rewritten under their name, so one already checked is skipped
/// (`checked`): a snapshot of 75,000 entries takes seconds to check in a
/// debug build.
fn assert_only_whole_files(folder: &Path, checked: &mut HashSet<std::path::PathBuf>) {
    let root = files::root(folder);
    for device in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        for sub in [files::CHANGES, files::SNAPSHOTS] {
            for f in std::fs::read_dir(device.path().join(sub))
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = f.file_name().to_string_lossy().into_owned();
                if name.starts_with(".tt-tmp-") || checked.contains(&f.path()) {
                    continue;
                }
                let bytes = std::fs::read(f.path()).unwrap();
                assert!(
                    files::decode(&bytes).is_ok(),
                    "{} would be applied in part ({} bytes)",
                    f.path().display(),
                    bytes.len()
                );
                checked.insert(f.path());
            }
        }
        if device.path().join(files::MANIFEST).exists() {
            assert!(
                files::read_manifest(&device.path()).is_some(),
                "a torn device.json in {}",
                device.path().display()
            );
        }
    }
}

fn export(data: &Path) -> Vec<Value> {
    let out = tt(data, &["--json", "export", "--format", "json"]);
    let mut doc: Value = serde_json::from_str(&out).unwrap();
    let mut entries = doc["entries"].take().as_array().unwrap().clone();
    for e in &mut entries {
        e.as_object_mut().unwrap().remove("id");
    }
    entries
}

fn kill9(pid: u32) {
    let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_tt_sync_now_while_it_writes_never_leaves_a_partial_file() {
    let _serial = SERIAL.lock().await;
    let tmp = tempfile::tempdir().unwrap();
    let (data, folder) = (tmp.path().join("a"), tmp.path().join("share"));
    std::fs::create_dir_all(&folder).unwrap();
    tt(
        &data,
        &["sync", "enable", folder.to_str().unwrap(), "--name", "a"],
    );
    tt(
        &data,
        &["import", batch(tmp.path(), 0, 3000).to_str().unwrap()],
    );
    tt(&data, &["sync", "now"]);
    // How long a run like those below takes: kills land anywhere within it.
    tt(
        &data,
        &[
            "import",
            batch(tmp.path(), KILLS + 1, 600).to_str().unwrap(),
        ],
    );
    let t = Instant::now();
    tt(&data, &["sync", "now"]);
    let span = u64::try_from(t.elapsed().as_micros()).unwrap().max(1000);
    let started = Instant::now();
    let mut rng = Lcg(7);
    let mut killed = 0;
    let mut checked = HashSet::new();
    for k in 1..=KILLS {
        tt(
            &data,
            &["import", batch(tmp.path(), k, 600).to_str().unwrap()],
        );
        let mut child = Command::new(tt_binary())
            .arg("--data-dir")
            .arg(&data)
            .args(["sync", "now"])
            .env("TZ", &midday_zone().0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        if child.try_wait().unwrap().is_none() {
            kill9(child.id());
            killed += 1;
        }
        let _ = child.wait();
        assert_only_whole_files(&folder, &mut checked);
        // The next run completes, and leaves nothing pending.
        tt(&data, &["sync", "now"]);
        assert_only_whole_files(&folder, &mut checked);
        let status: Value =
            serde_json::from_str(&tt(&data, &["--json", "sync", "status"])).unwrap();
        assert_eq!(status["pending"], 0, "after kill {k}: {status}");
    }
    println!(
        "tt sync now: {killed} of {KILLS} runs killed while running (runs take {span} µs; {:?} in all)",
        started.elapsed()
    );
    assert!(
        killed >= KILLS / 2,
        "only {killed} kills landed inside a run"
    );
    // A second device reading the folder holds everything.
    let b = tmp.path().join("b");
    tt(
        &b,
        &["sync", "enable", folder.to_str().unwrap(), "--name", "b"],
    );
    assert_eq!(export(&b).len(), 3600 + 600 * KILLS as usize);
    assert_eq!(export(&b), export(&data));
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_the_app_while_it_writes_never_leaves_a_partial_file() {
    let _serial = SERIAL.lock().await;
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run the end-to-end tests under xvfb-run (see scripts/test)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let (data, folder) = (tmp.path().join("a"), tmp.path().join("share"));
    std::fs::create_dir_all(&folder).unwrap();
    tt(
        &data,
        &["sync", "enable", folder.to_str().unwrap(), "--name", "a"],
    );
    let mut rng = Lcg(11);
    let started = Instant::now();
    let mut wrote_while_alive = 0;
    let mut checked = HashSet::new();
    for k in 1..=KILLS {
        // Changes made while the app is closed: it writes them as it starts.
        tt(
            &data,
            &["import", batch(tmp.path(), k, 300).to_str().unwrap()],
        );
        let before = files::list(
            &files::root(&folder).join(device_id(&data)),
            files::FileKind::Changes,
        )
        .0
        .len();
        let mut app = Command::new(app_binary())
            .env("TIMETRACKER_DATA_DIR", &data)
            .env("TZ", &midday_zone().0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(200 + rng.below(1300)));
        assert!(
            app.try_wait().unwrap().is_none(),
            "the app exited by itself"
        );
        // The web view's processes go with it, as they would in a crash.
        let children = descendants(app.id());
        kill9(app.id());
        for pid in children {
            kill9(pid);
        }
        let _ = app.wait();
        let after = files::list(
            &files::root(&folder).join(device_id(&data)),
            files::FileKind::Changes,
        )
        .0
        .len();
        if after != before {
            wrote_while_alive += 1;
        }
        assert_only_whole_files(&folder, &mut checked);
        tt(&data, &["sync", "now"]);
        assert_only_whole_files(&folder, &mut checked);
    }
    println!(
        "app: wrote a file before {wrote_while_alive} of {KILLS} kills ({:?} in all)",
        started.elapsed()
    );
    assert!(
        wrote_while_alive > 0,
        "the app never synced before it was killed"
    );
    let b = tmp.path().join("b");
    tt(
        &b,
        &["sync", "enable", folder.to_str().unwrap(), "--name", "b"],
    );
    assert_eq!(export(&b).len(), 300 * KILLS as usize);
    assert_eq!(export(&b), export(&data));
}

fn device_id(data: &Path) -> String {
    let status: Value = serde_json::from_str(&tt(data, &["--json", "sync", "status"])).unwrap();
    status["device"]["id"].as_str().unwrap().to_owned()
}
