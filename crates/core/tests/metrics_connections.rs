//! The /metrics server's connection limits over real TCP on loopback: a
//! local process that opens connections and sends nothing (or half a
//! request) must not keep them, nor the process's file descriptors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use timetracker_core::metrics::server::{loopback, ConnectionLimits};
use timetracker_core::metrics::{Metrics, MetricsServer, ServerConfig};

/// The tests count this process's descriptors: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const TIMEOUT: Duration = Duration::from_millis(300);

fn start(max_connections: usize) -> (MetricsServer, Arc<Metrics>) {
    start_with(max_connections, TIMEOUT)
}

fn start_with(max_connections: usize, timeout: Duration) -> (MetricsServer, Arc<Metrics>) {
    let metrics = Metrics::new();
    let mut config = ServerConfig::new(loopback(0), None);
    config.limits = ConnectionLimits {
        header_read_timeout: timeout,
        max_connections,
    };
    (
        MetricsServer::start(config, metrics.clone()).unwrap(),
        metrics,
    )
}

/// Whether the server closed `stream` within `within`: EOF or a reset,
/// as opposed to the read timing out with the connection still open.
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            // A 408 or similar before closing is fine; keep reading.
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return false
            }
            Err(_) => return true,
        }
    }
}

fn scrape(addr: SocketAddr) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!(
        "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        addr.port()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut out = String::new();
    stream.read_to_string(&mut out).ok()?;
    out.starts_with("HTTP/1.1 200").then_some(out)
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn half_a_request_head_is_cut_off_after_the_timeout() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (server, _) = start(8);
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: 127.0")
        .unwrap();
    let start = Instant::now();
    assert!(
        closed_within(&mut stream, TIMEOUT * 10),
        "still open after {:?}",
        start.elapsed()
    );
    assert!(start.elapsed() >= TIMEOUT / 2, "{:?}", start.elapsed());
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_timeout() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (server, _) = start(8);
    let addr = server.addr();
    let mut stream = TcpStream::connect(addr).unwrap();
    let request = format!(
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        addr.port()
    );
    stream.write_all(request.as_bytes()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).unwrap();
    let reply = String::from_utf8_lossy(&buf[..n]);
    assert!(
        reply.starts_with("HTTP/1.1 200") && reply.ends_with("ok\n"),
        "{reply}"
    );
    // Kept alive for a next request, but not for ever.
    assert!(closed_within(&mut stream, TIMEOUT * 10));
}

#[test]
fn connections_beyond_the_cap_are_closed_at_once_and_scrapes_go_on() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    const CAP: usize = 8;
    const OPENED: usize = 100;
    // Long enough that no kept connection times out while they are counted:
    // what closes here is the cap's doing.
    let timeout = Duration::from_secs(3);
    let (server, metrics) = start_with(CAP, timeout);
    let addr = server.addr();
    let before = open_fds();
    let opened_at = Instant::now();
    let mut idle: Vec<TcpStream> = (0..OPENED)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    // The server keeps CAP of them and closes the rest as it accepts them;
    // all are still open on this side. Counted once it has refused them
    // all, so a slow accept loop is not mistaken for a kept connection.
    let refused = format!(
        "timetracker_http_connections_refused_total {}",
        OPENED - CAP
    );
    let settled = Instant::now() + timeout / 2;
    while !metrics.render_prometheus_text().contains(&refused) && Instant::now() < settled {
        std::thread::sleep(Duration::from_millis(10));
    }
    let closed = idle
        .iter_mut()
        .map(|s| closed_within(s, Duration::from_millis(20)))
        .filter(|&closed| closed)
        .count();
    assert!(opened_at.elapsed() < timeout, "too slow to tell");
    assert_eq!(closed, OPENED - CAP);
    let server_side = open_fds().saturating_sub(before + OPENED);
    assert!(
        server_side <= CAP + 2,
        "the server holds {server_side} descriptors for {OPENED} idle connections"
    );
    let text = metrics.render_prometheus_text();
    assert!(text.contains(&refused), "{text}");

    // The idle ones time out and free their places for a real scraper.
    let deadline = Instant::now() + timeout * 3;
    let body = loop {
        if let Some(body) = scrape(addr) {
            break body;
        }
        assert!(Instant::now() < deadline, "no scrape answered");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(body.contains("timetracker_build_info{"));
    drop(idle);
}
