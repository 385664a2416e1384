//! The local API of the real app: a timer started with `curl` runs in the
//! window at once; stopping it in the window reads as stopped over the API
//! and fires a signed webhook to a loopback receiver; Settings ›
//! Integrations shows the API, its read-only token and the webhook's log.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use std::time::Duration;

use serde_json::Value;
use timetracker_core::webhooks::sign;
use timetracker_e2e::{free_port, fresh_data_dir, tt, App, SERIAL};
use timetracker_test_support::Receiver;

const TOKEN: &str = "e2e-api-token-0123456789";

/// One request with the real `curl`, as a user's script would send it;
/// the status and the body.
fn curl(token: &str, method: &str, url: &str, body: Option<&str>) -> (u16, Value) {
    let mut cmd = Command::new("curl");
    cmd.args([
        "-sS",
        "--max-time",
        "10",
        "-X",
        method,
        "-w",
        "\n%{http_code}",
    ])
    .args(["-H", &format!("Authorization: Bearer {token}")]);
    if let Some(body) = body {
        cmd.args(["-H", "Content-Type: application/json", "--data", body]);
    }
    let out = cmd.arg(url).output().expect("curl is missing");
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let (body, status) = text.rsplit_once('\n').unwrap();
    let json = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
    };
    (status.parse().unwrap(), json)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_timer_started_with_curl_runs_in_the_window_and_stops_from_it() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let base = format!("http://{addr}/api/v1");
    let receiver = Receiver::start();
    let hook: Value = serde_json::from_str(&tt(
        &data,
        &[
            "--json",
            "webhooks",
            "add",
            &format!("{}/tt", receiver.url()),
            "--events",
            "timer.stopped",
        ],
    ))
    .unwrap();
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let app = App::launch_with_env(
        &data,
        &[
            ("TIMETRACKER_API_ADDR", &addr),
            ("TIMETRACKER_API_TOKEN", TOKEN),
        ],
    )
    .await;
    app.wait_for_text("timer-status", |t| t == "stopped").await;

    let (status, started) = curl(
        TOKEN,
        "POST",
        &format!("{base}/timer/start"),
        Some(r#"{"project": "Owl Census", "description": "from curl", "tags": ["api"]}"#),
    );
    assert_eq!(status, 201, "{started}");
    assert_eq!(started["started"]["project_name"], "Owl Census");

    // The API's write reloads the window: no click, no focus change.
    app.wait_for_text("timer-status", |t| t == "running").await;
    let description = app
        .js("return document.querySelector('[data-testid=timer-description]').value")
        .await;
    assert_eq!(description, "from curl");
    let project = app
        .js("const s = document.querySelector('[data-testid=timer-project]'); return s.options[s.selectedIndex].text")
        .await;
    assert_eq!(project.as_str().map(str::trim), Some("Owl Census"));

    app.click("timer-stop").await;
    app.wait_for_text("timer-status", |t| t == "stopped").await;
    // The app's sender posts the stop to the webhook, signed.
    receiver.wait_for_requests(1, Duration::from_secs(30));
    let delivery = &receiver.requests()[0];
    assert_eq!(delivery.line(), "POST /tt");
    let body = delivery.json();
    assert_eq!(body["type"], "timer.stopped");
    assert_eq!(body["data"]["description"], "from curl");
    assert_eq!(body["data"]["project_name"], "Owl Census");
    let at: i64 = delivery
        .header("webhook-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    assert!(sign::verify(
        &secret,
        delivery.header("webhook-id").unwrap(),
        at,
        &delivery.body,
        delivery.header("webhook-signature").unwrap(),
    ));
    let (status, timer) = curl(TOKEN, "GET", &format!("{base}/timer"), None);
    assert_eq!(status, 200);
    assert_eq!(timer["running"], false);
    let (_, list) = curl(TOKEN, "GET", &format!("{base}/entries"), None);
    assert_eq!(list["total"], 1);
    assert_eq!(list["entries"][0]["description"], "from curl");
    assert!(list["entries"][0]["stopped_at"].is_string());

    // The read-only token, made in the data folder on first start, reads
    // and may not write.
    let read_only = std::fs::read_to_string(data.join("api-token-readonly")).unwrap();
    let (status, _) = curl(read_only.trim(), "GET", &format!("{base}/projects"), None);
    assert_eq!(status, 200);
    let (status, refused) = curl(
        read_only.trim(),
        "POST",
        &format!("{base}/timer/start"),
        Some("{}"),
    );
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (403, Some("api.read_only"))
    );
    let (status, _) = curl("wrong", "GET", &format!("{base}/timer"), None);
    assert_eq!(status, 401);

    app.open_settings("integrations").await;
    let shown = app
        .wait_for_text("settings-api-status", |t| t.contains("Serving"))
        .await;
    assert!(shown.contains(&base), "{shown}");
    app.click("settings-api-token-show").await;
    let token = app.text("settings-api-token").await;
    assert_eq!(token, TOKEN);
    let shown_read_only = app.text("settings-api-token-readonly").await;
    assert_eq!(shown_read_only, read_only.trim());
    app.wait_for_count("webhook-row", 1).await;
    app.click("webhook-log-toggle").await;
    let rows = app.wait_for_count("webhook-delivery-row", 1).await;
    let row = rows[0].text().await.unwrap();
    assert!(
        row.contains("timer.stopped") && row.contains("delivered"),
        "{row}"
    );

    // Every request is in the log with its route template and status.
    let log = std::fs::read_to_string(data.join("logs/app.jsonl")).unwrap();
    let requests: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["message"] == "api.request")
        .collect();
    assert!(
        requests.iter().any(|r| r["route"] == "/api/v1/timer/start"
            && r["status"] == 201
            && r["request_id"].is_string()),
        "{requests:?}"
    );
    assert!(requests
        .iter()
        .any(|r| r["status"] == 403 && r["code"] == "api.read_only"));
    app.quit().await;
}
