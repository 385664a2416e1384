//! Webhooks against a real HTTP receiver on loopback: queued with the
//! change, signed, retried with backoff while the receiver is down, slow
//! or failing, and delivered once it answers.

use std::sync::Arc;
use std::time::Duration;

use crate::Clock;
use rusqlite::Connection;
use timetracker_test_support::Receiver;

use super::sender::{deliver_due, deliver_now, Schedule};
use super::*;
use crate::test_support::ts;
use crate::{FakeClock, NewEntry};

struct Setup {
    _dir: tempfile::TempDir,
    tracker: Tracker,
    clock: FakeClock,
    conn: Connection,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::at(ts("2026-06-10T12:00:00Z"));
    let mut tracker = Tracker::open_in_dir(dir.path(), Arc::new(clock.clone())).unwrap();
    tracker.observe_changes(queue());
    let conn = Connection::open(crate::config::database_path(dir.path())).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    Setup {
        _dir: dir,
        tracker,
        clock,
        conn,
    }
}

fn quick() -> Schedule {
    Schedule {
        first: Duration::from_secs(5),
        max: Duration::from_secs(60),
        attempts: 3,
        timeout: Duration::from_millis(500),
    }
}

fn ms(s: &Setup) -> i64 {
    s.clock.now().as_millisecond()
}

#[test]
fn urls_and_events_are_checked_and_loopback_is_told_apart() {
    assert_eq!(
        parse_url(" http://127.0.0.1:8123/hook ").unwrap(),
        ("http://127.0.0.1:8123/hook".into(), true)
    );
    assert!(parse_url("http://localhost/x").unwrap().1);
    assert!(parse_url("http://[::1]:9/x").unwrap().1);
    assert!(!parse_url("https://hooks.example.com/x").unwrap().1);
    for bad in ["ftp://example.com", "127.0.0.1:8123", "http://", ""] {
        assert_eq!(
            parse_url(bad).unwrap_err().code(),
            "webhook.invalid_url",
            "{bad}"
        );
    }
    assert_eq!(parse_events(&[]).unwrap().len(), Change::NAMES.len());
    assert_eq!(
        parse_events(&["project.*".into(), "timer.stopped".into()]).unwrap(),
        [
            "timer.stopped",
            "project.created",
            "project.updated",
            "project.archived",
            "project.restored"
        ]
    );
    assert_eq!(
        parse_events(&["timer.started,timer.started".into()]).unwrap(),
        ["timer.started"]
    );
    let err = parse_events(&["timer.exploded".into()]).unwrap_err();
    assert_eq!(err.code(), "webhook.invalid_event");
    for name in Change::NAMES {
        assert!(err.to_string().contains(name), "{name} missing from: {err}");
    }
    assert_eq!(
        parse_events(&["proj.*".into()]).unwrap_err().code(),
        "webhook.invalid_event"
    );
}

