//! What the doctor test binaries share: a data folder with a real
//! database, an environment of the test's own, and ways to read a report.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use timetracker_core::doctor::{CheckStatus, Database, Doctor, DoctorReport};
use timetracker_core::{SystemClock, Tracker};

pub type Env = HashMap<String, String>;

pub fn env(pairs: &[(&str, &str)]) -> Env {
    let mut env: Env = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    // Whatever this build has baked in, tests decide for themselves.
    env.entry("SENTRY_DSN".into()).or_default();
    env.entry("POSTHOG_API_KEY".into()).or_default();
    env
}

pub struct Fixture {
    pub _tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub tracker: Tracker,
}

pub fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let tracker = Tracker::open_in_dir(&dir, Arc::new(SystemClock)).unwrap();
    Fixture {
        _tmp: tmp,
        dir,
        tracker,
    }
}

pub fn run_with(f: &Fixture, env: &Env, tweak: impl FnOnce(&mut Doctor)) -> DoctorReport {
    let lookup = |k: &str| env.get(k).cloned();
    let mut doctor = Doctor::new(&f.dir, &lookup, Database::Open(&f.tracker));
    doctor.autostart_dir = Some(f.dir.join("autostart"));
    tweak(&mut doctor);
    doctor.run()
}

pub fn run(f: &Fixture, env: &Env) -> DoctorReport {
    run_with(f, env, |_| {})
}

#[track_caller]
pub fn status(report: &DoctorReport, id: &str) -> CheckStatus {
    report
        .check(id)
        .unwrap_or_else(|| panic!("no check {id} in {report:#?}"))
        .status
}

#[track_caller]
pub fn finding(report: &DoctorReport, id: &str) -> String {
    let c = report.check(id).unwrap();
    format!("{} | {}", c.finding, c.fix.clone().unwrap_or_default())
}

/// Turns sync on with a folder beside the data folder; returns the folder.
pub fn enable_sync(f: &mut Fixture) -> PathBuf {
    let shared = f.dir.parent().unwrap().join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    f.tracker
        .sync_enable(&shared, Some("laptop"), false)
        .unwrap();
    shared
}
