//! The SQLite file: opening it safely, numbered migrations tracked in
//! `PRAGMA user_version`, and the write transaction every change goes through.

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::sync::Arc;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

/// Numbered migrations; migration `i` (0-based) takes the schema from
/// version `i` to `i + 1`. Never edit a shipped migration: add a new one.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_settings.sql"),
    include_str!("../migrations/0003_telemetry.sql"),
    include_str!("../migrations/0004_outbox_stats.sql"),
    include_str!("../migrations/0005_tracking.sql"),
    include_str!("../migrations/0006_sync.sql"),
    include_str!("../migrations/0007_webhooks.sql"),
    include_str!("../migrations/0008_archive_labels.sql"),
    include_str!("../migrations/0009_outbox_lean.sql"),
];

/// Prepared statements kept per connection: every statement a command
/// runs, with room to spare (a statement costs a few KiB).
const STATEMENT_CACHE: usize = 256;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a writer waits for another process (the CLI, a second window)
/// to finish its transaction before giving up with `storage.busy`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs inside every write transaction, just before it commits: the sync
/// layer stamps what the transaction changed (see `sync::stamp`).
pub(crate) type BeforeCommit = Box<dyn Fn(&Connection) -> Result<()> + Send>;

/// Watches one connection's work: metrics count and time it, crash
/// reporting traces it. Storage knows only this trait, so neither of them
/// has to sit below the database.
pub trait StorageObserver: Send + Sync {
    fn connection_opened(&self) {}
    fn connection_closed(&self) {}
    /// Operation `op` (a read or a whole write transaction) begins; the
    /// scope returned is dropped the moment it ends, error or not.
    fn begin(&self, op: &'static str) -> Option<Box<dyn OperationScope + '_>>;
}

/// Whatever an observer keeps while an operation runs (a timer, a span);
/// its `Drop` marks the end.
pub trait OperationScope {}

impl<T> OperationScope for T {}

pub struct Storage {
    conn: Connection,
    path: Option<PathBuf>,
    observers: Vec<Arc<dyn StorageObserver>>,
    before_commit: Option<BeforeCommit>,
}

impl Drop for Storage {
    fn drop(&mut self) {
        for o in &self.observers {
            o.connection_closed();
        }
    }
}

impl Storage {
    /// Opens (creating if needed) the database at `path` and brings its
    /// schema up to date, keeping a copy of the file before any migration.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, MIGRATIONS)
    }

    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory()?;
        let mut storage = Storage {
            conn,
            path: None,
            observers: Vec::new(),
            before_commit: None,
        };
        storage.configure()?;
        storage.migrate(MIGRATIONS)?;
        Ok(storage)
    }

    pub(crate) fn open_with(path: &Path, migrations: &[&str]) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Only its owner may read the history: a folder made before
            // this rule (or by hand) is tightened, and the log says so.
            let tightened =
                crate::private::create_dir(dir).map_err(|source| Error::StorageDataDir {
                    path: dir.to_owned(),
                    source,
                })?;
            if tightened {
                crate::log_event!(warn, "storage.folder_tightened");
            }
        }
        // SQLite gives the -wal and -shm files the database's own mode, so
        // a 0600 database keeps all three private.
        if !path.exists() {
            crate::private::create_file(path).map_err(|source| Error::StorageDataDir {
                path: path.to_owned(),
                source,
            })?;
        } else if let Err(source) = crate::private::tighten_file(path) {
            tracing::warn!(%source, "could not make the database private");
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| Error::from_sqlite(e, path))?;
        let mut storage = Storage {
            conn,
            path: Some(path.to_owned()),
            observers: Vec::new(),
            before_commit: None,
        };
        // Refuse a newer schema before anything writes to the file: even
        // switching to WAL would change its header.
        let found = storage.schema_version()?;
        let supported = migrations.len() as i64;
        if found > supported {
            return Err(Error::StorageSchemaTooNew { found, supported });
        }
        storage.configure()?;
        storage.migrate(migrations)?;
        Ok(storage)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The schema version of the database at `path`, read without opening
    /// it for writing (no WAL switch, no migration): for `tt doctor`, which
    /// reports an old schema instead of upgrading it.
    pub fn peek_schema_version(path: &Path) -> Result<i64> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| Error::from_sqlite(e, path))?;
        conn.pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|e| Error::from_sqlite(e, path))
    }

    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|e| self.classify(e))
    }

    /// SQLite's `PRAGMA data_version`: it moves when another connection
    /// commits to the file, never for this connection's own writes.
    pub fn data_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "data_version", |row| row.get(0))
            .map_err(|e| self.classify(e))
    }

    #[cfg(test)]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Tells `observer` about this connection's work from now on.
    pub(crate) fn observe(&mut self, observer: Arc<dyn StorageObserver>) {
        observer.connection_opened();
        self.observers.push(observer);
    }

    pub(crate) fn observers(&self) -> &[Arc<dyn StorageObserver>] {
        &self.observers
    }

    pub(crate) fn set_before_commit(&mut self, hook: BeforeCommit) {
        self.before_commit = Some(hook);
    }

    fn begin(&self, op: &'static str) -> Vec<Box<dyn OperationScope + '_>> {
        self.observers.iter().filter_map(|o| o.begin(op)).collect()
    }

    /// Runs the read `f` as operation `op`.
    pub(crate) fn read<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<T> {
        let _scopes = self.begin(op);
        f(&self.conn).map_err(|e| self.reclassify(e))
    }

    /// Runs `f` in an IMMEDIATE transaction and commits it, so the change is
    /// on disk before this returns; any error rolls everything back.
    ///
    /// `&self`: a connection runs one statement at a time anyway, and no
    /// write can begin inside another (`f` sees only the transaction), so
    /// reads that record something on the side (telemetry's outbox) need not
    /// borrow the whole tracker mutably.
    pub(crate) fn write<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let _scopes = self.begin(op);
        let result = (|| {
            let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            if let Some(hook) = &self.before_commit {
                hook(&tx)?;
            }
            tx.commit()?;
            Ok(value)
        })();
        result.map_err(|e| self.reclassify(e))
    }

    /// A generic database error from inside a read or write, told apart
    /// (full disk, read-only, busy...) now that the path is known.
    fn reclassify(&self, err: Error) -> Error {
        match err {
            Error::Database(e) => self.classify(e),
            other => other,
        }
    }

    fn classify(&self, err: rusqlite::Error) -> Error {
        match &self.path {
            Some(path) => Error::from_sqlite(err, path),
            None => Error::from(err),
        }
    }

    fn configure(&mut self) -> Result<()> {
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| self.classify(e))?;
        // rusqlite keeps 16 prepared statements by default, fewer than one
        // timer start runs (its own, sync's stamping, the outbox's, the
        // webhooks'): each start evicted and parsed again the statements of
        // the last, and parsing was a third of its time.
        self.conn
            .set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // WAL lets the CLI read while the app writes; FULL sync makes a
        // committed entry survive a power cut, not just a crash. Timer writes
        // are rare, so the fsync costs nothing a user notices.
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(|e| self.classify(e))?;
        if self.path.is_some() && !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Database(rusqlite::Error::InvalidQuery));
        }
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")
            .map_err(|e| self.classify(e))?;
        Ok(())
    }

    fn migrate(&mut self, migrations: &[&str]) -> Result<()> {
        let from = self.schema_version()?;
        let to = migrations.len() as i64;
        if from >= to {
            return Ok(());
        }
        if from > 0 {
            self.backup_before_migration(from)?;
            tracing::info!(from, to, "database backed up before upgrading its schema");
        }
        for (index, sql) in migrations.iter().enumerate().skip(from as usize) {
            let version = index as i64 + 1;
            self.write("migrate", |tx| {
                tx.execute_batch(sql)?;
                tx.pragma_update(None, "user_version", version)?;
                Ok(())
            })?;
        }
        crate::log_event!("storage.migrated", from_version = from, to_version = to);
        Ok(())
    }

    /// Copies the database beside itself as
    /// `timetracker.sqlite3.v<from>-<UTC time>.bak` before a migration.
    fn backup_before_migration(&self, from: i64) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ");
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".v{from}-{stamp}.bak"));
        let backup = path.with_file_name(name);
        // VACUUM INTO writes a consistent copy even while WAL holds
        // uncheckpointed pages, which a plain file copy would miss.
        self.conn
            .execute("VACUUM INTO ?1", [backup.to_string_lossy()])
            .map_err(|source| Error::StorageBackupFailed {
                path: backup.clone(),
                source,
            })?;
        // VACUUM INTO creates the copy with the umask's mode.
        if let Err(source) = crate::private::tighten_file(&backup) {
            tracing::warn!(%source, "could not make the backup private");
        }
        Ok(())
    }
}

