//! The API test binaries' client: one raw HTTP/1.1 request at a time (so
//! tests control every header, Host included), and an API server on a
//! real database file with a fake clock.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use jiff::tz::TimeZone;
use serde_json::Value;
use timetracker_core::api::{ApiConfig, ApiServer, Tokens};
use timetracker_core::metrics::server::loopback;
use timetracker_core::metrics::Metrics;
use timetracker_core::{FakeClock, Tracker};

pub const FULL: &str = "full-token-for-tests";
pub const READ: &str = "read-only-token-for-tests";

pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
}

/// One raw HTTP/1.1 request, so tests control every header (Host included).
pub fn raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
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

pub struct Api {
    pub server: ApiServer,
    pub metrics: Arc<Metrics>,
    pub clock: FakeClock,
    pub changes: Arc<AtomicUsize>,
    _dir: tempfile::TempDir,
}

impl Api {
    pub fn start() -> Api {
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

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.server.addr().port())
    }

    pub fn call_as(&self, token: &str, method: &str, path: &str, body: &str) -> Reply {
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

    pub fn call(&self, method: &str, path: &str, body: &str) -> Reply {
        self.call_as(FULL, method, path, body)
    }

    pub fn ok(&self, method: &str, path: &str, body: &str, status: u16) -> Value {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.body);
        if reply.body.is_empty() {
            Value::Null
        } else {
            reply.json()
        }
    }
}
