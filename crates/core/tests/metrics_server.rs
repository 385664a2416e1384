//! The /metrics endpoint over real HTTP on loopback: what it serves, what it
//! refuses, and that its output passes `promtool check metrics`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;

use timetracker_core::metrics::server::{self, loopback, parse_addr};
use timetracker_core::metrics::{Metrics, MetricsServer, ServerConfig};
use timetracker_core::{SystemClock, Tracker};

struct Reply {
    status: u16,
    head: String,
    body: String,
}

/// One raw HTTP/1.1 request, so tests control every header (Host included).
fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut text = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Reply {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

fn get(addr: SocketAddr, path: &str) -> Reply {
    let host = format!("127.0.0.1:{}", addr.port());
    request(addr, "GET", path, &[("Host", &host)])
}

fn start(token: Option<&str>) -> (MetricsServer, Arc<Metrics>) {
    let metrics = Metrics::new();
    let server = MetricsServer::start(
        ServerConfig::new(loopback(0), token.map(str::to_owned)),
        metrics.clone(),
    )
    .unwrap();
    (server, metrics)
}

#[test]
fn serves_metrics_and_health_to_a_loopback_scraper() {
    let (server, _) = start(None);
    let addr = server.addr();
    let reply = get(addr, "/metrics");
    assert_eq!(reply.status, 200);
    assert!(
        reply.head.contains("text/plain; version=0.0.4"),
        "{}",
        reply.head
    );
    assert!(reply.body.contains("timetracker_build_info{"));
    let reply = get(addr, "/healthz");
    assert_eq!((reply.status, reply.body.as_str()), (200, "ok\n"));

    let host = format!("localhost:{}", addr.port());
    let om = request(
        addr,
        "GET",
        "/metrics",
        &[
            ("Host", &host),
            ("Accept", "application/openmetrics-text;version=1.0.0"),
        ],
    );
    assert!(
        om.head.contains("application/openmetrics-text"),
        "{}",
        om.head
    );
    assert!(om.body.ends_with("# EOF\n"));
    let v6 = format!("[::1]:{}", addr.port());
    assert_eq!(
        request(addr, "GET", "/metrics", &[("Host", &v6)]).status,
        200
    );

    // The server counts its own requests.
    let text = get(addr, "/metrics").body;
    assert!(text.contains(
        "timetracker_http_requests_total{method=\"GET\",endpoint=\"/metrics\",status=\"200\"}"
    ));
}

#[test]
fn refuses_foreign_hosts_web_pages_and_other_paths() {
    let (server, metrics) = start(None);
    let addr = server.addr();
    let port = addr.port();
    for host in [
        format!("evil.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "127.0.0.1".to_owned(),
    ] {
        let reply = request(addr, "GET", "/metrics", &[("Host", &host)]);
        assert_eq!(reply.status, 403, "Host {host}");
        assert!(!reply.body.contains("timetracker_"));
    }
    // HTTP/1.0 allows a missing Host: refused too.
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(b"GET /metrics HTTP/1.0\r\n\r\n").unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.0 403"), "{raw}");

    let host = format!("127.0.0.1:{port}");
    let from_page = request(
        addr,
        "GET",
        "/metrics",
        &[("Host", &host), ("Origin", "https://example.com")],
    );
    assert_eq!(from_page.status, 403);
    assert_eq!(
        request(addr, "POST", "/metrics", &[("Host", &host)]).status,
        404
    );
    assert_eq!(get(addr, "/").status, 404);
    assert_eq!(get(addr, "/metrics/extra").status, 404);
    assert_eq!(get(addr, "/debug/pprof").status, 404);

    let text = metrics.render_prometheus_text();
    assert!(text.contains("status=\"403\""));
    assert!(text.contains("endpoint=\"other\",status=\"404\""));
}

#[test]
fn the_token_when_set_is_enforced() {
    let (server, _) = start(Some("s3cret-token"));
    let addr = server.addr();
    let host = format!("127.0.0.1:{}", addr.port());
    let none = request(addr, "GET", "/metrics", &[("Host", &host)]);
    assert_eq!(none.status, 401);
    assert!(none
        .head
        .to_ascii_lowercase()
        .contains("www-authenticate: bearer"));
    let wrong = request(
        addr,
        "GET",
        "/metrics",
        &[("Host", &host), ("Authorization", "Bearer s3cret-tokeN")],
    );
    assert_eq!(wrong.status, 401);
    let right = request(
        addr,
        "GET",
        "/metrics",
        &[("Host", &host), ("Authorization", "Bearer s3cret-token")],
    );
    assert_eq!(right.status, 200);
}

#[test]
fn per_project_series_without_a_token_are_refused() {
    let metrics = Metrics::with_database(std::path::Path::new("/nonexistent/tt.sqlite3"));
    metrics.set_per_project(true);
    let server =
        MetricsServer::start(ServerConfig::new(loopback(0), None), metrics.clone()).unwrap();
    let reply = get(server.addr(), "/metrics");
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert!(!reply.body.contains("timetracker_"), "{}", reply.body);
    // Off again: the same server answers, no restart needed.
    metrics.set_per_project(false);
    assert_eq!(get(server.addr(), "/metrics").status, 200);
}

#[test]
fn a_server_bound_to_another_loopback_address_answers_its_own_host() {
    let bound: SocketAddr = "127.0.0.2:0".parse().unwrap();
    let server = MetricsServer::start(ServerConfig::new(bound, None), Metrics::new()).unwrap();
    let addr = server.addr();
    assert_eq!(addr.ip().to_string(), "127.0.0.2");
    let host = addr.to_string();
    let reply = request(addr, "GET", "/metrics", &[("Host", &host)]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body.contains("timetracker_build_info{"));
    // Another address is still a foreign Host.
    let other = format!("127.0.0.3:{}", addr.port());
    assert_eq!(
        request(addr, "GET", "/metrics", &[("Host", &other)]).status,
        403
    );
}

#[test]
fn only_loopback_addresses_are_accepted() {
    assert_eq!(parse_addr("127.0.0.1:9464").unwrap(), loopback(9464));
    assert_eq!(parse_addr("localhost:9464").unwrap(), loopback(9464));
    assert!(parse_addr("[::1]:9464").unwrap().ip().is_loopback());
    for bad in ["0.0.0.0:9464", "192.168.1.5:9464", "[::]:9464"] {
        assert_eq!(
            parse_addr(bad).unwrap_err().code(),
            "metrics.not_loopback",
            "{bad}"
        );
    }
    for junk in ["9464", "localhost", "localhost:port", "127.0.0.1:99999"] {
        assert_eq!(
            parse_addr(junk).unwrap_err().code(),
            "metrics.invalid_address",
            "{junk}"
        );
    }
    let err = MetricsServer::start(
        ServerConfig::new("0.0.0.0:0".parse().unwrap(), None),
        Metrics::new(),
    )
    .err()
    .unwrap();
    assert_eq!(err.code(), "metrics.not_loopback");
}

#[test]
fn a_taken_port_is_a_clear_error_and_nothing_else_breaks() {
    let squatter = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = squatter.local_addr().unwrap().port();
    let metrics = Metrics::new();
    let err = MetricsServer::start(ServerConfig::new(loopback(port), None), metrics.clone())
        .err()
        .unwrap();
    assert_eq!(err.code(), "metrics.port_in_use");
    assert!(err.to_string().contains(&port.to_string()));
    // Metrics keep working; the endpoint starts once the port is free.
    drop(squatter);
    let server = MetricsServer::start(ServerConfig::new(loopback(port), None), metrics).unwrap();
    assert_eq!(get(server.addr(), "/healthz").status, 200);
}

#[test]
fn stopping_frees_the_port_and_starting_again_works() {
    let (server, metrics) = start(None);
    let addr = server.addr();
    assert_eq!(get(addr, "/metrics").status, 200);
    server.stop();
    assert!(
        TcpStream::connect(addr).is_err(),
        "still listening after stop"
    );
    let again = MetricsServer::start(ServerConfig::new(addr, None), metrics).unwrap();
    assert_eq!(get(again.addr(), "/metrics").status, 200);
}

/// The real exposition, with every family present: a database with data,
/// per-project metrics on, and some commands and HTTP requests behind it.
fn full_exposition() -> String {
    let dir = tempfile::tempdir().unwrap();
    // The log families appear once the process-wide logger runs.
    let logs = std::env::temp_dir().join(format!("tt-metrics-logs-{}", std::process::id()));
    timetracker_core::logging::init_with(
        timetracker_core::logging::WriterConfig::new(logs),
        &timetracker_core::config::Env::default(),
        None,
    );
    let mut tracker = Tracker::open_in_dir(dir.path(), Arc::new(SystemClock)).unwrap();
    let metrics = Metrics::with_database(&timetracker_core::config::database_path(dir.path()));
    metrics.watch(&mut tracker);
    metrics.set_per_project(true);
    let p = tracker.create_project("Promtool", None).unwrap();
    tracker.start_timer(Some(p.id), "").unwrap();
    tracker.stop_timer().unwrap();
    tracker.start_timer(Some(p.id), "").unwrap();
    metrics.observe_command("timer_start", true, std::time::Duration::from_millis(2));
    metrics.observe_command("timer_stop", false, std::time::Duration::from_millis(1));
    metrics.observe_telemetry_send("posthog", "sent", 3);
    // The local API's families appear with its first request.
    let api = timetracker_core::api::ApiServer::start(
        timetracker_core::api::ApiConfig::new(
            loopback(0),
            timetracker_core::api::Tokens {
                full: "api".into(),
                read_only: "api-read".into(),
            },
        ),
        tracker.open_sibling().unwrap(),
        jiff::tz::TimeZone::UTC,
        metrics.clone(),
        None,
    )
    .unwrap();
    let api_host = format!("127.0.0.1:{}", api.addr().port());
    let reply = request(
        api.addr(),
        "GET",
        "/api/v1/timer",
        &[("Host", &api_host), ("Authorization", "Bearer api")],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    api.stop();
    // Per-project series are served only with a token.
    let server = MetricsServer::start(
        ServerConfig::new(loopback(0), Some("promtool-token".into())),
        metrics,
    )
    .unwrap();
    let addr = server.addr();
    let host = format!("127.0.0.1:{}", addr.port());
    let auth = [
        ("Host", host.as_str()),
        ("Authorization", "Bearer promtool-token"),
    ];
    request(addr, "GET", "/healthz", &auth);
    let reply = request(addr, "GET", "/metrics", &auth);
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

#[test]
fn promtool_check_metrics_finds_nothing_to_complain_about() {
    let text = full_exposition();
    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect(
            "promtool is missing: install Debian's prometheus package (scripts/setup --test does)",
        );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && report.trim().is_empty(),
        "promtool: {report}\n{text}"
    );
}

#[test]
fn every_metric_the_docs_and_dashboard_name_is_exported() {
    let text = full_exposition();
    let exported: std::collections::BTreeSet<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split(['{', ' ']).next().unwrap().to_owned())
        .collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("docs/dashboards/timetracker.json")).unwrap(),
    )
    .expect("the Grafana dashboard is not valid JSON");
    let mut exprs = vec![];
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("expr", serde_json::Value::String(e)) => out.push(e.clone()),
                        _ => walk(v, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(&dashboard, &mut exprs);
    assert!(exprs.len() >= 8, "too few panels: {exprs:?}");
    let docs = std::fs::read_to_string(root.join("docs/metrics.md")).unwrap();
    let mut named = vec![];
    for source in exprs.iter().map(String::as_str).chain([docs.as_str()]) {
        let mut rest = source;
        while let Some(at) = rest.find("timetracker_") {
            let name: String = rest[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            rest = &rest[at + name.len()..];
            named.push(name);
        }
    }
    for name in named {
        let known = exported.contains(&name)
            || ["_bucket", "_sum", "_count"]
                .iter()
                .any(|s| exported.contains(&format!("{name}{s}")));
        assert!(
            known,
            "{name} is named in the dashboard or docs but not exported"
        );
    }
}

#[test]
fn a_generated_token_is_readable_by_the_user_only() {
    let dir = tempfile::tempdir().unwrap();
    let token = server::generate_token(dir.path()).unwrap();
    assert_eq!(token.len(), 64);
    assert_eq!(
        server::load_token(dir.path()).as_deref(),
        Some(token.as_str())
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(server::token_path(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    server::remove_token(dir.path()).unwrap();
    assert_eq!(server::load_token(dir.path()), None);
    server::remove_token(dir.path()).unwrap();
}
