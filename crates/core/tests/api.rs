//! The local API's routes over real HTTP on loopback: each one's success
//! and its errors, with the same codes as the app and `tt`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api_support;

use api_support::Api;
use serde_json::{json, Value};

#[test]
fn the_timer_starts_on_a_named_project_stops_pauses_and_resumes() {
    let api = Api::start();
    let idle = api.ok("GET", "/api/v1/timer", "", 200);
    assert_eq!(
        idle,
        json!({"running": false, "entry": null, "paused": null})
    );

    let started = api.ok(
        "POST",
        "/api/v1/timer/start",
        r#"{"project": "Owl Census", "description": "counting", "tags": ["field"]}"#,
        201,
    );
    assert_eq!(started["started"]["project_name"], "Owl Census");
    assert_eq!(started["started"]["tags"], json!(["field"]));
    assert_eq!(started["stopped"], Value::Null);
    let running = api.ok("GET", "/api/v1/timer", "", 200);
    assert_eq!(running["running"], true);
    assert_eq!(running["entry"]["description"], "counting");

    api.clock.advance(jiff::SignedDuration::from_mins(25));
    let paused = api.ok("POST", "/api/v1/timer/pause", "", 200);
    assert_eq!(paused["duration_seconds"], 25 * 60);
    assert_eq!(
        api.ok("GET", "/api/v1/timer", "", 200)["paused"]["entry"]["id"],
        paused["id"]
    );
    api.clock.advance(jiff::SignedDuration::from_mins(5));
    let resumed = api.ok("POST", "/api/v1/timer/resume", "", 201);
    assert_eq!(resumed["started"]["project_name"], "Owl Census");
    assert_eq!(resumed["started"]["tags"], json!(["field"]));

    api.clock.advance(jiff::SignedDuration::from_mins(10));
    let stopped = api.ok("POST", "/api/v1/timer/stop", "", 200);
    assert_eq!(stopped["duration_seconds"], 600);
    let again = api.call("POST", "/api/v1/timer/stop", "");
    assert_eq!(
        (again.status, again.code().as_str()),
        (409, "timer.not_running")
    );
    let resume = api.call("POST", "/api/v1/timer/resume", "");
    assert_eq!(
        (resume.status, resume.code().as_str()),
        (409, "timer.not_paused")
    );

    // A project id that does not exist, both ways of naming one, a field
    // the API does not know: refused, and no timer runs.
    let unknown = api.call("POST", "/api/v1/timer/start", r#"{"project_id": 999}"#);
    assert_eq!(
        (unknown.status, unknown.code().as_str()),
        (404, "project.not_found")
    );
    let both = api.call(
        "POST",
        "/api/v1/timer/start",
        r#"{"project_id": 1, "project": "x"}"#,
    );
    assert_eq!(
        (both.status, both.code().as_str()),
        (400, "api.invalid_request")
    );
    let typo = api.call("POST", "/api/v1/timer/start", r#"{"projekt": "x"}"#);
    assert_eq!(
        (typo.status, typo.code().as_str()),
        (400, "api.invalid_request")
    );
    assert!(typo.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("projekt"));
    let long = format!(r#"{{"description": "{}"}}"#, "x".repeat(5000));
    let refused = api.call("POST", "/api/v1/timer/start", &long);
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (422, "entry.description_too_long")
    );
    assert_eq!(api.ok("GET", "/api/v1/timer", "", 200)["running"], false);
}

#[test]
fn entries_are_listed_by_range_in_pages_and_created_patched_and_deleted() {
    let api = Api::start();
    let project = api.ok(
        "POST",
        "/api/v1/projects",
        r#"{"name": "Moth Survey"}"#,
        201,
    );
    let pid = project["id"].as_i64().unwrap();
    let mut ids = vec![];
    for day in 1..=5 {
        let body = json!({
            "project_id": pid,
            "description": format!("night {day}"),
            "started_at": format!("2026-06-0{day}T20:00:00Z"),
            "stopped_at": format!("2026-06-0{day}T21:30:00Z"),
            "tags": ["moths"],
        });
        let entry = api.ok("POST", "/api/v1/entries", &body.to_string(), 201);
        assert_eq!(entry["duration_seconds"], 5400);
        ids.push(entry["id"].as_i64().unwrap());
    }

    // Dates are local (Berlin) days; `to` includes its day.
    let page = api.ok(
        "GET",
        "/api/v1/entries?from=2026-06-02&to=2026-06-04&limit=2",
        "",
        200,
    );
    assert_eq!(page["total"], 3);
    assert_eq!(page["from"], "2026-06-01T22:00:00Z");
    assert_eq!(page["to"], "2026-06-04T22:00:00Z");
    let first: Vec<_> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].clone())
        .collect();
    assert_eq!(first, vec![json!(ids[1]), json!(ids[2])]);
    let next = api.ok(
        "GET",
        "/api/v1/entries?from=2026-06-02&to=2026-06-04&limit=2&offset=2",
        "",
        200,
    );
    assert_eq!(next["entries"].as_array().unwrap().len(), 1);
    assert_eq!(next["entries"][0]["id"], ids[3]);
    // The default range is the seven days before today (June 10th) and today.
    let recent = api.ok("GET", "/api/v1/entries", "", 200);
    assert_eq!(recent["total"], 3);
    assert_eq!(recent["from"], "2026-06-02T22:00:00Z");
    let instants = api.ok(
        "GET",
        "/api/v1/entries?from=2026-06-05T19:00:00Z&to=2026-06-05T21:00:00Z",
        "",
        200,
    );
    assert_eq!(instants["total"], 1);

    let got = api.ok("GET", &format!("/api/v1/entries/{}", ids[0]), "", 200);
    assert_eq!(got["description"], "night 1");
    let patched = api.ok(
        "PATCH",
        &format!("/api/v1/entries/{}", ids[0]),
        r#"{"description": "first night", "project_id": null}"#,
        200,
    );
    assert_eq!(patched["description"], "first night");
    assert_eq!(patched["project_id"], Value::Null);
    assert_eq!(patched["started_at"], "2026-06-01T20:00:00Z");

    let backwards = api.call(
        "PATCH",
        &format!("/api/v1/entries/{}", ids[0]),
        r#"{"started_at": "2026-06-01T23:00:00Z"}"#,
    );
    assert_eq!(
        (backwards.status, backwards.code().as_str()),
        (422, "entry.invalid_range")
    );
    let bad_tag = api.call(
        "POST",
        "/api/v1/entries",
        r#"{"started_at": "2026-06-01T08:00:00Z", "stopped_at": "2026-06-01T09:00:00Z", "tags": ["a,b"]}"#,
    );
    assert_eq!(
        (bad_tag.status, bad_tag.code().as_str()),
        (422, "tag.invalid")
    );
    let not_json = api.call("POST", "/api/v1/entries", "{started");
    assert_eq!(
        (not_json.status, not_json.code().as_str()),
        (400, "api.invalid_request")
    );

    assert_eq!(
        api.ok("DELETE", &format!("/api/v1/entries/{}", ids[4]), "", 204),
        Value::Null
    );
    let gone = api.call("GET", &format!("/api/v1/entries/{}", ids[4]), "");
    assert_eq!(
        (gone.status, gone.code().as_str()),
        (404, "entry.not_found")
    );
    let twice = api.call("DELETE", &format!("/api/v1/entries/{}", ids[4]), "");
    assert_eq!(
        (twice.status, twice.code().as_str()),
        (404, "entry.not_found")
    );
    let bad_id = api.call("GET", "/api/v1/entries/seven", "");
    assert_eq!(
        (bad_id.status, bad_id.code().as_str()),
        (400, "api.invalid_request")
    );

    let range = api.call("GET", "/api/v1/entries?from=2026-06-04&to=2026-06-02", "");
    assert_eq!(
        (range.status, range.code().as_str()),
        (422, "entry.invalid_range")
    );
    let words = api.call("GET", "/api/v1/entries?from=last-week", "");
    assert_eq!(
        (words.status, words.code().as_str()),
        (400, "api.invalid_request")
    );
    let huge = api.call("GET", "/api/v1/entries?limit=100000", "");
    assert_eq!(
        (huge.status, huge.code().as_str()),
        (400, "api.invalid_request")
    );

    let tags = api.ok("GET", "/api/v1/tags", "", 200);
    assert_eq!(
        (tags[0]["name"].as_str(), tags.as_array().map(Vec::len)),
        (Some("moths"), Some(1))
    );
}

