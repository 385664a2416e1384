-- Running totals of the telemetry outbox, kept by triggers, so enforcing its
-- caps (10,000 events, 5 MB) on every enqueue costs O(1) instead of a scan
-- of a full outbox (measured: 8 ms per command offline with 10,000 queued).
CREATE TABLE telemetry_outbox_stats (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    events INTEGER NOT NULL,
    bytes  INTEGER NOT NULL
) STRICT;

INSERT INTO telemetry_outbox_stats (id, events, bytes)
SELECT 1, count(*), coalesce(sum(length(payload)), 0) FROM telemetry_outbox;

CREATE TRIGGER telemetry_outbox_stats_insert AFTER INSERT ON telemetry_outbox
BEGIN
    UPDATE telemetry_outbox_stats
    SET events = events + 1, bytes = bytes + length(NEW.payload)
    WHERE id = 1;
END;

CREATE TRIGGER telemetry_outbox_stats_delete AFTER DELETE ON telemetry_outbox
BEGIN
    UPDATE telemetry_outbox_stats
    SET events = events - 1, bytes = bytes - length(OLD.payload)
    WHERE id = 1;
END;
