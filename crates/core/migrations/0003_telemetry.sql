-- Telemetry waits here until it is sent: nothing is lost offline, and the
-- user can read (and delete) exactly what is queued. `payload` is the exact
-- JSON object that goes into PostHog's batch.
CREATE TABLE telemetry_outbox (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT    NOT NULL UNIQUE,
    event      TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- The last payloads that were sent, for the inspector (trimmed to 500).
CREATE TABLE telemetry_sent (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT    NOT NULL,
    event      TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    sent_at    INTEGER NOT NULL
) STRICT;