#[test]
fn projects_are_created_renamed_recoloured_archived_and_restored() {
    let api = Api::start();
    let made = api.ok(
        "POST",
        "/api/v1/projects",
        r##"{"name": "Bat Walk", "color": "#10b981"}"##,
        201,
    );
    let id = made["id"].as_i64().unwrap();
    assert_eq!(made["color"], "#10b981");
    let taken = api.call("POST", "/api/v1/projects", r#"{"name": "bat walk"}"#);
    assert_eq!(
        (taken.status, taken.code().as_str()),
        (409, "project.name_taken")
    );
    let empty = api.call("POST", "/api/v1/projects", r#"{"name": "  "}"#);
    assert_eq!(
        (empty.status, empty.code().as_str()),
        (422, "project.name_empty")
    );

    let path = format!("/api/v1/projects/{id}");
    let renamed = api.ok(
        "PATCH",
        &path,
        r##"{"name": "Bat Walks", "color": "#f59e0b"}"##,
        200,
    );
    assert_eq!(
        (renamed["name"].as_str(), renamed["color"].as_str()),
        (Some("Bat Walks"), Some("#f59e0b"))
    );
    let archived = api.ok("PATCH", &path, r#"{"archived": true}"#, 200);
    assert_eq!(archived["archived"], true);
    assert_eq!(api.ok("GET", "/api/v1/projects", "", 200), json!([]));
    assert_eq!(
        api.ok("GET", "/api/v1/projects?archived=true", "", 200)[0]["id"],
        id
    );
    let on_archived = api.call(
        "POST",
        "/api/v1/timer/start",
        &format!(r#"{{"project_id": {id}}}"#),
    );
    assert_eq!(
        (on_archived.status, on_archived.code().as_str()),
        (422, "project.archived")
    );
    let restored = api.ok("PATCH", &path, r#"{"archived": false}"#, 200);
    assert_eq!(restored["archived"], false);
    assert_eq!(api.ok("GET", &path, "", 200)["name"], "Bat Walks");
    let colour = api.call("PATCH", &path, r##"{"color": "red"}"##);
    assert_eq!(
        (colour.status, colour.code().as_str()),
        (422, "project.invalid_color")
    );
    let missing = api.call("PATCH", "/api/v1/projects/999", r#"{"name": "x"}"#);
    assert_eq!(
        (missing.status, missing.code().as_str()),
        (404, "project.not_found")
    );
    assert_eq!(api.ok("GET", "/api/v1/clients", "", 200), json!([]));
}

#[test]
fn a_report_is_the_same_json_as_tt_report() {
    let api = Api::start();
    api.ok(
        "POST",
        "/api/v1/projects",
        r#"{"name": "Heron Count"}"#,
        201,
    );
    api.ok(
        "POST",
        "/api/v1/entries",
        r#"{"project_id": 1, "started_at": "2026-06-08T07:00:00Z", "stopped_at": "2026-06-08T08:07:00Z"}"#,
        201,
    );
    let report = api.ok(
        "GET",
        "/api/v1/reports?from=2026-06-08&to=2026-06-08&round=15",
        "",
        200,
    );
    assert_eq!(report["total_seconds"], 67 * 60);
    // To the nearest quarter hour.
    assert_eq!(report["rounded_total_seconds"], 60 * 60);
    assert_eq!(report["by_project"][0]["name"], "Heron Count");
    assert_eq!(report["by_day"][0]["date"], "2026-06-08");
    // The default is this week (Monday June 8th to Sunday the 14th).
    let week = api.ok("GET", "/api/v1/reports", "", 200);
    assert_eq!(week["from"], "2026-06-07T22:00:00Z");
    assert_eq!(week["entry_count"], 1);
    let round = api.call("GET", "/api/v1/reports?round=7", "");
    assert_eq!(
        (round.status, round.code().as_str()),
        (422, "report.invalid_rounding")
    );
}
