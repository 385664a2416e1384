//! Gauges read at scrape time: the database, the log writer, the process
//! and the build. Reading them on demand keeps them exact without the rest
//! of the app having to report every change.

use std::fmt::Error as FmtError;
use std::path::PathBuf;
use std::sync::{Mutex, Weak};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::TypedMetric;
use prometheus_client::registry::Unit;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::Metrics;

/// Most projects exported with per-project metrics: the busiest ones.
/// Keeps the series count bounded however many projects a user makes.
pub const PER_PROJECT_LIMIT: usize = 200;

/// Seconds tracked per active project by stopped entries, and the
/// `PRAGMA data_version` they were read at: summing 100,000 entries takes
/// tens of milliseconds, so it is redone only after a commit.
#[derive(Debug, Default)]
struct ProjectTotals {
    data_version: Option<i64>,
    stopped: Vec<(i64, String, f64)>,
}

#[derive(Debug)]
pub(crate) struct Collectors {
    metrics: Weak<Metrics>,
    db_path: Option<PathBuf>,
    conn: Mutex<Option<Connection>>,
    totals: Mutex<ProjectTotals>,
}

impl Collectors {
    pub(crate) fn new(metrics: Weak<Metrics>, db_path: Option<PathBuf>) -> Self {
        Self {
            metrics,
            db_path,
            conn: Mutex::new(None),
            totals: Mutex::new(ProjectTotals::default()),
        }
    }
}

/// Writes one metric without labels.
fn emit<M: EncodeMetric + TypedMetric>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    metric: M,
) -> Result<(), FmtError> {
    let m = encoder.encode_descriptor(name, help, unit, M::TYPE)?;
    metric.encode(m)
}

/// Writes one family: a sample per `(labels, metric)` row.
fn emit_family<M: EncodeMetric + TypedMetric, L: EncodeLabelSet>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    rows: impl IntoIterator<Item = (L, M)>,
) -> Result<(), FmtError> {
    let mut m = encoder.encode_descriptor(name, help, unit, M::TYPE)?;
    for (labels, metric) in rows {
        metric.encode(m.encode_family(&labels)?)?;
    }
    Ok(())
}

/// What the database says at scrape time.
#[derive(Default)]
struct DbFacts {
    active_timers: i64,
    projects_active: i64,
    projects_archived: i64,
    time_entries: i64,
    telemetry_queued: i64,
    per_project: Vec<(String, f64)>,
    sync: SyncFacts,
}

/// Sync's totals, kept in the database so that runs by `tt sync now` count
/// as well as the app's own.
#[derive(Default)]
struct SyncFacts {
    last_success_ms: Option<i64>,
    applied: i64,
    conflicts: i64,
    skipped: i64,
    /// This device and the others seen; 0 while sync is off.
    devices: i64,
}

