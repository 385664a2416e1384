//! What the local API refuses and shows before and around its routes: the
//! tokens, the Host and Origin checks and the loopback bind it shares with
//! /metrics, its metrics' labels and the app's change hook, its token
//! files, and the OpenAPI document against the routes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api_support;

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use api_support::{raw, Api, FULL, READ};
use jiff::tz::TimeZone;
use serde_json::{json, Value};
use timetracker_core::api::{self, ApiConfig, ApiServer, Tokens};
use timetracker_core::metrics::server::loopback;
use timetracker_core::metrics::Metrics;
use timetracker_core::Tracker;

#[test]
fn tokens_hosts_and_origins_are_checked_before_anything_is_read() {
    let api = Api::start();
    let addr = api.server.addr();
    let host = api.host();
    let none = raw(addr, "GET", "/api/v1/timer", &[("Host", &host)], "");
    assert_eq!(
        (none.status, none.code().as_str()),
        (401, "api.unauthorized")
    );
    assert!(
        none.head
            .to_ascii_lowercase()
            .contains("www-authenticate: bearer"),
        "{}",
        none.head
    );
    let wrong = api.call_as("not-the-token", "GET", "/api/v1/timer", "");
    assert_eq!(wrong.status, 401);
    // The read-only token reads, and is refused every write.
    assert_eq!(api.call_as(READ, "GET", "/api/v1/timer", "").status, 200);
    for (method, path, body) in [
        ("POST", "/api/v1/timer/start", "{}"),
        ("POST", "/api/v1/projects", r#"{"name": "x"}"#),
        ("DELETE", "/api/v1/entries/1", ""),
    ] {
        let refused = api.call_as(READ, method, path, body);
        assert_eq!(
            (refused.status, refused.code().as_str()),
            (403, "api.read_only"),
            "{method} {path}"
        );
    }
    assert_eq!(
        api.ok("GET", "/api/v1/projects", "", 200),
        json!([]),
        "nothing was written"
    );
    assert_eq!(api.changes.load(Ordering::SeqCst), 0);

    let auth = format!("Bearer {FULL}");
    let foreign = raw(
        addr,
        "GET",
        "/api/v1/timer",
        &[("Host", "evil.example:80"), ("Authorization", &auth)],
        "",
    );
    assert_eq!(
        (foreign.status, foreign.code().as_str()),
        (403, "api.forbidden")
    );
    let page = raw(
        addr,
        "POST",
        "/api/v1/timer/start",
        &[
            ("Host", &host),
            ("Authorization", &auth),
            ("Origin", "http://127.0.0.1:5173"),
        ],
        "{}",
    );
    assert_eq!((page.status, page.code().as_str()), (403, "api.forbidden"));
    assert_eq!(api.ok("GET", "/api/v1/timer", "", 200)["running"], false);

    let unknown = api.call("GET", "/api/v1/nothing/here", "");
    assert_eq!(
        (unknown.status, unknown.code().as_str()),
        (404, "api.not_found")
    );
    let method = api.call("PUT", "/api/v1/timer", "");
    assert_eq!(
        (method.status, method.code().as_str()),
        (405, "api.method_not_allowed")
    );
    assert!(
        none.head.to_ascii_lowercase().contains("x-request-id:"),
        "{}",
        none.head
    );
}

#[test]
fn only_loopback_addresses_and_free_ports_are_served() {
    assert_eq!(
        api::parse_addr("0.0.0.0:9465").unwrap_err().code(),
        "api.not_loopback"
    );
    assert_eq!(
        api::parse_addr("192.168.1.5:9465").unwrap_err().code(),
        "api.not_loopback"
    );
    assert_eq!(
        api::parse_addr("localhost").unwrap_err().code(),
        "api.invalid_address"
    );
    assert_eq!(api::parse_addr("localhost:9465").unwrap(), loopback(9465));
    assert!(api::parse_addr("[::1]:9465").unwrap().ip().is_loopback());

    let tokens = Tokens {
        full: FULL.into(),
        read_only: READ.into(),
    };
    let open = |addr: SocketAddr| {
        let tracker = Tracker::open_in_memory(Arc::new(timetracker_core::SystemClock)).unwrap();
        ApiServer::start(
            ApiConfig::new(addr, tokens.clone()),
            tracker,
            TimeZone::UTC,
            Metrics::new(),
            None,
        )
    };
    let everywhere = open("0.0.0.0:0".parse().unwrap()).err().unwrap();
    assert_eq!(everywhere.code(), "api.not_loopback");
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = open(loopback(port)).err().unwrap();
    assert_eq!(err.code(), "api.port_in_use");
    assert!(err.to_string().contains(&port.to_string()), "{err}");
}

#[test]
fn writes_tell_the_app_and_requests_count_by_route_template() {
    let api = Api::start();
    api.ok("GET", "/api/v1/timer", "", 200);
    assert_eq!(
        api.changes.load(Ordering::SeqCst),
        0,
        "a read changes nothing"
    );
    api.ok("POST", "/api/v1/timer/start", "{}", 201);
    api.ok("POST", "/api/v1/timer/stop", "", 200);
    api.call("POST", "/api/v1/timer/stop", "");
    assert_eq!(
        api.changes.load(Ordering::SeqCst),
        2,
        "two writes, and a refused one"
    );
    api.call("GET", "/api/v1/entries/4242", "");
    api.call("GET", "/api/v1/entries/17", "");

    let text = api.metrics.render_prometheus_text();
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("no {needle} in\n{text}"))
            .to_owned()
    };
    assert!(
        line(r#"timetracker_api_requests_total{route="/api/v1/timer/stop",status="200"}"#)
            .ends_with(" 1")
    );
    assert!(
        line(r#"timetracker_api_requests_total{route="/api/v1/timer/stop",status="409"}"#)
            .ends_with(" 1")
    );
    assert!(
        line(r#"timetracker_api_requests_total{route="/api/v1/entries/{id}",status="404"}"#)
            .ends_with(" 2")
    );
    line(r#"timetracker_api_request_duration_seconds_count{route="/api/v1/timer"}"#);
    assert!(!text.contains("4242"), "a raw path became a label:\n{text}");
}

#[test]
fn token_files_are_made_private_once_and_rotated_on_demand() {
    let dir = tempfile::tempdir().unwrap();
    let first = Tokens::ensure(None, dir.path()).unwrap();
    assert_ne!(first.full, first.read_only);
    assert!(first.full.len() >= 64);
    #[cfg(unix)]
    for name in [api::TOKEN_FILE, api::READ_ONLY_TOKEN_FILE] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
    assert_eq!(
        Tokens::ensure(None, dir.path()).unwrap(),
        first,
        "kept across starts"
    );
    let env = Tokens::ensure(Some(" from-env ".into()), dir.path()).unwrap();
    assert_eq!(
        (env.full.as_str(), env.read_only.as_str()),
        ("from-env", first.read_only.as_str())
    );
    let rotated = Tokens::rotate(None, dir.path()).unwrap();
    assert_ne!(rotated.full, first.full);
    assert_ne!(rotated.read_only, first.read_only);

    let read_only_dir = tempfile::tempdir().unwrap();
    let missing = read_only_dir.path().join("no/such/folder");
    let err = Tokens::ensure(None, &missing).unwrap_err();
    assert_eq!(err.code(), "api.token_file");
}

/// The committed document is the one the code derives; a change to a route
/// or a type rewrites it here, to be committed with the change.
#[test]
fn the_committed_openapi_document_is_the_one_the_code_serves() {
    let api = Api::start();
    let served = api.call_as(READ, "GET", "/api/v1/openapi.json", "");
    assert_eq!(served.status, 200);
    assert_eq!(served.body, api::openapi::document());
    let doc: Value = served.json();
    assert_eq!(doc["openapi"], "3.1.0");

    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api/openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != served.body {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &served.body).unwrap();
        panic!("docs/api/openapi.json was out of date and has been rewritten: commit it");
    }
}

/// Every operation in the document reaches a handler (no `api.not_found`
/// or `api.method_not_allowed`), and every route the router serves is in it.
#[test]
fn the_openapi_document_and_the_routes_match() {
    let api = Api::start();
    let doc: Value = serde_json::from_str(api::openapi::document()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", "999999");
            let reply = api.call(&method.to_uppercase(), &concrete, "{}");
            let code = if reply.body.starts_with('{') && reply.json().get("error").is_some() {
                reply.code()
            } else {
                String::new()
            };
            assert!(
                !["api.not_found", "api.method_not_allowed"].contains(&code.as_str()),
                "{method} {path} is documented but not routed: {}",
                reply.body
            );
            operations += 1;
        }
    }
    assert!(operations >= 18, "{operations} operations");

    let source = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api/routes.rs"),
    )
    .unwrap();
    let mut routed = 0;
    for line in source.lines().map(str::trim) {
        let Some(rest) = line
            .strip_prefix(".route(\"")
            .or_else(|| line.strip_prefix('"'))
        else {
            continue;
        };
        let Some(route) = rest.split('"').next().filter(|r| r.starts_with("/api/")) else {
            continue;
        };
        assert!(
            paths.contains_key(route),
            "{route} is routed but not documented"
        );
        routed += 1;
    }
    assert_eq!(routed, paths.len(), "every documented path is routed once");
}

/// A real validator from PyPI (installed by `scripts/setup --test`) checks
/// the document against the OpenAPI 3.1 schema.
#[test]
fn the_openapi_document_passes_openapi_spec_validator() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let validator = root.join(".venv/bin/openapi-spec-validator");
    assert!(
        validator.exists(),
        "{} is missing: run scripts/setup --test",
        validator.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, api::openapi::document()).unwrap();
    let out = std::process::Command::new(&validator)
        .arg(&file)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    assert!(said.contains("OK"), "{said}");
}
