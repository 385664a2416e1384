-- Instants are UTC milliseconds since the Unix epoch: compact, sortable,
-- and free of the time-zone ambiguity that text dates invite.

CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Lower-cased name: SQLite's NOCASE folds ASCII only, so uniqueness
    -- "ignoring case" is checked on a key that Rust folds for all of Unicode.
    name_key    TEXT    NOT NULL,
    color       TEXT    NOT NULL CHECK (color GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
    archived    INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- Names are unique among active projects only: an archived "Website" must
-- not block a new one.
CREATE UNIQUE INDEX projects_active_name_key ON projects (name_key) WHERE archived = 0;

CREATE TABLE time_entries (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER REFERENCES projects (id) ON DELETE RESTRICT,
    description TEXT    NOT NULL DEFAULT '',
    started_at  INTEGER NOT NULL,
    stopped_at  INTEGER CHECK (stopped_at IS NULL OR stopped_at >= started_at),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- At most one running entry, whoever writes: the app, the CLI or a script.
-- Every running row has the same key, so a second one violates the index.
CREATE UNIQUE INDEX time_entries_one_running ON time_entries ((stopped_at IS NULL))
    WHERE stopped_at IS NULL;

CREATE INDEX time_entries_started_at ON time_entries (started_at);
CREATE INDEX time_entries_project_id ON time_entries (project_id);
