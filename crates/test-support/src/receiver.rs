//! A stand-in for PostHog and Sentry on loopback. It speaks plain HTTP/1.1
//! on std threads, one request per connection, so it needs no async runtime
//! and serves tests that run on one, on none, or that count connections.
//!
//! Answers follow the real services closely enough for our clients:
//! PostHog's `/batch/` and `/capture/` get `{"status":1}`, `/flags/` the
//! feature flags set with [`Receiver::set_flags`] (in the v2 shape when
//! asked with `v=2`), the retired `/decide/` a 410, Sentry's
//! `/api/<project>/envelope/` gets `{}`. [`Receiver::set_status`] and
//! [`Receiver::set_delay`] make it refuse or hang instead;
//! [`Receiver::inject`] makes the next requests misbehave the way networks
//! and servers do ([`Fault`]), and [`Receiver::set_max_body`] answers 413
//! to bodies that are too large.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// What followed `?` in the request target, if anything did.
    pub query: Option<String>,
    /// Names in lower case, as HTTP treats them case-insensitively.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, `null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// `METHOD /path`, as a request line starts.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// A misbehaviour for one connection, taken in order by the next ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Reads the whole request, records nothing and hangs up without an
    /// answer: the client cannot know whether it arrived.
    Reset,
    /// Reads the head and a few bytes of the body, then holds the
    /// connection until [`Receiver::release`] (or `max`), and hangs up.
    Stall { max: Duration },
    /// Reads the request, records nothing, answers 429 with `Retry-After`.
    TooManyRequests { retry_after_seconds: u64 },
}

struct State {
    requests: Vec<Request>,
    connections: usize,
    status: u16,
    delay: Duration,
    flags: Value,
    faults: VecDeque<Fault>,
    injected: Vec<Fault>,
    max_body: Option<usize>,
    too_large: usize,
    stalled: usize,
    released: bool,
}

#[derive(Clone)]
pub struct Receiver {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    release: Arc<Condvar>,
}

impl Receiver {
    /// Listens on a free loopback port.
    pub fn start() -> Receiver {
        Self::start_on(0)
    }

