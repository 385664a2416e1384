//! The metrics endpoint of the real app: scraped by a real Prometheus, and
//! turned on and off from Settings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use timetracker_e2e::{free_port, fresh_data_dir, http_get, App, SERIAL};

struct Prometheus {
    child: Child,
    api: String,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_prometheus(dir: &std::path::Path, target_port: u16) -> Prometheus {
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: timetracker\n    static_configs:\n      - targets: ['127.0.0.1:{target_port}']\n"
        ),
    )
    .unwrap();
    let port = free_port();
    let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", dir.join("tsdb").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("prometheus is missing: install Debian's prometheus package (scripts/setup --test does)");
    Prometheus {
        child,
        api: format!("http://127.0.0.1:{port}/api/v1"),
    }
}

/// Polls `check` on Prometheus' JSON answers until it holds.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn api(prom: &Prometheus, path: &str) -> Option<Value> {
    let (status, body) = http_get(&format!("{}{path}", prom.api)).ok()?;
    (status == 200).then(|| serde_json::from_str(&body).ok())?
}

fn query(prom: &Prometheus, promql: &str) -> Vec<Value> {
    let q: String = promql
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    api(prom, &format!("/query?query={q}"))
        .and_then(|v| v["data"]["result"].as_array().cloned())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_prometheus_scrapes_the_app() {
    let _serial = SERIAL.lock().await;
    let (tmp, data) = fresh_data_dir();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let app = App::launch_with_env(&data, &[("TIMETRACKER_METRICS_ADDR", &addr)]).await;

    let (status, body) = http_get(&format!("http://{addr}/metrics")).unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("timetracker_build_info{"));

    let prom = start_prometheus(tmp.path(), port);
    eventually("the target to be up", || {
        api(&prom, "/targets").is_some_and(|v| {
            v["data"]["activeTargets"]
                .as_array()
                .is_some_and(|t| t.len() == 1 && t[0]["health"] == "up")
        })
    });
    let build = query(&prom, "timetracker_build_info");
    assert_eq!(build.len(), 1, "{build:?}");
    assert_eq!(build[0]["metric"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(build[0]["value"][1], "1");
    let idle = query(&prom, "timetracker_active_timers");
    assert_eq!(idle[0]["value"][1], "0");

    app.click("timer-start").await;
    app.wait_for_text("timer-status", |t| t == "running").await;
    eventually("active timers to read 1", || {
        query(&prom, "timetracker_active_timers")
            .first()
            .is_some_and(|s| s["value"][1] == "1")
    });
    // The command that started it was counted, by name and status.
    eventually("the timer_start command to be counted", || {
        !query(
            &prom,
            "timetracker_ipc_requests_total{command=\"timer_start\",status=\"ok\"}",
        )
        .is_empty()
    });
    app.click("timer-stop").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_turn_the_endpoint_on_and_off_and_report_a_taken_port() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    let app = App::launch(&data).await;
    app.open_settings("metrics").await;
    let status = app.text("settings-metrics-status").await;
    assert!(status.contains("Not serving"), "{status}");

    // A port another program holds: a clear error, and the app goes on.
    let squatter = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = squatter.local_addr().unwrap().port();
    app.fill("settings-metrics-port", &taken.to_string()).await;
    app.click("settings-metrics-enabled").await;
    let error = app.text("settings-metrics-error").await;
    assert!(error.contains("already in use"), "{error}");
    app.click("nav-timer").await;
    app.click("timer-start").await;
    app.wait_for_text("timer-status", |t| t == "running").await;
    app.click("timer-stop").await;

    // A free port: serving at once, no restart.
    app.open_settings("metrics").await;
    let port = free_port();
    app.fill("settings-metrics-port", &port.to_string()).await;
    app.click("settings-metrics-apply").await;
    let status = app
        .wait_for_text("settings-metrics-status", |t| t.contains("Serving"))
        .await;
    assert!(status.contains(&format!("127.0.0.1:{port}")), "{status}");
    let (code, body) = http_get(&format!("http://127.0.0.1:{port}/metrics")).unwrap();
    assert_eq!(code, 200);
    assert!(
        body.contains("timetracker_ipc_requests_total{command=\"timer_start\",status=\"ok\"} 1")
    );

    // Off again: the port is closed.
    app.click("settings-metrics-enabled").await;
    app.wait_for_text("settings-metrics-status", |t| t.contains("Not serving"))
        .await;
    assert!(http_get(&format!("http://127.0.0.1:{port}/healthz")).is_err());
    app.quit().await;
    drop(squatter);
}