/// Converts a stored millisecond count back into an instant. Values come
/// from our own writes, but a hand-edited file may hold anything: report it
/// as a conversion error rather than panicking.
pub(crate) fn ts_from_ms(idx: usize, ms: i64) -> rusqlite::Result<jiff::Timestamp> {
    jiff::Timestamp::from_millisecond(ms).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Integer, Box::new(e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_with_suffix(dir: &Path, suffix: &str) -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(suffix))
            .collect()
    }

    #[test]
    fn new_database_is_migrated_in_wal_mode_with_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open(&dir.path().join("nested/db.sqlite3")).unwrap();
        assert_eq!(storage.schema_version().unwrap(), SCHEMA_VERSION);
        let mode: String = storage
            .conn()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = storage
            .conn()
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        // A fresh file has nothing worth backing up.
        assert!(files_with_suffix(&dir.path().join("nested"), ".bak").is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn the_folder_the_database_and_its_wal_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let db = data.join("db.sqlite3");
        let storage = Storage::open(&db).unwrap();
        storage
            .write("test", |tx| Ok(tx.execute_batch("CREATE TABLE t (x)")?))
            .unwrap();
        assert_eq!(mode(&data), 0o700);
        for file in ["db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"] {
            assert_eq!(mode(&data.join(file)), 0o600, "{file}");
        }
        drop(storage);

        // A folder and a database from before the rule are tightened.
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        let _storage = Storage::open(&db).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&db), 0o600);
    }

    #[test]
    fn data_version_moves_for_other_connections_commits_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let app = Storage::open(&path).unwrap();
        let cli = Storage::open(&path).unwrap();
        let before = app.data_version().unwrap();
        app.conn()
            .execute_batch("CREATE TABLE own (x INTEGER)")
            .unwrap();
        assert_eq!(app.data_version().unwrap(), before);
        cli.conn()
            .execute_batch("INSERT INTO own VALUES (1)")
            .unwrap();
        assert_ne!(app.data_version().unwrap(), before);
    }

    #[test]
    fn reopening_a_current_database_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        drop(Storage::open(&path).unwrap());
        let storage = Storage::open(&path).unwrap();
        assert_eq!(storage.schema_version().unwrap(), SCHEMA_VERSION);
        assert!(files_with_suffix(dir.path(), ".bak").is_empty());
    }

    #[test]
    fn a_migration_keeps_a_copy_of_the_old_file_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let v1 = ["CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (41);"];
        drop(Storage::open_with(&path, &v1).unwrap());

        let v2 = [v1[0], "UPDATE t SET x = x + 1;"];
        let storage = Storage::open_with(&path, &v2).unwrap();
        assert_eq!(storage.schema_version().unwrap(), 2);
        let x: i64 = storage
            .conn()
            .query_row("SELECT x FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(x, 42);

        let backups = files_with_suffix(dir.path(), ".bak");
        assert_eq!(backups.len(), 1, "{backups:?}");
        let name = backups[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        assert!(name.starts_with("db.sqlite3.v1-"), "{name}");
        let old = Connection::open(&backups[0]).unwrap();
        let (x, version): (i64, i64) = old
            .query_row(
                "SELECT x, (SELECT user_version FROM pragma_user_version) FROM t",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((x, version), (41, 1));
    }

    #[test]
    fn a_failing_migration_rolls_back_and_keeps_the_old_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let v1 = ["CREATE TABLE t (x INTEGER);"];
        drop(Storage::open_with(&path, &v1).unwrap());
        let broken = [
            v1[0],
            "CREATE TABLE u (y INTEGER); SELECT no_such_function();",
        ];
        assert!(Storage::open_with(&path, &broken).is_err());
        let storage = Storage::open_with(&path, &v1).unwrap();
        assert_eq!(storage.schema_version().unwrap(), 1);
        let u_exists: i64 = storage
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'u'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(u_exists, 0);
    }

    #[test]
    fn a_newer_schema_is_refused_and_left_byte_for_byte_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Storage::open(&path).err().unwrap();
        assert_eq!(err.code(), "storage.schema_too_new");
        assert!(err.to_string().contains("99"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(!dir.path().join("db.sqlite3-wal").exists());
        assert!(files_with_suffix(dir.path(), ".bak").is_empty());
    }

    #[test]
    fn a_file_that_is_not_sqlite_gets_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        std::fs::write(&path, b"this is a shopping list, not a database, honestly").unwrap();
        let err = Storage::open(&path).err().unwrap();
        assert_eq!(err.code(), "storage.not_a_database");
    }

    #[test]
    fn an_unwritable_data_dir_gets_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        // A regular file where the data folder should be: creating the
        // folder fails the same way for root as for anyone.
        let blocker = dir.path().join("blocked");
        std::fs::write(&blocker, b"").unwrap();
        let err = Storage::open(&blocker.join("db.sqlite3")).err().unwrap();
        assert_eq!(err.code(), "storage.data_dir");
    }
}