#[test]
fn a_change_queues_one_delivery_per_webhook_that_hears_it_in_its_own_commit() {
    let mut s = setup();
    let timers = s
        .tracker
        .add_webhook("http://127.0.0.1:9/t", &["timer.*".into()])
        .unwrap();
    let entries = s
        .tracker
        .add_webhook("http://127.0.0.1:9/e", &["entry.created".into()])
        .unwrap();
    assert!(timers.secret.starts_with("whsec_") && timers.loopback);
    s.tracker.start_timer(None, "owls").unwrap();
    s.clock.advance(jiff::SignedDuration::from_mins(30));
    let stopped = s.tracker.stop_timer().unwrap();
    s.tracker
        .add_entry(NewEntry {
            project_id: None,
            description: "typed".into(),
            started_at: ts("2026-06-10T08:00:00Z"),
            stopped_at: ts("2026-06-10T09:00:00Z"),
            tags: vec![],
        })
        .unwrap();
    let on_timers = s.tracker.webhook_deliveries(Some(timers.id), 10).unwrap();
    let names: Vec<_> = on_timers.iter().map(|d| d.event.as_str()).collect();
    assert_eq!(names, ["timer.stopped", "timer.started"], "newest first");
    let on_entries = s.tracker.webhook_deliveries(Some(entries.id), 10).unwrap();
    assert_eq!(on_entries.len(), 1);
    let body: String = s
        .conn
        .query_row(
            "SELECT payload FROM webhook_deliveries WHERE webhook_id = ?1 AND event = 'timer.stopped'",
            [timers.id],
            |r| r.get(0),
        )
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["type"], "timer.stopped");
    assert_eq!(body["data"]["id"], stopped.id);
    assert_eq!(body["data"]["duration_seconds"], 1800);
    assert_eq!(body["data"]["description"], "owls");

    // A change that fails queues nothing.
    assert!(s.tracker.stop_timer().is_err());
    assert_eq!(s.tracker.webhook_deliveries(None, 10).unwrap().len(), 3);
    let listed = s.tracker.list_webhooks().unwrap();
    assert_eq!(listed.iter().map(|w| w.pending).collect::<Vec<_>>(), [2, 1]);
}

