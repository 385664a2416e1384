//! The tray menu, clicked as a desktop panel clicks it: AppIndicator
//! exports the menu on the session bus (com.canonical.dbusmenu), and a
//! panel reads its layout and sends `clicked` events. Here `gdbus` plays
//! the panel, so the real menu items, their handlers and the rebuilt menu
//! are what is tested. Run under `dbus-run-session` (scripts/test).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use timetracker_e2e::{fresh_data_dir, tt, App, SERIAL, UI_TIMEOUT};

/// Where AppIndicator puts the menu of the tray icon with id "main".
const MENU: &str = "/org/ayatana/NotificationItem/tray_icon_tray_app_main/Menu";

fn gdbus(dest: &str, path: &str, method: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new("gdbus")
        .args(["call", "--session", "--dest", dest, "--object-path", path])
        // Another of the app's connections may hold the call until gdbus's
        // default 25 s; the one serving the menu answers at once.
        .args(["--timeout", "3"])
        .args(["--method", method, "--"])
        .args(args)
        .output()
        .expect("gdbus is missing: scripts/setup --test installs libglib2.0-bin");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The app's tray menu as a panel sees it.
struct Tray {
    bus_name: String,
}

impl Tray {
    /// Finds the connection the app process owns that serves the menu.
    async fn of(pid: u32) -> Tray {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            let names = gdbus(
                "org.freedesktop.DBus",
                "/",
                "org.freedesktop.DBus.ListNames",
                &[],
            )
            .unwrap();
            for name in names.split('\'').filter(|n| n.starts_with(':')) {
                let owner = gdbus(
                    "org.freedesktop.DBus",
                    "/",
                    "org.freedesktop.DBus.GetConnectionUnixProcessID",
                    &[name],
                );
                if owner.is_ok_and(|o| o.contains(&format!("uint32 {pid},"))) {
                    let tray = Tray {
                        bus_name: name.to_owned(),
                    };
                    if tray.layout().is_ok() {
                        return tray;
                    }
                }
            }
            assert!(Instant::now() < deadline, "no tray menu on the session bus");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn layout(&self) -> Result<String, String> {
        gdbus(
            &self.bus_name,
            MENU,
            "com.canonical.dbusmenu.GetLayout",
            &["0", "-1", "['label']"],
        )
    }

    /// The labels of the menu's items, in order.
    fn labels(&self) -> Vec<String> {
        let layout = self.layout().unwrap();
        layout
            .split("'label': <'")
            .skip(1)
            .map(|rest| rest.split("'>").next().unwrap().to_owned())
            .filter(|label| label != "Label Empty")
            .collect()
    }

    /// Waits until the menu, rebuilt by the app, holds `label`.
    async fn wait_for(&self, label: &str) {
        let deadline = Instant::now() + UI_TIMEOUT;
        while !self.labels().iter().any(|l| l == label) {
            assert!(
                Instant::now() < deadline,
                "no {label:?} in the tray menu: {:?}",
                self.labels()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for an item labelled `label` and clicks it.
    async fn click(&self, label: &str) {
        let needle = format!("{{'label': <'{label}'>}}");
        let deadline = Instant::now() + UI_TIMEOUT;
        let id = loop {
            let layout = self.layout().unwrap();
            if let Some(at) = layout.find(&needle) {
                // `<(ID, {'label': ...`: the id is the number before it.
                let head = layout[..at].trim_end_matches([',', ' ']);
                let id = head.rsplit('(').next().unwrap().to_owned();
                break id;
            }
            assert!(
                Instant::now() < deadline,
                "no {label:?} in the tray menu: {:?}",
                self.labels()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        gdbus(
            &self.bus_name,
            MENU,
            "com.canonical.dbusmenu.Event",
            &[&id, "clicked", "<0>", "0"],
        )
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tray_pauses_the_timer_and_resumes_the_break() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    tt(&data, &["projects", "add", "Owl Census"]);
    let app = App::launch(&data).await;
    app.fill("timer-description", "Ringing swallows").await;
    app.select_project("Owl Census").await;
    app.click("timer-start").await;
    app.wait_for_text("timer-status", |t| t == "running").await;
    let tray = Tray::of(app.app_pid().expect("the app process")).await;

    tray.click("Pause").await;
    app.wait_for_text("timer-status", |t| t == "stopped").await;
    let note = app.text("timer-paused").await;
    assert!(note.contains("Ringing swallows"), "{note}");
    let status: Value = serde_json::from_str(&tt(&data, &["--json", "status"])).unwrap();
    assert_eq!(status["running"], false, "{status}");
    assert_eq!(status["paused"]["entry"]["project_name"], "Owl Census");
    // The menu is rebuilt for the break: no Pause, a Resume of the project.
    tray.wait_for("Resume Owl Census").await;
    let labels = tray.labels();
    assert_eq!(labels[0], "No timer running", "{labels:?}");
    assert!(!labels.contains(&"Pause".to_owned()), "{labels:?}");
    tray.click("Resume Owl Census").await;
    app.wait_for_text("timer-status", |t| t == "running").await;
    tray.wait_for("Pause").await;
    app.quit().await;

    let log: Value = serde_json::from_str(&tt(&data, &["--json", "log"])).unwrap();
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{log}");
    for e in entries {
        assert_eq!(e["description"], "Ringing swallows", "{e}");
        assert_eq!(e["project_name"], "Owl Census", "{e}");
    }
    assert_eq!(
        entries.iter().filter(|e| e["stopped_at"].is_null()).count(),
        1,
        "the resumed entry runs: {log}"
    );
    let logs = std::fs::read_to_string(data.join("logs/app.jsonl")).unwrap();
    for action in ["pause", "resume"] {
        assert!(
            logs.lines().any(|l| l.contains("\"tray.action\"")
                && l.contains(&format!("\"action\":\"{action}\""))
                && l.contains("\"via\":\"tray\"")),
            "no tray.action {action} via the tray"
        );
    }
}
