-- 0006_idempotency: POSTs made with an Idempotency-Key header (cloud/httpapi).
-- A key is reserved (state 'pending') before its request runs and holds the
-- answer once it ran ('done'), so a retry gets the first answer instead of
-- writing twice. Keys are per user of a tenant and expire after a day
-- (rows older are deleted lazily). Times are Unix milliseconds.

CREATE TABLE idempotency_keys (
    tenant       text COLLATE "C" NOT NULL,
    user_id      bigint NOT NULL,
    key          text COLLATE "C" NOT NULL,
    method       text   NOT NULL,
    path         text   NOT NULL, -- with the query, if any
    body_hash    bytea  NOT NULL, -- SHA-256 of the request body
    state        text   NOT NULL CHECK (state IN ('pending', 'done')),
    status       integer NOT NULL, -- 0 while pending
    content_type text   NOT NULL,
    etag         text   NOT NULL,
    location     text   NOT NULL,
    body         bytea  NOT NULL,
    created_at   bigint NOT NULL,
    PRIMARY KEY (tenant, user_id, key)
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
