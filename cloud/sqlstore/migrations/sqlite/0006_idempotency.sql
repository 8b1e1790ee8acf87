-- 0006_idempotency: POSTs made with an Idempotency-Key header (cloud/httpapi).
-- A key is reserved (state 'pending') before its request runs and holds the
-- answer once it ran ('done'), so a retry gets the first answer instead of
-- writing twice. Keys are per user of a tenant and expire after a day
-- (rows older are deleted lazily). Times are Unix milliseconds.

CREATE TABLE idempotency_keys (
    tenant       TEXT    NOT NULL,
    user_id      INTEGER NOT NULL,
    key          TEXT    NOT NULL,
    method       TEXT    NOT NULL,
    path         TEXT    NOT NULL, -- with the query, if any
    body_hash    BLOB    NOT NULL, -- SHA-256 of the request body
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'done')),
    status       INTEGER NOT NULL, -- 0 while pending
    content_type TEXT    NOT NULL,
    etag         TEXT    NOT NULL,
    location     TEXT    NOT NULL,
    body         BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant, user_id, key)
) STRICT;

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
