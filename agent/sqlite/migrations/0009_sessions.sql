-- Signing in at the agent (agent/httpapi): sessions of the site's users,
-- device tokens, and failed sign-ins for the lockout. Tokens are kept
-- only as their SHA-256; times are Unix milliseconds.
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    user       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user);

CREATE TABLE device_tokens (
    name       TEXT PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE signin_failures (
    user         TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    first_at     INTEGER NOT NULL,
    locked_until INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
