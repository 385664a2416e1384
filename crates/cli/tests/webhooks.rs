//! `tt webhooks` against a real receiver on loopback: a webhook added, a
//! change queued by `tt start` and `tt stop`, a signed test delivery sent
//! at once, the delivery log, and the refusals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Tt;
use serde_json::Value;
use timetracker_core::webhooks::sign;
use timetracker_test_support::Receiver;

#[test]
fn a_webhook_is_added_tested_and_queues_the_timer_changes() {
    let tt = Tt::new();
    let receiver = Receiver::start();
    let url = format!("{}/hook", receiver.url());
    let added = tt.ok(&["webhooks", "add", &url, "--events", "timer.*"]);
    assert!(added.contains("Signing secret: whsec_"), "{added}");
    assert!(!added.contains("not on this computer"), "{added}");
    let hooks = tt.json(&["webhooks", "list"]);
    let hook = &hooks[0];
    assert_eq!(
        hook["events"],
        serde_json::json!(["timer.started", "timer.stopped"])
    );
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let id = hook["id"].to_string();

    let sent = tt.json(&["webhooks", "test", &id]);
    assert_eq!(sent["last_status"], 200);
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.line(), "POST /hook");
    assert_eq!(r.json()["type"], "webhook.test");
    let at: i64 = r.header("webhook-timestamp").unwrap().parse().unwrap();
    assert!(sign::verify(
        &secret,
        r.header("webhook-id").unwrap(),
        at,
        &r.body,
        r.header("webhook-signature").unwrap()
    ));

    // `tt` queues and never waits on the receiver: the app sends them.
    tt.ok(&["start", "Owls", "-d", "night count"]);
    tt.ok(&["stop"]);
    assert_eq!(receiver.count(), 1);
    let log = tt.json(&["webhooks", "log"]);
    let events: Vec<_> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["event"].clone())
        .collect();
    assert_eq!(events, ["timer.stopped", "timer.started", "webhook.test"]);
    assert!(log[0]["delivered_at"].is_null() && log[2]["delivered_at"].is_string());
    assert_eq!(tt.json(&["webhooks", "list"])[0]["pending"], 2);
    let text = tt.ok(&["webhooks", "log", &id]);
    assert!(
        text.contains("timer.stopped") && text.contains("delivered"),
        "{text}"
    );

    // Without the app, `tt webhooks send` sends them, oldest first, once.
    let sent = tt.json(&["webhooks", "send"]);
    assert_eq!(
        (&sent["delivered"], &sent["waiting"]),
        (&serde_json::json!(2), &serde_json::json!(0))
    );
    let types: Vec<_> = receiver.requests()[1..]
        .iter()
        .map(|r| r.json()["type"].clone())
        .collect();
    assert_eq!(types, ["timer.started", "timer.stopped"]);
    assert_eq!(
        tt.ok(&["webhooks", "send"]),
        "Delivered 0 deliveries; none waiting\n"
    );
    assert_eq!(receiver.count(), 3);
    assert_eq!(tt.json(&["webhooks", "list"])[0]["pending"], 0);

    tt.ok(&["webhooks", "remove", &id]);
    assert_eq!(tt.json(&["webhooks", "list"]), Value::Array(vec![]));
}

#[test]
fn a_remote_url_is_flagged_and_bad_input_is_refused_with_its_code() {
    let tt = Tt::new();
    let added = tt.ok(&["webhooks", "add", "https://hooks.example.com/tt"]);
    assert!(added.contains("not on this computer"), "{added}");
    assert!(tt
        .ok(&["webhooks", "list"])
        .contains("(leaves this computer)"));

    for (args, code) in [
        (
            vec!["webhooks", "add", "ftp://example.com"],
            "webhook.invalid_url",
        ),
        (
            vec![
                "webhooks",
                "add",
                "http://127.0.0.1:9/x",
                "--events",
                "timer.exploded",
            ],
            "webhook.invalid_event",
        ),
        (vec!["webhooks", "remove", "99"], "webhook.not_found"),
    ] {
        let mut with_json = vec!["--json"];
        with_json.extend(args);
        let out = tt.run(&with_json);
        assert!(!out.status.success());
        let error: Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(error["error"]["code"], code, "{error}");
    }

    // A receiver that is down: the test says so, and the delivery waits.
    let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = down.local_addr().unwrap().port();
    drop(down);
    let hook = tt.json(&["webhooks", "add", &format!("http://127.0.0.1:{port}/x")]);
    let out = tt.run(&["--json", "webhooks", "test", &hook["id"].to_string()]);
    assert!(!out.status.success());
    let error: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(error["error"]["code"], "webhook.test_failed", "{error}");
    let log = tt.json(&["webhooks", "log", &hook["id"].to_string()]);
    assert_eq!(log[0]["attempts"], 1);
    assert!(log[0]["next_attempt_at"].is_string());
    // Not due yet: `tt webhooks send` leaves it to its schedule and says when.
    let text = tt.ok(&["webhooks", "send"]);
    assert!(
        text.starts_with("Delivered 0 deliveries; 1 waiting, the next at "),
        "{text}"
    );
    assert_eq!(
        tt.json(&["webhooks", "log", &hook["id"].to_string()])[0]["attempts"],
        1
    );
}
