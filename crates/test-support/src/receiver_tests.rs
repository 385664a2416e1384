use super::*;

/// Sends `head` and `body` on a fresh connection and returns the status
/// code and body of the answer.
fn send(receiver: &Receiver, head: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(receiver.addr()).unwrap();
    stream
        .write_all(format!("{head}\r\n\r\n{body}").as_bytes())
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = answer.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

fn post(receiver: &Receiver, path: &str, body: &str) -> (u16, String) {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nX-Sentry-Auth: Sentry sentry_key=k\r\nContent-Length: {}",
        body.len()
    );
    send(receiver, &head, body)
}

#[test]
fn a_posthog_batch_is_recorded_and_its_events_listed() {
    let receiver = Receiver::start();
    let batch = r#"{"api_key":"phc","batch":[{"event":"a"},{"event":"b"}]}"#;
    assert_eq!(
        post(&receiver, "/batch/", batch),
        (200, "{\"status\":1}".into())
    );
    post(&receiver, "/capture/", r#"{"event":"c"}"#);

    assert_eq!(receiver.paths(), ["/batch/", "/capture/"]);
    assert_eq!(receiver.batches().len(), 1);
    assert_eq!(receiver.batches()[0]["api_key"], "phc");
    let names: Vec<Value> = receiver
        .events()
        .iter()
        .map(|e| e["event"].clone())
        .collect();
    assert_eq!(names, ["a", "b"]);
    let first = &receiver.requests()[0];
    assert_eq!(first.line(), "POST /batch/");
    assert_eq!(first.header("x-sentry-auth"), Some("Sentry sentry_key=k"));
    assert_eq!(first.body, batch);
}

#[test]
fn flags_answer_as_posthog_does_and_decide_is_gone() {
    let receiver = Receiver::start();
    let (status, _) = post(&receiver, "/decide/?v=3", "{}");
    assert_eq!(status, 410);
    receiver.set_flags(serde_json::json!({ "metrics-endpoint": false }));
    let (status, body) = post(&receiver, "/flags/?v=2", "{}");
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["flags"]["metrics-endpoint"]["enabled"], false);
    let (_, flat) = post(&receiver, "/flags/", "{}");
    let flat: Value = serde_json::from_str(&flat).unwrap();
    assert_eq!(flat["featureFlags"]["metrics-endpoint"], false);
    // The query is kept apart from the recorded path.
    assert_eq!(receiver.paths()[0], "/decide/");
    assert_eq!(receiver.requests()[1].query.as_deref(), Some("v=2"));
}

#[test]
fn an_envelope_is_split_into_items_and_events() {
    let receiver = Receiver::start();
    let envelope = "{\"dsn\":\"x\"}\n{\"type\":\"event\"}\n{\"message\":\"boom\"}\n{\"type\":\"session\"}\n{\"status\":\"ok\"}\n";
    let (status, body) = post(&receiver, "/api/42/envelope/", envelope);
    assert_eq!((status, body.as_str()), (200, "{}"));
    let items = receiver.envelope_items();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].0["type"], "session");
    assert_eq!(items[1].1["status"], "ok");
    assert_eq!(
        receiver.sentry_events(),
        [serde_json::json!({"message": "boom"})]
    );
}

#[test]
#[should_panic(expected = "not an envelope")]
fn envelope_items_refuse_a_request_that_is_not_one() {
    let receiver = Receiver::start();
    post(&receiver, "/batch/", "{}");
    receiver.envelope_items();
}

#[test]
fn a_set_status_refuses_and_still_records() {
    let receiver = Receiver::start();
    receiver.set_status(500);
    assert_eq!(post(&receiver, "/batch/", "{}"), (500, "boom".into()));
    assert_eq!(receiver.count(), 1);
}