    /// Listens on `port` (0: any free one), e.g. the port a client was
    /// pointed at earlier while nothing listened there.
    pub fn start_on(port: u16) -> Receiver {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let receiver = Receiver {
            addr: listener.local_addr().unwrap(),
            state: Arc::new(Mutex::new(State {
                requests: vec![],
                connections: 0,
                status: 200,
                delay: Duration::ZERO,
                flags: Value::Object(Default::default()),
                faults: VecDeque::new(),
                injected: vec![],
                max_body: None,
                too_large: 0,
                stalled: 0,
                released: false,
            })),
            release: Arc::new(Condvar::new()),
        };
        let state = receiver.state.clone();
        let release = receiver.release.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let fault = {
                    let mut state = state.lock().unwrap();
                    state.connections += 1;
                    state.faults.pop_front()
                };
                let state = state.clone();
                let release = release.clone();
                // A slow answer must not hold up the next connection.
                std::thread::spawn(move || match fault {
                    Some(fault) => misbehave(stream, &state, &release, fault),
                    None => serve(stream, &state),
                });
            }
        });
        receiver
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:<port>`, for `POSTHOG_HOST`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A Sentry DSN for `project` that points here, with `key` as its
    /// public key.
    pub fn sentry_dsn(&self, key: &str, project: u32) -> String {
        format!("http://{key}@{}/{project}", self.addr)
    }

    /// Answer every later request with `status` (and a body of `boom`
    /// unless it is 200).
    pub fn set_status(&self, status: u16) {
        self.state.lock().unwrap().status = status;
    }

    /// Wait `delay` before recording and answering each later request.
    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    /// The next `times` connections suffer `fault`, after any injected
    /// before.
    pub fn inject(&self, fault: Fault, times: usize) {
        let mut state = self.state.lock().unwrap();
        state.faults.extend(std::iter::repeat_n(fault, times));
    }

    /// Faults that have happened so far, in order.
    pub fn injected(&self) -> Vec<Fault> {
        self.state.lock().unwrap().injected.clone()
    }

    /// Faults injected but not yet suffered.
    pub fn faults_left(&self) -> usize {
        self.state.lock().unwrap().faults.len()
    }

    /// Answer 413 (and record nothing) to bodies longer than `bytes`.
    pub fn set_max_body(&self, bytes: Option<usize>) {
        self.state.lock().unwrap().max_body = bytes;
    }

    /// Requests refused with 413 so far.
    pub fn too_large(&self) -> usize {
        self.state.lock().unwrap().too_large
    }

    /// Connections held by a [`Fault::Stall`] right now.
    pub fn stalled(&self) -> usize {
        self.state.lock().unwrap().stalled
    }

    /// Lets every stalled connection (and later ones) hang up now.
    pub fn release(&self) {
        self.state.lock().unwrap().released = true;
        self.release.notify_all();
    }

    /// Blocks until `n` connections are stalled; panics after `timeout`.
    pub fn wait_for_stalled(&self, n: usize, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.stalled() < n {
            assert!(
                Instant::now() < deadline,
                "expected {n} stalled connections"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The flags `/flags/` answers with, as `{"key": enabled}`.
    pub fn set_flags(&self, flags: Value) {
        self.state.lock().unwrap().flags = flags;
    }

    /// Every request so far, in the order they were read.
    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn count(&self) -> usize {
        self.state.lock().unwrap().requests.len()
    }

    pub fn paths(&self) -> Vec<String> {
        self.requests().into_iter().map(|r| r.path).collect()
    }

    /// TCP connections accepted, whether or not a request followed.
    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }

    /// The bodies of PostHog `/batch/` requests, as JSON.
    pub fn batches(&self) -> Vec<Value> {
        self.requests()
            .iter()
            .filter(|r| r.path == "/batch/")
            .map(Request::json)
            .collect()
    }

    /// Every event of every batch, in order.
    pub fn events(&self) -> Vec<Value> {
        self.batches()
            .iter()
            .flat_map(|b| b["batch"].as_array().cloned().unwrap_or_default())
            .collect()
    }

    /// The items of each Sentry envelope: after the envelope's own header
    /// line, a header line and a payload line per item. Panics on a request
    /// that is not an envelope.
    pub fn envelope_items(&self) -> Vec<(Value, Value)> {
        let mut items = vec![];
        for request in self.requests() {
            assert!(
                request.path.ends_with("/envelope/"),
                "not an envelope: {}",
                request.path
            );
            let lines: Vec<&str> = request.body.lines().collect();
            for pair in lines.get(1..).unwrap_or_default().chunks(2) {
                let header = serde_json::from_str(pair[0]).unwrap();
                let payload = serde_json::from_str(pair.get(1).unwrap_or(&"null")).unwrap();
                items.push((header, payload));
            }
        }
        items
    }

    /// The payloads of envelope items of type `event`, in order.
    pub fn sentry_events(&self) -> Vec<Value> {
        self.envelope_items()
            .into_iter()
            .filter(|(header, _)| header["type"] == "event")
            .map(|(_, payload)| payload)
            .collect()
    }

    /// Blocks until `n` requests arrived; panics after `timeout`.
    pub fn wait_for_requests(&self, n: usize, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.count() < n {
            assert!(
                Instant::now() < deadline,
                "expected {n} requests, got {:?}",
                self.paths()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let delay = state.lock().unwrap().delay;
    std::thread::sleep(delay);
    let (status, body) = {
        let mut state = state.lock().unwrap();
        if state.max_body.is_some_and(|max| request.body.len() > max) {
            state.too_large += 1;
            (413, "{\"error\":\"payload too large\"}".to_owned())
        } else {
            let answer = answer(&state, &request.path, request.query.as_deref());
            state.requests.push(request);
            answer
        }
    };
    reply(stream, status, &[], &body);
}

fn reply(mut stream: TcpStream, status: u16, headers: &[(&str, String)], body: &str) {
    let reason = if status == 200 { "OK" } else { "Error" };
    let extra: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    let reply = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
}

fn misbehave(stream: TcpStream, state: &Mutex<State>, release: &Condvar, fault: Fault) {
    match &fault {
        Fault::Reset => {
            let _ = read_request(&stream);
            let _ = stream.shutdown(Shutdown::Both);
        }
        Fault::Stall { max } => {
            // The head and a little of the body, then silence.
            let mut some = [0u8; 64];
            let _ = (&stream).read(&mut some);
            let deadline = Instant::now() + *max;
            let mut guard = state.lock().unwrap();
            guard.stalled += 1;
            while !guard.released && Instant::now() < deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                guard = release.wait_timeout(guard, left).unwrap().0;
            }
            guard.stalled -= 1;
            drop(guard);
            let _ = stream.shutdown(Shutdown::Both);
        }
        Fault::TooManyRequests {
            retry_after_seconds,
        } => {
            let _ = read_request(&stream);
            state.lock().unwrap().injected.push(fault.clone());
            let headers = [("Retry-After", retry_after_seconds.to_string())];
            return reply(stream, 429, &headers, "{\"error\":\"rate limited\"}");
        }
    }
    state.lock().unwrap().injected.push(fault);
}

fn answer(state: &State, path: &str, query: Option<&str>) -> (u16, String) {
    if state.status != 200 {
        (state.status, "boom".into())
    } else if path.starts_with("/flags") {
        (200, flags_answer(query, &state.flags).to_string())
    } else if path.starts_with("/decide") {
        // The retired endpoint: a client still calling it learns nothing.
        (410, "{}".into())
    } else if path.ends_with("/envelope/") {
        (200, "{}".into())
    } else {
        (200, "{\"status\":1}".into())
    }
}

/// What PostHog's `/flags` answers: with `v=2`, every flag's details and
/// the evaluation's request id; without it, the older flat shape.
fn flags_answer(query: Option<&str>, flags: &Value) -> Value {
    let flags = flags.as_object().cloned().unwrap_or_default();
    if !query.is_some_and(|q| q.split('&').any(|p| p == "v=2")) {
        return serde_json::json!({ "featureFlags": flags, "errorsWhileComputingFlags": false });
    }
    let details: serde_json::Map<String, Value> = flags
        .iter()
        .map(|(key, on)| {
            let detail = serde_json::json!({
                "key": key,
                "enabled": on,
                "variant": null,
                "reason": { "code": "condition_match", "condition_index": 0,
                            "description": "Matched condition set 1" },
                "metadata": { "id": 7, "version": 3, "payload": null },
            });
            (key.clone(), detail)
        })
        .collect();
    serde_json::json!({
        "flags": details,
        "errorsWhileComputingFlags": false,
        "requestId": "0f801b5b-0776-42ca-b0f7-8375c95730bf",
    })
}

/// Reads one request: the head, then a body of `Content-Length` bytes or in
/// chunks. None when the client hung up first.
fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?;
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (target.to_owned(), None),
    };
    let mut headers = vec![];
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let mut request = Request {
        method,
        path,
        query,
        headers,
        body: String::new(),
    };
    let body = if request
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        read_chunked(&mut reader)?
    } else {
        let length = request
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body).ok()?;
        body
    };
    request.body = String::from_utf8_lossy(&body).into_owned();
    Some(request)
}

fn read_chunked(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut body = vec![];
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).ok()?;
        let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk).ok()?;
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

#[cfg(test)]
#[path = "receiver_tests.rs"]
mod tests;
