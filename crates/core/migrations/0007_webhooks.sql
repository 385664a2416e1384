-- Webhooks the user added, and the deliveries waiting for (or done with)
-- them. A delivery is queued in the transaction of the change it reports,
-- so a change and its delivery commit together; the sender marks it
-- delivered, or schedules its next attempt, and gives up after the last.
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    url        TEXT    NOT NULL,
    -- Comma-separated change names (`timer.started,entry.deleted`).
    events     TEXT    NOT NULL,
    -- `whsec_` and the base64 of the HMAC key, as Standard Webhooks writes it.
    secret     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    uuid            TEXT    NOT NULL UNIQUE,
    event           TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at    INTEGER,
    -- Set when the last attempt failed: it is not tried again.
    gave_up_at      INTEGER,
    last_status     INTEGER,
    last_error      TEXT
) STRICT;

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries (webhook_id, id);