#[test]
fn deliveries_are_signed_and_a_failing_receiver_gets_each_once_it_answers() {
    let mut s = setup();
    let receiver = Receiver::start();
    let hook = s
        .tracker
        .add_webhook(&format!("{}/hook", receiver.url()), &[])
        .unwrap();
    let project = s.tracker.create_project("Heron Count", None).unwrap();
    s.tracker.archive_project(project.id).unwrap();

    receiver.set_status(500);
    let schedule = quick();
    assert_eq!(deliver_due(&s.conn, &schedule, ms(&s)).unwrap(), 0);
    // The first failure postponed the webhook's second delivery with it.
    assert_eq!(receiver.count(), 1);
    let log = s.tracker.webhook_deliveries(Some(hook.id), 10).unwrap();
    let first = log.last().unwrap();
    assert_eq!((first.attempts, first.last_status), (1, Some(500)));
    assert_eq!(first.next_attempt_at, Some(ts("2026-06-10T12:00:05Z")));
    assert_eq!(log[0].next_attempt_at, Some(ts("2026-06-10T12:00:05Z")));
    assert_eq!(
        deliver_due(&s.conn, &schedule, ms(&s)).unwrap(),
        0,
        "not due yet"
    );
    assert_eq!(receiver.count(), 1);

    receiver.set_status(200);
    s.clock.advance(jiff::SignedDuration::from_secs(5));
    assert_eq!(deliver_due(&s.conn, &schedule, ms(&s)).unwrap(), 2);
    s.clock.advance(jiff::SignedDuration::from_secs(60));
    assert_eq!(
        deliver_due(&s.conn, &schedule, ms(&s)).unwrap(),
        0,
        "nothing twice"
    );
    let requests = receiver.requests();
    assert_eq!(requests.len(), 3);
    // The retry is the same delivery: same id, and a signature that checks.
    assert_eq!(
        requests[0].header("webhook-id"),
        requests[1].header("webhook-id")
    );
    for r in &requests {
        let id = r.header("webhook-id").unwrap();
        let at: i64 = r.header("webhook-timestamp").unwrap().parse().unwrap();
        let signature = r.header("webhook-signature").unwrap();
        assert!(
            sign::verify(&hook.secret, id, at, &r.body, signature),
            "{r:?}"
        );
        assert!(!sign::verify(
            &sign::new_secret(),
            id,
            at,
            &r.body,
            signature
        ));
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    let events: Vec<_> = requests.iter().map(|r| r.json()["type"].clone()).collect();
    assert_eq!(
        events,
        ["project.created", "project.created", "project.archived"]
    );
    assert_eq!(requests[2].json()["data"]["archived"], true);
    let log = s.tracker.webhook_deliveries(Some(hook.id), 10).unwrap();
    assert!(log
        .iter()
        .all(|d| d.delivered_at.is_some() && d.next_attempt_at.is_none()));
    assert_eq!(s.tracker.list_webhooks().unwrap()[0].delivered, 2);
}

#[test]
fn a_receiver_that_is_down_or_too_slow_is_retried_with_backoff_then_given_up() {
    let mut s = setup();
    // Nothing listens on a port just freed: connections are refused.
    let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = down.local_addr().unwrap().port();
    drop(down);
    let hook = s
        .tracker
        .add_webhook(
            &format!("http://127.0.0.1:{port}/x"),
            &["timer.started".into()],
        )
        .unwrap();
    s.tracker.start_timer(None, "").unwrap();
    let schedule = quick();
    let mut waits = vec![];
    for _ in 0..3 {
        assert_eq!(deliver_due(&s.conn, &schedule, ms(&s)).unwrap(), 0);
        let d = s
            .tracker
            .webhook_deliveries(Some(hook.id), 1)
            .unwrap()
            .remove(0);
        assert!(d.last_error.is_some() && d.last_status.is_none(), "{d:?}");
        if let Some(next) = d.next_attempt_at {
            waits.push(next.as_second() - s.clock.now().as_second());
            s.clock.set(next);
        } else {
            assert!(d.gave_up_at.is_some(), "{d:?}");
        }
    }
    assert_eq!(
        waits,
        [5, 10],
        "doubling waits, then given up after 3 attempts"
    );
    assert_eq!(s.tracker.list_webhooks().unwrap()[0].failed, 1);

    // A receiver slower than the timeout: the attempt fails and is retried.
    let slow = Receiver::start();
    slow.set_delay(Duration::from_secs(2));
    let hook = s
        .tracker
        .add_webhook(&slow.url(), &["timer.stopped".into()])
        .unwrap();
    s.tracker.stop_timer().unwrap();
    assert_eq!(deliver_due(&s.conn, &schedule, ms(&s)).unwrap(), 0);
    let d = s
        .tracker
        .webhook_deliveries(Some(hook.id), 1)
        .unwrap()
        .remove(0);
    assert_eq!(d.attempts, 1);
    assert!(d.next_attempt_at.is_some(), "{d:?}");
}

#[test]
fn a_test_delivery_goes_now_and_removing_a_webhook_drops_its_queue() {
    let mut s = setup();
    let receiver = Receiver::start();
    let hook = s.tracker.add_webhook(&receiver.url(), &[]).unwrap();
    let test = s.tracker.queue_webhook_test(hook.id).unwrap();
    assert_eq!(test.event, TEST_EVENT);
    assert!(deliver_now(&s.conn, &quick(), test.id, ms(&s)).unwrap());
    assert_eq!(receiver.requests()[0].json()["type"], TEST_EVENT);
    assert_eq!(
        s.tracker.queue_webhook_test(999).unwrap_err().code(),
        "webhook.not_found"
    );

    s.tracker.start_timer(None, "").unwrap();
    s.tracker.remove_webhook(hook.id).unwrap();
    assert!(s.tracker.list_webhooks().unwrap().is_empty());
    assert!(s.tracker.webhook_deliveries(None, 10).unwrap().is_empty());
    assert_eq!(deliver_due(&s.conn, &quick(), ms(&s)).unwrap(), 0);
    assert_eq!(receiver.count(), 1);
    assert_eq!(
        s.tracker.remove_webhook(hook.id).unwrap_err().code(),
        "webhook.not_found"
    );
}

#[test]
fn two_senders_at_once_post_each_delivery_once() {
    let mut s = setup();
    let receiver = Receiver::start();
    receiver.set_delay(Duration::from_millis(20));
    s.tracker
        .add_webhook(
            &format!("{}/hook", receiver.url()),
            &["project.created".into()],
        )
        .unwrap();
    for i in 0..12 {
        s.tracker.create_project(&format!("P{i}"), None).unwrap();
    }
    let path = crate::config::database_path(s._dir.path());
    let now = ms(&s);
    // The app's sender and `tt webhooks send`, each on its own connection.
    let senders: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let conn = Connection::open(path).unwrap();
                conn.busy_timeout(Duration::from_secs(5)).unwrap();
                let mut sent = 0;
                for _ in 0..3 {
                    sent += deliver_due(&conn, &quick(), now).unwrap();
                }
                sent
            })
        })
        .collect();
    let sent: usize = senders.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(sent, 12);
    let mut ids: Vec<String> = receiver
        .requests()
        .iter()
        .map(|r| r.header("webhook-id").unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 12);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12, "a delivery was posted twice");
}

