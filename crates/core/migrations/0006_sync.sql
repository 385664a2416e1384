-- Sync across devices through a shared folder (docs/sync.md).
--
-- Every synced record gets a global id (a UUID; the local integer ids stay
-- for the UI and tt). Triggers note which fields of which record a write
-- changed; the write that made the change stamps those fields with this
-- device's hybrid logical clock before it commits (crates/core/src/sync),
-- so no code path that changes an entry or a project can forget to.
-- Tags are identified by their case-folded name (their global id is a
-- UUID v5 of it), so they need no column here.

ALTER TABLE projects ADD COLUMN gid TEXT;
ALTER TABLE clients ADD COLUMN gid TEXT;
ALTER TABLE time_entries ADD COLUMN gid TEXT;

-- A random (version 4) UUID, in SQL, for the backfill and new rows.
UPDATE projects SET gid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
    || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1)
    || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
UPDATE clients SET gid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
    || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1)
    || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
UPDATE time_entries SET gid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
    || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1)
    || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));

CREATE UNIQUE INDEX projects_gid ON projects (gid);
CREATE UNIQUE INDEX clients_gid ON clients (gid);
CREATE UNIQUE INDEX time_entries_gid ON time_entries (gid);

-- This device's side of sync: one row, never synced itself.
CREATE TABLE sync_state (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    device_id        TEXT    NOT NULL,
    device_name      TEXT,
    folder           TEXT,
    enabled          INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    -- Set while received changes are written, so the triggers below do not
    -- take them for this device's own edits. Never committed as 1.
    applying         INTEGER NOT NULL DEFAULT 0 CHECK (applying IN (0, 1)),
    -- The hybrid logical clock: the highest (milliseconds, counter) stamped
    -- or seen.
    hlc_ms           INTEGER NOT NULL DEFAULT 0,
    hlc_counter      INTEGER NOT NULL DEFAULT 0,
    -- Sequence number of this device's next change file.
    next_seq         INTEGER NOT NULL DEFAULT 1,
    snapshot_seq     INTEGER,
    changes_since_snapshot INTEGER NOT NULL DEFAULT 0,
    last_sync_ms     INTEGER,
    last_success_ms  INTEGER,
    -- Running totals for /metrics (counters that survive restarts).
    applied_total    INTEGER NOT NULL DEFAULT 0,
    conflicts_total  INTEGER NOT NULL DEFAULT 0,
    skipped_total    INTEGER NOT NULL DEFAULT 0,
    -- What the last run found wrong, as JSON, for `tt sync status`.
    problems         TEXT    NOT NULL DEFAULT '[]',
    notices          TEXT    NOT NULL DEFAULT '[]'
) STRICT;

INSERT INTO sync_state (id, device_id) VALUES (1, lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
    || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1)
    || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))));

-- Changes made by a write that has not committed yet; emptied by that write.
CREATE TABLE sync_dirty (
    seq      INTEGER PRIMARY KEY,
    kind     TEXT    NOT NULL,
    row_id   INTEGER NOT NULL,
    -- Comma-separated field names; '*' for a new record, '!' for a deleted one.
    fields   TEXT    NOT NULL,
    gid      TEXT,
    -- A deleted record's last values, as JSON.
    state    TEXT
) STRICT;

-- The clock of every field of every synced record, and tombstones.
CREATE TABLE sync_records (
    kind     TEXT NOT NULL,
    gid      TEXT NOT NULL,
    -- {"*": hlc of creation, "<field>": [hlc, hlc it replaced], ...}
    clocks   TEXT NOT NULL DEFAULT '{}',
    deleted  TEXT,
    -- A deleted record's last values, as JSON: an edit made later elsewhere
    -- brings it back whole.
    state    TEXT,
    -- A tag's case-folded name, which its id is made from.
    tag_key  TEXT,
    PRIMARY KEY (kind, gid)
) STRICT, WITHOUT ROWID;

-- Records changed here and not yet written to the sync folder. `version`
-- moves on each change, so an export that read an older version leaves
-- the newer change queued.
CREATE TABLE sync_pending (
    kind    TEXT    NOT NULL,
    gid     TEXT    NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, gid)
) STRICT, WITHOUT ROWID;

-- Records merged into another (two projects of the same name made on two
-- devices): references to `gid` mean `into_gid`.
CREATE TABLE sync_aliases (
    kind     TEXT NOT NULL,
    gid      TEXT NOT NULL,
    into_gid TEXT NOT NULL,
    hlc      TEXT NOT NULL,
    PRIMARY KEY (kind, gid)
) STRICT, WITHOUT ROWID;

-- Other devices seen in the folder, and which of their files were applied:
-- every file up to `applied_upto`, and those listed in sync_applied.
CREATE TABLE sync_peers (
    device_id    TEXT PRIMARY KEY,
    name         TEXT,
    last_seen_ms INTEGER,
    applied_upto INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE sync_applied (
    device_id TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT, WITHOUT ROWID;

-- Values that lost to a concurrent edit of the same field elsewhere.
CREATE TABLE sync_conflicts (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    gid         TEXT    NOT NULL,
    field       TEXT    NOT NULL,
    -- The losing value, as the record's JSON field value.
    value       TEXT    NOT NULL,
    hlc         TEXT    NOT NULL,
    winner_hlc  TEXT    NOT NULL,
    detected_at INTEGER NOT NULL,
    resolved_at INTEGER,
    UNIQUE (kind, gid, field, hlc)
) STRICT;

-- New rows get their global id here, whoever inserts them.
CREATE TRIGGER projects_gid AFTER INSERT ON projects WHEN NEW.gid IS NULL
BEGIN
    UPDATE projects SET gid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
        || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1)
        || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
    WHERE id = NEW.id;
END;

CREATE TRIGGER clients_gid AFTER INSERT ON clients WHEN NEW.gid IS NULL
BEGIN
    UPDATE clients SET gid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
        || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1)
        || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
    WHERE id = NEW.id;