#[test]
fn a_delay_holds_the_answer_but_not_other_connections() {
    let receiver = Receiver::start();
    receiver.set_delay(Duration::from_millis(800));
    let slow = {
        let receiver = receiver.clone();
        std::thread::spawn(move || post(&receiver, "/batch/", "{}"))
    };
    std::thread::sleep(Duration::from_millis(100));
    // Recorded only once the delay is over.
    assert_eq!(receiver.count(), 0);
    let start = Instant::now();
    receiver.wait_for_requests(1, Duration::from_secs(5));
    assert!(start.elapsed() >= Duration::from_millis(500));
    assert_eq!(slow.join().unwrap().0, 200);
}

#[test]
fn a_chunked_body_is_put_back_together() {
    let receiver = Receiver::start();
    let head = "POST /batch/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked";
    send(&receiver, head, "4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n");
    assert_eq!(receiver.requests()[0].json()["a"], 1);
}

#[test]
fn a_connection_without_a_request_is_counted_but_not_recorded() {
    let receiver = Receiver::start();
    drop(TcpStream::connect(receiver.addr()).unwrap());
    post(&receiver, "/batch/", "{}");
    assert_eq!(receiver.connections(), 2);
    assert_eq!(receiver.count(), 1);
}

#[test]
fn start_on_listens_on_the_port_it_is_given() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let receiver = Receiver::start_on(port);
    assert_eq!(receiver.port(), port);
    assert_eq!(receiver.url(), format!("http://127.0.0.1:{port}"));
    assert_eq!(
        receiver.sentry_dsn("key", 7),
        format!("http://key@127.0.0.1:{port}/7")
    );
    post(&receiver, "/api/7/envelope/", "{}\n");
    assert_eq!(receiver.count(), 1);
}

#[test]
#[should_panic(expected = "expected 1 requests")]
fn waiting_for_requests_that_never_come_fails() {
    Receiver::start().wait_for_requests(1, Duration::from_millis(200));
}

#[test]
fn injected_faults_hit_the_next_connections_in_order_and_record_nothing() {
    let receiver = Receiver::start();
    receiver.inject(Fault::Reset, 1);
    receiver.inject(
        Fault::TooManyRequests {
            retry_after_seconds: 7,
        },
        1,
    );
    let mut stream = TcpStream::connect(receiver.addr()).unwrap();
    stream
        .write_all(b"POST /batch/ HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}")
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert_eq!(answer, "", "a reset answers nothing");
    let head = "POST /batch/ HTTP/1.1\r\nContent-Length: 2";
    let mut stream = TcpStream::connect(receiver.addr()).unwrap();
    stream
        .write_all(format!("{head}\r\n\r\n{{}}").as_bytes())
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(answer.contains("Retry-After: 7"), "{answer}");
    assert_eq!(receiver.count(), 0);
    assert_eq!(receiver.injected().len(), 2);
    assert_eq!(post(&receiver, "/batch/", "{}").0, 200);
    assert_eq!(receiver.count(), 1);
}

#[test]
fn a_stall_holds_the_connection_until_released() {
    let receiver = Receiver::start();
    receiver.inject(
        Fault::Stall {
            max: Duration::from_secs(30),
        },
        1,
    );
    let addr = receiver.addr();
    let client = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        let _ = stream.write_all(b"POST /batch/ HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    });
    receiver.wait_for_stalled(1, Duration::from_secs(5));
    receiver.release();
    assert_eq!(client.join().unwrap(), "");
    assert_eq!(receiver.stalled(), 0);
    assert_eq!(receiver.count(), 0);
}

#[test]
fn bodies_over_the_limit_get_413_and_are_not_recorded() {
    let receiver = Receiver::start();
    receiver.set_max_body(Some(10));
    assert_eq!(post(&receiver, "/batch/", "{\"a\":\"0123456789\"}").0, 413);
    assert_eq!(post(&receiver, "/batch/", "{}").0, 200);
    assert_eq!((receiver.count(), receiver.too_large()), (1, 1));
}
