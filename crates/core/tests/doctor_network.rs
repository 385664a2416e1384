//! The checks that talk over loopback: a scrape of the real `/metrics`
//! endpoint that must parse as OpenMetrics, a port held by another
//! program, and receivers standing in for Sentry and PostHog that see no
//! request without `--online` and exactly one each with it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod doctor_support;

use doctor_support::*;
use timetracker_core::doctor::{validate_openmetrics, CheckStatus, Database, Doctor, DoctorReport};
use timetracker_core::metrics::{Metrics, MetricsControl};
use timetracker_core::settings::MetricsSettings;
use timetracker_test_support::{Receiver, Request};

/// The text of the ready Prometheus job.
fn prometheus_job(report: &DoctorReport) -> String {
    report
        .check("metrics.prometheus_job")
        .and_then(|c| c.detail.clone())
        .expect("a prometheus job")
}

/// The job as written is a configuration Prometheus itself accepts.
fn promtool_accepts(dir: &std::path::Path, job: &str) {
    let file = dir.join("prometheus.yml");
    std::fs::write(&file, job).unwrap();
    let out = std::process::Command::new("promtool")
        .args(["check", "config"])
        .arg(&file)
        .output()
        .expect(
            "promtool is missing: install Debian's prometheus package (scripts/setup --test does)",
        );
    assert!(
        out.status.success(),
        "promtool check config refused the job:\n{job}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn serving_control(f: &mut Fixture, port: u16) -> MetricsControl {
    let mut control = MetricsControl::new(Metrics::new(), f.dir.clone(), None);
    let settings = MetricsSettings {
        enabled: true,
        port,
        per_project: false,
    };
    let _ = control.configure(&mut f.tracker, &settings);
    control
}

#[test]
fn the_endpoint_is_scraped_over_loopback_and_parses_as_openmetrics() {
    let mut f = fixture();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let control = serving_control(&mut f, port);
    let settings = f.tracker.metrics_settings().unwrap();
    let metrics_status = control.status_for(&settings);
    let report = run_with(&f, &env(&[]), |d| {
        d.runtime.metrics = Some(metrics_status.clone())
    });
    assert_eq!(
        status(&report, "metrics.endpoint"),
        CheckStatus::Ok,
        "{report:#?}"
    );
    assert_eq!(
        status(&report, "metrics.scrape"),
        CheckStatus::Ok,
        "{report:#?}"
    );
    assert!(finding(&report, "metrics.scrape").contains("valid OpenMetrics"));
    let job = prometheus_job(&report);
    assert!(
        job.contains(&format!("127.0.0.1:{port}")) && job.contains("job_name: timetracker"),
        "{job}"
    );
    promtool_accepts(&f.dir, &job);

    // A token: the scrape sends it, and the job names the file.
    timetracker_core::metrics::server::generate_token(&f.dir).unwrap();
    let mut control = control;
    control.apply(&settings, true);
    let report = run(&f, &env(&[]));
    assert_eq!(
        status(&report, "metrics.scrape"),
        CheckStatus::Ok,
        "{report:#?}"
    );
    let job = prometheus_job(&report);
    assert!(
        job.contains("credentials_file:") && job.contains("metrics-token"),
        "{job}"
    );
    promtool_accepts(&f.dir, &job);
    drop(control);
}

#[test]
fn a_port_taken_by_another_program_is_a_problem_with_its_fix() {
    let mut f = fixture();
    // Another program holds the port and answers with something else.
    let squatter = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = squatter.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in squatter.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 1024];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let _ = std::io::Write::write_all(
                &mut stream,
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
            );
        }
    });
    let control = serving_control(&mut f, port);
    let metrics_status = control.status_for(&f.tracker.metrics_settings().unwrap());
    let in_app = run_with(&f, &env(&[]), |d| {
        d.runtime.metrics = Some(metrics_status.clone())
    });
    assert_eq!(status(&in_app, "metrics.endpoint"), CheckStatus::Problem);
    assert!(finding(&in_app, "metrics.endpoint").contains("choose another port"));
    // tt sees the foreign answer itself.
    let from_tt = run(&f, &env(&[]));
    assert_eq!(
        status(&from_tt, "metrics.scrape"),
        CheckStatus::Problem,
        "{from_tt:#?}"
    );
    assert!(finding(&from_tt, "metrics.scrape").contains("not TimeTracker's endpoint"));
}

#[test]
fn openmetrics_from_the_real_endpoint_validates() {
    let metrics = Metrics::new();
    assert!(validate_openmetrics(&metrics.render_openmetrics()).is_ok());
    assert!(validate_openmetrics(&metrics.render_prometheus_text()).is_err());
}

/// `METHOD /path` of each request the receiver got.
fn lines(receiver: &Receiver) -> Vec<String> {
    receiver.requests().iter().map(Request::line).collect()
}

#[test]
fn no_request_leaves_without_online_and_one_each_with_it() {
    let mut f = fixture();
    let receiver = Receiver::start();
    let addr = receiver.addr();
    let env = env(&[
        ("SENTRY_DSN", &format!("http://publickey@{addr}/42")),
        ("POSTHOG_API_KEY", "phc_doctor"),
        ("POSTHOG_HOST", &format!("http://{addr}")),
    ]);
    let lookup = |k: &str| env.get(k).cloned();

    // Without consent, even --online sends nothing.
    let report = Doctor::new(&f.dir, &lookup, Database::Open(&f.tracker)).run_online();
    assert_eq!(status(&report, "online.sentry"), CheckStatus::Skipped);
    assert_eq!(status(&report, "online.posthog"), CheckStatus::Skipped);
    assert!(lines(&receiver).is_empty(), "{:?}", lines(&receiver));

    timetracker_core::telemetry::consent::record_answer(&mut f.tracker, true, true).unwrap();
    let report = Doctor::new(&f.dir, &lookup, Database::Open(&f.tracker)).run();
    assert!(report.check("online.sentry").is_none());
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(
        lines(&receiver).is_empty(),
        "a plain doctor sent {:?}",
        lines(&receiver)
    );

    let report = Doctor::new(&f.dir, &lookup, Database::Open(&f.tracker)).run_online();
    assert_eq!(
        status(&report, "online.sentry"),
        CheckStatus::Ok,
        "{report:#?}"
    );
    assert_eq!(
        status(&report, "online.posthog"),
        CheckStatus::Ok,
        "{report:#?}"
    );
    let lines = lines(&receiver);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("POST /api/42/envelope/")),
        "{lines:?}"
    );
    assert!(
        receiver
            .requests()
            .iter()
            .any(|r| r.line() == "POST /flags/" && r.query.as_deref() == Some("v=2")),
        "{lines:?}"
    );
}

#[test]
fn a_port_chosen_at_start_is_the_one_scraped_and_put_in_the_job() {
    let f = fixture();
    let mut control =
        MetricsControl::new(Metrics::new(), f.dir.clone(), Some("127.0.0.1:0".into()));
    control.apply(&MetricsSettings::default(), true);
    let served = control.addr().expect("serving on a chosen port");
    assert_ne!(served.port(), 0);
    let metrics_status = control.status_for(&MetricsSettings::default());
    let env = env(&[("TIMETRACKER_METRICS_ADDR", "127.0.0.1:0")]);
    let report = run_with(&f, &env, |d| {
        d.runtime.metrics = Some(metrics_status.clone())
    });
    assert_eq!(
        status(&report, "metrics.scrape"),
        CheckStatus::Ok,
        "{report:#?}"
    );
    let job = prometheus_job(&report);
    assert!(job.contains(&served.to_string()), "{job}");
}
