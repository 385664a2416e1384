//! Clients and tags through the local API, over real HTTP on loopback:
//! made, renamed, archived and restored, with the app's rules and codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api_support;

use api_support::Api;
use serde_json::{json, Value};

fn names(list: &Value) -> Vec<(String, bool)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["archived"] == true,
            )
        })
        .collect()
}

fn fails(api: &Api, method: &str, path: &str, body: &str) -> (u16, String) {
    let reply = api.call(method, path, body);
    (reply.status, reply.code())
}

#[test]
fn clients_are_created_renamed_archived_and_restored_and_projects_follow() {
    let api = Api::start();
    let acme = api.ok("POST", "/api/v1/clients", r#"{"name": " Acme "}"#, 201);
    assert_eq!(
        (
            acme["name"].as_str(),
            acme["archived"].as_bool(),
            acme["projects"].as_i64()
        ),
        (Some("Acme"), Some(false), Some(0))
    );
    let id = acme["id"].as_i64().unwrap();
    let path = format!("/api/v1/clients/{id}");
    assert_eq!(api.ok("GET", &path, "", 200), acme);
    api.ok("POST", "/api/v1/clients", r#"{"name": "Initech"}"#, 201);

    assert_eq!(
        fails(&api, "POST", "/api/v1/clients", r#"{"name": "ACME"}"#),
        (409, "client.name_taken".into())
    );
    assert_eq!(
        fails(&api, "POST", "/api/v1/clients", r#"{"name": ""}"#),
        (422, "client.name_empty".into())
    );
    assert_eq!(
        fails(&api, "POST", "/api/v1/clients", r#"{"name": "A\u0007"}"#),
        (422, "client.invalid_name".into())
    );
    assert_eq!(
        fails(&api, "POST", "/api/v1/clients", r#"{"title": "Acme"}"#),
        (400, "api.invalid_request".into())
    );
    assert_eq!(
        fails(&api, "PATCH", &path, r#"{"name": "initech"}"#),
        (409, "client.name_taken".into())
    );
    assert_eq!(
        fails(
            &api,
            "PATCH",
            "/api/v1/clients/999",
            r#"{"archived": true}"#
        ),
        (404, "client.not_found".into())
    );
    assert_eq!(
        fails(&api, "GET", "/api/v1/clients/abc", ""),
        (400, "api.invalid_request".into())
    );

    // A project billed to it shows the new name after a rename.
    let project = api.ok("POST", "/api/v1/projects", r#"{"name": "Site"}"#, 201);
    let pid = project["id"].as_i64().unwrap();
    let billed = api.ok(
        "PATCH",
        &format!("/api/v1/projects/{pid}"),
        r#"{"client": "acme"}"#,
        200,
    );
    assert_eq!(billed["client"], "Acme");
    let renamed = api.ok("PATCH", &path, r#"{"name": "ACME Corp"}"#, 200);
    assert_eq!(
        (renamed["name"].as_str(), renamed["projects"].as_i64()),
        (Some("ACME Corp"), Some(1))
    );
    assert_eq!(
        api.ok("GET", &format!("/api/v1/projects/{pid}"), "", 200)["client"],
        "ACME Corp"
    );

    let archived = api.ok("PATCH", &path, r#"{"archived": true}"#, 200);
    assert_eq!(archived["archived"], true);
    assert_eq!(
        names(&api.ok("GET", "/api/v1/clients", "", 200)),
        [("Initech".to_owned(), false)]
    );
    assert_eq!(
        names(&api.ok("GET", "/api/v1/clients?archived=true", "", 200)),
        [
            ("Initech".to_owned(), false),
            ("ACME Corp".to_owned(), true)
        ]
    );
    // Still on its project while archived.
    assert_eq!(
        api.ok("GET", &format!("/api/v1/projects/{pid}"), "", 200)["client"],
        "ACME Corp"
    );
    let restored = api.ok("PATCH", &path, r#"{"archived": false}"#, 200);
    assert_eq!(restored["archived"], false);
    let unbilled = api.ok(
        "PATCH",
        &format!("/api/v1/projects/{pid}"),
        r#"{"client": " "}"#,
        200,
    );
    assert_eq!(unbilled["client"], Value::Null);
    assert_eq!(api.ok("GET", &path, "", 200)["projects"], 0);
    assert_eq!(
        api.call_as(
            api_support::READ,
            "POST",
            "/api/v1/clients",
            r#"{"name": "X"}"#
        )
        .status,
        403
    );
}

#[test]
fn tags_are_created_renamed_merged_archived_and_restored_on_their_entries() {
    let api = Api::start();
    let entry = |tags: &str| {
        api.ok(
            "POST",
            "/api/v1/entries",
            &format!(
                r#"{{"started_at": "2026-06-01T08:00:00Z", "stopped_at": "2026-06-01T09:00:00Z", "tags": {tags}}}"#
            ),
            201,
        )["id"]
            .as_i64()
            .unwrap()
    };
    let both = entry(r#"["urgnet", "billing"]"#);
    let one = entry(r#"["urgnet"]"#);

    let made = api.ok("POST", "/api/v1/tags", r#"{"name": "Deep work"}"#, 201);
    assert_eq!(
        (made["name"].as_str(), made["entries"].as_i64()),
        (Some("Deep work"), Some(0))
    );
    let again = api.ok("POST", "/api/v1/tags", r#"{"name": "deep WORK"}"#, 200);
    assert_eq!(again, made);
    assert_eq!(
        fails(&api, "POST", "/api/v1/tags", r#"{"name": "a;b"}"#),
        (422, "tag.invalid".into())
    );

    let list = api.ok("GET", "/api/v1/tags", "", 200);
    let typo = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "urgnet")
        .unwrap();
    assert_eq!(typo["entries"], 2);
    let path = format!("/api/v1/tags/{}", typo["id"]);
    let urgent = api.ok("PATCH", &path, r#"{"name": "urgent"}"#, 200);
    assert_eq!(
        (urgent["name"].as_str(), urgent["entries"].as_i64()),
        (Some("urgent"), Some(2))
    );
    assert_ne!(urgent["id"], typo["id"]);
    assert_eq!(
        api.ok("GET", &format!("/api/v1/entries/{both}"), "", 200)["tags"],
        json!(["billing", "urgent"])
    );
    assert_eq!(
        api.ok("GET", &format!("/api/v1/entries/{one}"), "", 200)["tags"],
        json!(["urgent"])
    );
    // The old name is kept archived, so other devices hide it too.
    let old = api.ok("GET", &path, "", 200);
    assert_eq!(
        (old["archived"].as_bool(), old["entries"].as_i64()),
        (Some(true), Some(0))
    );

    // Renamed onto an existing tag: merged into it.
    let billing_path = format!(
        "/api/v1/tags/{}",
        list.as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "billing")
            .unwrap()["id"]
    );
    let merged = api.ok("PATCH", &billing_path, r#"{"name": "Urgent"}"#, 200);
    assert_eq!(
        (
            merged["id"].clone(),
            merged["name"].as_str(),
            merged["entries"].as_i64()
        ),
        (urgent["id"].clone(), Some("Urgent"), Some(2))
    );
    assert_eq!(
        api.ok("GET", &format!("/api/v1/entries/{both}"), "", 200)["tags"],
        json!(["Urgent"])
    );

    let urgent_path = format!("/api/v1/tags/{}", urgent["id"]);
    let hidden = api.ok("PATCH", &urgent_path, r#"{"archived": true}"#, 200);
    assert_eq!(hidden["archived"], true);
    assert_eq!(
        names(&api.ok("GET", "/api/v1/tags", "", 200)),
        [("Deep work".to_owned(), false)]
    );
    assert_eq!(
        api.ok("GET", &format!("/api/v1/entries/{one}"), "", 200)["tags"],
        json!(["Urgent"])
    );
    assert_eq!(
        api.ok("PATCH", &urgent_path, r#"{"archived": false}"#, 200)["archived"],
        false
    );

    assert_eq!(
        fails(&api, "PATCH", "/api/v1/tags/999", r#"{"name": "x"}"#),
        (404, "tag.not_found".into())
    );
    assert_eq!(
        fails(&api, "PATCH", &urgent_path, r#"{"name": ""}"#),
        (422, "tag.invalid".into())
    );
    assert_eq!(
        api.call_as(
            api_support::READ,
            "PATCH",
            &urgent_path,
            r#"{"archived": true}"#
        )
        .status,
        403
    );
}
