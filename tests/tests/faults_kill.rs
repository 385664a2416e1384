//! SIGKILL while the database is written: `tt start`, `stop`, `edit` and
//! `import` killed 200 times at random moments, and the desktop app 50
//! times while its timer is started and stopped. After every kill the
//! database passes `PRAGMA integrity_check`, everything a finished command
//! (or the app, before the kill) had committed is still there, an import
//! went in whole or not at all, at most one timer runs, and the next start
//! (of `tt`, of the app) shows the running timer the database holds.
//!
//! Each test prints its row of the fault table for the release notes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::Locator;
use rusqlite::Connection;
use serde_json::Value;
use timetracker_e2e::{fresh_data_dir, midday_zone, tt, tt_binary, App, Lcg, SERIAL};

const TT_KILLS: u32 = 200;
const APP_KILLS: u32 = 50;
const IMPORT_ROWS: u32 = 40;

/// What one entry is, as far as a kill may not change it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    description: String,
    started_at: i64,
    stopped_at: Option<i64>,
}

/// The database as a fresh connection finds it after a crash (SQLite
/// replays or drops the WAL here): whether it is intact, and its entries.
struct Seen {
    integrity: String,
    rows: BTreeMap<i64, Row>,
}

fn look(data: &Path) -> Seen {
    let conn = Connection::open(data.join("timetracker.sqlite3")).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let mut stmt = conn
        .prepare("SELECT id, description, started_at, stopped_at FROM time_entries")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                Row {
                    description: r.get(1)?,
                    started_at: r.get(2)?,
                    stopped_at: r.get(3)?,
                },
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    Seen { integrity, rows }
}

impl Seen {
    fn running(&self) -> Vec<&Row> {
        self.rows
            .values()
            .filter(|r| r.stopped_at.is_none())
            .collect()
    }

    fn descriptions(&self) -> BTreeSet<&str> {
        self.rows.values().map(|r| r.description.as_str()).collect()
    }
}

/// A TimeTracker CSV of [`IMPORT_ROWS`] entries no other batch has.
fn batch(dir: &Path, k: u32) -> PathBuf {
    timetracker_e2e::import_batch(dir, k, IMPORT_ROWS, "Kill", 3)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Start,
    Stop,
    Edit,
    Import,
}

/// The arguments of operation `op` number `k`; every write leaves a
/// description no other one leaves, so its change can be looked for.
fn args(op: Op, k: u32, edited: i64, dir: &Path) -> Vec<String> {
    match op {
        Op::Start => vec![
            "start".into(),
            "Kill 0".into(),
            "-d".into(),
            format!("start {k}"),
        ],
        Op::Stop => vec!["stop".into()],
        Op::Edit => vec![
            "edit".into(),
            edited.to_string(),
            "-d".into(),
            format!("edit {k}"),
        ],
        Op::Import => vec![
            "import".into(),
            batch(dir, k).to_string_lossy().into_owned(),
            "--format".into(),
            "csv".into(),
        ],
    }
}

