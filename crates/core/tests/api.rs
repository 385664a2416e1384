//! The local API over real HTTP on loopback: every route's success and its
//! errors, the tokens, the refusals it shares with /metrics, its metrics
//! and logs' labels, and the OpenAPI document against the routes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use jiff::tz::TimeZone;
use serde_json::{json, Value};
use timetracker_core::api::{self, ApiConfig, ApiServer, Tokens};
use timetracker_core::metrics::server::loopback;
use timetracker_core::metrics::Metrics;
use timetracker_core::{FakeClock, Tracker};

const FULL: &str = "full-token-for-tests";
const READ: &str = "read-only-token-for-tests";

struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
}

/// One raw HTTP/1.1 request, so tests control every header (Host included).
fn raw(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut text = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        text.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    text.push_str("\r\n");
    text.push_str(body);
    stream.write_all(text.as_bytes()).unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Reply {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

struct Api {
    server: ApiServer,
    metrics: Arc<Metrics>,
    clock: FakeClock,
    changes: Arc<AtomicUsize>,
    _dir: tempfile::TempDir,
}

impl Api {
    fn start() -> Api {
        let dir = tempfile::tempdir().unwrap();
        let clock = FakeClock::at("2026-06-10T12:00:00Z".parse().unwrap());
        let tracker =
            Tracker::open(&dir.path().join("db.sqlite3"), Arc::new(clock.clone())).unwrap();
        let metrics = Metrics::new();
        let changes = Arc::new(AtomicUsize::new(0));
        let seen = changes.clone();
        let tokens = Tokens {
            full: FULL.into(),
            read_only: READ.into(),
        };
        let server = ApiServer::start(
            ApiConfig::new(loopback(0), tokens),
            tracker,
            TimeZone::get("Europe/Berlin").unwrap(),
            metrics.clone(),
            Some(Arc::new(move || {
                seen.fetch_add(1, Ordering::SeqCst);
            })),
        )
        .unwrap();
        Api {
            server,
            metrics,
            clock,
            changes,
            _dir: dir,
        }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.server.addr().port())
    }

    fn call_as(&self, token: &str, method: &str, path: &str, body: &str) -> Reply {
        let auth = format!("Bearer {token}");
        let host = self.host();
        raw(
            self.server.addr(),
            method,
            path,
            &[("Host", &host), ("Authorization", &auth)],
            body,
        )
    }

    fn call(&self, method: &str, path: &str, body: &str) -> Reply {
        self.call_as(FULL, method, path, body)
    }

    fn ok(&self, method: &str, path: &str, body: &str, status: u16) -> Value {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.body);
        if reply.body.is_empty() {
            Value::Null
        } else {
            reply.json()
        }
    }
}

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

    assert_eq!(api.ok("GET", "/api/v1/tags", "", 200), json!(["moths"]));
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
