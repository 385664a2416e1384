-- Complete tracking: clients and billing on projects, tags on entries, and
-- entry ids that are never handed out twice (undoing a delete restores the
-- entry under its old id, so that id must still be free).

CREATE TABLE clients (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Folded by Rust for all of Unicode, as for projects.
    name_key    TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
) STRICT;

ALTER TABLE projects ADD COLUMN client_id INTEGER REFERENCES clients (id) ON DELETE SET NULL;
ALTER TABLE projects ADD COLUMN billable INTEGER NOT NULL DEFAULT 0 CHECK (billable IN (0, 1));
ALTER TABLE projects ADD COLUMN hourly_rate_cents INTEGER
    CHECK (hourly_rate_cents IS NULL OR hourly_rate_cents >= 0);
-- ISO 4217: three upper-case letters.
ALTER TABLE projects ADD COLUMN currency TEXT
    CHECK (currency IS NULL OR (length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]'));

-- Rebuilt with AUTOINCREMENT: a plain INTEGER PRIMARY KEY reuses the highest
-- id after it is deleted, and the next timer would take the id an undo needs.
CREATE TABLE time_entries_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  INTEGER REFERENCES projects (id) ON DELETE RESTRICT,
    description TEXT    NOT NULL DEFAULT '',
    started_at  INTEGER NOT NULL,
    stopped_at  INTEGER CHECK (stopped_at IS NULL OR stopped_at >= started_at),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

INSERT INTO time_entries_new (id, project_id, description, started_at, stopped_at, created_at, updated_at)
SELECT id, project_id, description, started_at, stopped_at, created_at, updated_at FROM time_entries;

DROP TABLE time_entries;
ALTER TABLE time_entries_new RENAME TO time_entries;

CREATE UNIQUE INDEX time_entries_one_running ON time_entries ((stopped_at IS NULL))
    WHERE stopped_at IS NULL;
CREATE INDEX time_entries_started_at ON time_entries (started_at);
CREATE INDEX time_entries_project_id ON time_entries (project_id);
-- The longest finished entry bounds how far before a range an entry that
-- reaches into it can start: max() over this index is one lookup, so range
-- queries stay on the started_at index instead of scanning every row.
CREATE INDEX time_entries_duration ON time_entries ((stopped_at - started_at));

CREATE TABLE tags (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    name_key    TEXT    NOT NULL UNIQUE
) STRICT;

CREATE TABLE entry_tags (
    entry_id    INTEGER NOT NULL REFERENCES time_entries (id) ON DELETE CASCADE,
    tag_id      INTEGER NOT NULL REFERENCES tags (id) ON DELETE RESTRICT,
    PRIMARY KEY (entry_id, tag_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX entry_tags_tag_id ON entry_tags (tag_id);