fn read_sync(conn: &Connection) -> rusqlite::Result<SyncFacts> {
    let (enabled, last_success_ms, applied, conflicts, skipped): (
        bool,
        Option<i64>,
        i64,
        i64,
        i64,
    ) = conn.query_row(
        "SELECT enabled, last_success_ms, applied_total, conflicts_total, skipped_total
             FROM sync_state WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    let peers: i64 = conn.query_row("SELECT count(*) FROM sync_peers", [], |r| r.get(0))?;
    Ok(SyncFacts {
        last_success_ms,
        applied,
        conflicts,
        skipped,
        devices: if enabled { peers + 1 } else { 0 },
    })
}

/// Per-project totals: the cached sums of stopped entries, plus the running
/// entry up to `now_ms`.
fn per_project_totals(
    conn: &Connection,
    cache: &mut ProjectTotals,
    now_ms: i64,
) -> rusqlite::Result<Vec<(String, f64)>> {
    let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
    if cache.data_version != Some(version) {
        // Active projects only: archiving a project drops its series.
        let mut stmt = conn.prepare_cached(
            "SELECT p.id, p.name, coalesce(sum(e.stopped_at - e.started_at), 0) / 1000.0 AS secs
             FROM projects p LEFT JOIN time_entries e
               ON e.project_id = p.id AND e.stopped_at IS NOT NULL
             WHERE p.archived = 0
             GROUP BY p.id ORDER BY secs DESC, p.id LIMIT ?1",
        )?;
        cache.stopped = stmt
            .query_map([PER_PROJECT_LIMIT as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        cache.data_version = Some(version);
    }
    let running: Option<(i64, i64)> = conn
        .query_row(
            "SELECT project_id, started_at FROM time_entries
             WHERE stopped_at IS NULL AND project_id IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(cache
        .stopped
        .iter()
        .map(|(id, name, secs)| {
            let extra = match running {
                Some((pid, started)) if pid == *id => (now_ms - started).max(0) as f64 / 1000.0,
                _ => 0.0,
            };
            (name.clone(), secs + extra)
        })
        .collect())
}

fn read_db(
    conn: &Connection,
    per_project: Option<&mut ProjectTotals>,
    now_ms: i64,
) -> rusqlite::Result<DbFacts> {
    let mut facts = DbFacts {
        active_timers: conn.query_row(
            "SELECT count(*) FROM time_entries WHERE stopped_at IS NULL",
            [],
            |r| r.get(0),
        )?,
        time_entries: conn.query_row("SELECT count(*) FROM time_entries", [], |r| r.get(0))?,
        telemetry_queued: conn
            .query_row("SELECT count(*) FROM telemetry_outbox", [], |r| r.get(0))?,
        ..DbFacts::default()
    };
    let mut stmt =
        conn.prepare_cached("SELECT archived, count(*) FROM projects GROUP BY archived")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, bool>(0)?, r.get::<_, i64>(1)?)))? {
        let (archived, n) = row?;
        if archived {
            facts.projects_archived = n;
        } else {
            facts.projects_active = n;
        }
    }
    if let Some(cache) = per_project {
        facts.per_project = per_project_totals(conn, cache, now_ms)?;
    }
    facts.sync = read_sync(conn)?;
    Ok(facts)
}

impl Collectors {
    fn db_facts(&self, metrics: &Metrics) -> Option<DbFacts> {
        let path = self.db_path.as_ref()?;
        let mut slot = self.conn.lock().ok()?;
        if slot.is_none() {
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .ok()?;
            conn.busy_timeout(std::time::Duration::from_millis(500))
                .ok()?;
            metrics.db_connection_opened();
            *slot = Some(conn);
        }
        let conn = slot.as_ref()?;
        let _busy = metrics.db_busy();
        let start = std::time::Instant::now();
        let now_ms = jiff::Timestamp::now().as_millisecond();
        let mut totals = self.totals.lock().ok()?;
        let per_project = metrics.per_project().then_some(&mut *totals);
        match read_db(conn, per_project, now_ms) {
            Ok(facts) => {
                metrics.observe_db_query("metrics_scrape", start.elapsed());
                Some(facts)
            }
            Err(e) => {
                tracing::warn!(error = %e, "metrics could not read the database");
                None
            }
        }
    }
}

impl Drop for Collectors {
    fn drop(&mut self) {
        let opened = self.conn.get_mut().ok().is_some_and(|c| c.is_some());
        if let (true, Some(m)) = (opened, self.metrics.upgrade()) {
            m.db_connection_closed();
        }
    }
}

impl Collector for Collectors {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), FmtError> {
        let Some(metrics) = self.metrics.upgrade() else {
            return Ok(());
        };

        emit_family(
            &mut encoder,
            "build_info",
            "Version, OS and CPU architecture of this build; always 1",
            None,
            [(
                [
                    ("version", env!("CARGO_PKG_VERSION")),
                    ("os", std::env::consts::OS),
                    ("arch", std::env::consts::ARCH),
                ],
                ConstGauge::new(1i64),
            )],
        )?;

        let facts = self.db_facts(&metrics).unwrap_or_default();
        emit(
            &mut encoder,
            "active_timers",
            "Timers running now (0 or 1)",
            None,
            ConstGauge::new(facts.active_timers),
        )?;
        emit_family(
            &mut encoder,
            "projects",
            "Projects, by state (active or archived)",
            None,
            [
                (
                    [("state", "active")],
                    ConstGauge::new(facts.projects_active),
                ),
                (
                    [("state", "archived")],
                    ConstGauge::new(facts.projects_archived),
                ),
            ],
        )?;
        emit(
            &mut encoder,
            "time_entries",
            "Time entries stored",
            None,
            ConstGauge::new(facts.time_entries),
        )?;

        emit(
            &mut encoder,
            "telemetry_outbox_events",
            "Telemetry payloads waiting in the outbox (0 unless the user opted in)",
            None,
            ConstGauge::new(facts.telemetry_queued),
        )?;

        emit(
            &mut encoder,
            "sync_last_success_timestamp",
            "When sync last completed, as a Unix time (0: never)",
            Some(&Unit::Seconds),
            ConstGauge::new(facts.sync.last_success_ms.unwrap_or(0) as f64 / 1000.0),
        )?;
        emit(
            &mut encoder,
            "sync_records_applied",
            "Records from other devices that changed something here",
            None,
            ConstCounter::new(u64::try_from(facts.sync.applied).unwrap_or(0)),
        )?;
        emit(
            &mut encoder,
            "sync_conflicts",
            "Values that lost to a concurrent edit on another device",
            None,
            ConstCounter::new(u64::try_from(facts.sync.conflicts).unwrap_or(0)),
        )?;
        emit(
            &mut encoder,
            "sync_skipped_files",
            "Sync files found unusable (damaged, in progress, newer format, conflict copies), each counted once; retried later",
            None,
            ConstCounter::new(u64::try_from(facts.sync.skipped).unwrap_or(0)),
        )?;
        emit(
            &mut encoder,
            "sync_devices",
            "Devices sharing the sync folder, this one included (0 while sync is off)",
            None,
            ConstGauge::new(facts.sync.devices),
        )?;

        if metrics.per_project() {
            emit_family(
                &mut encoder,
                "project_tracked",
                "Seconds tracked per active project (opt-in: labels carry project names)",
                Some(&Unit::Seconds),
                facts
                    .per_project
                    .iter()
                    .map(|(name, secs)| ([("project", name.as_str())], ConstCounter::new(*secs))),
            )?;
        }

        if let Some(path) = &self.db_path {
            let size = |p: PathBuf| std::fs::metadata(p).map(|m| m.len() as i64).unwrap_or(0);
            let mut wal = path.clone().into_os_string();
            wal.push("-wal");
            emit(
                &mut encoder,
                "db_size",
                "Size of the database file",
                Some(&Unit::Bytes),
                ConstGauge::new(size(path.clone())),
            )?;
            emit(
                &mut encoder,
                "db_wal_size",
                "Size of the database's write-ahead log",
                Some(&Unit::Bytes),
                ConstGauge::new(size(PathBuf::from(wal))),
            )?;
        }
        let open = metrics.db_open.load(std::sync::atomic::Ordering::Relaxed);
        let busy = metrics.db_busy.load(std::sync::atomic::Ordering::Relaxed);
        emit_family(
            &mut encoder,
            "db_connections",
            "Open SQLite connections, by state (in_use or idle)",
            None,
            [
                ([("state", "in_use")], ConstGauge::new(busy)),
                ([("state", "idle")], ConstGauge::new((open - busy).max(0))),
            ],
        )?;

        if let Some(log) = crate::logging::global() {
            emit(
                &mut encoder,
                "log_lines_dropped",
                "Log lines lost because the writer could not keep up",
                None,
                ConstCounter::new(log.dropped()),
            )?;
            emit(
                &mut encoder,
                "log_lines_written",
                "Log lines written",
                None,
                ConstCounter::new(log.written()),
            )?;
            emit(
                &mut encoder,
                "log_degraded",
                "1 while logs go to standard error because the log folder cannot be written",
                None,
                ConstGauge::new(i64::from(log.degraded().is_some())),
            )?;
        }

        if let Some(p) = process::read() {
            emit(
                &mut encoder,
                "process_resident_memory",
                "Resident memory",
                Some(&Unit::Bytes),
                ConstGauge::new(p.resident_bytes),
            )?;
            emit(
                &mut encoder,
                "process_cpu",
                "User and system CPU time",
                Some(&Unit::Seconds),
                ConstCounter::new(p.cpu_seconds),
            )?;
            emit(
                &mut encoder,
                "process_open_fds",
                "Open file descriptors",
                None,
                ConstGauge::new(p.open_fds),
            )?;
            emit(
                &mut encoder,
                "process_start_time",
                "Start time of the process since the Unix epoch",
                Some(&Unit::Seconds),
                ConstGauge::new(p.start_time_seconds),
            )?;
        }
        Ok(())
    }
}

