-- The outbox's caps without a page of their own in every commit. Each row
-- now carries the running count and byte total of the outbox up to it, so
-- what is queued is the difference between the newest row and the oldest
-- (two lookups by rowid, and nothing written but the row). The totals table
-- of migration 0004, and its triggers, cost every event one more page
-- written and fsynced with the change it reports; so did the UNIQUE index
-- on uuid, which nothing looks a row up by (the sender, the inspector and
-- deletes go by id).
CREATE TABLE telemetry_outbox_new (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT    NOT NULL,
    event       TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    -- Events and bytes queued up to and including this row, counted from
    -- any base: only differences between two rows mean anything.
    run_events  INTEGER NOT NULL,
    run_bytes   INTEGER NOT NULL
) STRICT;

INSERT INTO telemetry_outbox_new (id, uuid, event, payload, created_at, run_events, run_bytes)
SELECT id, uuid, event, payload, created_at,
       count(*) OVER (ORDER BY id),
       sum(length(payload)) OVER (ORDER BY id)
FROM telemetry_outbox;

DROP TABLE telemetry_outbox;
ALTER TABLE telemetry_outbox_new RENAME TO telemetry_outbox;
DROP TABLE telemetry_outbox_stats;