END;

CREATE TRIGGER time_entries_gid AFTER INSERT ON time_entries WHEN NEW.gid IS NULL
BEGIN
    UPDATE time_entries SET gid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
        || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1)
        || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
    WHERE id = NEW.id;
END;

-- What changed, field by field (only fields that sync; updated_at does not).
CREATE TRIGGER sync_entries_insert AFTER INSERT ON time_entries
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_dirty (kind, row_id, fields) VALUES ('entry', NEW.id, '*');
END;

CREATE TRIGGER sync_entries_update AFTER UPDATE ON time_entries
WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.project_id IS NOT NEW.project_id OR OLD.description IS NOT NEW.description
         OR OLD.started_at IS NOT NEW.started_at OR OLD.stopped_at IS NOT NEW.stopped_at)
BEGIN
    INSERT INTO sync_dirty (kind, row_id, fields) VALUES ('entry', NEW.id, rtrim(
        CASE WHEN OLD.project_id IS NOT NEW.project_id THEN 'project,' ELSE '' END ||
        CASE WHEN OLD.description IS NOT NEW.description THEN 'description,' ELSE '' END ||
        CASE WHEN OLD.started_at IS NOT NEW.started_at THEN 'start,' ELSE '' END ||
        CASE WHEN OLD.stopped_at IS NOT NEW.stopped_at THEN 'end,' ELSE '' END, ','));
END;

-- BEFORE: the entry's tags are still there to be kept with its tombstone.
CREATE TRIGGER sync_entries_delete BEFORE DELETE ON time_entries
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_dirty (kind, row_id, fields, gid, state) VALUES ('entry', OLD.id, '!', OLD.gid,
        json_object(
            'project', (SELECT gid FROM projects WHERE id = OLD.project_id),
            'description', OLD.description,
            'start', OLD.started_at,
            'end', OLD.stopped_at,
            'tags', json((SELECT json_group_array(t.name_key) FROM entry_tags et
                          JOIN tags t ON t.id = et.tag_id WHERE et.entry_id = OLD.id))));
END;

CREATE TRIGGER sync_entry_tags_insert AFTER INSERT ON entry_tags
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_dirty (kind, row_id, fields) VALUES ('entry', NEW.entry_id, 'tags');
END;

CREATE TRIGGER sync_entry_tags_delete AFTER DELETE ON entry_tags
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_dirty (kind, row_id, fields) VALUES ('entry', OLD.entry_id, 'tags');
END;

CREATE TRIGGER sync_projects_insert AFTER INSERT ON projects
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_dirty (kind, row_id, fields) VALUES ('project', NEW.id, '*');
END;

CREATE TRIGGER sync_projects_update AFTER UPDATE ON projects
WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.name IS NOT NEW.name OR OLD.color IS NOT NEW.color OR OLD.archived IS NOT NEW.archived
         OR OLD.client_id IS NOT NEW.client_id OR OLD.billable IS NOT NEW.billable
         OR OLD.hourly_rate_cents IS NOT NEW.hourly_rate_cents OR OLD.currency IS NOT NEW.currency)
BEGIN
    INSERT INTO sync_dirty (kind, row_id, fields) VALUES ('project', NEW.id, rtrim(
        CASE WHEN OLD.name IS NOT NEW.name THEN 'name,' ELSE '' END ||
        CASE WHEN OLD.color IS NOT NEW.color THEN 'color,' ELSE '' END ||
        CASE WHEN OLD.archived IS NOT NEW.archived THEN 'archived,' ELSE '' END ||
        CASE WHEN OLD.client_id IS NOT NEW.client_id THEN 'client,' ELSE '' END ||
        CASE WHEN OLD.billable IS NOT NEW.billable THEN 'billable,' ELSE '' END ||
        CASE WHEN OLD.hourly_rate_cents IS NOT NEW.hourly_rate_cents THEN 'hourly_rate_cents,' ELSE '' END ||
        CASE WHEN OLD.currency IS NOT NEW.currency THEN 'currency,' ELSE '' END, ','));
END;

CREATE TRIGGER sync_clients_insert AFTER INSERT ON clients
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_dirty (kind, row_id, fields) VALUES ('client', NEW.id, '*');
END;

CREATE TRIGGER sync_clients_update AFTER UPDATE ON clients
WHEN (SELECT applying FROM sync_state) = 0 AND OLD.name IS NOT NEW.name
BEGIN
    INSERT INTO sync_dirty (kind, row_id, fields) VALUES ('client', NEW.id, 'name');
END;

CREATE TRIGGER sync_tags_insert AFTER INSERT ON tags
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_dirty (kind, row_id, fields) VALUES ('tag', NEW.id, '*');
END;