mod process {
    pub struct Process {
        pub resident_bytes: i64,
        pub cpu_seconds: f64,
        pub open_fds: i64,
        pub start_time_seconds: f64,
    }

    /// Clock ticks per second in /proc: USER_HZ, which the kernel fixes at
    /// 100 for user space on every mainstream architecture.
    #[cfg(target_os = "linux")]
    const USER_HZ: f64 = 100.0;

    #[cfg(target_os = "linux")]
    pub fn read() -> Option<Process> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name, which may hold spaces: field 3
        // (state) is index 0 here, so field n is index n - 3.
        let rest: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks = |field: usize| rest.get(field - 3)?.parse::<f64>().ok();
        let cpu_seconds = (ticks(14)? + ticks(15)?) / USER_HZ;
        let start_ticks = ticks(22)?;
        let boot_time: f64 = std::fs::read_to_string("/proc/stat")
            .ok()?
            .lines()
            .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())?;
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let rss_kib: i64 = status.lines().find_map(|l| {
            l.strip_prefix("VmRSS:")?
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        })?;
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as i64;
        Some(Process {
            resident_bytes: rss_kib * 1024,
            cpu_seconds,
            open_fds,
            start_time_seconds: boot_time + start_ticks / USER_HZ,
        })
    }

    #[cfg(not(target_os = "linux"))]
    pub fn read() -> Option<Process> {
        None
    }
}