fn spawn_tt(data: &Path, args: &[String]) -> std::process::Child {
    Command::new(tt_binary())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("TZ", &midday_zone().0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// How long `op` takes when nothing kills it, in microseconds: the kills
/// land at a random moment within (and a little past) that. The fastest of
/// five: on a machine busy with other builds a slow run would put most
/// kills after the exit.
fn span_of(data: &Path, op: Op, edited: i64, dir: &Path) -> u64 {
    let mut spans = vec![];
    for k in 0..5 {
        let t = Instant::now();
        let status = spawn_tt(data, &args(op, 900_000 + k, edited, dir))
            .wait()
            .unwrap();
        assert!(status.success() || op == Op::Stop, "{op:?} failed");
        spans.push(u64::try_from(t.elapsed().as_micros()).unwrap());
    }
    spans.into_iter().min().unwrap()
}

fn running_per_tt_status(data: &Path) -> Option<String> {
    let status: Value = serde_json::from_str(&tt(data, &["--json", "status"])).unwrap();
    if status["running"] == true {
        Some(status["entry"]["description"].as_str().unwrap().to_owned())
    } else {
        None
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_tt_while_it_writes_loses_no_committed_entry() {
    let _serial = SERIAL.lock().await;
    let (tmp, data) = fresh_data_dir();
    tt(&data, &["start", "Kill 0", "-d", "the edited one"]);
    tt(&data, &["stop"]);
    let edited = *look(&data).rows.keys().next().unwrap();
    let ops = [Op::Start, Op::Stop, Op::Edit, Op::Import];
    let spans: BTreeMap<Op, u64> = ops
        .iter()
        .map(|&op| (op, span_of(&data, op, edited, tmp.path())))
        .collect();

    // Descriptions a finished command (or a kill that came too late) left:
    // each must be there after every later kill.
    let mut committed: BTreeSet<String> = look(&data)
        .descriptions()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut rng = Lcg(14);
    let (mut landed, mut lost, mut integrity_failures, mut torn_imports) =
        (0u32, 0usize, 0u32, 0u32);
    // Per operation: runs, kills inside the run, and kills after its change
    // was committed (the change is there though the command never exited).
    let mut per_op: BTreeMap<Op, (u32, u32, u32)> = BTreeMap::new();
    let mut last_edit = look(&data).rows[&edited].description.clone();
    let started = Instant::now();
    for k in 1..=TT_KILLS {
        let op = ops[rng.below(4) as usize];
        let before_running = !look(&data).running().is_empty();
        let mut child = spawn_tt(&data, &args(op, k, edited, tmp.path()));
        let span = spans[&op];
        std::thread::sleep(Duration::from_micros(rng.below(span + span / 4)));
        let killed = child.try_wait().unwrap().is_none();
        if killed {
            child.kill().unwrap();
            landed += 1;
        }
        let status = child.wait().unwrap();

        let after = look(&data);
        if after.integrity != "ok" {
            integrity_failures += 1;
            eprintln!(
                "kill {k} ({op:?}): integrity_check says {}",
                after.integrity
            );
        }
        assert!(
            after.running().len() <= 1,
            "kill {k}: {:?}",
            after.running()
        );
        let now = after.descriptions();
        let missing: Vec<&String> = committed
            .iter()
            .filter(|d| !now.contains(d.as_str()))
            .collect();
        // An edit renames its entry: the old name goes, as it should.
        let missing: Vec<&String> = missing
            .into_iter()
            .filter(|d| !(d.starts_with("edit ") || d.as_str() == "the edited one"))
            .collect();
        if !missing.is_empty() {
            lost += missing.len();
            eprintln!("kill {k} ({op:?}): lost {missing:?}");
        }
        let edited_now = after.rows[&edited].description.clone();
        let expected = format!("edit {k}");
        let mine: usize = (0..IMPORT_ROWS)
            .filter(|i| now.contains(format!("import {k} row {i}").as_str()))
            .count();
        let done = status.success();
        let applied = match op {
            Op::Start => now.contains(format!("start {k}").as_str()),
            Op::Stop => before_running && after.running().is_empty(),
            Op::Edit => edited_now == expected,
            Op::Import => mine == IMPORT_ROWS as usize,
        };
        let tally = per_op.entry(op).or_default();
        tally.0 += 1;
        tally.1 += u32::from(killed);
        tally.2 += u32::from(killed && applied);
        match op {
            Op::Start if done => {
                let running = after.running();
                assert_eq!(running.len(), 1, "kill {k}: start exited 0, nothing runs");
                assert_eq!(running[0].description, format!("start {k}"));
            }
            Op::Stop if done => assert!(after.running().is_empty(), "kill {k}: stop exited 0"),
            Op::Edit if done => assert_eq!(edited_now, expected, "kill {k}: edit exited 0"),
            Op::Edit => assert!(
                edited_now == expected || edited_now == last_edit,
                "kill {k}: a killed edit left {edited_now:?}"
            ),
            Op::Import if done => {
                assert_eq!(mine, IMPORT_ROWS as usize, "kill {k}: import exited 0")
            }
            Op::Import if mine != 0 && mine != IMPORT_ROWS as usize => {
                torn_imports += 1;
                eprintln!("kill {k}: a killed import left {mine} of {IMPORT_ROWS} rows");
            }
            _ => {}
        }
        if !killed && !done && op != Op::Stop {
            panic!("kill {k}: {op:?} failed by itself with {status}");
        }
        // A kill between the start's commit and its exit is a start that
        // happened: from now on, its entry must stay too.
        last_edit = edited_now;
        committed = now
            .into_iter()
            .filter(|d| !d.starts_with("edit ") && *d != "the edited one")
            .map(str::to_owned)
            .collect();
        // The next start of tt finds the same running timer.
        let shown = running_per_tt_status(&data);
        let stored = after.running().first().map(|r| r.description.clone());
        assert_eq!(
            shown, stored,
            "kill {k}: tt status disagrees with the database"
        );
    }
    let elapsed = started.elapsed();
    for (op, (runs, kills, after_commit)) in &per_op {
        println!(
            "tt {op:?}: {runs} runs, {kills} killed while running, {after_commit} of them after the commit (a run takes {} µs)",
            spans[op]
        );
    }
    println!(
        "| SIGKILL of tt (start, stop, edit, import) | {TT_KILLS} ({landed} inside a run) | {lost} | {integrity_failures} | {elapsed:.1?} |"
    );
    assert_eq!(lost, 0, "entries lost");
    assert_eq!(integrity_failures, 0, "integrity failures");
    assert_eq!(torn_imports, 0, "imports applied in part");
    assert!(
        landed >= TT_KILLS / 2,
        "only {landed} of {TT_KILLS} kills landed inside a run"
    );
}

/// Clicks whichever of Start and Stop the timer shows; errors are ignored,
/// as the app may be gone by the time the click arrives.
async fn toggle(app: &App) -> bool {
    let css = "[data-testid='timer-start'],[data-testid='timer-stop']";
    match app.client.find(Locator::Css(css)).await {
        Ok(button) => button.click().await.is_ok(),
        Err(_) => false,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_the_app_while_it_writes_loses_no_committed_entry() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    let mut rng = Lcg(50);
    let (mut lost, mut integrity_failures, mut restored) = (0usize, 0u32, 0u32);
    let mut wrote_before_kill = 0u32;
    let started = Instant::now();
    for k in 1..=APP_KILLS {
        let before = if data.join("timetracker.sqlite3").exists() {
            look(&data).rows
        } else {
            BTreeMap::new()
        };
        let app = App::launch(&data).await;
        // The running timer (or none) the database holds is what the
        // window shows on its return.
        let expected = if before.values().any(|r| r.stopped_at.is_none()) {
            "running"
        } else {
            "stopped"
        };
        app.wait_for_text("timer-status", |t| t == expected).await;
        restored += 1;

        // Start and stop as fast as the window takes clicks, then kill at
        // a random moment, mostly within a few milliseconds of a click.
        let clicks = 1 + rng.below(6);
        for _ in 0..clicks {
            toggle(&app).await;
            tokio::time::sleep(Duration::from_millis(rng.below(40))).await;
        }
        // Committed before the kill: a fresh connection sees it, so it
        // must be there after.
        let committed = look(&data).rows;
        app.kill_app().await;

        let after = look(&data);
        if after.integrity != "ok" {
            integrity_failures += 1;
            eprintln!("app kill {k}: integrity_check says {}", after.integrity);
        }
        assert!(
            after.running().len() <= 1,
            "app kill {k}: {:?}",
            after.running()
        );
        if committed != before {
            wrote_before_kill += 1;
        }
        for (id, row) in &committed {
            match after.rows.get(id) {
                // A stop committed after the snapshot may end a running row.
                Some(now) if now == row => {}
                Some(now) if row.stopped_at.is_none() && now.description == row.description => {}
                other => {
                    lost += 1;
                    eprintln!("app kill {k}: entry {id} {row:?} became {other:?}");
                }
            }
        }
    }
    // The last kill's timer, if any, is back once more.
    let last = look(&data);
    let app = App::launch(&data).await;
    let expected = if last.running().is_empty() {
        "stopped"
    } else {
        "running"
    };
    app.wait_for_text("timer-status", |t| t == expected).await;
    restored += 1;
    app.quit().await;
    let elapsed = started.elapsed();
    println!(
        "app: {wrote_before_kill} of {APP_KILLS} kills came after a write of that run; the window showed the stored timer on all {restored} restarts"
    );
    println!(
        "| SIGKILL of the app (timer start, stop) | {APP_KILLS} | {lost} | {integrity_failures} | {elapsed:.1?} |"
    );
    assert_eq!(lost, 0, "entries lost");
    assert_eq!(integrity_failures, 0, "integrity failures");
    assert!(
        wrote_before_kill > APP_KILLS / 2,
        "the app seldom wrote before it was killed"
    );
}
