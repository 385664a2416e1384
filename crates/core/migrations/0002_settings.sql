-- User settings, one row per key; values are JSON so a setting can grow
-- from a flag into a structure without another migration.
CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