#[test]
fn sending_by_hand_delivers_what_is_due_and_leaves_a_failing_receiver_to_its_schedule() {
    let mut s = setup();
    let up = Receiver::start();
    let down = Receiver::start();
    down.set_status(503);
    s.tracker
        .add_webhook(&format!("{}/down", down.url()), &["project.created".into()])
        .unwrap();
    s.tracker
        .add_webhook(&format!("{}/up", up.url()), &["project.created".into()])
        .unwrap();
    // More than a round's worth for the failing receiver, queued first.
    for i in 0..25 {
        s.tracker.create_project(&format!("P{i}"), None).unwrap();
    }
    let sent = s.tracker.send_due_webhooks().unwrap();
    assert_eq!((sent.delivered, sent.waiting), (25, 25));
    assert_eq!(up.count(), 25);
    assert_eq!(
        down.count(),
        1,
        "the failing receiver's others wait with it"
    );
    assert_eq!(sent.next_attempt_at, Some(ts("2026-06-10T12:00:05Z")));
    let again = s.tracker.send_due_webhooks().unwrap();
    assert_eq!((again.delivered, again.waiting), (0, 25));
    assert_eq!(down.count(), 1);
}

#[test]
fn without_webhooks_a_change_writes_nothing_more() {
    let mut s = setup();
    s.tracker.start_timer(None, "").unwrap();
    let rows: i64 = s
        .conn
        .query_row("SELECT count(*) FROM webhook_deliveries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
}

/// The verification snippet of docs/api.md, run by a real Python against a
/// real delivery: what a user copies works.
#[test]
fn the_documented_python_check_verifies_a_real_delivery() {
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api.md")).unwrap();
    let snippet = docs
        .split("```python\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/api.md has a python block");
    let mut s = setup();
    let receiver = Receiver::start();
    let hook = s.tracker.add_webhook(&receiver.url(), &[]).unwrap();
    s.tracker.create_project("Kestrel Watch", None).unwrap();
    // The snippet refuses old timestamps: send at the real time.
    let now = jiff::Timestamp::now().as_millisecond();
    assert_eq!(deliver_due(&s.conn, &quick(), now).unwrap(), 1);
    let r = &receiver.requests()[0];
    let check = |secret: &str, body: &str| {
        let headers = serde_json::json!({
            "webhook-id": r.header("webhook-id").unwrap(),
            "webhook-timestamp": r.header("webhook-timestamp").unwrap(),
            "webhook-signature": r.header("webhook-signature").unwrap(),
        });
        let program = format!(
            "{snippet}\nimport json, sys\nprint(verify(sys.argv[1], json.loads(sys.argv[2]), sys.argv[3].encode()))\n"
        );
        let out = std::process::Command::new("python3")
            .args(["-c", &program, secret, &headers.to_string(), body])
            .output()
            .expect("python3 is missing");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    assert_eq!(check(&hook.secret, &r.body), "True");
    assert_eq!(
        check(&hook.secret, &r.body.replace("Kestrel", "Falcon")),
        "False"
    );
    assert_eq!(check(&sign::new_secret(), &r.body), "False");
}
