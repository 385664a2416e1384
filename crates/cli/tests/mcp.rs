//! `tt mcp` driven by a real MCP client: the official Python SDK (`mcp`
//! from PyPI, in the checkout's `.venv`, installed by `scripts/setup
//! --test`) starts it over stdio, lists its tools and calls them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;

use common::Tt;
use serde_json::{json, Value};

fn client(tt: &Tt, allow_writes: bool, calls: Value) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/setup --test",
        python.display()
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp_client/client.py");
    let mut cmd = Command::new(python);
    cmd.arg(script)
        .arg(env!("CARGO_BIN_EXE_tt"))
        .arg(tt.data_dir());
    if allow_writes {
        cmd.arg("--allow-writes");
    }
    let out = cmd.arg(calls.to_string()).output().unwrap();
    assert!(
        out.status.success(),
        "the MCP client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn text(seen: &Value, i: usize) -> Value {
    let call = &seen["calls"][i];
    assert_eq!(call["error"], false, "{call}");
    serde_json::from_str(call["text"].as_str().unwrap()).unwrap()
}

#[test]
fn an_assistant_reads_entries_and_reports_but_writes_only_when_allowed() {
    let tt = Tt::new();
    tt.ok(&["start", "Owl Census", "-d", "dusk count"]);
    tt.ok(&["stop"]);

    let seen = client(
        &tt,
        false,
        json!([
            ["timer_status", {}],
            ["list_entries", {"from": "2000-01-01"}],
            ["report", {"from": "2000-01-01"}],
            ["list_projects", {}],
            ["start_timer", {"project": "Sneaky"}],
            ["list_entries", {"from": "yesterday"}],
        ]),
    );
    assert_eq!(seen["server"], "timetracker");
    assert_eq!(
        seen["tools"],
        json!(["list_entries", "list_projects", "report", "timer_status"]),
        "no write tool is even offered"
    );
    assert!(
        seen["schemas"]["report"]["properties"]["round"].is_object(),
        "{}",
        seen["schemas"]
    );
    assert_eq!(text(&seen, 0)["running"], false);
    let entries = text(&seen, 1);
    assert_eq!(entries["entries"][0]["description"], "dusk count");
    assert_eq!(entries["entries"][0]["project_name"], "Owl Census");
    let report = text(&seen, 2);
    assert_eq!(report["entry_count"], 1);
    assert_eq!(report["by_project"][0]["name"], "Owl Census");
    assert_eq!(text(&seen, 3)[0]["name"], "Owl Census");
    let refused = &seen["calls"][4];
    assert_eq!(
        (&refused["error"], &refused["protocol"]),
        (&json!(true), &json!(true)),
        "{refused}"
    );
    let bad = &seen["calls"][5];
    assert_eq!(bad["error"], true);
    assert!(
        bad["text"]
            .as_str()
            .unwrap()
            .starts_with("api.invalid_request:"),
        "{bad}"
    );
    assert_eq!(
        tt.json(&["projects"]).as_array().unwrap().len(),
        1,
        "nothing was written"
    );
}

#[test]
fn with_writes_allowed_it_starts_and_stops_timers_and_adds_entries() {
    let tt = Tt::new();
    let seen = client(
        &tt,
        true,
        json!([
            ["start_timer", {"project": "Heron Count", "description": "from the assistant", "tags": ["mcp"]}],
            ["timer_status", {}],
            ["stop_timer", {}],
            ["add_entry", {"project": "Heron Count", "started_at": "2026-06-01T08:00:00Z", "stopped_at": "2026-06-01T09:00:00Z"}],
            ["add_entry", {"started_at": "2026-06-01T10:00:00Z", "stopped_at": "2026-06-01T09:00:00Z"}],
            ["stop_timer", {}],
            ["create_project", {"name": "Bat Walk", "color": "#10b981"}],
        ]),
    );
    assert!(
        seen["tools"].as_array().unwrap().len() == 8,
        "{}",
        seen["tools"]
    );
    assert_eq!(text(&seen, 0)["started"]["project_name"], "Heron Count");
    assert_eq!(text(&seen, 1)["entry"]["tags"], json!(["mcp"]));
    assert!(text(&seen, 2)["stopped_at"].is_string());
    assert_eq!(text(&seen, 3)["duration_seconds"], 3600);
    let backwards = &seen["calls"][4];
    assert_eq!(backwards["error"], true);
    assert!(
        backwards["text"]
            .as_str()
            .unwrap()
            .starts_with("entry.invalid_range:"),
        "{backwards}"
    );
    let idle = &seen["calls"][5];
    assert!(
        idle["text"]
            .as_str()
            .unwrap()
            .starts_with("timer.not_running:"),
        "{idle}"
    );
    assert_eq!(text(&seen, 6)["color"], "#10b981");

    let log = tt.json(&["log", "--all"]);
    assert_eq!(log["entries"].as_array().unwrap().len(), 2);
}
